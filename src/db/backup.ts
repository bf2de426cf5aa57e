import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { OperatorError } from "../operator-error.ts";
import { openRawConnection } from "./client.ts";
import { databaseFileError } from "./database-file.ts";

export interface BackupCheck {
  integrity: string;
  rows: Record<string, number>;
}

export interface RestoreResult extends BackupCheck {
  /** Where the database that was replaced is kept (none when there was no database yet). */
  safetyCopy?: string;
}

const CORE_TABLES = ["Source", "Actor", "Scenario", "Threat", "Condition", "Deadline", "Event", "Topic", "Evidence", "StatusChange"];

/** How long restore waits for a brief user of the database (a CLI read) before refusing. */
const RESTORE_LOCK_WAIT_MS = 1_000;

/**
 * Copies a database through SQLite's online backup API into a new 0600 file beside
 * `destination`, then renames it into place: the copy is one point in time, and a failed or
 * interrupted copy never leaves a half-written file under the destination's name.
 */
async function copyInto(source: Database.Database, destination: string): Promise<void> {
  const partial = join(dirname(destination), `.${basename(destination)}.partial-${process.pid}`);
  try {
    closeSync(openSync(partial, "wx", 0o600));
    await source.backup(partial);
    renameSync(partial, destination);
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * A consistent copy of a live database through SQLite's online backup API: readers and the
 * writer go on while pages are copied. Refuses to overwrite an existing file unless `force`.
 */
export async function backupDatabase(databasePath: string, destination: string, options: { force?: boolean } = {}): Promise<BackupCheck> {
  if (resolve(destination) === resolve(databasePath)) throw new OperatorError(`${destination} is the database itself; choose another file for the backup`);
  if (existsSync(destination) && !options.force) {
    throw new OperatorError(`${destination} already exists; choose another file, or add --force to overwrite it`);
  }
  const db = openRawConnection(databasePath, { readonly: true, fileMustExist: true });
  try {
    await copyInto(db, destination);
  } finally {
    db.close();
  }
  return checkBackup(destination);
}

/** integrity_check and row counts of a backup file; throws when it is not a Tradewatch database. */
export function checkBackup(file: string): BackupCheck {
  if (!existsSync(file)) throw new OperatorError(`No backup file at ${file}`);
  let db: Database.Database | undefined;
  try {
    db = openRawConnection(file, { readonly: true, fileMustExist: true });
    const integrity = String(db.pragma("integrity_check", { simple: true }));
    if (integrity !== "ok") throw new OperatorError(`Backup ${file} fails integrity_check: ${integrity}`);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    const missing = [...CORE_TABLES, "_prisma_migrations"].filter((t) => !tables.has(t));
    if (missing.length) throw new OperatorError(`Backup ${file} is not a Tradewatch database (missing ${missing.join(", ")})`);
    const rows = Object.fromEntries(CORE_TABLES.map((t) => [t, (db!.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
    return { integrity, rows };
  } catch (error) {
    if (error instanceof OperatorError) throw error;
    throw new OperatorError(`Backup ${file} is not a sound SQLite database (${(error as Error).message})`);
  } finally {
    db?.close();
  }
}

/** Processes (other than this one) that have the database or its WAL open, read from /proc (Linux). */
function processesUsing(databasePath: string): string[] {
  const files = new Set([databasePath, `${databasePath}-wal`, `${databasePath}-shm`]);
  if (!existsSync("/proc/self/fd")) return [];
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const fds = readdirSync(`/proc/${pid}/fd`);
      if (fds.some((fd) => files.has(readlinkSync(`/proc/${pid}/fd/${fd}`)))) {
        const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
        found.push(`pid ${pid} (${command.length > 70 ? `${command.slice(0, 69)}…` : command})`);
      }
    } catch {
      // The process ended meanwhile, or belongs to another user: nothing to report for it.
    }
  }
  return found;
}

/** Overwrites the file at `path` in place with the bytes of `source` and fsyncs it. */
function overwriteInPlace(source: string, path: string): void {
  const from = openSync(source, "r");
  const to = openSync(path, "r+");
  try {
    const chunk = Buffer.alloc(1 << 20);
    let offset = 0;
    for (let n = readSync(from, chunk, 0, chunk.length, offset); n > 0; n = readSync(from, chunk, 0, chunk.length, offset)) {
      writeSync(to, chunk, 0, n, offset);
      offset += n;
    }
    ftruncateSync(to, fstatSync(from).size);
    fsyncSync(to);
  } finally {
    closeSync(from);
    closeSync(to);
  }
}

/** `tracker.db.before-restore-2026-11-29T183012Z`: sorts by time, one per restore. */
function safetyCopyName(databasePath: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${databasePath}.before-restore-${stamp}`;
}

/**
 * Checks a backup and puts it in place of the database. Refuses while any other process
 * (a server, the CLI, a backup) has the database open, naming it; the check is SQLite's own
 * file lock, which the kernel releases when a process dies, so a killed server never blocks a
 * restore. While restoring it holds that lock exclusively, so nothing opens the database
 * half-way; the replaced database is kept beside it as a dated safety copy.
 */
export async function restoreDatabase(backupFile: string, databasePath: string): Promise<RestoreResult> {
  if (resolve(backupFile) === resolve(databasePath)) throw new OperatorError(`${backupFile} is the database itself; name a backup file`);
  checkBackup(backupFile);
  const source = openRawConnection(backupFile, { readonly: true, fileMustExist: true });
  if (!existsSync(databasePath)) {
    try {
      await copyInto(source, databasePath);
    } finally {
      source.close();
    }
    return checkBackup(databasePath);
  }

  const prepared = join(dirname(databasePath), `.${basename(databasePath)}.restoring-${process.pid}`);
  let live: Database.Database | undefined;
  try {
    await copyInto(source, prepared);
    source.close();
    live = new Database(databasePath, { timeout: RESTORE_LOCK_WAIT_MS, fileMustExist: true });
    live.pragma("locking_mode = EXCLUSIVE");
    try {
      live.exec("BEGIN EXCLUSIVE; COMMIT");
    } catch (error) {
      if (!String((error as { code?: string }).code).startsWith("SQLITE_BUSY")) throw error;
      const users = processesUsing(databasePath);
      throw new OperatorError(
        `Refusing to restore: ${databasePath} is in use by ${users.length ? users.join(", ") : "another connection (a server, the CLI or a backup)"}; stop it, then run npm run db:restore again`,
      );
    }
    // Held exclusively from here on: fold the WAL into the file, so the file alone is the database.
    live.pragma("journal_mode = DELETE");
    const safetyCopy = safetyCopyName(databasePath);
    await copyInto(live, safetyCopy);
    try {
      overwriteInPlace(prepared, databasePath);
    } catch (error) {
      throw new OperatorError(
        `Restore stopped half-way (${(error as Error).message}); the previous database is kept in ${safetyCopy}: copy it back over ${databasePath}`,
      );
    }
    live.close();
    live = undefined;
    return { ...checkBackup(databasePath), safetyCopy };
  } catch (error) {
    throw databaseFileError(databasePath, error);
  } finally {
    if (source.open) source.close();
    live?.close();
    rmSync(prepared, { force: true });
  }
}
