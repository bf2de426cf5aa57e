import type Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { TrackerDatabase } from "../../src/db/client.ts";
import { rewriteInForceOf } from "../../src/db/in-force.ts";
import { entryBySeq, historyOf } from "../../src/db/sql/history.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";
import { recordStatusChange, recordTermsChange, refreshCachedColumns, type StatusChangeResult, WriteScope } from "../../src/db/tracked-writes.ts";
import type { HistoryEntry } from "../../src/domain/history.ts";
import type { TrackedKind } from "../../src/domain/statuses.ts";
import { freshDatabase } from "../helpers/database.ts";

/**
 * A write reads each history once and keeps it in line with what it appends (WriteScope): what it
 * answers and the cached columns it leaves must be those a fresh read of the history gives.
 */

const THREAT = "threat-cn-rare-earth-export-controls";
const TABLES: Record<string, string> = { threat: "Threat", deadline: "Deadline" };

/** Every cached column of the records a write recorded entries for at `now`, and the threat's in-force rows. */
function cachedState(conn: Database.Database, now: Date) {
  const records = conn.prepare(`SELECT DISTINCT "recordKind", "recordId" FROM "StatusChange" WHERE "recordedAt" = ? ORDER BY 1, 2`).all(toSqlDate(now)) as {
    recordKind: TrackedKind;
    recordId: string;
  }[];
  const rows = records.map(({ recordKind, recordId }) => {
    const {
      version: _v,
      updatedAt: _u,
      ...row
    } = conn.prepare(`SELECT * FROM "${TABLES[recordKind]}" WHERE "id" = ?`).get(recordId) as Record<string, unknown>;
    return { recordKind, recordId, row };
  });
  const inForce = ["InForcePeriod", "InForceChange"].map((table) =>
    (conn.prepare(`SELECT * FROM "${table}" WHERE "threatId" = ? ORDER BY "id"`).all(THREAT) as Record<string, unknown>[]).map(({ id: _id, ...r }) => r),
  );
  return { records, rows, inForce };
}

/** A threat's in-force rows, in a stable order, without their ids. */
function inForceRows(conn: Database.Database) {
  return ["InForcePeriod", "InForceChange"].map((table) =>
    (conn.prepare(`SELECT * FROM "${table}" WHERE "threatId" = ?`).all(THREAT) as Record<string, unknown>[])
      .map(({ id: _id, ...r }) => JSON.stringify(r))
      .sort(),
  );
}

