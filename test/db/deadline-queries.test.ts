import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackerDatabase } from "../../src/db/client.ts";
import { EARLIEST_MONTH_LEFT_PENDING, listDeadlines, pendingBucketsFrom } from "../../src/db/deadline-queries.ts";
import { createRecord } from "../../src/db/records.ts";
import { passedOverCounter, passingOver } from "../../src/db/sql/passed-over.ts";
import { BEYOND_PLAIN_STATUS } from "../../src/db/sql/record-states.ts";
import { SQL as SCENARIO_PAGE_SQL } from "../../src/db/sql/scenario-view.ts";
import { recordStatusChange } from "../../src/db/tracked-writes.ts";
import { freshDatabase } from "../helpers/database.ts";

let db: TrackerDatabase;
beforeAll(async () => {
  db = await freshDatabase({ seeded: true });
});
afterAll(() => db.close());

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** Brute force from the history: the status each deadline had at `at`. */
function statusesAt(at: Date, ids: string[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const id of ids) {
    const rows = db.reader
      .prepare(`SELECT "to", "effectiveAt" FROM "StatusChange" WHERE "recordKind" = 'deadline' AND "recordId" = ? ORDER BY seq`)
      .all(id) as { to: string; effectiveAt: string }[];
    const effective = rows.filter((r) => new Date(r.effectiveAt) <= at);
    if (effective.length) result.set(id, effective.at(-1)!.to);
  }
  return result;
}

describe("pending deadlines as of an instant", () => {
  it("equal a brute-force reading of the history, for random histories with corrections and extensions", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            due: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
            moves: fc.array(
              fc.record({ to: fc.constantFrom("triggered", "averted", "extended", "cancelled", "pending"), gap: fc.integer({ min: 0, max: 60 }) }),
              { maxLength: 3 },
            ),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.array(fc.integer({ min: -10, max: 500 }), { minLength: 1, maxLength: 5 }),
        async (specs, probes) => {
          run++;
          const scenario = await createRecord(db, "scenario", { title: `Property scenario ${run}`, summary: "s", status: "developing" }, "test", new Date(T0));
          const ids: string[] = [];
          for (const spec of specs) {
            const created = new Date(T0);
            const id = await createRecord(
              db,
              "deadline",
              {
                scenarioId: scenario,
                dueAt: spec.due === null ? null : new Date(T0 + spec.due * DAY),
                precision: spec.due === null ? "unknown" : "day",
                wording: "w",
                status: "pending",
              },
              "test",
              created,
            );
            ids.push(id);
            let at = T0;
            for (const move of spec.moves) {
              at += move.gap * DAY;
              const current = (await db.prisma.deadline.findUniqueOrThrow({ where: { id } })).status;
              if (current === move.to) continue;
              // A move out of a final status is only possible as a correction.
              await recordStatusChange(
                db,
                {
                  kind: "deadline",
                  id,
                  to: move.to,
                  reason: "r",
                  by: "t",
                  effectiveAt: new Date(at),
                  correction: current !== "pending",
                  // An extension moves the due date later (an earlier one is refused).
                  newDate: { at: new Date(Math.max(at, T0 + (spec.due ?? 0) * DAY) + 30 * DAY), precision: "day" },
                },
                new Date(T0 + 1000 * DAY),
              );
            }
          }
          const all = (
            await db.prisma.deadline.findMany({ where: { OR: [{ scenarioId: scenario }, { extends: { scenarioId: scenario } }] }, select: { id: true } })
          ).map((d) => d.id);
          for (const probe of probes) {
            const at = new Date(T0 + probe * DAY);
            const expected = [...statusesAt(at, all)].filter(([, s]) => s === "pending").map(([id]) => id);
            const { rows } = listDeadlines(db.reader, { status: "pending", asOf: at, scenarioId: scenario, limit: 500 });
            const successors = listDeadlines(db.reader, { status: "pending", asOf: at, limit: 500 }).rows.filter(
              (r) => all.includes(r.id) && !rows.some((x) => x.id === r.id),
            );
            expect([...rows, ...successors].map((r) => r.id).sort()).toEqual(expected.sort());
            // Paging two at a time (small batches, keyset resumption) gives the same rows in the same order.
            const paged: string[] = [];
            let after: Parameters<typeof listDeadlines>[1]["after"];
            do {
              const page = listDeadlines(db.reader, { status: "pending", asOf: at, scenarioId: scenario, limit: 2, after });
              paged.push(...page.rows.map((r) => r.id));
              after = page.next ?? undefined;
            } while (after);
            expect(paged).toEqual(rows.map((r) => r.id));
          }
        },
      ),
      { seed: 42, numRuns: 40 },
    );
  }, 120_000);
});

