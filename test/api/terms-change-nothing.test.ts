import { afterEach, beforeEach, expect, it } from "vitest";
import { TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

// A terms entry whose every value is the term already in effect at its effectiveAt changed nothing,
// yet was recorded, shown in the history as "rate 100% → 100%" (review of session 11). Refused
// now; one that changes at least one term is recorded as before. The seeded tariff: a 100% tariff
// on "Chinese goods" against gov-cn.

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(() => t.close());

const terms = (body: Record<string, unknown>) => t.write("POST", `/api/threats/${TARIFF_THREAT}/terms`, { reason: "Terms reported", ...body });

async function refused(body: Record<string, unknown>, fields: string[]) {
  const before = contentChecksum(t.db);
  const res = await terms(body);
  expect(res.status).toBe(422);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const problem = (await res.json()) as { errors: { field: string; problem: string }[] };
  expect(problem.errors.map((e) => e.field)).toEqual(fields);
  expect(contentChecksum(t.db)).toBe(before);
  return problem;
}

it("refuses terms equal to those in effect at effectiveAt, naming each field, and writes nothing", async () => {
  const { errors } = await refused({ ratePercent: 100, effectiveAt: "2026-01-01" }, ["ratePercent"]);
  expect(errors[0]!.problem).toContain("already 100");
  await refused({ measure: "tariff", ratePercent: 100, covers: "Chinese goods", targetIds: ["gov-cn", "gov-cn"], effectiveAt: "2026-01-01" }, [
    "measure",
    "ratePercent",
    "covers",
    "targetIds",
  ]);
});

it("records terms when at least one field changes, the unchanged ones with it", async () => {
  const res = await terms({ ratePercent: 100, covers: "Chinese goods and parts", effectiveAt: "2026-01-01" });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(((await res.json()) as any).entry.values).toEqual({ ratePercent: 100, covers: "Chinese goods and parts" });
});

it("compares with the terms in effect at the entry's own effectiveAt, before and after an earlier change", async () => {
  expect((await terms({ ratePercent: 50, effectiveAt: "2026-03-01" })).status).toBe(200);
  // From March the rate is 50: 50 again is nothing, 100 is a change.
  await refused({ ratePercent: 50, effectiveAt: "2026-04-01" }, ["ratePercent"]);
  await refused({ ratePercent: 50, effectiveAt: "2026-03-01" }, ["ratePercent"]);
  // Before March it was still 100.
  await refused({ ratePercent: 100, effectiveAt: "2026-02-01" }, ["ratePercent"]);
  expect((await terms({ ratePercent: 50, effectiveAt: "2026-02-01" })).status).toBe(200);
  expect((await terms({ ratePercent: 100, effectiveAt: "2026-04-01" })).status).toBe(200);
});
