import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDeadlines } from "../../src/db/deadline-queries.ts";
import { DETAIL_EMBEDS, threatDetail } from "../../src/db/threat-detail.ts";
import { type TestApp, testApp } from "../helpers/app.ts";
import { planOf, recordingConnection } from "../helpers/plans.ts";

/**
 * A threat's detail embeds at most DETAIL_EMBEDS deadlines (due order) and conditions (id order,
 * each with at most DETAIL_EMBEDS deadlines), those recorded by knownAt, and says when more follow;
 * the lists filtered by the threat or the condition page through them all, at the read time.
 */
const DEADLINES = 150;
const OF_CONDITION = DETAIL_EMBEDS + 5;
const CONDITIONS = DETAIL_EMBEDS + 1;

let t: TestApp;
let now = Date.parse("2026-11-30T08:00:00Z");
let threatId = "";
let conditionId = "";
const conditionIds: string[] = [];
/** The threat's deadlines in due order, as the detail shows them. */
let dueOrder: string[] = [];
/** Those of them that are the condition's too. */
const ofConditionIds = new Set<string>();
/** An instant after the 150 deadlines were recorded and before the late one. */
let knownAt = "";
let late = "";

async function created(path: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.write("POST", path, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  t = await testApp({ clock: () => new Date(now) });
  threatId = await created("/api/threats", {
    scenarioId: "scenario-us-china-rare-earth-tariffs",
    issuerId: "gov-us",
    targetIds: ["gov-cn"],
    measure: "tariff",
    covers: "goods",
    summary: "A threat with many deadlines",
    effectiveAt: "2026-01-01",
  });
  for (let i = 0; i < CONDITIONS; i++) {
    conditionIds.push(await created("/api/conditions", { threatId, description: `condition ${i}`, effect: "averts", effectiveAt: "2026-01-01" }));
  }
  conditionIds.sort();
  conditionId = conditionIds[0]!;
  const due: [string, string][] = [];
  for (let i = 0; i < DEADLINES; i++) {
    // Due dates out of creation order, several on one day: the order is (dueAt, id).
    const dueAt = new Date(Date.UTC(2027, 0, 1 + ((i * 7) % 60))).toISOString();
    const id = await created("/api/deadlines", {
      threatId,
      ...(i < OF_CONDITION ? { conditionId } : {}),
      dueAt,
      precision: "day",
      wording: `deadline ${i}`,
      effectiveAt: "2026-01-02",
    });
    due.push([dueAt, id]);
    if (i < OF_CONDITION) ofConditionIds.add(id);
  }
  dueOrder = due.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : 1)).map(([, id]) => id);
  now += 60_000;
  knownAt = new Date(now).toISOString();
  now += 60_000;
  // Due before all the others: it would take the first place.
  late = await created("/api/deadlines", { threatId, conditionId, dueAt: "2026-12-01", precision: "day", wording: "late", effectiveAt: "2026-01-02" });
}, 180_000);
afterAll(() => t.close());

type Detail = {
  deadlines: { id: string }[];
  deadlinesTruncated: boolean;
  conditions: { id: string; deadlines: { id: string }[]; deadlinesTruncated: boolean }[];
  conditionsTruncated: boolean;
};

async function detail(path: string): Promise<Detail> {
  const res = await t.get(path);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Detail;
}

