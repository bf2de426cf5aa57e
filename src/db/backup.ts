import { existsSync } from "node:fs";
import { openRawConnection } from "./client.ts";

export interface BackupCheck {
  integrity: string;
  rows: Record<string, number>;
}

const CORE_TABLES = ["Source", "Actor", "Scenario", "Threat", "Condition", "Deadline", "Event", "Topic", "Evidence", "StatusChange"];

/**
 * A consistent copy of a live database through SQLite's online backup API: readers and the
 * writer go on while pages are copied, and the copy is one point in time.
 */
export async function backupDatabase(databasePath: string, destination: string): Promise<BackupCheck> {
  const db = openRawConnection(databasePath, { readonly: true, fileMustExist: true });
  try {
    await db.backup(destination);
  } finally {
    db.close();
  }
  return checkBackup(destination);
}

/** integrity_check and row counts of a backup file; throws when it is not a Tradewatch database. */
export function checkBackup(file: string): BackupCheck {
  if (!existsSync(file)) throw new Error(`No backup file at ${file}`);
  const db = openRawConnection(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(db.pragma("integrity_check", { simple: true }));
    if (integrity !== "ok") throw new Error(`Backup ${file} fails integrity_check: ${integrity}`);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    const missing = [...CORE_TABLES, "_prisma_migrations"].filter((t) => !tables.has(t));
    if (missing.length) throw new Error(`Backup ${file} is not a Tradewatch database (missing ${missing.join(", ")})`);
    const rows = Object.fromEntries(CORE_TABLES.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
    return { integrity, rows };
  } finally {
    db.close();
  }
}

/** Checks a backup, then copies it over the database with the backup API (stop the server first). */
export async function restoreDatabase(backupFile: string, databasePath: string): Promise<BackupCheck> {
  const check = checkBackup(backupFile);
  const source = openRawConnection(backupFile, { readonly: true, fileMustExist: true });
  try {
    await source.backup(databasePath);
  } finally {
    source.close();
  }
  return { ...check, integrity: String(checkBackup(databasePath).integrity) };
}
