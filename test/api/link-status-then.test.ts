import { afterEach, expect, it } from "vitest";
import { createThreat, type TestApp, testApp } from "../helpers/app.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;
const DAY = 86_400_000;

// The pending view answers a link's status then from its cached columns when its status span
// covers the read time (src/domain/history.ts statusCacheAt): a change recorded late must not
// show as known before it was recorded, nor before it took effect, nor after a scheduled change.
it("shows each deadline's threat with its status at asOf as known at knownAt, late news and scheduled changes included", async () => {
  let now = Date.UTC(2026, 2, 1, 12);
  const app = await testApp({ seeded: false, clock: () => new Date(now) });
  t = app;
  const at = (d: number) => new Date(Date.UTC(2026, 2, 1, 12) + d * DAY).toISOString();
  const { threat } = await createThreat(app, { scenario: at(-60), threat: at(-50) });
  expect(threat.id).toBeTruthy();
  await app.write("POST", "/api/deadlines", { threatId: threat.id, dueAt: at(40), precision: "day", wording: "due", effectiveAt: at(-50) });
  // Recorded now, effective ten days ago: a suspension for a month, lapsing back to "threatened".
  now += DAY;
  const recorded = new Date(now);
  const suspended = await app.write("POST", `/api/threats/${threat.id}/status`, {
    status: "suspended",
    reason: "late news",
    effectiveAt: at(-10),
    until: at(20).slice(0, 10),
    // biome-ignore lint/suspicious/noThenProperty: the API's field name
    then: "threatened",
  });
  expect(suspended.status).toBe(200);
  now += DAY;
  const threatThen = async (asOf: string, knownAt: string) => {
    const items = (await json(await app.get(`/api/deadlines?status=pending&asOf=${asOf}&knownAt=${knownAt}`))).items as any[];
    // The threat's own deadline and, from the suspension on, its expiry deadline: one threat.
    return [...new Set(items.map((d) => d.threat.status))];
  };
  const justBefore = new Date(recorded.getTime() - 1000).toISOString();
  expect(await threatThen(at(-5), justBefore)).toEqual(["threatened"]);
  expect(await threatThen(at(-5), recorded.toISOString())).toEqual(["suspended"]);
  expect(await threatThen(at(-20), new Date(now).toISOString())).toEqual(["threatened"]);
  expect(await threatThen(at(10), new Date(now).toISOString())).toEqual(["suspended"]);
  // After the suspension lapses by its terms.
  expect(await threatThen(at(25), new Date(now).toISOString())).toEqual(["threatened"]);
});
