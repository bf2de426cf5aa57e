import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InForceCursor, type InForceQuery, inForcePage } from "../../src/db/in-force.ts";
import { BATCH_AT_MOST } from "../../src/db/sql/prepared.ts";
import type { ReadTime } from "../../src/db/sql/record-states.ts";
import { SCENARIO, type TestApp, testApp } from "../helpers/app.ts";
import { planOf, recordingConnection } from "../helpers/plans.ts";
import { upcomingChangesRecordedAt } from "../helpers/recorded-later.ts";

/**
 * The in-force page's upcoming changes are read batch by batch from where the last batch ended:
 * each statement seeks the index at the later of asOf and the cursor, so what a page reads grows
 * with what it examines and passes over, not with how deep in the window it starts (a statement
 * that sought from asOf read the window again up to the cursor at every batch and every page).
 */
let t: TestApp;
const now = new Date("2026-11-30T08:00:00Z");
const knownAt = new Date("2026-11-30T07:00:00Z");
const asOf = new Date("2026-12-01T00:00:00Z");
const LATER = 10_100;

beforeAll(async () => {
  t = await testApp();
  // 2,000 changes known at knownAt, one a minute from 2 December; before them, LATER recorded after knownAt.
  const o = { scenarioId: SCENARIO, issuerId: "gov-us", stepMs: 60_000 };
  upcomingChangesRecordedAt(t.db, {
    ...o,
    count: 2_000,
    effectiveAt: new Date("2026-12-02T00:00:00Z"),
    recordedAt: new Date("2026-11-30T06:00:00Z"),
    prefix: "known",
  });
  upcomingChangesRecordedAt(t.db, {
    ...o,
    count: LATER,
    effectiveAt: new Date("2026-12-01T12:00:00Z"),
    stepMs: 1_000,
    recordedAt: new Date("2026-11-30T07:30:00Z"),
    prefix: "later",
  });
  t.db.writer.exec(`INSERT INTO "ThreatTarget" ("threatId", "actorId", "initial") VALUES ('known', 'gov-cn', 1), ('later', 'gov-cn', 1)`);
});
afterAll(() => t.close());

const UPCOMING = /FROM "InForceChange" c/;
const query: InForceQuery = { withinDays: 30, limit: 50 };

/** The upcoming statements a read ran, in order, with the rows each run answered and its plan. */
function upcomingRunsOf(read: (conn: ReturnType<typeof recordingConnection>["conn"]) => void): { sql: string; rows: number; plan: string }[] {
  const { conn, runs } = recordingConnection(t.db.writer.name);
  try {
    read(conn);
    return runs.filter((r) => UPCOMING.test(r.sql)).map((r) => ({ ...r, plan: planOf(conn, r.sql) }));
  } finally {
    conn.close();
  }
}

const SEEK_FROM_CURSOR =
  /SEARCH c USING (?:COVERING )?INDEX InForceChange_effectiveAt_threatId_seq_\w+ \(\(effectiveAt,threatId,seq\)>\(\?,\?,\?\) AND effectiveAt<\?\)/;
const SEEK_FROM_AS_OF = /SEARCH c USING (?:COVERING )?INDEX InForceChange_effectiveAt_threatId_seq_\w+ \(effectiveAt>\? AND effectiveAt<\?\)/;

describe("the upcoming changes' walk", () => {
  for (const stats of ["without", "with"] as const) {
    it(`seeks each batch at the cursor, a first page at asOf (${stats} sqlite_stat1/stat4)`, () => {
      if (stats === "with") {
        t.db.writer.exec("ANALYZE");
        expect((t.db.writer.prepare(`SELECT count(*) AS n FROM sqlite_stat4 WHERE tbl = 'InForceChange'`).get() as { n: number }).n).toBeGreaterThan(0);
      } else {
        expect(t.db.writer.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat4'`).get()).toBeUndefined();
      }
      const time: ReadTime = { asOf, knownAt: now, now };
      for (const filter of [{}, { issuerId: "gov-us" }, { measure: "tariff" }, { targetId: "gov-cn" }]) {
        let next: InForceCursor | null = null;
        const pages: { sql: string; rows: number; plan: string }[][] = [];
        for (let page = 0; page < 3; page++) {
          pages.push(
            upcomingRunsOf((conn) => {
              next = inForcePage(conn, { ...query, ...filter, ...(next ? { after: next } : {}) }, time).next;
            }),
          );
        }
        expect(pages[0]!.map((r) => r.plan)).toEqual([expect.stringMatching(SEEK_FROM_AS_OF)]);
        for (const runs of pages.slice(1)) {
          expect(runs).toHaveLength(1);
          expect(runs[0]!.plan, runs[0]!.sql).toMatch(SEEK_FROM_CURSOR);
          expect(runs[0]!.rows).toBe(query.limit + 1);
        }
      }
    });
  }

  it("at a past knownAt, passes over the rows recorded later batch by batch from where the last ended, reading each once", () => {
    const runs = upcomingRunsOf((conn) => {
      const page = inForcePage(conn, query, { asOf, knownAt, now });
      expect(page.upcoming).toHaveLength(query.limit);
      expect(page.upcoming.every((u) => u.threatId === "known")).toBe(true);
    });
    // Read, not left to SQL: every later row comes back once, so what the page reads is what it returns.
    const read = runs.reduce((n, r) => n + r.rows, 0);
    expect(read).toBeGreaterThanOrEqual(LATER + query.limit);
    expect(read).toBeLessThanOrEqual(LATER + query.limit + 1 + BATCH_AT_MOST);
    // Batches grow to BATCH_AT_MOST, each after the first seeking at the cursor.
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(LATER / BATCH_AT_MOST) + 6);
    for (const r of runs.slice(1)) expect(r.plan, r.sql).toMatch(SEEK_FROM_CURSOR);
  });
});
