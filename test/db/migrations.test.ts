import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase, openRawConnection } from "../../src/db/client.ts";
import { migrateDatabase, migrationFiles } from "../../src/db/migrate.ts";

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
});
