import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timelineEntryToWire } from "../../src/api/wire.ts";
import { firstTermsOfThreat } from "../../src/db/records.ts";
import { historyOf, TIMELINE_SCAN_BUDGET, TIMELINE_SQL } from "../../src/db/sql/history.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";
import { timelineKnownAt } from "../../src/domain/history.ts";
import { SCENARIO, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";

/**
 * A record's history in pages (GET /api/{collection}/{id}/history): each page reads its own
 * entries, never the whole history, and the pages together are the whole timeline as known at
 * the first page's knownAt, retractions, superseded lapses and the terms before each change included.
 */
let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

type Page = { items: Record<string, unknown>[]; nextCursor: string | null };

async function allPages(path: string, limit: number): Promise<{ items: Record<string, unknown>[]; pages: number }> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await t.get(`${path}${path.includes("?") ? "&" : "?"}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const page = (await res.json()) as Page;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { items, pages };
}

/** The whole timeline as the domain reads it from the whole history, in the API's form. */
async function wholeTimeline(kind: "threat" | "deadline", id: string, knownAt: Date) {
  const first = kind === "threat" ? { ...(await firstTermsOfThreat(t.db.prisma, id)) } : {};
  return JSON.parse(JSON.stringify(timelineKnownAt(historyOf(t.db.reader, kind, id), knownAt, first).map(timelineEntryToWire)));
}

async function ok(res: Response) {
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as Record<string, any>;
}

describe("a record's history, page by page", () => {
  it("gives, at every page size, exactly the whole timeline: terms before each change, a lapse a report superseded, retractions wherever they fall", async () => {
    const path = `/api/threats/${TARIFF_THREAT}/history`;
    const terms = (rate: number, day: string) =>
      t.write("POST", `/api/threats/${TARIFF_THREAT}/terms`, { ratePercent: rate, reason: `rate ${rate}`, effectiveAt: day });
    for (const [i, day] of ["2026-01-05", "2026-01-20", "2026-02-10", "2026-04-01", "2026-05-01", "2026-06-01"].entries())
      await ok(await terms(10 + i * 5, day));
    await ok(await t.write("POST", `/api/threats/${TARIFF_THREAT}/terms`, { authority: "Section 301", reason: "basis", effectiveAt: "2026-03-15" }));
    const imposed = await ok(
      await t.write("POST", `/api/threats/${TARIFF_THREAT}/status`, { status: "imposed", reason: "in effect", effectiveAt: "2026-01-10" }),
    );
    // A suspension that lapses by its terms on 1 March, and a report that says so at that instant (recorded later: a higher seq).
    // biome-ignore lint/suspicious/noThenProperty: the API's field name
    const suspension = { status: "suspended", reason: "truce", effectiveAt: "2026-02-01", until: "2026-03-01", then: "imposed" };
    await ok(await t.write("POST", `/api/threats/${TARIFF_THREAT}/status`, suspension));
    await ok(await t.write("POST", `/api/threats/${TARIFF_THREAT}/status`, { status: "imposed", reason: "back on", effectiveAt: "2026-03-01" }));
    const knownBefore = new Date();
    // Retractions recorded after everything: of an early terms entry, and of the status entry.
    const early = (await ok(await t.get(`${path}?limit=500`))).items.find((e: any) => e.change === "terms" && e.values.ratePercent === 15);
    await ok(await t.write("POST", `/api/history/${early.seq}/retract`, { reason: "misread" }));
    await ok(await t.write("POST", `/api/history/${imposed.entry.seq}/retract`, { reason: "not yet" }));

    const now = new Date();
    const whole = await wholeTimeline("threat", TARIFF_THREAT, now);
    expect(whole.length).toBeGreaterThan(10);
    expect(whole.filter((e: any) => e.retracted).length).toBe(2);
    expect(whole.filter((e: any) => e.superseded).length).toBe(1);
    expect(whole.filter((e: any) => e.before?.ratePercent !== undefined).length).toBe(6);
    for (const limit of [1, 2, 3, 5, 500]) {
      const { items, pages } = await allPages(path, limit);
      expect(items, `pages of ${limit}`).toEqual(whole);
      expect(pages).toBe(Math.max(1, Math.ceil(whole.length / limit)));
    }
    // As known before the retractions: they are not shown on any page, and the lapse still follows from nothing but its report.
    const before = await allPages(`${path}?knownAt=${knownBefore.toISOString()}`, 2);
    expect(before.items).toEqual(await wholeTimeline("threat", TARIFF_THREAT, knownBefore));
    expect(before.items.filter((e: any) => e.retracted)).toEqual([]);
  });

  it("keeps reading at the first page's knownAt: an entry retracted between two pages is shown as it was known then", async () => {
    const deadline = await ok(
      await t.write("POST", "/api/deadlines", {
        // The scenario's, not the threat's: the first test imposes the threat, which would trigger it.
        scenarioId: SCENARIO,
        dueAt: "2026-11-30",
        precision: "day",
        wording: "moved twice",
        effectiveAt: "2026-01-01",
      }),
    );
    const path = `/api/deadlines/${deadline.id}/history`;
    const body = (dueAt: string) => ({ dueAt, precision: "day", reason: `moved to ${dueAt}`, effectiveAt: "2026-01-02" });
    await ok(await t.write("POST", `/api/deadlines/${deadline.id}/dates`, body("2026-12-01")));
    await ok(await t.write("POST", `/api/deadlines/${deadline.id}/dates`, body("2026-12-15")));
    const first = (await ok(await t.get(`${path}?limit=1`))) as Page;
    const knownAt = new Date();
    const whole = await wholeTimeline("deadline", deadline.id, knownAt);
    expect(whole.length).toBe(3);
    const last = whole.at(-1) as { seq: number; reason: string };
    expect(last.reason).toBe("moved to 2026-12-15");
    await ok(await t.write("POST", `/api/history/${last.seq}/retract`, { reason: "wrong date" }));
    const items = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      // A knownAt sent with a cursor is not the one the pages read at.
      const page = (await ok(await t.get(`${path}?limit=1&knownAt=2026-01-01&cursor=${cursor}`))) as Page;
      items.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(items.map((e) => e.seq)).toEqual(whole.map((e: any) => e.seq));
    expect(items.at(-1)!.retracted).toBeNull();
    // Asked afresh, the retraction shows.
    expect((await allPages(path, 1)).items.at(-1)!.retracted).toMatchObject({ reason: "wrong date" });
  });

  it("refuses a cursor it did not issue (422 naming it), and answers 404 for a record that does not exist", async () => {
    for (const cursor of ["nope", Buffer.from(JSON.stringify({ knownAt: "x" })).toString("base64url")]) {
      const res = await t.get(`/api/threats/${TARIFF_THREAT}/history?cursor=${cursor}`);
      expect(res.status).toBe(422);
      expect(await res.text()).toMatch(/query\.cursor/);
    }
    expect((await t.get(`/api/threats/${TARIFF_THREAT}/history?limit=501`)).status).toBe(422);
    expect((await t.get("/api/threats/threat-nowhere/history")).status).toBe(404);
  });

  it("reads a page from the index, whatever the history holds: a page of a long history, and one at a knownAt before most of it", async () => {
    const plan = (sql: string, params: Record<string, unknown>) =>
      (t.db.reader.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join(" | ");
    const params = { kind: "deadline", id: "d", knownAt: "2026", afterAt: "2026", afterSeq: 0, batch: 51 };
    // Ranges of the (recordKind, recordId, effectiveAt, seq, recordedAt) index after the cursor, in its order: no sort, no table row.
    const index = "SEARCH e USING COVERING INDEX StatusChange_recordKind_recordId_effectiveAt_seq_recordedAt_idx";
    expect(plan(TIMELINE_SQL.keysAtSameTime, params)).toContain(`${index} (recordKind=? AND recordId=? AND effectiveAt=? AND seq>?)`);
    expect(plan(TIMELINE_SQL.keysAfter, params)).toContain(`${index} (recordKind=? AND recordId=? AND effectiveAt>?)`);
    for (const sql of [TIMELINE_SQL.keysAtSameTime, TIMELINE_SQL.keysAfter]) expect(plan(sql, params)).not.toMatch(/TEMP B-TREE|SCAN e\b/);
    // Whether a report follows a lapse at its instant: the entries at that instant after it, on the same index.
    const report = plan(TIMELINE_SQL.reportAtSameTimeAfter, { ...params, at: "2026", seq: 1 });
    expect(report).toMatch(
      /SEARCH e USING INDEX StatusChange_recordKind_recordId_effectiveAt_seq_recordedAt_idx \(recordKind=\? AND recordId=\? AND effectiveAt=\? AND seq>\?\)/,
    );
    expect(report).not.toMatch(/SCAN e\b/);
    const entries = plan(TIMELINE_SQL.entries, { seqs: "[1]" });
    expect(entries).toMatch(/SEARCH e USING INTEGER PRIMARY KEY/);
    expect(entries).not.toMatch(/SCAN e\b/);

    // A deadline with 12,000 dates entries written straight to the file: every other one recorded in
    // 2030 (later than now: not known yet), the others recorded on 4 January.
    const created = await ok(
      await t.write("POST", "/api/deadlines", { scenarioId: SCENARIO, dueAt: "2026-12-31", precision: "day", wording: "bulk", effectiveAt: "2026-01-01" }),
    );
    const id = created.id as string;
    const insert = t.db.writer.prepare(
      `INSERT INTO "StatusChange" ("recordKind","recordId","change","values","effectiveAt","recordedAt","reason","by") VALUES ('deadline', ?, 'dates', ?, ?, ?, 'bulk', 'test')`,
    );
    const BULK = 12_000;
    const recordedOn = new Date(Date.UTC(2026, 0, 4));
    t.db.writer.transaction(() => {
      for (let i = 0; i < BULK; i++) {
        const at = toSqlDate(new Date(Date.UTC(2026, 0, 3, 0, 0, i)));
        insert.run(id, JSON.stringify({ wording: `bulk ${i}` }), at, toSqlDate(i % 2 ? new Date(Date.UTC(2030, 0, 1)) : recordedOn));
      }
    })();
    const history = `/api/deadlines/${id}/history`;
    const page = (await ok(await t.get(`${history}?limit=10`))) as Page;
    expect(page.items.length).toBe(10);
    expect(page.nextCursor).not.toBeNull();
    const now = await allPages(history, 500);
    expect(now.items).toEqual(await wholeTimeline("deadline", id, new Date()));
    expect(now.items.length).toBe(BULK / 2 + 1);
    // Known before the bulk: only the creation, found in pages that each look at most at the budget.
    const knownAt = new Date(recordedOn.getTime() - 1);
    const early = await allPages(`${history}?knownAt=${knownAt.toISOString()}`, 500);
    expect(early.items).toEqual(await wholeTimeline("deadline", id, knownAt));
    expect(early.pages).toBeLessThanOrEqual(Math.ceil(BULK / TIMELINE_SCAN_BUDGET) + 1);
  });
});
