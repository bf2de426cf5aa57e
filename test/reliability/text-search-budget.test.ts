import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LIST_SCAN_BUDGET } from "../../src/db/records.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";
import { created, type TestApp, testApp } from "../helpers/app.ts";
import { countLikeCalls } from "../helpers/sqlite-like.ts";

/**
 * A text search (`q`) uses no index: it used to make SQLite examine every row of the table to fill
 * one page, whatever its `limit`. Here the threats outnumber the scan budget, and SQLite itself
 * counts what it examines: `like()` is SQLite's function behind LIKE, replaced on the reader
 * connection (where the escaped text search runs) and on Prisma's by one that answers the same
 * for this data and counts its calls.
 */
let t: TestApp;
const BULK = LIST_SCAN_BUDGET + 2_345;
/** Matches no row: every row examined calls like() once per text field of a threat (summary, covers). */
const NOTHING = "zq-nowhere";
/** Rows examined by a search for NOTHING, and Prisma's queries, counted on its connection. */
const counts = { like: 0, queries: 0 };
let nobody: { actor: string; topic: string };

beforeAll(async () => {
  const connect = PrismaBetterSQLite3.prototype.connect;
  vi.spyOn(PrismaBetterSQLite3.prototype, "connect").mockImplementation(async function (this: PrismaBetterSQLite3) {
    const adapter = await connect.call(this);
    const connection = (adapter as unknown as { client: Database.Database }).client;
    countLikeCalls(connection, (pattern) => {
      if (pattern.includes(NOTHING)) counts.like++;
    });
    const queryRaw = adapter.queryRaw.bind(adapter);
    adapter.queryRaw = (query) => {
      counts.queries++;
      return queryRaw(query);
    };
    return adapter;
  });
  t = await testApp();
  // An actor and a topic the tracker knows that no threat names (an unknown id is refused, test/api/filter-ids.test.ts).
  nobody = {
    actor: (await created(t, "/api/actors", { name: "Nobody", kind: "person" })).id,
    topic: (await created(t, "/api/topics", { name: "Nothing" })).id,
  };
  countLikeCalls(t.db.reader, (pattern) => {
    if (pattern.includes(NOTHING)) counts.like++;
  });
  const conn = t.db.writer;
  const at = toSqlDate(new Date("2025-11-15T00:00:00Z"));
  const later = toSqlDate(new Date("2025-11-20T00:00:00Z"));
  const threat = conn.prepare(
    `INSERT INTO "Threat" ("id","scenarioId","issuerId","measure","covers","summary","ratePercent","isAdditional","status","version","createdAt","updatedAt")
     VALUES (?, 'scenario-us-china-rare-earth-tariffs', ?, 'tariff', ?, ?, 25, 0, ?, 1, ?, ?)`,
  );
  const target = conn.prepare(`INSERT INTO "ThreatTarget" ("threatId","actorId","initial") VALUES (?, ?, 1)`);
  const entry = conn.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","from","to","effectiveAt","recordedAt","reason","by") VALUES ('threat', ?, ?, ?, ?, ?, 'bulk', 'test')`,
  );
  conn.transaction(() => {
    for (let i = 0; i < BULK; i++) {
      // Ids interleave with the seed's ("threat-…"), text matches are spread thin or thick, statuses differ.
      const id = `threat-${i % 2 ? "a" : "z"}-${String(i).padStart(5, "0")}`;
      const imposed = i % 4 === 0;
      const summary = i % 997 === 0 ? `Rare Marker threat ${i}` : `Bulk threat ${i}`;
      threat.run(id, i % 3 ? "gov-us" : "gov-cn", i % 3 === 1 ? "steel imports" : "soybean imports", summary, imposed ? "imposed" : "threatened", at, at);
      target.run(id, i % 3 ? "gov-cn" : "gov-us");
      entry.run(id, null, "threatened", at, at);
      if (imposed) entry.run(id, "threatened", "imposed", later, later);
    }
  })();
}, 300_000);
afterAll(async () => {
  vi.restoreAllMocks();
  await t.close();
});

interface Row {
  id: string;
  status: string;
}

