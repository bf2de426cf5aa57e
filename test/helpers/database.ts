import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { openDatabase, type TrackerDatabase } from "../../src/db/client.ts";
import { seedAll } from "../../src/seed/run.ts";

/** A fresh copy of the migrated base database in its own temp folder. */
export function freshDatabaseFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "tradewatch-test-"));
  const path = join(dir, "tracker.db");
  copyFileSync(inject("baseDatabasePath"), path);
  return path;
}

export async function freshDatabase(options: { seeded?: boolean } = {}): Promise<TrackerDatabase> {
  const db = await openDatabase(freshDatabaseFile());
  if (options.seeded) await seedAll(db);
  return db;
}

/** Row counts of every table: a cheap fingerprint of "nothing changed". */
export function rowCounts(db: TrackerDatabase): Record<string, number> {
  const tables = db.reader
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name")
    .all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, (db.reader.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
}

/** A checksum of every row of every table, to prove a rejected request changed nothing. */
export function contentChecksum(db: TrackerDatabase): string {
  const tables = Object.keys(rowCounts(db));
  const hash = createHash("sha256");
  for (const t of tables) {
    for (const row of db.reader.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).raw().all()) hash.update(JSON.stringify(row));
  }
  return hash.digest("hex");
}
