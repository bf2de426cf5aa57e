import { afterAll, beforeAll, expect, it } from "vitest";
import { scheduledChanges } from "../../src/db/scheduled-changes.ts";
import { type HistoryRow, historyOf, toHistoryEntry } from "../../src/db/sql/history.ts";
import { readTimeOf } from "../../src/db/sql/record-states.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";
import { entriesKnownAt } from "../../src/domain/history.ts";
import { type TestApp, testApp } from "../helpers/app.ts";

// The desk's "coming up" walks the schedule in batches and checks each batch against the records'
// histories: held here to a brute-force reading of the whole table, across batch boundaries.
const DAY = 86_400_000;
let now = Date.UTC(2026, 0, 10, 12);
let t: TestApp;
let midway: Date;
const json = async (r: Response) => (await r.json()) as any;

beforeAll(async () => {
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  const scenario = await json(await t.write("POST", "/api/scenarios", { title: "S", summary: "s", effectiveAt: "2026-01-01" }));
  const scheduled: number[] = [];
  for (let i = 0; i < 60; i++) {
    const deadline = await json(
      await t.write("POST", "/api/deadlines", { scenarioId: scenario.id, dueAt: "2026-06-01", precision: "day", wording: `w${i}`, effectiveAt: "2026-01-02" }),
    );
    // Pairs share an effective time: the walk's order is (effectiveAt, seq).
    const effectiveAt = new Date(now + (1 + Math.floor(i / 2)) * DAY).toISOString();
    const res = await json(await t.write("POST", `/api/deadlines/${deadline.id}/status`, { status: "cancelled", reason: "announced", effectiveAt }));
    scheduled.push(res.entry.seq);
    now += 1_000;
  }
  now += 60_000;
  midway = new Date(now);
  now += 60_000;
  // Two of every three retracted: a page of 20 has to walk past several batches.
  for (const [i, seq] of scheduled.entries()) {
    if (i % 3 !== 0) expect((await t.write("POST", `/api/history/${seq}/retract`, { reason: "wrong" })).status).toBe(200);
  }
  now += 60_000;
});
afterAll(() => t.close());

function bruteForce(asOf: Date, knownAt: Date, limit: number): number[] {
  const rows = t.db.reader
    .prepare(`SELECT e.*, NULL AS "causeEffectiveAt", NULL AS "retractedAt", NULL AS "retractionReason", NULL AS "retractionBy" FROM "StatusChange" e`)
    .all() as HistoryRow[];
  return rows
    .map(toHistoryEntry)
    .filter((e) => e.effectiveAt > asOf && e.recordedAt <= knownAt)
    .filter((e) => entriesKnownAt(historyOf(t.db.reader, e.recordKind, e.recordId), knownAt).some((k) => k.seq === e.seq))
    .sort((a, b) => toSqlDate(a.effectiveAt).localeCompare(toSqlDate(b.effectiveAt)) || a.seq - b.seq)
    .slice(0, limit)
    .map((e) => e.seq);
}

it("lists what is scheduled after asOf as known at knownAt, soonest first, as a reading of the whole history does", () => {
  const clock = new Date(now);
  for (const knownAt of [clock, midway]) {
    for (const asOf of [clock, new Date(now + 5 * DAY), new Date(now + 29 * DAY), new Date(now - 30 * DAY)]) {
      for (const limit of [1, 5, 20, 100]) {
        const got = scheduledChanges(t.db.reader, readTimeOf(asOf, knownAt, clock), limit).map((c) => c.entry.seq);
        expect(got, `asOf ${asOf.toISOString()} knownAt ${knownAt.toISOString()} limit ${limit}`).toEqual(bruteForce(asOf, knownAt, limit));
      }
    }
  }
  // Known now, 20 of the 60 remain; known before the retractions, all 60.
  expect(scheduledChanges(t.db.reader, readTimeOf(clock, clock, clock), 100)).toHaveLength(20);
  expect(scheduledChanges(t.db.reader, readTimeOf(clock, midway, clock), 100)).toHaveLength(60);
  expect(scheduledChanges(t.db.reader, readTimeOf(clock, clock, clock), 3)[0]!.label).toBe("deadline “w0”");
});