async function pages(query: string, limit: number): Promise<{ ids: string[]; requests: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let requests = 1; requests < 10_000; requests++) {
    const res = await t.get(`/api/threats?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status, query).toBe(200);
    const body = (await res.json()) as { items: Row[]; nextCursor: string | null };
    ids.push(...body.items.map((r) => r.id));
    if (!body.nextCursor) return { ids, requests };
    cursor = body.nextCursor;
  }
  throw new Error("the cursor never ended");
}

describe("a text search is bounded by the scan budget, not by the table", () => {
  it("examines at most the budget in one request for a q that matches nothing, and each row once across the pages", async () => {
    const total = (t.db.reader.prepare(`SELECT count(*) AS n FROM "Threat"`).get() as { n: number }).n;
    expect(total).toBeGreaterThan(LIST_SCAN_BUDGET);
    counts.like = 0;
    const res = await t.get(`/api/threats?q=${NOTHING}&limit=1`);
    const body = (await res.json()) as { items: unknown[]; nextCursor: string | null };
    expect(body.items).toEqual([]);
    expect(body.nextCursor).not.toBeNull();
    // Summary and covers: two calls per row examined, and exactly the budget's rows.
    expect(counts.like).toBe(2 * LIST_SCAN_BUDGET);
    // With the other filters beside it, at most as many.
    counts.like = 0;
    expect((await t.get(`/api/threats?q=${NOTHING}&actor=gov-cn&status=imposed&asOf=2025-11-21&limit=1`)).status).toBe(200);
    expect(counts.like).toBeGreaterThan(0);
    expect(counts.like).toBeLessThanOrEqual(2 * LIST_SCAN_BUDGET);
    counts.like = 0;
    const { ids, requests } = await pages(`q=${NOTHING}`, 1);
    expect(ids).toEqual([]);
    expect(requests).toBe(Math.ceil(total / LIST_SCAN_BUDGET));
    expect(counts.like).toBe(2 * total);
  });

  it("bounds an actor or a topic filter the same way: nobody's threats are a budget's worth of short pages, not one scan", async () => {
    const total = (t.db.reader.prepare(`SELECT count(*) AS n FROM "Threat"`).get() as { n: number }).n;
    for (const filter of [`actor=${nobody.actor}`, `topic=${nobody.topic}`]) {
      const body = (await (await t.get(`/api/threats?${filter}&limit=1`)).json()) as { items: unknown[]; nextCursor: string | null };
      expect(body.items, filter).toEqual([]);
      expect(body.nextCursor, filter).not.toBeNull();
      const { ids, requests } = await pages(filter, 1);
      expect(ids).toEqual([]);
      expect(requests, filter).toBe(Math.ceil(total / LIST_SCAN_BUDGET));
    }
  });

  it("reads a page of one among rows not there then in tens of queries, not one per row", async () => {
    counts.queries = 0;
    const body = (await (await t.get("/api/threats?asOf=1946-01-01&status=imposed&limit=1")).json()) as { items: unknown[]; nextCursor: string | null };
    expect(body.items).toEqual([]);
    expect(body.nextCursor).not.toBeNull();
    expect(counts.queries).toBeLessThan(100);
  });

  it("pages through exactly the rows a brute-force filter finds, in id order, with q alone or with status and actor", async () => {
    // Brute force: every threat's text and actors (issuer, any target named) from the tables, its status now from the unfiltered list.
    const actors = new Map<string, string[]>();
    for (const r of t.db.reader
      .prepare(`SELECT "id" AS "threatId", "issuerId" AS "actorId" FROM "Threat" UNION ALL SELECT "threatId", "actorId" FROM "ThreatTarget"`)
      .all() as {
      threatId: string;
      actorId: string;
    }[]) {
      actors.set(r.threatId, [...(actors.get(r.threatId) ?? []), r.actorId]);
    }
    const text = new Map(
      (t.db.reader.prepare(`SELECT "id", "summary", "covers" FROM "Threat"`).all() as { id: string; summary: string; covers: string }[]).map((r) => [
        r.id,
        `${r.summary}\u0000${r.covers}`.toLowerCase(),
      ]),
    );
    const all: Row[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const body = (await (await t.get(`/api/threats?limit=500${cursor ? `&cursor=${cursor}` : ""}`)).json()) as { items: Row[]; nextCursor: string | null };
      all.push(...body.items);
      cursor = body.nextCursor;
    }
    expect(all.length).toBe(text.size);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          q: fc.constantFrom(undefined, NOTHING, "rare marker", "STEEL", "bulk threat 12", "threat"),
          limit: fc.constantFrom(20, 50, 500),
          status: fc.constantFrom(undefined, "imposed", "threatened"),
          actor: fc.constantFrom(undefined, "gov-cn", nobody.actor),
        }),
        async ({ q, limit, status, actor }) => {
          const query = [q ? `q=${encodeURIComponent(q)}` : "", status ? `status=${status}` : "", actor ? `actor=${actor}` : ""].filter(Boolean).join("&");
          const expected = all
            .filter((r) => !q || text.get(r.id)!.includes(q.toLowerCase()))
            .filter((r) => !status || r.status === status)
            .filter((r) => !actor || actors.get(r.id)!.includes(actor))
            .map((r) => r.id);
          const { ids } = await pages(query, limit);
          expect(ids, query).toEqual(expected);
        },
      ),
      { numRuns: 15 },
    );
  }, 240_000);
});
