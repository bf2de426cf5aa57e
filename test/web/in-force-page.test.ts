import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCENARIO, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 10);
const iso = (ms: number) => new Date(ms).toISOString();
let now = START;
let t: TestApp;
let reciprocal = "";
beforeAll(async () => {
  t = await testApp({ clock: () => new Date(now) });
  const res = await t.write("POST", "/api/threats", {
    scenarioId: SCENARIO,
    issuerId: "gov-us",
    targetIds: ["gov-cn"],
    measure: "tariff",
    covers: "Chinese goods",
    summary: "Reciprocal tariff",
    ratePercent: 20,
    authority: "IEEPA",
    status: "imposed",
    effectiveAt: iso(START - 30 * DAY),
  });
  reciprocal = ((await res.json()) as { id: string }).id;
  now += 60_000;
  await t.write("POST", `/api/threats/${reciprocal}/terms`, { ratePercent: 10, effectiveAt: iso(START + 20 * DAY), reason: "Rate cut" });
  await t.write("POST", `/api/threats/${reciprocal}/status`, {
    status: "suspended",
    reason: "Suspended under the deal",
    effectiveAt: iso(START + 25 * DAY),
    until: iso(START + 60 * DAY),
    // biome-ignore lint/suspicious/noThenProperty: the API's field name
    then: "imposed",
  });
});
afterAll(() => t.close());

describe("the desk's in-force page", () => {
  it("shows the measures, rates, authority, until when and the totals as of the chosen day", async () => {
    const res = await t.get(`/in-force?asOf=${iso(START + DAY).slice(0, 10)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("In force on 2026-01-11");
    expect(html).toContain("Reciprocal tariff");
    expect(html).toContain("United States government");
    expect(html).toContain("IEEPA");
    expect(html).toContain("<strong>20%</strong>");
    expect(html).toContain("4 Feb 2026 (then suspended)");
    expect(html).toContain("terms change (ratePercent 10)");
    const later = await (await t.get(`/in-force?asOf=${iso(START + 21 * DAY).slice(0, 10)}`)).text();
    expect(later).toContain("<strong>10%</strong>");
    // Suspended: out of force, and the lapse back to imposed is coming.
    const suspended = await (await t.get(`/in-force?asOf=${iso(START + 40 * DAY).slice(0, 10)}`)).text();
    expect(suspended).toContain("No measure in force.");
    expect(suspended).toContain("→ imposed");
    expect((await t.get("/in-force?asOf=nope")).status).toBe(422);
  });

  it("shows a measure's terms entries on the scenario page with old and new values", async () => {
    const html = await (await t.get(`/scenarios/${SCENARIO}`)).text();
    expect(html).toContain("terms changed: rate 20% → 10%");
    expect(html).toContain("under IEEPA");
    expect(html).toContain(TARIFF_THREAT);
    // A measure that may be superseded is offered the field naming its successor.
    expect(html).toContain('name="supersededById"');
  });
});
