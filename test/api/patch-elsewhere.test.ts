import { afterEach, beforeEach, expect, it } from "vitest";
import { createCornDeal, NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, SCENARIO, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

// PATCH edits descriptive fields. A status, a deadline's or an event's dates and a threat's terms
// are history, changed by their own routes: a PATCH sending one is refused naming the route, not
// with "is not an accepted field here", and writes nothing.

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(() => t.close());
const json = async (r: Response) => (await r.json()) as any;

const STATUS = (collection: string) => `a status moves only through POST /api/${collection}/{id}/status (with reason, effectiveAt)`;
const DATES = (collection: string) => `dates move only through POST /api/${collection}/{id}/dates (with reason, effectiveAt)`;
const TERMS = "a threat's terms change only through POST /api/threats/{id}/terms (with reason, effectiveAt)";

it("refuses a status, dates or terms sent to PATCH, naming the route that changes them; nothing is written", async () => {
  const { agreement, corn } = await createCornDeal(t);
  const cases: [string, string, Record<string, unknown>, string][] = [
    ["scenarios", SCENARIO, { status: "resolved" }, STATUS("scenarios")],
    ["threats", TARIFF_THREAT, { status: "withdrawn" }, STATUS("threats")],
    ["conditions", RARE_EARTH_CONDITION, { status: "met" }, STATUS("conditions")],
    ["deadlines", NOVEMBER_DEADLINE, { status: "averted" }, STATUS("deadlines")],
    ["events", "event-apec-summit-2025", { status: "held" }, STATUS("events")],
    ["agreements", agreement.id, { status: "ended" }, STATUS("agreements")],
    ["commitments", corn.id, { status: "fulfilled" }, STATUS("commitments")],
    ["deadlines", NOVEMBER_DEADLINE, { dueAt: "2026-02-01" }, DATES("deadlines")],
    ["deadlines", NOVEMBER_DEADLINE, { precision: "day" }, DATES("deadlines")],
    ["events", "event-apec-summit-2025", { startsAt: "2026-02-01" }, DATES("events")],
    ["events", "event-apec-summit-2025", { endsAt: null }, DATES("events")],
    ["events", "event-apec-summit-2025", { precision: "month" }, DATES("events")],
    ["threats", TARIFF_THREAT, { ratePercent: 50 }, TERMS],
    ["threats", TARIFF_THREAT, { authority: "Section 301" }, TERMS],
    ["threats", TARIFF_THREAT, { covers: "steel" }, TERMS],
    ["threats", TARIFF_THREAT, { targetIds: ["gov-cn"] }, TERMS],
  ];
  const before = contentChecksum(t.db);
  for (const [collection, id, body, problem] of cases) {
    const [field] = Object.keys(body);
    const res = await t.write("PATCH", `/api/${collection}/${id}`, body);
    expect([res.status, (await json(res)).errors], `${collection} ${field}`).toEqual([422, [{ field, problem }]]);
  }
  // With a descriptive edit beside it, the whole PATCH is refused.
  const both = await t.write("PATCH", `/api/deadlines/${NOVEMBER_DEADLINE}`, { wording: "by the end of November", dueAt: "2025-11-30" });
  expect([both.status, (await json(both)).errors]).toEqual([422, [{ field: "dueAt", problem: DATES("deadlines") }]]);
  expect(contentChecksum(t.db)).toBe(before);
});

it("still says a field is not accepted where no route takes it for that collection", async () => {
  const before = contentChecksum(t.db);
  for (const [path, field] of [
    ["/api/actors/gov-us", "status"],
    ["/api/topics/topic-tariffs", "status"],
    [`/api/threats/${TARIFF_THREAT}`, "dueAt"],
    [`/api/scenarios/${SCENARIO}`, "precision"],
    [`/api/conditions/${RARE_EARTH_CONDITION}`, "ratePercent"],
  ] as const) {
    const res = await t.write("PATCH", path, { [field]: "x" });
    expect([res.status, (await json(res)).errors], `${path} ${field}`).toEqual([422, [{ field, problem: "is not an accepted field here" }]]);
  }
  expect(contentChecksum(t.db)).toBe(before);
});

it("documents each refused field with the route that changes it", async () => {
  const doc = await json(await t.get("/openapi.json"));
  const patchBody = (path: string) => doc.paths[path].patch.requestBody.content["application/json"].schema;
  const described = (schema: any, field: string) =>
    (schema.$ref ? doc.components.schemas[schema.$ref.split("/").at(-1)] : schema).properties[field].description;
  expect(described(patchBody("/api/deadlines/{id}"), "dueAt")).toBe(`Refused: ${DATES("deadlines")}`);
  expect(described(patchBody("/api/threats/{id}"), "status")).toBe(`Refused: ${STATUS("threats")}`);
});
