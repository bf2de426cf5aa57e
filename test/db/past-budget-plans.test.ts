import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDeadlines } from "../../src/db/deadline-queries.ts";
import { pastPages } from "../../src/db/sql/embedded-pages.ts";
import { deadlinesOfEach, evidencePage, scenarioDeadlines, threatDetail } from "../../src/db/threat-detail.ts";
import { SCENARIO, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { planOf, recordingConnection } from "../helpers/plans.ts";
import { deadlinesRecordedAt } from "../helpers/recorded-later.ts";

/**
 * Decision 028 on the hot reads: at the present (knownAt now) they prepare the statements they
 * did before it (nothing about rows recorded later: none can be), and at a past knownAt the
 * pending walks, which now pass over rows recorded later instead of leaving them to SQL, are
 * planned on the same indexes as in the present.
 */
let t: TestApp;
const now = new Date("2026-11-30T08:00:00Z");
const knownAt = new Date("2026-11-30T07:00:00Z");

beforeAll(async () => {
  t = await testApp();
  const at = { dueAt: new Date("2026-12-15T00:00:00Z"), effectiveAt: new Date("2026-10-01T00:00:00Z") };
  deadlinesRecordedAt(t.db, { owner: { threatId: TARIFF_THREAT }, count: 200, ...at, recordedAt: new Date("2026-11-30T06:00:00Z"), prefix: "before" });
  deadlinesRecordedAt(t.db, { owner: { threatId: TARIFF_THREAT }, count: 200, ...at, recordedAt: new Date("2026-11-30T07:30:00Z"), prefix: "after" });
  t.db.writer.exec("ANALYZE");
});
afterAll(() => t.close());

/** The statements a read prepares, on a connection of its own, with their plans. */
function statementsOf(read: (conn: ReturnType<typeof recordingConnection>["conn"]) => void, on: TestApp = t): { sql: string; plan: string }[] {
  const { conn, statements } = recordingConnection(on.db.writer.name);
  try {
    read(conn);
    return [...new Set(statements)].map((sql) => ({ sql, plan: planOf(conn, sql) }));
  } finally {
    conn.close();
  }
}

const walks = (statements: { sql: string; plan: string }[]) => statements.filter((s) => /FROM "Deadline" d/.test(s.sql) && /ORDER BY/.test(s.sql));

describe("the hot reads under decision 028", () => {
  it("at the present, the pending list (now and 30 days back) and a threat's detail read nothing about rows recorded later", () => {
    const lists = statementsOf((conn) => {
      listDeadlines(conn, { status: "pending", limit: 50 }, now);
      listDeadlines(conn, { status: "pending", limit: 50, asOf: new Date(now.getTime() - 30 * 86_400_000) }, now);
    });
    const detail = statementsOf((conn) => threatDetail(conn, TARIFF_THREAT, { knownAt: now, now }));
    expect(walks(lists).length).toBeGreaterThan(1);
    for (const s of [...lists, ...detail]) expect(s.sql).not.toMatch(/AS "later"|"createdAt" > |passed_over/);
    // Still walks in due order on an index (no sort of the whole table).
    for (const s of walks(lists)) expect(s.plan, s.sql).not.toMatch(/SCAN d\b|TEMP B-TREE/);
  });

  it("at a past knownAt, the pending walks pass over rows recorded later on the indexes the present walks use", () => {
    const asOf = new Date(now.getTime() - 30 * 86_400_000);
    const presentPlans = new Set(walks(statementsOf((conn) => listDeadlines(conn, { status: "pending", limit: 50, asOf }, now))).map((s) => s.plan));
    const past = walks(statementsOf((conn) => listDeadlines(conn, { status: "pending", limit: 50, asOf, knownAt }, now)));
    expect(past.length).toBeGreaterThan(1);
    for (const s of past) {
      expect(s.sql).toMatch(/"createdAt" > @knownAt AS "later"/);
      expect(s.plan, s.sql).not.toMatch(/SCAN d\b|TEMP B-TREE/);
    }
    // The walk of those still pending is the present's, with one more column.
    expect(past.some((s) => presentPlans.has(s.plan))).toBe(true);
    const page = listDeadlines(t.db.reader, { status: "pending", limit: 500, asOf, knownAt }, now);
    expect(page.rows.filter((r) => r.wording.startsWith("after"))).toEqual([]);
    expect(page.rows.filter((r) => r.wording.startsWith("before"))).toHaveLength(200);
  });

  for (const stats of ["with", "without"] as const) {
    it(`at a past knownAt, a detail's lists run the present's statements and plans, counting the rows they skip (${stats} sqlite_stat1/stat4)`, async () => {
      const on = stats === "with" ? t : await testApp();
      try {
        // Every list a detail embeds, and the evidence list after both kinds of cursor.
        const reads = (time: { knownAt: Date; now: Date }) =>
          statementsOf((conn) => {
            threatDetail(conn, TARIFF_THREAT, time);
            scenarioDeadlines(conn, SCENARIO, 101, time);
            deadlinesOfEach(conn, "conditionId", ["c", "d"], 101, time);
            deadlinesOfEach(conn, "commitmentId", ["c", "d"], 101, time);
            evidencePage(conn, "threat", TARIFF_THREAT, time, ["source-a", null, "e"], 10);
            evidencePage(conn, "threat", TARIFF_THREAT, time, ["source-a", 5, "e"], 10);
          }, on);
        const present = new Map(reads({ knownAt: now, now }).map((s) => [s.sql, s.plan]));
        const counting = reads({ knownAt, now }).filter((s) => s.sql.includes("passed_over()"));
        // A threat's conditions, their deadlines, its deadlines, a scenario's, the deadlines of many conditions and of many commitments;
        // the quotes' first range and the five distinct after a cursor.
        expect(counting).toHaveLength(12);
        for (const s of counting) {
          const asAtPresent = s.sql.replace(/\(((?:\w\.)?"createdAt" <= [?@\w]+) OR passed_over\(\)\)/, "$1");
          expect(present.get(asAtPresent), s.sql).toBe(s.plan);
          // With this database's statistics the quotes after a cursor in the cursor's source are planned
          // on the unique index and sorted, at the present too (the check above): not this change's.
          if (stats === "with" && s.sql.includes(`e."sourceId" = @sourceId`)) continue;
          // On the owner's index in the order shown: it stops after the page, or at the ceiling (passed_over() throws), never sorts.
          // The pages of many owners at once: each owner's walked on its index in order, the pages sorted by owner after (at most owners × page rows).
          const plan = s.sql.includes("json_each") ? s.plan.replace(/ \| USE TEMP B-TREE FOR ORDER BY$/, "") : s.plan;
          expect(plan, s.sql).toMatch(/SEARCH \w+ USING INDEX/);
          expect(plan, s.sql).not.toMatch(/TEMP B-TREE|SCAN [cdey]\b/);
        }
      } finally {
        if (on !== t) await on.close();
      }
    });
  }

  it("at a past knownAt, the lists read through Prisma find their page's ids on the owner's index in the order shown, counting what they skip", () => {
    const walks = statementsOf((conn) => {
      const pages = pastPages(conn, knownAt, 101, 50_000, "ask later");
      for (const [table, owner] of [
        ["Threat", { scenarioId: SCENARIO }],
        ["Event", { scenarioId: SCENARIO }],
        ["Condition", { agreementId: "a" }],
        ["Commitment", { agreementId: "a" }],
        ["Deadline", { agreementId: "a" }],
        ["Evidence", { recordKind: "threat", recordId: TARIFF_THREAT }],
      ] as const) {
        pages.ids(table, owner);
      }
    }).filter((s) => s.sql.includes("passed_over()"));
    expect(walks).toHaveLength(6);
    for (const s of walks) {
      expect(s.plan, s.sql).toMatch(/SEARCH x USING (COVERING )?INDEX \w+ \(\w+=\?/);
      expect(s.plan, s.sql).not.toMatch(/TEMP B-TREE|SCAN x\b/);
    }
  });
});
