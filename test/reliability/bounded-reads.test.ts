import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/create-app.ts";
import { SCAN_BUDGET } from "../../src/db/deadline-queries.ts";
import { CHANGES_SCAN_BUDGET } from "../../src/db/sql/history.ts";
import { BATCH_AT_MOST } from "../../src/db/sql/prepared.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";
import { DETAIL_EMBEDS } from "../../src/db/threat-detail.ts";
import { createLogger } from "../../src/logger.ts";
import { created, SCENARIO, TARIFF_THREAT, TEST_TOKEN, type TestApp, testApp } from "../helpers/app.ts";
import { countLikeCalls } from "../helpers/sqlite-like.ts";

/**
 * Anonymous reads whose cost used to grow with the database: an as-of walk for a status no
 * deadline had then (the scenario page is in scenario-page.test.ts).
 */
let t: TestApp;
const RECORDS = 10_000;

beforeAll(async () => {
  t = await testApp();
  // 10,000 deadlines, each with its creation entry, written straight to the file.
  const at = toSqlDate(new Date("2025-10-23T00:00:00Z"));
  const conn = t.db.writer;
  const deadline = conn.prepare(
    `INSERT INTO "Deadline" ("id","dueAt","precision","wording","threatId","scenarioId","status","version","pendingFrom","pendingKnownFrom","createdAt","updatedAt")
     VALUES (?, ?, 'day', ?, ?, ?, 'pending', 1, ?, ?, ?, ?)`,
  );
  const entry = conn.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","from","to","effectiveAt","recordedAt","reason","by") VALUES ('deadline', ?, NULL, 'pending', ?, ?, 'bulk', 'test')`,
  );
  conn.transaction(() => {
    for (let i = 0; i < RECORDS; i++) {
      const id = `deadline-bulk-${String(i).padStart(5, "0")}`;
      deadline.run(id, toSqlDate(new Date(Date.UTC(2026, 0, 1 + (i % 300)))), `bulk ${i}`, i % 2 ? TARIFF_THREAT : null, SCENARIO, at, at, at, at);
      entry.run(id, at, at);
    }
  })();
}, 120_000);
afterAll(() => t.close());

