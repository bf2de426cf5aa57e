import { afterEach, beforeEach, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.ts";

// A threat's targets are terms with history (issue 10): the deadlines filtered by an actor follow
// whom the threat targets at asOf, as known at knownAt, like the threats list (review-s7.test.ts).

let t: TestApp;
let now = new Date("2026-01-10T08:00:00Z");
const ids = { issuer: "", before: "", after: "", awaiting: "", plain: "", moved: "", awaited: "" };

const created = async (path: string, body: unknown) => {
  const res = await t.write("POST", path, body);
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as any;
};
const pending = async (query: string) => {
  const res = await t.get(`/api/deadlines?status=pending&${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as any).items.map((d: any) => d.id).sort();
};

beforeEach(async () => {
  now = new Date("2026-01-10T08:00:00Z");
  t = await testApp({ seeded: false, clock: () => now });
  const scenario = await created("/api/scenarios", { title: "S", summary: "s", effectiveAt: "2025-01-01" });
  ids.issuer = (await created("/api/actors", { name: "Issuer", kind: "government" })).id;
  ids.before = (await created("/api/actors", { name: "Targeted first", kind: "government" })).id;
  ids.after = (await created("/api/actors", { name: "Targeted from February", kind: "government" })).id;
  ids.awaiting = (await created("/api/actors", { name: "Awaited", kind: "government" })).id;
  const threat = await created("/api/threats", {
    scenarioId: scenario.id,
    issuerId: ids.issuer,
    targetIds: [ids.before],
    measure: "tariff",
    covers: "steel",
    summary: "Steel tariff",
    effectiveAt: "2025-06-01",
  });
  const deadline = (fields: Record<string, unknown>) => created("/api/deadlines", { precision: "day", wording: "w", effectiveAt: "2025-06-01", ...fields });
  ids.plain = (await deadline({ threatId: threat.id, dueAt: "2027-03-01" })).id;
  // A deadline whose due date moved is walked apart (movedDeadlines): the filter holds there too.
  ids.moved = (await deadline({ threatId: threat.id, dueAt: "2027-04-01" })).id;
  const moved = await t.write("POST", `/api/deadlines/${ids.moved}/dates`, {
    dueAt: "2027-05-01",
    precision: "day",
    reason: "postponed",
    effectiveAt: "2025-07-01",
  });
  expect(moved.status).toBe(200);
  // Of the threat through its condition, and matched by the condition's awaited actor whatever the threat targets.
  const condition = await created("/api/conditions", {
    threatId: threat.id,
    description: "The target lifts its quotas",
    awaitedActorId: ids.awaiting,
    effect: "averts",
    effectiveAt: "2025-06-01",
  });
  ids.awaited = (await deadline({ conditionId: condition.id, dueAt: "2027-06-01" })).id;
  // Recorded on 1 March, in effect from 1 February: the measure now targets another actor.
  now = new Date("2026-03-01T08:00:00Z");
  const changed = await t.write("POST", `/api/threats/${threat.id}/terms`, { targetIds: [ids.after], effectiveAt: "2026-02-01", reason: "retargeted" });
  expect(changed.status).toBe(200);
  now = new Date("2026-04-01T08:00:00Z");
});
afterEach(async () => {
  await t.close();
});

it("lists a threat's deadlines under the actor it targets at asOf, not under one it targeted before or after", async () => {
  const threatDeadlines = [ids.plain, ids.moved, ids.awaited].sort();
  expect(await pending(`actor=${ids.before}&asOf=2026-01-15`)).toEqual(threatDeadlines);
  expect(await pending(`actor=${ids.before}&asOf=2026-02-15`)).toEqual([]);
  expect(await pending(`actor=${ids.after}&asOf=2026-01-15`)).toEqual([]);
  expect(await pending(`actor=${ids.after}&asOf=2026-02-15`)).toEqual(threatDeadlines);
  // Now (the present, answered from the cached columns where they suffice).
  expect(await pending(`actor=${ids.before}`)).toEqual([]);
  expect(await pending(`actor=${ids.after}`)).toEqual(threatDeadlines);
  // The issuer and a condition's awaited actor do not change with the terms.
  expect(await pending(`actor=${ids.issuer}&asOf=2026-01-15`)).toEqual(threatDeadlines);
  expect(await pending(`actor=${ids.issuer}&asOf=2026-02-15`)).toEqual(threatDeadlines);
  expect(await pending(`actor=${ids.awaiting}&asOf=2026-01-15`)).toEqual([ids.awaited]);
  expect(await pending(`actor=${ids.awaiting}&asOf=2026-02-15`)).toEqual([ids.awaited]);
});

it("lists them under the targets known at knownAt: before the terms change was recorded, the first target", async () => {
  const threatDeadlines = [ids.plain, ids.moved, ids.awaited].sort();
  expect(await pending(`actor=${ids.before}&asOf=2026-02-15&knownAt=2026-02-20`)).toEqual(threatDeadlines);
  expect(await pending(`actor=${ids.after}&asOf=2026-02-15&knownAt=2026-02-20`)).toEqual([]);
  expect(await pending(`actor=${ids.after}&asOf=2026-02-15&knownAt=2026-03-02`)).toEqual(threatDeadlines);
});

it("filters the same way without a status and in CSV", async () => {
  const all = async (query: string) => ((await (await t.get(`/api/deadlines?${query}`)).json()) as any).items.map((d: any) => d.id).sort();
  expect(await all(`actor=${ids.before}&asOf=2026-02-15`)).toEqual([]);
  expect(await all(`actor=${ids.before}&asOf=2026-01-15`)).toEqual([ids.plain, ids.moved, ids.awaited].sort());
  const csv = async (query: string) => {
    const res = await t.get(`/api/deadlines?status=pending&format=csv&${query}`);
    expect(res.headers.get("content-type")).toMatch(/text\/csv/);
    return res.text();
  };
  const early = await csv(`actor=${ids.before}&asOf=2026-01-15`);
  expect(early).toContain(ids.plain);
  expect(early).toContain(ids.moved);
  const late = await csv(`actor=${ids.before}&asOf=2026-02-15`);
  expect(late).not.toContain(ids.plain);
  expect(late).not.toContain(ids.moved);
});