describe("query plans", () => {
  const plan = (sql: string, params: Record<string, unknown> = {}) =>
    (db.reader.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join(" | ");

  it("list a scenario's timeline from indexes alone: no deadline row and no history row is read", () => {
    const params = { owner: "s", knownAt: "2026-01-01", afterAt: "~", afterSeq: 0, n: 51 };
    const p = plan(SCENARIO_PAGE_SQL.timeline, params);
    expect(p).toMatch(/SEARCH d USING COVERING INDEX Deadline_scenarioId_dueAt_id_idx/);
    expect(p).toMatch(/SEARCH d USING COVERING INDEX Deadline_threatId_scenarioId_id_idx/);
    expect(p).toMatch(/SEARCH e USING COVERING INDEX StatusChange_recordKind_recordId_effectiveAt_seq_recordedAt_idx/);
    expect(p).not.toMatch(/SCAN (d|e)\b/);
    // At a past knownAt the same plan, the entries recorded later counted as they are skipped (decision 028).
    expect(passingOver(db.reader, passedOverCounter("entries", 1), () => plan(SCENARIO_PAGE_SQL.timelineCounted, params))).toBe(p);
  });

  it("read pending deadlines in due order through the (status, dueAt) index, with no full scan", () => {
    const p = plan(`SELECT d."id" FROM "Deadline" d WHERE d."dueAt" IS NOT NULL AND d."status" = 'pending' ORDER BY d."dueAt", d."id" LIMIT 51`);
    expect(p).toMatch(/USING (COVERING )?INDEX Deadline_status_dueAt_id_idx/);
    expect(p).not.toMatch(/SCAN d(?! USING)/);
  });

  it("walk the deadlines that left pending in one month in due order, inside the month index", () => {
    const p = plan(
      `SELECT d."id", d."dueAt" FROM "Deadline" d WHERE d."dueAt" IS NOT NULL AND substr(d."pendingUntil", 1, 7) = '2025-01' AND d."pendingUntil" > '2025-01-01' AND d."pendingFrom" <= '2025-01-01' ORDER BY d."dueAt", d."id" LIMIT 51`,
    );
    expect(p).toMatch(/USING COVERING INDEX Deadline_pendingUntilMonth_dueAt_idx/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  it("find the month of the earliest leaving of pending from the first entry of the month index", () => {
    expect(plan(EARLIEST_MONTH_LEFT_PENDING)).toMatch(/SEARCH Deadline USING COVERING INDEX Deadline_pendingUntilMonth_dueAt_idx/);
  });

  it("walk the deadlines whose leaving was recorded in one month in due order, inside the known-month index", () => {
    const p = plan(
      `SELECT d."id", d."dueAt" FROM "Deadline" d WHERE d."dueAt" IS NOT NULL AND substr(d."pendingUntilKnownAt", 1, 7) = '2025-02' AND d."pendingUntilKnownAt" > '2025-02-10' AND d."pendingUntil" <= '2025-01-01' AND d."pendingFrom" <= '2025-01-01' AND d."pendingInexact" = 0 ORDER BY d."dueAt", d."id" LIMIT 51`,
    );
    expect(p).toMatch(/USING COVERING INDEX Deadline_pendingUntilKnownMonth_dueAt_idx/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  it("ask which records have entries beyond a plain status through the small partial index, not their whole histories", () => {
    const p = plan(BEYOND_PLAIN_STATUS.replaceAll("?", "'x'"));
    expect(p).toMatch(/USING (COVERING )?INDEX StatusChange_beyond_plain_status_idx/);
    expect(p).not.toMatch(/SCAN StatusChange/);
  });

  it("walk the days left in a month when few remain, then whole months", () => {
    expect(pendingBucketsFrom(new Date("2025-11-28T10:00:00Z"), new Date("2026-02-01T00:00:00Z"))).toEqual([
      "2025-11-28",
      "2025-11-29",
      "2025-11-30",
      "2025-12",
      "2026-01",
      "2026-02",
    ]);
    expect(pendingBucketsFrom(new Date("2025-11-02T00:00:00Z"), new Date("2026-01-01T00:00:00Z"))).toEqual(["2025-11", "2025-12", "2026-01"]);
    expect(pendingBucketsFrom(new Date("2025-11-29T00:00:00Z"), new Date("2025-11-30T08:00:00Z"))).toEqual(["2025-11-29", "2025-11-30"]);
    expect(pendingBucketsFrom(new Date("2027-01-01T00:00:00Z"), new Date("2026-02-01T00:00:00Z"))).toEqual([]);
  });

  it("walk the deadlines that left pending on one day in due order, inside the day index", () => {
    const p = plan(
      `SELECT d."id", d."dueAt" FROM "Deadline" d WHERE d."dueAt" IS NOT NULL AND substr(d."pendingUntil", 1, 10) = '2025-01-02' AND d."pendingUntil" > '2025-01-01' AND d."pendingFrom" <= '2025-01-01' ORDER BY d."dueAt", d."id" LIMIT 51`,
    );
    expect(p).toMatch(/USING COVERING INDEX Deadline_pendingUntilDay_dueAt_idx/);
  });

  it("read a record's status as of an instant through the history index", () => {
    const p = plan(
      `SELECT sc."to" FROM "StatusChange" sc WHERE sc."recordKind" = 'deadline' AND sc."recordId" = 'x' AND sc."effectiveAt" <= '2025-01-01' ORDER BY sc."effectiveAt" DESC, sc."seq" DESC LIMIT 1`,
    );
    expect(p).toMatch(/USING (COVERING )?INDEX StatusChange_recordKind_recordId_effectiveAt_seq_recordedAt_idx/);
  });
});
