import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { OperatorError } from "../operator-error.ts";
import { PROJECT_ROOT } from "../project-root.ts";
import { databaseFileError, ensureDatabaseFile } from "./database-file.ts";
import { rewriteAllInForce } from "./in-force.ts";
import { refreshAllStatusSpans } from "./tracked-writes.ts";

export const MIGRATIONS_DIR = join(PROJECT_ROOT, "prisma", "migrations");

/** How long a migration waits for another process's write to finish before giving up. */
const MIGRATION_BUSY_TIMEOUT_MS = 15_000;

/** Prisma's own DDL for its history table, byte for byte, so `prisma migrate status` reads it as its own. */
const PRISMA_MIGRATIONS_TABLE = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

interface MigrationFile {
  name: string;
  script: string;
  checksum: string;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: string | null;
  rolled_back_at: string | null;
}

/** The committed migrations, in the order Prisma applies them (folder name). */
export function migrationFiles(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory() && existsSync(join(dir, name, "migration.sql")))
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(dir, name, "migration.sql"));
      return { name, script: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

/** Derived tables a migration adds, filled by the app's own rule in the migration's transaction (SQL alone cannot evaluate a history). */
const BACKFILLS: Record<string, (db: Database.Database) => void> = {
  "20261129700000_in_force_projection": rewriteAllInForce,
  "20261130000000_link_status_span": (db) => refreshAllStatusSpans(db),
};

/** Prisma writes its timestamps as ISO-8601 text with an explicit offset. */
const prismaTimestamp = () => new Date().toISOString().replace("Z", "+00:00");

/**
 * Applies the pending committed migrations to the SQLite file at `path` (created when missing)
 * with the app's own driver, and records each in `_prisma_migrations` exactly as Prisma does.
 * Unlike `prisma migrate deploy`, it needs no exclusive hold on the file: each migration runs
 * in one `BEGIN IMMEDIATE` transaction beside any other open connection, and is applied and
 * recorded together or not at all. Returns the names it applied (none when up to date).
 */
export function migrateDatabase(path: string, options: { migrationsDir?: string; busyTimeoutMs?: number } = {}): string[] {
  const migrations = migrationFiles(options.migrationsDir);
  const isNew = !existsSync(path);
  ensureDatabaseFile(path);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs ?? MIGRATION_BUSY_TIMEOUT_MS });
    if (isNew) db.pragma("journal_mode = WAL");
    const applied: string[] = [];
    for (;;) {
      const name = applyNextMigration(db, path, migrations);
      if (!name) return applied;
      applied.push(name);
    }
  } catch (error) {
    throw databaseFileError(path, error);
  } finally {
    db?.close();
  }
}

/** In one write transaction: checks the history, applies the first pending migration and records it. */
function applyNextMigration(db: Database.Database, path: string, migrations: MigrationFile[]): string | undefined {
  db.exec("BEGIN IMMEDIATE");
  try {
    const next = nextPendingMigration(db, path, migrations);
    if (!next) {
      db.exec("COMMIT");
      return undefined;
    }
    const startedAt = prismaTimestamp();
    try {
      db.exec(next.script);
      BACKFILLS[next.name]?.(db);
    } catch (error) {
      throw new OperatorError(
        `migration ${next.name} failed (${(error as Error).message}); nothing of it was applied: fix prisma/migrations/${next.name}/migration.sql and run npm run db:migrate again`,
      );
    }
    // foreign_keys stays off on this connection (as in Prisma's table rebuilds), so check once at the end.
    const broken = db.pragma("foreign_key_check") as { table: string }[];
    if (broken.length) {
      throw new OperatorError(
        `migration ${next.name} would leave ${broken.length} row(s) of ${broken[0]!.table} with a broken foreign key; nothing was applied: fix the migration and run npm run db:migrate again`,
      );
    }
    db.prepare(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
    ).run(randomUUID(), next.checksum, prismaTimestamp(), next.name, startedAt);
    db.exec("COMMIT");
    return next.name;
  } catch (error) {
    if (db.inTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** The first committed migration not yet applied; refuses a history Prisma itself would refuse. */
function nextPendingMigration(db: Database.Database, path: string, migrations: MigrationFile[]): MigrationFile | undefined {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map(
    (t) => t.name,
  );
  if (!tables.includes("_prisma_migrations")) {
    if (tables.length) {
      throw new OperatorError(
        `DATABASE_URL (${path}) holds tables (${tables.slice(0, 3).join(", ")}…) but no migration history, so it is not a Tradewatch database; point DATABASE_URL at another file`,
      );
    }
    db.exec(PRISMA_MIGRATIONS_TABLE);
  }
  const rows = db.prepare(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`).all() as MigrationRow[];
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new OperatorError(
      `migration ${failed.migration_name} failed earlier and is recorded as unfinished in ${path}; repair the database or restore a backup, then run npx prisma migrate resolve --rolled-back ${failed.migration_name}`,
    );
  }
  const applied = new Map(rows.filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r.checksum]));
  for (const m of migrations) {
    const checksum = applied.get(m.name);
    if (checksum !== undefined && checksum !== m.checksum) {
      throw new OperatorError(
        `prisma/migrations/${m.name}/migration.sql was changed after it was applied to ${path}; restore the committed file (git checkout prisma/migrations) and put the change in a new migration`,
      );
    }
  }
  return migrations.find((m) => !applied.has(m.name));
}