describe("reads bounded by their limit, not by the database", () => {
  it("answers an as-of read for a status nobody had then with a short page and a cursor, not a scan of everything", async () => {
    expect((await (await t.get("/api/deadlines?asOf=1946-01-01&status=triggered&limit=1")).json()) as unknown).toEqual({ items: [], nextCursor: null });
    const started = performance.now();
    const res = await t.get("/api/deadlines?asOf=1946-01-01&status=pending&limit=1");
    const ms = performance.now() - started;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: unknown[]; nextCursor: string | null };
    expect(body.items).toEqual([]);
    // The walk stopped at its scan budget and says where to resume.
    expect(body.nextCursor).not.toBeNull();
    const next = await t.get(`/api/deadlines?asOf=1946-01-01&status=pending&limit=1&cursor=${body.nextCursor}`);
    expect(next.status).toBe(200);
    console.info(`as-of walk for an absent status over ${RECORDS} deadlines: ${Math.round(ms)} ms for one page`);
  });

  it("answers a deadline filter that matches nothing (text, actor, topic) with a short page and a cursor: SQLite examines the budget, not the table", async () => {
    let likes = 0;
    countLikeCalls(t.db.reader, (pattern) => {
      if (pattern.includes("zq-nowhere")) likes++;
    });
    // An actor, a topic and a scenario the tracker knows that no deadline belongs to (an unknown id is refused, test/api/filter-ids.test.ts).
    const actor = await created(t, "/api/actors", { name: "Nobody", kind: "person" });
    const topic = await created(t, "/api/topics", { name: "Nothing" });
    const scenario = await created(t, "/api/scenarios", { title: "Nowhere", summary: "s" });
    for (const filter of ["q=zq-nowhere", `actor=${actor.id}`, `topic=${topic.id}`, `scenario=${scenario.id}`]) {
      likes = 0;
      const body = (await (await t.get(`/api/deadlines?${filter}&limit=1`)).json()) as { items: unknown[]; nextCursor: string | null };
      expect(body.items, filter).toEqual([]);
      // Cut short by the budget (the whole table once answered in one statement, with no cursor).
      expect(body.nextCursor, filter).not.toBeNull();
      // Each row examined calls like() once per text it searches (wording, threat, condition): at most the budget and one batch.
      if (filter.startsWith("q=")) expect(likes).toBeLessThanOrEqual(3 * (SCAN_BUDGET + BATCH_AT_MOST));
      // Following the cursors reaches the end, each page answered.
      let cursor = body.nextCursor;
      let pages = 1;
      while (cursor) {
        const next = (await (await t.get(`/api/deadlines?${filter}&limit=1&cursor=${cursor}`)).json()) as { items: unknown[]; nextCursor: string | null };
        expect(next.items).toEqual([]);
        cursor = next.nextCursor;
        pages++;
      }
      expect(pages, filter).toBeLessThanOrEqual(Math.ceil((RECORDS + 10) / SCAN_BUDGET) + 1);
    }
  });

  it("pages through a rare text match across budget-cut pages with no gap and no repeat", async () => {
    // "bulk 99" matches bulk 99, 990-999 and 9900-9999 (111 deadlines), spread through the due order.
    const expected = (t.db.reader.prepare(`SELECT "id" FROM "Deadline" WHERE "wording" LIKE '%bulk 99%' ORDER BY "dueAt", "id"`).all() as { id: string }[]).map(
      (r) => r.id,
    );
    expect(expected.length).toBe(111);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await t.get(`/api/deadlines?q=bulk%2099&limit=20${cursor ? `&cursor=${cursor}` : ""}`)).json()) as {
        items: { id: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it("looks at most at the scan budget of history entries for /api/changes, whatever its effective range matches, and pages with no gap", async () => {
    const total = (t.db.reader.prepare(`SELECT count(*) AS n FROM "StatusChange"`).get() as { n: number }).n;
    expect(total).toBeGreaterThan(CHANGES_SCAN_BUDGET);
    type Page = { items: { seq: number }[]; nextCursor: string | null };
    const all = async (query: string) => {
      const seqs: number[] = [];
      let pages = 0;
      let cursor: string | null = null;
      do {
        const page = (await (await t.get(`/api/changes?${query}${cursor ? `&cursor=${cursor}` : ""}`)).json()) as Page;
        seqs.push(...page.items.map((e) => e.seq));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      return { seqs, pages };
    };
    // Nothing is effective before 1900: once every entry was read to say so; now a budget's worth a page.
    const first = (await (await t.get("/api/changes?effectiveTo=1900-01-01&limit=10")).json()) as Page;
    expect(first.items).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    expect((await all("effectiveTo=1900-01-01&limit=10")).pages).toBeLessThanOrEqual(Math.ceil(total / CHANGES_SCAN_BUDGET) + 1);
    // A narrow effective range, paged: exactly what a filter of the whole history gives, in recording order.
    const expected = (
      t.db.reader
        .prepare(`SELECT "seq" FROM "StatusChange" WHERE "effectiveAt" >= ? AND "effectiveAt" <= ? ORDER BY "recordedAt", "seq"`)
        .all(toSqlDate(new Date("2025-10-23T00:00:00Z")), toSqlDate(new Date("2025-10-23T00:00:00Z"))) as { seq: number }[]
    ).map((r) => r.seq);
    expect(expected.length).toBeGreaterThanOrEqual(RECORDS);
    expect((await all("effectiveFrom=2025-10-23T00:00:00Z&effectiveTo=2025-10-23T00:00:00Z&limit=500")).seqs).toEqual(expected);
    // Recorded since an instant (the seed's entries, recorded as the test began, after the bulk's
    // back-dated ones): the first page starts there, found on the recorded-time index.
    const since = new Date(Date.now() - 10 * 60_000);
    const recent = (
      t.db.reader.prepare(`SELECT "seq" FROM "StatusChange" WHERE "recordedAt" >= ? ORDER BY "recordedAt", "seq" LIMIT 5`).all(toSqlDate(since)) as {
        seq: number;
      }[]
    ).map((r) => r.seq);
    expect(recent.length).toBe(5);
    const page = (await (await t.get(`/api/changes?since=${since.toISOString()}&limit=5`)).json()) as Page;
    expect(page.items.map((e) => e.seq)).toEqual(recent);
  });

  it("answers a threat with 5,000 deadlines with its first DETAIL_EMBEDS, in due order, and pages through the rest by the threat", async () => {
    const median = async (path: string) => {
      const times: number[] = [];
      for (let i = 0; i < 9; i++) {
        const started = performance.now();
        expect((await t.get(path)).status).toBe(200);
        times.push(performance.now() - started);
      }
      return Math.round(times.sort((a, b) => a - b)[4]! * 10) / 10;
    };
    const threat = (await (await t.get(`/api/threats/${TARIFF_THREAT}`)).json()) as { deadlines: { id: string }[]; deadlinesTruncated: boolean };
    const due = (
      t.db.reader.prepare(`SELECT "id" FROM "Deadline" WHERE "threatId" = ? ORDER BY "dueAt", "id" LIMIT ?`).all(TARIFF_THREAT, DETAIL_EMBEDS) as {
        id: string;
      }[]
    ).map((r) => r.id);
    expect([threat.deadlines.map((d) => d.id), threat.deadlinesTruncated]).toEqual([due, true]);
    const page = (await (await t.get(`/api/deadlines?threat=${TARIFF_THREAT}&limit=50`)).json()) as { items: unknown[]; nextCursor: string | null };
    expect([page.items.length, page.nextCursor === null]).toEqual([50, false]);
    console.info(
      `a threat with ${RECORDS / 2} deadlines: GET /api/threats/{id} ${await median(`/api/threats/${TARIFF_THREAT}`)} ms, ` +
        `GET /api/deadlines?threat=…&limit=50 ${await median(`/api/deadlines?threat=${TARIFF_THREAT}&limit=50`)} ms (medians of 9)`,
    );
  });

  it("stops a read that runs past the time limit between two batches (503 with Retry-After), and answers the next request", async () => {
    // The same database behind an app whose read limit is already over when a walk starts.
    const hurried = createApp({
      db: t.db,
      token: TEST_TOKEN,
      logger: createLogger("silent"),
      config: { CORS_ORIGINS: [], BODY_LIMIT_BYTES: 256 * 1024, REQUEST_TIMEOUT_MS: 0, TRADEWATCH_PRIVATE_READS: false },
    });
    for (const path of ["/api/deadlines?asOf=1946-01-01&status=pending&limit=1", "/api/threats?asOf=1946-01-01&status=imposed&limit=1"]) {
      const res = await hurried.request(path);
      expect(res.status, path).toBe(503);
      expect(res.headers.get("Retry-After")).toBe("1");
      expect(await res.text()).toMatch(/ran past the time limit and was stopped/);
    }
    // Nothing was left holding the server: the next read is answered.
    expect((await t.get("/api/deadlines?status=pending&limit=1")).status).toBe(200);
  });
});