describe("one write's histories (WriteScope)", () => {
  let db: TrackerDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it("answers the entries as read back, and leaves the cached columns a fresh read of every history gives, when one write touches a record twice", async () => {
    db = await freshDatabase({ seeded: true });
    // After the seed was recorded (at the real clock's time).
    const t0 = Date.now() + 60_000;
    const at = (days: number) => new Date(t0 + days * 86_400_000);
    const writes: [Date, Parameters<typeof recordStatusChange>[1]][] = [
      [at(0), { kind: "threat", id: THREAT, to: "suspended", reason: "for a year", by: "t", effectiveAt: at(-2), until: at(365), returnsTo: "imposed" }],
      // A correction sets nothing off: the first suspension's expiry deadline stays pending.
      [at(98), { kind: "threat", id: THREAT, to: "imposed", reason: "lifted", by: "t", effectiveAt: at(97), correction: true }],
      // It is pending then, so it is extended (read, then written, then refreshed, in one write), and the threat gets its status and its lapse.
      [at(100), { kind: "threat", id: THREAT, to: "suspended", reason: "again", by: "t", effectiveAt: at(99), until: at(200), returnsTo: "imposed" }],
    ];
    const results: StatusChangeResult[] = [];
    const touched: number[] = [];
    for (const [now, req] of writes) {
      const result = await recordStatusChange(db, req, now);
      results.push(result);
      for (const e of [result.entry, ...result.consequences]) expect(e).toEqual(entryBySeq(db.reader, e.seq));
      const after = cachedState(db.writer, now);
      touched.push(after.records.length);
      // Refreshed again from fresh reads at the same instant: nothing changes.
      await db.rawTransaction((conn) => {
        for (const { recordKind, recordId } of after.records) refreshCachedColumns(conn, recordKind, recordId, now);
      });
      expect(cachedState(db.writer, now)).toEqual(after);
    }
    const first = results[0]!.expiryDeadlineId!;
    const last = results[2]!;
    expect(last.consequences.filter((e) => e.recordId === first).map((e) => e.to)).toEqual(["extended"]);
    expect((db.reader.prepare(`SELECT "status" FROM "Deadline" WHERE "id" = ?`).get(first) as { status: string }).status).toBe("extended");
    expect(last.expiryDeadlineId).not.toBe(first);
    // The last write: the threat (its status and its lapse), the old expiry deadline and the new one (created and triggered by terms).
    expect(touched).toEqual([2, 1, 3]);
  });

  it("keeps each history it read as a read returns it after every append, and leaves the copies it handed out as they were", async () => {
    db = await freshDatabase({ seeded: true });
    let seen: Record<"kept" | "read" | "before" | "copy", readonly HistoryEntry[]> | undefined;
    await db
      .rawTransaction((conn) => {
        const now = new Date(Date.now() + 60_000);
        const scope = new WriteScope(conn, now);
        const before = scope.historyOf("threat", THREAT);
        const copy = [...before];
        const earliest = before[0]!.effectiveAt.getTime();
        const entry = (effectiveAt: Date, extra: Partial<HistoryEntry> = {}) => ({
          recordKind: "threat",
          recordId: THREAT,
          change: "terms" as const,
          from: null,
          to: null,
          values: { ratePercent: 10, covers: "x", targetIds: ["gov-us"] },
          effectiveAt,
          recordedAt: now,
          reason: "r",
          by: "t",
          correction: false,
          byTerms: false,
          causedBySeq: null,
          until: null,
          returnsTo: null,
          sourceId: null,
          evidenceId: null,
          ...extra,
        });
        // Between two entries, at the same effective time as the first (after it by seq), after all, and one by the terms of
        // an entry this write appended and one by the terms of an entry it did not.
        const middle = scope.append(entry(new Date(earliest + 1)));
        scope.append(entry(new Date(earliest)));
        scope.append(entry(new Date("2027-01-01")));
        scope.append({ ...entry(new Date("2027-02-01")), change: "status", values: null, to: "suspended", byTerms: true, causedBySeq: middle.seq });
        scope.append({ ...entry(new Date("2027-03-01")), change: "status", values: null, to: "imposed", byTerms: true, causedBySeq: before[0]!.seq });
        seen = { kept: scope.historyOf("threat", THREAT), read: historyOf(conn, "threat", THREAT), before, copy };
        // Left unwritten: this test only looks.
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    expect(seen!.kept.length).toBe(seen!.copy.length + 5);
    expect(seen!.kept).toEqual(seen!.read);
    expect(seen!.before).toEqual(seen!.copy);
  });

  it("leaves the in-force rows a rewrite from the whole history gives, with none that never held, after writes recorded at the same instant", async () => {
    db = await freshDatabase({ seeded: true });
    const now = new Date(Date.now() + 60_000);
    const earlier = (ms: number) => new Date(now.getTime() - ms);
    const day = 86_400_000;
    // Opens, at `now`, the stretch in force until the suspension and the lapse back to imposed as an upcoming change...
    await recordStatusChange(
      db,
      {
        kind: "threat",
        id: THREAT,
        to: "suspended",
        reason: "paused",
        by: "t",
        effectiveAt: earlier(1000),
        until: new Date(now.getTime() + 10 * day),
        returnsTo: "imposed",
      },
      now,
    );
    // ...which writes at the same instant close at once: new terms split the stretch, an ending voids the lapse.
    await recordTermsChange(db, { id: THREAT, values: { ratePercent: 12 }, effectiveAt: earlier(2000), reason: "rate", by: "t" }, now);
    await recordStatusChange(db, { kind: "threat", id: THREAT, to: "withdrawn", reason: "ended", by: "t", effectiveAt: new Date(now.getTime() + day) }, now);
    const refreshed = inForceRows(db.writer);
    for (const table of ["InForcePeriod", "InForceChange"]) {
      const never = db.writer.prepare(`SELECT count(*) AS n FROM "${table}" WHERE "threatId" = ? AND "knownFrom" = "knownUntil"`).get(THREAT) as { n: number };
      expect(never.n).toBe(0);
    }
    await db.rawTransaction((conn) => rewriteInForceOf(conn, [THREAT]));
    expect(refreshed).toEqual(inForceRows(db.writer));
  });
});
