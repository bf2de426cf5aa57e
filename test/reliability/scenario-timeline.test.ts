import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTimeOf } from "../../src/db/sql/record-states.ts";
import { type EntryKey, SECTION_PAGE, SQL, TIMELINE_RECORDS_AT_MOST, TIMELINE_SCAN_BUDGET, timelinePage } from "../../src/db/sql/scenario-view.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";
import { SCENARIO, type TestApp, testApp } from "../helpers/app.ts";
import { addBulkScenarioRecords } from "../helpers/bulk-scenario.ts";

/**
 * The desk's scenario timeline (decision 031): a scenario of more than TIMELINE_RECORDS_AT_MOST
 * records walks the whole history latest first with a budget, instead of visiting every entry of
 * every record. Held here to the visit's own SQL as the reference: the same entries in the same
 * order, page after page, now and at a past knownAt; pages cut short by the budget say where to
 * go on.
 */
let t: TestApp;
const OTHER = "scenario-elsewhere";
/** Another scenario's entries, more than a page's budget of them in a row, between the bulk records' entries. */
const OTHER_ENTRIES = 6_000;
const PAST = new Date("2026-01-20T00:00:00Z");

beforeAll(async () => {
  t = await testApp();
  // 10,000 records in the seeded scenario (their entries recorded 2025-11-15, held events on their day).
  addBulkScenarioRecords(t.db);
  const conn = t.db.writer;
  const first = Date.UTC(2026, 0, 1, 1);
  const at = (i: number) => toSqlDate(new Date(first + i * 5_000));
  conn.transaction(() => {
    conn
      .prepare(
        `INSERT INTO "Scenario" ("id","title","summary","status","version","createdAt","updatedAt") VALUES (?, 'Elsewhere', 'another story', 'developing', 1, ?, ?)`,
      )
      .run(OTHER, at(0), at(0));
    const deadline = conn.prepare(
      `INSERT INTO "Deadline" ("id","dueAt","precision","wording","scenarioId","status","version","pendingFrom","pendingKnownFrom","createdAt","updatedAt")
       VALUES (?, ?, 'day', 'that day', ?, 'pending', 1, ?, ?, ?, ?)`,
    );
    const entry = conn.prepare(
      `INSERT INTO "StatusChange" ("recordKind","recordId","from","to","effectiveAt","recordedAt","reason","by") VALUES ('deadline', ?, NULL, 'pending', ?, ?, 'elsewhere', 'test')`,
    );
    // Every five seconds from 01:00 on 1 January 2026 (no entry of the scenario then), recorded as they happen.
    for (let i = 0; i < OTHER_ENTRIES; i++) {
      const id = `deadline-elsewhere-${i}`;
      deadline.run(id, at(i + 1), OTHER, at(i), at(i), at(i), at(i));
      entry.run(id, at(i), at(i));
    }
  })();
}, 120_000);
afterAll(() => t.close());

/** Every entry of the scenario known at `knownAt`, latest first: the visit's statement with no page limit. */
function reference(knownAt: Date): number[] {
  const rows = t.db.reader.prepare(SQL.timeline).all({ owner: SCENARIO, knownAt: toSqlDate(knownAt), afterAt: "~", afterSeq: 0, n: 1e9 }) as { seq: number }[];
  return rows.map((r) => r.seq);
}

/** The timeline page after page to its end, through the reader the desk uses. */
function walkAll(knownAt: Date | undefined): { seqs: number[]; pages: number; short: number } {
  const time = readTimeOf(undefined, knownAt, new Date());
  const seqs: number[] = [];
  let after: EntryKey | null = null;
  let pages = 0;
  let short = 0;
  do {
    const page = timelinePage(t.db.reader, SCENARIO, after, SECTION_PAGE, time);
    seqs.push(...page.items.map((i) => i.entry.seq));
    pages++;
    if (page.next && page.items.length < SECTION_PAGE) short++;
    after = page.next;
  } while (after);
  return { seqs, pages, short };
}