async function listed(path: string, query: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await t.get(`${path}&limit=40&${query}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
    seen.push(...page.items.map((d) => d.id));
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

describe("a threat's deadlines and conditions, bounded", () => {
  it("embeds its first deadlines in due order and says more follow; the list filtered by the threat pages through all of them", async () => {
    const then = await detail(`/api/threats/${threatId}?knownAt=${knownAt}`);
    expect(then.deadlines.map((d) => d.id)).toEqual(dueOrder.slice(0, DETAIL_EMBEDS));
    expect(then.deadlinesTruncated).toBe(true);
    expect(await listed(`/api/deadlines?threat=${threatId}`, `knownAt=${knownAt}`)).toEqual(dueOrder);
    const current = await detail(`/api/threats/${threatId}`);
    expect(current.deadlines.map((d) => d.id)).toEqual([late, ...dueOrder.slice(0, DETAIL_EMBEDS - 1)]);
    expect(await listed(`/api/deadlines?threat=${threatId}`, "")).toEqual([late, ...dueOrder]);
  });

  it("answers the same at a past knownAt whatever deadlines are recorded later", async () => {
    const read = `/api/threats/${threatId}?asOf=2026-06-01&knownAt=${knownAt}`;
    const before = await (await t.get(read)).text();
    now += 60_000;
    await created("/api/deadlines", { threatId, dueAt: "2026-11-01", precision: "day", wording: "later still", effectiveAt: "2026-01-02" });
    expect(await (await t.get(read)).text()).toBe(before);
    expect(JSON.parse(before).deadlines[0].id).toBe(dueOrder[0]);
  });

  it("embeds its first conditions, each with its first deadlines; the lists filtered by the threat and the condition hold the rest", async () => {
    const then = await detail(`/api/threats/${threatId}?knownAt=${knownAt}`);
    expect(then.conditions.map((c) => c.id)).toEqual(conditionIds.slice(0, DETAIL_EMBEDS));
    expect(then.conditionsTruncated).toBe(true);
    const [first, second] = then.conditions;
    const ofCondition = dueOrder.filter((id) => ofConditionIds.has(id));
    expect(first!.deadlines.map((d) => d.id)).toEqual(ofCondition.slice(0, DETAIL_EMBEDS));
    expect([first!.deadlinesTruncated, second!.deadlines, second!.deadlinesTruncated]).toEqual([true, [], false]);
    const condition = await detail(`/api/conditions/${conditionId}?knownAt=${knownAt}`);
    expect(condition.deadlines.map((d) => d.id)).toEqual(ofCondition.slice(0, DETAIL_EMBEDS));
    expect(condition.deadlinesTruncated).toBe(true);
    expect(await listed(`/api/deadlines?condition=${conditionId}`, `knownAt=${knownAt}`)).toEqual(ofCondition);
    expect(await listed(`/api/conditions?threat=${threatId}`, `knownAt=${knownAt}`)).toEqual(conditionIds);
  });

  it("says a short list is whole", async () => {
    const other = await detail(`/api/conditions/${conditionIds[1]}`);
    expect([other.deadlines, other.deadlinesTruncated]).toEqual([[], false]);
    const seeded = await detail("/api/threats/threat-us-100pct-tariff-chinese-goods");
    expect([seeded.deadlinesTruncated, seeded.conditionsTruncated]).toEqual([false, false]);
  });

  it("refuses a bad threat, condition or agreement filter with 422 naming it", async () => {
    for (const [path, field] of [
      ["/api/deadlines?threat=", "query.threat"],
      [`/api/deadlines?threat=${"x".repeat(201)}`, "query.threat"],
      ["/api/deadlines?condition=", "query.condition"],
      ["/api/deadlines?agreement=", "query.agreement"],
      ["/api/conditions?threat=", "query.threat"],
      ["/api/conditions?agreement=", "query.agreement"],
    ]) {
      const res = await t.get(path!);
      expect(res.status, path).toBe(422);
      expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field, path).toBe(field);
    }
    // An id that names no threat is refused too, rather than answered as a filter that matches nothing.
    const nothing = await t.get("/api/deadlines?threat=nothing-here");
    expect([nothing.status, ((await nothing.json()) as { errors: unknown }).errors]).toEqual([
      422,
      [{ field: "query.threat", problem: 'no threat "nothing-here"' }],
    ]);
  });

  it("reads each list a page at a time on its owner's index, in the order it shows them: no sort, no other owner's rows", () => {
    // The statements the detail and the filtered list really prepare, on a connection of their own.
    const { conn, statements } = recordingConnection(t.db.writer.name);
    try {
      threatDetail(conn, threatId, { knownAt: new Date(now), now: new Date(now) });
      const read = { limit: 40, asOf: new Date("2026-06-01"), knownAt: new Date(knownAt) };
      for (const owner of [{ threatId }, { conditionId }, { agreementId: "agreement-x" }]) {
        for (const status of [undefined, "pending"]) {
          const first = listDeadlines(conn, { ...read, ...owner, status }, new Date(now));
          listDeadlines(conn, { ...read, ...owner, status, after: first.next ?? { undated: 0, dueAt: "2027", id: "" } }, new Date(now));
          listDeadlines(conn, { ...read, ...owner, status, after: { undated: 1, dueAt: "", id: "" } }, new Date(now));
        }
      }
      const plans = [...new Set(statements)]
        .filter((sql) => /FROM "(Deadline|Condition)"/.test(sql) && /[dc]\."(threatId|conditionId|agreementId)" = \+?[?@]/.test(sql))
        .map((sql) => planOf(conn, sql));
      expect(plans.length).toBeGreaterThan(10);
      for (const plan of plans) {
        expect(plan).toMatch(
          /SEARCH [dc] USING INDEX (Deadline_(threatId|conditionId|agreementId)_(dueAt_id|moved)|Condition_threatId_id)_idx \((threatId|conditionId|agreementId)=\?/,
        );
        expect(plan).not.toMatch(/TEMP B-TREE|SCAN [dc]\b/);
      }
    } finally {
      conn.close();
    }
  });

  it("reads the pages Prisma sends (a condition's or an agreement's detail, the conditions list by owner) on the owners' indexes", () => {
    const plan = (sql: string, params: unknown[]) =>
      (t.db.reader.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(" | ");
    for (const owner of ["threatId", "agreementId"]) {
      const conditions = plan(`SELECT "id" FROM "main"."Condition" WHERE ("${owner}" = ? AND "id" > ?) ORDER BY "id" ASC LIMIT ? OFFSET ?`, ["x", "", 51, 0]);
      const embedded = plan(`SELECT "id" FROM "main"."Condition" WHERE ("createdAt" <= ? AND "${owner}" = ?) ORDER BY "id" ASC LIMIT ? OFFSET ?`, [
        "~",
        "x",
        101,
        0,
      ]);
      for (const p of [conditions, embedded])
        expect(p).toMatch(new RegExp(`SEARCH main.Condition USING (COVERING )?INDEX Condition_${owner}_id_idx \\(${owner}=\\?`));
      for (const p of [conditions, embedded]) expect(p).not.toMatch(/TEMP B-TREE|SCAN main.Condition/);
    }
    for (const owner of ["conditionId", "agreementId"]) {
      const deadlines = plan(`SELECT "id" FROM "main"."Deadline" WHERE ("createdAt" <= ? AND "${owner}" = ?) ORDER BY "dueAt" ASC, "id" ASC LIMIT ? OFFSET ?`, [
        "~",
        "x",
        101,
        0,
      ]);
      expect(deadlines).toMatch(new RegExp(`SEARCH main.Deadline USING INDEX Deadline_${owner}_dueAt_id_idx \\(${owner}=\\?\\)`));
      expect(deadlines).not.toMatch(/TEMP B-TREE|SCAN main.Deadline/);
    }
  });
});
