import { cpSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrateDatabase, migrationFiles } from "../../src/db/migrate.ts";
import { startChildServer } from "../helpers/child-server.ts";
import { freshDatabaseFile } from "../helpers/database.ts";
import { npmScript, runCommand } from "../helpers/run-script.ts";

const TOKEN = "live-migrate-token-0123456789";

/** A database on which only the first `count` committed migrations were applied. */
function partlyMigratedDatabase(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), "tradewatch-partly-"));
  const migrations = join(dir, "migrations");
  mkdirSync(migrations);
  for (const m of migrationFiles().slice(0, count)) cpSync(join(MIGRATIONS_DIR, m.name), join(migrations, m.name), { recursive: true });
  const path = join(dir, "tracker.db");
  migrateDatabase(path, { migrationsDir: migrations });
  return path;
}

const schemaOf = (path: string) => {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").all();
  db.close();
  return rows;
};

const prismaStatus = (path: string) => runCommand("npx", ["prisma", "migrate", "status"], { DATABASE_URL: `file:${path}`, PRISMA_HIDE_UPDATE_MESSAGE: "1" });

describe("migrations on a live database", () => {
  it("db:migrate applies pending migrations while another connection holds the file open, and prisma agrees", async () => {
    const all = migrationFiles();
    const path = partlyMigratedDatabase(2);
    // Another connection in the middle of a read, as a server, the CLI or a backup would be.
    const holder = new Database(path);
    holder.exec("BEGIN");
    holder.prepare(`SELECT count(*) FROM "Deadline"`).get();

    const run = await npmScript("db:migrate", path);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toBe("");
    expect(run.out.trim()).toBe(
      `Applied ${all.length - 2} migration(s) to ${path}: ${all
        .slice(2)
        .map((m) => m.name)
        .join(", ")}`,
    );
    holder.exec("COMMIT");
    holder.close();
    console.log(`db:migrate with another connection open: ${all.length - 2} migrations applied in ${run.ms} ms`);

    const status = await prismaStatus(path);
    expect(status.code, status.out + status.err).toBe(0);
    expect(status.out).toContain("Database schema is up to date!");
    expect(schemaOf(path)).toEqual(schemaOf(freshDatabaseFile()));
  }, 120_000);

  it("db:migrate beside a running server reports none pending, and a second server starts on the same file", async () => {
    const path = freshDatabaseFile();
    const first = await startChildServer(path, TOKEN);
    try {
      const run = await npmScript("db:migrate", path);
      expect(run.code, run.err).toBe(0);
      expect(run.out.trim()).toBe(`No pending migrations: ${path} is up to date`);
      console.log(`db:migrate beside a running server: ${run.ms} ms`);
      const second = await startChildServer(path, TOKEN);
      expect((await fetch(`${second.url}/health`)).status).toBe(200);
      expect((await fetch(`${first.url}/health`)).status).toBe(200);
      second.process.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      first.process.kill("SIGTERM");
      await first.exited;
    }
  }, 120_000);

  it("records migrations as Prisma does: same schema and history as prisma migrate deploy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tradewatch-prisma-"));
    const byPrisma = join(dir, "prisma.db");
    const deploy = await runCommand("npx", ["prisma", "migrate", "deploy"], { DATABASE_URL: `file:${byPrisma}`, PRISMA_HIDE_UPDATE_MESSAGE: "1" });
    expect(deploy.code, deploy.err).toBe(0);
    const ours = join(dir, "ours.db");
    migrateDatabase(ours);
    expect(schemaOf(ours)).toEqual(schemaOf(byPrisma));
    const history = (path: string) => {
      const db = new Database(path, { readonly: true });
      const rows = db
        .prepare(
          `SELECT migration_name, checksum, logs, rolled_back_at, applied_steps_count, finished_at IS NOT NULL AS finished FROM "_prisma_migrations" ORDER BY migration_name`,
        )
        .all();
      db.close();
      return rows;
    };
    expect(history(ours)).toEqual(history(byPrisma));
  }, 120_000);

  it("refuses, in one line, a database with a failed migration or an edited migration file", async () => {
    const path = partlyMigratedDatabase(1);
    const db = new Database(path);
    db.prepare(`UPDATE "_prisma_migrations" SET checksum = 'edited'`).run();
    const edited = await npmScript("db:migrate", path);
    expect(edited.code).toBe(1);
    expect(edited.err.trim().split("\n")).toEqual([
      expect.stringMatching(/^db:migrate: prisma\/migrations\/\S+_init\/migration\.sql was changed after it was applied/),
    ]);

    db.prepare(`UPDATE "_prisma_migrations" SET checksum = ?, finished_at = NULL`).run(migrationFiles()[0]!.checksum);
    db.close();
    const failed = await npmScript("db:migrate", path);
    expect(failed.code).toBe(1);
    expect(failed.err.trim().split("\n")).toEqual([expect.stringMatching(/^db:migrate: migration \S+_init failed earlier .* prisma migrate resolve/)]);
    // Nothing after the refused history was applied.
    const check = new Database(path, { readonly: true });
    expect(check.prepare(`SELECT count(*) AS n FROM "_prisma_migrations"`).get()).toEqual({ n: 1 });
    check.close();
  }, 120_000);
});