describe("the timeline of a scenario larger than a visit", () => {
  it("walks the history: every entry of the scenario once, latest first, the same as visiting them all; pages cut short by the budget go on", () => {
    expect(10_000).toBeGreaterThan(TIMELINE_RECORDS_AT_MOST);
    const expected = reference(new Date());
    expect(expected.length).toBeGreaterThan(10_000);
    const started = performance.now();
    const walked = walkAll(undefined);
    const ms = performance.now() - started;
    console.info(`timeline of ${expected.length} entries: ${walked.pages} pages, ${walked.short} cut short by the budget, ${Math.round(ms)} ms in all`);
    expect(walked.seqs).toEqual(expected);
    // Figures, not assertions: the first page walked against the visit of every entry it replaces.
    const median = (f: () => unknown) => {
      const times = Array.from({ length: 15 }, () => {
        const at = performance.now();
        f();
        return performance.now() - at;
      });
      return times.sort((a, b) => a - b)[7]!.toFixed(1);
    };
    const visit = t.db.reader.prepare(SQL.timeline);
    const now = readTimeOf(undefined, undefined, new Date());
    console.info(
      `first page: walked ${median(() => timelinePage(t.db.reader, SCENARIO, null, SECTION_PAGE, now))} ms; visiting every entry ${median(() =>
        visit.all({ owner: SCENARIO, knownAt: toSqlDate(now.knownAt), afterAt: "~", afterSeq: 0, n: SECTION_PAGE + 1 }),
      )} ms (median of 15)`,
    );
    // 6,000 entries of another scenario in a row: at least one page stops at the budget.
    expect(OTHER_ENTRIES).toBeGreaterThan(TIMELINE_SCAN_BUDGET);
    expect(walked.short).toBeGreaterThan(0);
  }, 120_000);

  it("at a past knownAt gives the entries known then, passing over those recorded later, and the same pages whatever is recorded since", () => {
    const before = walkAll(PAST);
    expect(before.seqs).toEqual(reference(PAST));
    expect(before.seqs.length).toBeLessThan(reference(new Date()).length);
    // A deadline of the scenario recorded now, stated before PAST: nothing known at PAST changes.
    const conn = t.db.writer;
    const stated = toSqlDate(new Date("2026-01-10T00:00:00Z"));
    const now = toSqlDate(new Date());
    conn
      .prepare(
        `INSERT INTO "Deadline" ("id","dueAt","precision","wording","scenarioId","status","version","pendingFrom","pendingKnownFrom","createdAt","updatedAt")
         VALUES ('deadline-late-news', ?, 'day', 'that day', ?, 'pending', 1, ?, ?, ?, ?)`,
      )
      .run(stated, SCENARIO, stated, now, now, now);
    conn
      .prepare(
        `INSERT INTO "StatusChange" ("recordKind","recordId","from","to","effectiveAt","recordedAt","reason","by") VALUES ('deadline', 'deadline-late-news', NULL, 'pending', ?, ?, 'late news', 'test')`,
      )
      .run(stated, now);
    expect(walkAll(PAST)).toEqual(before);
  }, 120_000);

  it("shows the same entries on the desk, page after page through its links", async () => {
    const expected = reference(new Date());
    const seqs: number[] = [];
    let path: string | null = `/scenarios/${SCENARIO}`;
    for (let i = 0; i < 4 && path; i++) {
      const res = await t.get(path);
      expect(res.status, path).toBe(200);
      const page = await res.text();
      seqs.push(...[...page.matchAll(/<li id="entry-(\d+)"/g)].map((m) => Number(m[1])));
      const next = page.match(/<a href="([^"]+)" rel="next">Earlier entries/);
      path = next ? next[1]!.replaceAll("&amp;", "&") : null;
    }
    expect(seqs).toEqual(expected.slice(0, seqs.length));
    expect(seqs.length).toBeGreaterThan(0);
  }, 60_000);
});
