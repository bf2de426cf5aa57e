import { cpSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase, openRawConnection } from "../../src/db/client.ts";
import { migrateDatabase, migrationFiles } from "../../src/db/migrate.ts";

const MIGRATIONS_DIR = join(import.meta.dirname, "../../prisma/migrations");
const MIGRATIONS = readdirSync(MIGRATIONS_DIR)
  .filter((m) => /^\d/.test(m))
  .sort();

/** A database file migrated up to just before migration `name`, and the migrations from it on. */
function migratedUpTo(name: string): { path: string; from: string[] } {
  const older = mkdtempSync(join(tmpdir(), "tradewatch-migrations-"));
  for (const m of MIGRATIONS.slice(0, MIGRATIONS.indexOf(name))) cpSync(join(MIGRATIONS_DIR, m), join(older, m), { recursive: true });
  const path = join(mkdtempSync(join(tmpdir(), "tradewatch-migrate-")), "old.db");
  migrateDatabase(path, { migrationsDir: older });
  return { path, from: MIGRATIONS.slice(MIGRATIONS.indexOf(name)) };
}

describe("migrations", () => {
  it("apply to an empty database, and configure it for a server", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "tradewatch-migrate-")), "empty.db");
    expect(migrateDatabase(path)).toEqual(migrationFiles().map((m) => m.name));
    expect(migrateDatabase(path)).toEqual([]); // a second run has nothing to do
    const db = await openDatabase(path);
    const tables = (db.reader.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining(["Source", "Actor", "Scenario", "Threat", "Condition", "Deadline", "Event", "Topic", "Evidence", "StatusChange"]),
    );
    expect(db.reader.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(await db.prisma.$queryRawUnsafe("PRAGMA foreign_keys")).toEqual([{ foreign_keys: 1n }]);
    await db.close();
  });

  it("make history append-only and enforce foreign keys", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "tradewatch-migrate-")), "t.db");
    migrateDatabase(path);
    const db = await openDatabase(path);
    const now = new Date();
    const entry = await db.prisma.statusChange.create({
      data: { recordKind: "threat", recordId: "x", to: "threatened", effectiveAt: now, recordedAt: now, reason: "r", by: "t" },
    });
    // Checked on a plain connection: Prisma reports the trigger's abort under another name.
    const raw = openRawConnection(path);
    expect(() => raw.prepare(`UPDATE "StatusChange" SET reason = 'edited' WHERE seq = ?`).run(entry.seq)).toThrow(/append-only/);
    expect(() => raw.prepare(`DELETE FROM "StatusChange" WHERE seq = ?`).run(entry.seq)).toThrow(/append-only/);
    raw.close();
    await expect(
      db.prisma.condition.create({
        data: { id: "c", threatId: "missing", description: "d", effect: "averts", status: "open", createdAt: now, updatedAt: now },
      }),
    ).rejects.toThrow();
    await db.close();
  });

  it("keep every condition, its links and its indexes when conditions may belong to an agreement", () => {
    const dir = join(import.meta.dirname, "../../prisma/migrations");
    const migrations = readdirSync(dir)
      .filter((m) => /^\d/.test(m))
      .sort();
    const agreements = migrations.indexOf("20261129600000_agreements");
    const raw = openRawConnection(join(mkdtempSync(join(tmpdir(), "tradewatch-migrate-")), "old.db"));
    for (const m of migrations.slice(0, agreements)) raw.exec(readFileSync(join(dir, m, "migration.sql"), "utf8"));
    const at = "2025-10-23T00:00:00.000Z";
    raw.exec(`INSERT INTO "Actor" ("id", "name", "kind") VALUES ('a', 'A', 'government');
      INSERT INTO "Scenario" ("id", "title", "summary", "status", "createdAt", "updatedAt") VALUES ('s', 'S', 's', 'developing', '${at}', '${at}');
      INSERT INTO "Threat" ("id", "scenarioId", "issuerId", "measure", "covers", "summary", "status", "createdAt", "updatedAt") VALUES ('t', 's', 'a', 'tariff', 'c', 's', 'threatened', '${at}', '${at}');
      INSERT INTO "Condition" ("id", "threatId", "description", "awaitedActorId", "effect", "status", "version", "statusUntil", "createdAt", "updatedAt") VALUES ('c', 't', 'd', 'a', 'averts', 'met', 3, NULL, '${at}', '${at}');
      INSERT INTO "Deadline" ("id", "precision", "wording", "threatId", "conditionId", "status", "createdAt", "updatedAt") VALUES ('d', 'unknown', 'w', 't', 'c', 'pending', '${at}', '${at}');`);
    const before = raw.prepare(`SELECT * FROM "Condition"`).all();
    raw.exec(readFileSync(join(dir, migrations[agreements]!, "migration.sql"), "utf8"));
    expect(
      raw
        .prepare(
          `SELECT "id", "threatId", "description", "awaitedActorId", "effect", "status", "version", "statusUntil", "createdAt", "updatedAt" FROM "Condition"`,
        )
        .all(),
    ).toEqual(before);
    expect(raw.prepare(`SELECT "agreementId" FROM "Condition"`).all()).toEqual([{ agreementId: null }]);
    expect(raw.prepare(`SELECT "conditionId", "agreementId", "commitmentId" FROM "Deadline"`).all()).toEqual([
      { conditionId: "c", agreementId: null, commitmentId: null },
    ]);
    const indexes = (raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Condition'`).all() as { name: string }[]).map(
      (i) => i.name,
    );
    expect(indexes).toEqual(expect.arrayContaining(["Condition_threatId_idx", "Condition_agreementId_idx", "Condition_status_idx"]));
    expect(raw.pragma("foreign_key_check")).toEqual([]);
    expect(raw.pragma("foreign_keys", { simple: true })).toBe(1);
    raw.close();
  });

  it("give a seeded deadline of a condition that condition's threat, whatever threat the seed named", () => {
    const { path, from } = migratedUpTo("20261207000000_condition_deadlines_follow_the_condition");
    const raw = openRawConnection(path);
    const at = "2025-10-23T00:00:00.000+00:00";
    raw.exec(`INSERT INTO "Actor" ("id", "name", "kind") VALUES ('a', 'A', 'government'), ('b', 'B', 'government');
      INSERT INTO "Scenario" ("id", "title", "summary", "status", "createdAt", "updatedAt") VALUES ('s', 'S', 's', 'developing', '${at}', '${at}');
      INSERT INTO "Threat" ("id", "scenarioId", "issuerId", "measure", "covers", "summary", "status", "createdAt", "updatedAt") VALUES
        ('t', 's', 'a', 'tariff', 'c', 's', 'threatened', '${at}', '${at}'), ('u', 's', 'b', 'tariff', 'c', 's', 'threatened', '${at}', '${at}');
      INSERT INTO "Agreement" ("id", "title", "status", "createdAt", "updatedAt") VALUES ('g', 'Deal', 'in-force', '${at}', '${at}');
      INSERT INTO "Condition" ("id", "threatId", "description", "awaitedActorId", "effect", "status", "createdAt", "updatedAt") VALUES ('ct', 't', 'd', 'a', 'averts', 'pending', '${at}', '${at}');
      INSERT INTO "Condition" ("id", "agreementId", "description", "awaitedActorId", "effect", "status", "createdAt", "updatedAt") VALUES ('cg', 'g', 'd', 'b', 'averts', 'pending', '${at}', '${at}');
      INSERT INTO "Deadline" ("id", "precision", "wording", "threatId", "agreementId", "conditionId", "status", "createdAt", "updatedAt") VALUES
        ('d-seeded-alone', 'unknown', 'w', NULL, NULL, 'ct', 'pending', '${at}', '${at}'),
        ('d-seeded-other', 'unknown', 'w', 'u', NULL, 'ct', 'pending', '${at}', '${at}'),
        ('d-agreement', 'unknown', 'w', NULL, 'g', 'cg', 'pending', '${at}', '${at}'),
        ('d-both', 'unknown', 'w', 't', NULL, 'ct', 'pending', '${at}', '${at}'),
        ('d-none', 'unknown', 'w', 'u', NULL, NULL, 'pending', '${at}', '${at}');`);
    raw.close();
    expect(migrateDatabase(path)).toEqual(from);
    const check = openRawConnection(path);
    expect(check.prepare(`SELECT "id", "threatId", "agreementId", "conditionId" FROM "Deadline" ORDER BY "id"`).all()).toEqual([
      { id: "d-agreement", threatId: null, agreementId: "g", conditionId: "cg" },
      { id: "d-both", threatId: "t", agreementId: null, conditionId: "ct" },
      { id: "d-none", threatId: "u", agreementId: null, conditionId: null },
      { id: "d-seeded-alone", threatId: "t", agreementId: null, conditionId: "ct" },
      { id: "d-seeded-other", threatId: "t", agreementId: null, conditionId: "ct" },
    ]);
    expect(check.pragma("foreign_key_check")).toEqual([]);
    check.close();
  });

  it("give a deadline created with only its condition that condition's threat or agreement", () => {
    const { path, from } = migratedUpTo("20261203300000_condition_deadlines_belong_to_its_owner");
    const raw = openRawConnection(path);
    const at = "2025-10-23T00:00:00.000+00:00";
    raw.exec(`INSERT INTO "Actor" ("id", "name", "kind") VALUES ('a', 'A', 'government'), ('b', 'B', 'government');
      INSERT INTO "Scenario" ("id", "title", "summary", "status", "createdAt", "updatedAt") VALUES ('s', 'S', 's', 'developing', '${at}', '${at}');
      INSERT INTO "Threat" ("id", "scenarioId", "issuerId", "measure", "covers", "summary", "status", "createdAt", "updatedAt") VALUES ('t', 's', 'a', 'tariff', 'c', 's', 'threatened', '${at}', '${at}');
      INSERT INTO "Agreement" ("id", "title", "status", "createdAt", "updatedAt") VALUES ('g', 'Deal', 'in-force', '${at}', '${at}');
      INSERT INTO "Condition" ("id", "threatId", "description", "awaitedActorId", "effect", "status", "createdAt", "updatedAt") VALUES ('ct', 't', 'd', 'a', 'averts', 'pending', '${at}', '${at}');
      INSERT INTO "Condition" ("id", "agreementId", "description", "awaitedActorId", "effect", "status", "createdAt", "updatedAt") VALUES ('cg', 'g', 'd', 'b', 'averts', 'pending', '${at}', '${at}');
      INSERT INTO "Deadline" ("id", "precision", "wording", "threatId", "conditionId", "status", "createdAt", "updatedAt") VALUES
        ('d-threat', 'unknown', 'w', NULL, 'ct', 'pending', '${at}', '${at}'),
        ('d-agreement', 'unknown', 'w', NULL, 'cg', 'pending', '${at}', '${at}'),
        ('d-both', 'unknown', 'w', 't', 'ct', 'pending', '${at}', '${at}'),
        ('d-none', 'unknown', 'w', 't', NULL, 'pending', '${at}', '${at}');`);
    raw.close();
    expect(migrateDatabase(path)).toEqual(from);
    const check = openRawConnection(path);
    expect(check.prepare(`SELECT "id", "threatId", "agreementId", "conditionId" FROM "Deadline" ORDER BY "id"`).all()).toEqual([
      { id: "d-agreement", threatId: null, agreementId: "g", conditionId: "cg" },
      { id: "d-both", threatId: "t", agreementId: null, conditionId: "ct" },
      { id: "d-none", threatId: "t", agreementId: null, conditionId: null },
      { id: "d-threat", threatId: "t", agreementId: null, conditionId: "ct" },
    ]);
    expect(check.pragma("foreign_key_check")).toEqual([]);
    check.close();
  });

  it("fill the in-force projection of the threats already there when they add it", () => {
    const { path, from } = migratedUpTo("20261129700000_in_force_projection");
    const raw = openRawConnection(path);
    const at = (day: number) => `2025-10-${String(day).padStart(2, "0")}T00:00:00.000+00:00`;
    raw.exec(`INSERT INTO "Actor" ("id", "name", "kind") VALUES ('us', 'US', 'government'), ('cn', 'CN', 'government');
      INSERT INTO "Scenario" ("id", "title", "summary", "status", "createdAt", "updatedAt") VALUES ('s', 'S', 's', 'developing', '${at(1)}', '${at(1)}');
      INSERT INTO "Threat" ("id", "scenarioId", "issuerId", "measure", "covers", "summary", "ratePercent", "authority", "status", "createdAt", "updatedAt")
        VALUES ('t', 's', 'us', 'tariff', 'goods', 's', 10, 'IEEPA', 'imposed', '${at(1)}', '${at(1)}');
      INSERT INTO "ThreatTarget" ("threatId", "actorId", "initial") VALUES ('t', 'cn', 1);
      INSERT INTO "StatusChange" ("recordKind", "recordId", "from", "to", "effectiveAt", "recordedAt", "reason", "by")
        VALUES ('threat', 't', NULL, 'threatened', '${at(1)}', '${at(1)}', 'r', 'b'), ('threat', 't', 'threatened', 'imposed', '${at(5)}', '${at(2)}', 'r', 'b');
      INSERT INTO "StatusChange" ("recordKind", "recordId", "change", "values", "effectiveAt", "recordedAt", "reason", "by")
        VALUES ('threat', 't', 'terms', '{"ratePercent":20}', '${at(20)}', '${at(3)}', 'r', 'b');`);
    raw.close();
    expect(migrateDatabase(path)).toEqual(from);
    const check = openRawConnection(path);
    expect(
      check.prepare(`SELECT "targetId", "ratePercent", "effectiveFrom", "effectiveUntil", "knownFrom", "knownUntil" FROM "InForcePeriod" ORDER BY "id"`).all(),
    ).toEqual([
      // Known from 2 Oct: imposed from 5 Oct at 10%; from 3 Oct also: 20% from 20 Oct.
      { targetId: "cn", ratePercent: 10, effectiveFrom: at(5), effectiveUntil: null, knownFrom: at(2), knownUntil: at(3) },
      { targetId: "cn", ratePercent: 10, effectiveFrom: at(5), effectiveUntil: at(20), knownFrom: at(3), knownUntil: null },
      { targetId: "cn", ratePercent: 20, effectiveFrom: at(20), effectiveUntil: null, knownFrom: at(3), knownUntil: null },
    ]);
    expect(check.prepare(`SELECT COUNT(*) AS n FROM "InForceChange"`).get()).toEqual({ n: 3 });
    check.close();
  });
});
