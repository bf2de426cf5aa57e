import { afterAll, beforeAll, expect, it } from "vitest";
import { SCENARIO, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { addBulkScenarioRecords } from "../helpers/bulk-scenario.ts";

// The calendar as known at a past instant does not move when deadlines and events are recorded
// later: they took places among the items nearest to asOf and were dropped after, so the feed came
// back shorter (review: 489 deadline entries, then 479, after ten deadlines due that day).

let t: TestApp;
let now = 0;
beforeAll(async () => {
  t = await testApp({ clock: () => new Date(now) });
  // From after the seed was recorded (at the real time): at an earlier knownAt its scenario was not known yet, and a feed of it is refused.
  now = Date.now();
  addBulkScenarioRecords(t.db);
}, 60_000);
afterAll(() => t.close());

/** The feed without its stamp of when it was made. */
const feed = async (query: string) => (await (await t.get(`/calendar.ics?${query}`)).text()).replace(/^DTSTAMP:.*\r?\n/gm, "");

it("answers the same at a past knownAt, with or without a scenario, whatever is recorded since", async () => {
  const knownAt = new Date(now).toISOString();
  now += 60_000;
  const queries = [`asOf=2026-03-01&knownAt=${knownAt}`, `asOf=2026-03-01&knownAt=${knownAt}&scenario=${SCENARIO}`];
  const before = await Promise.all(queries.map(feed));
  expect(before[0]!.match(/BEGIN:VEVENT/g)!.length).toBeGreaterThan(500);
  for (let i = 0; i < 10; i++) {
    const d = await t.write("POST", "/api/deadlines", {
      threatId: TARIFF_THREAT,
      dueAt: "2026-03-01",
      precision: "day",
      wording: `tranche ${i}`,
      effectiveAt: "2025-12-01",
    });
    expect(d.status).toBe(201);
  }
  const e = await t.write("POST", "/api/events", {
    scenarioId: SCENARIO,
    title: "Talks",
    kind: "meeting",
    startsAt: "2026-03-01",
    precision: "day",
    wording: "1 March",
    effectiveAt: "2025-12-01",
  });
  expect(e.status, await e.clone().text()).toBe(201);
  expect(await Promise.all(queries.map(feed))).toEqual(before);
  // Known now, they are there.
  expect(await feed("asOf=2026-03-01")).toContain("tranche 0");
});
