import { closeSync, existsSync, mkdirSync, openSync, readSync } from "node:fs";
import { dirname } from "node:path";
import { OperatorError } from "../operator-error.ts";

/**
 * Creates the database's folder (0700) and an empty database file (0600) when missing.
 * SQLite gives the -wal and -shm files the mode of the database file, so they are 0600 too.
 */
export function ensureDatabaseFile(path: string): void {
  try {
    makeFolders(dirname(path));
    closeSync(openSync(path, "a", 0o600));
  } catch (error) {
    throw databaseFileError(path, error);
  }
}

/** Whether the file is a SQLite database in WAL mode (its header's read and write versions are 2). */
export function inWalMode(path: string): boolean {
  const header = Buffer.alloc(20);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    return readSync(fd, header, 0, 20, 0) === 20 && header.toString("latin1", 0, 16) === "SQLite format 3\0" && header[18] === 2 && header[19] === 2;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Creates the database's folder (0700) when missing, without touching the file. */
export function ensureDatabaseFolder(path: string): void {
  try {
    makeFolders(dirname(path));
  } catch (error) {
    throw databaseFileError(path, error);
  }
}

/**
 * `mkdir -p` one level at a time: Node's recursive mkdirSync spins forever where mkdir answers
 * ENOENT for a folder whose parent exists (e.g. under /proc), which made db:migrate hang.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const folder of missing) mkdirSync(folder, { mode: 0o700 });
}

/** The operator's one line for an error met while opening or writing the database file at `path`. */
export function databaseFileError(path: string, error: unknown): Error {
  if (error instanceof OperatorError) return error;
  const raw = (error as { code?: string }).code ?? "";
  // SQLite's extended codes (SQLITE_IOERR_WRITE, SQLITE_CANTOPEN_ISDIR…) by their primary code.
  const code = raw.startsWith("SQLITE_") ? raw.split("_").slice(0, 2).join("_") : raw;
  const message = (error as Error).message ?? String(error);
  const where = `DATABASE_URL (${path})`;
  switch (code) {
    case "ENOTDIR":
    case "EEXIST":
      return new OperatorError(`${where}: a part of the path is a file, not a folder; set DATABASE_URL to a file in a folder`);
    case "EISDIR":
      return new OperatorError(`${where} is a folder; set DATABASE_URL to a file such as file:./data/tradewatch.db`);
    case "ENOENT":
      return new OperatorError(`${where}: the file or its folder cannot be created there (ENOENT); use a folder this user can write`);
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return new OperatorError(`${where}: no permission to create or write it (${code}); use a folder this user can write`);
    case "ENOSPC":
      return new OperatorError(`${where}: the disk is full; free some space and try again`);
    case "SQLITE_NOTADB":
      return new OperatorError(`${where} is not a SQLite database; point DATABASE_URL at the Tradewatch database`);
    case "SQLITE_CORRUPT":
      return new OperatorError(`${where} is damaged (${message}); restore a backup with npm run db:restore -- <file>`);
    case "SQLITE_BUSY":
    case "SQLITE_LOCKED":
      return new OperatorError(`${where} stayed locked by another process's write; try again once it is idle`);
    case "SQLITE_CANTOPEN":
    case "SQLITE_READONLY":
    case "SQLITE_IOERR":
      return new OperatorError(`${where} cannot be opened for writing (${code}: ${message}); check the path and its permissions`);
    case "SQLITE_FULL":
      return new OperatorError(`${where}: the disk is full; free some space and try again`);
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}
