import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SCAN_BUDGET } from "../../src/db/deadline-queries.ts";
import { PASSED_OVER_PER_BUDGET } from "../../src/db/sql/passed-over.ts";
import { TIMELINE_SCAN_BUDGET } from "../../src/db/sql/scenario-view.ts";
import { createThreat, SCENARIO, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { deadlinesRecordedAt, entriesRecordedAt, eventsRecordedAt, measuresRecordedAt } from "../helpers/recorded-later.ts";

/**
 * Issue 9's promise under the scan budgets (decision 028): an answer known at a past instant is
 * the same whatever is recorded later, even when what is recorded later lies on the page's way.
 */
let t: TestApp;
/** The server's clock, moved on by the tests so what they record comes after `knownAt`. */
let now: Date;
beforeEach(async () => {
  now = new Date(Date.now() + 60_000);
  t = await testApp({ clock: () => new Date(now) });
});
afterEach(() => t.close());

const later = () => {
  now = new Date(now.getTime() + 60_000);
};

async function posted(path: string, body: Record<string, unknown>): Promise<void> {
  const res = await t.write("POST", path, body);
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
}

/** A threat stated on 1 June 2025 and its ten deadlines, worded "calendar crowd N"; answers it and the instant they are known at. */
async function crowd(): Promise<{ threat: string; knownAt: string }> {
  const { threat } = await createThreat(t, { scenario: "2025-05-01", threat: "2025-06-01" });
  for (let i = 0; i < 10; i++) {
    await posted("/api/deadlines", { dueAt: "2025-10-24", precision: "day", wording: `calendar crowd ${i}`, threatId: threat.id, effectiveAt: "2025-06-01" });
  }
  const knownAt = now.toISOString();
  later();
  return { threat: threat.id, knownAt };
}

describe("a past answer and the scan budget", () => {
  it("the deadline list at a past knownAt stays the same when more than a budget of deadlines is recorded later on its way", async () => {
    const { threat, knownAt } = await crowd();
    const urls = [
      `/api/deadlines?asOf=2026-01-01&knownAt=${knownAt}&q=crowd`,
      `/api/deadlines?asOf=2026-01-01&knownAt=${knownAt}&limit=5`,
      `/api/deadlines?asOf=2026-01-01&knownAt=${knownAt}&threat=${threat}`,
      `/api/deadlines?status=pending&asOf=2025-10-01&knownAt=${knownAt}&q=crowd`,
    ];
    const before = await Promise.all(urls.map(async (url) => (await t.get(url)).text()));
    expect(JSON.parse(before[0]!).items).toHaveLength(10);
    expect(JSON.parse(before[0]!).nextCursor).toBeNull();
    expect(JSON.parse(before[2]!).items).toHaveLength(10);
    // More than a budget of deadlines due before the crowd, recorded after knownAt: a few through
    // the API, as the review did, the rest straight into the file (5,100 requests take minutes here).
    for (let i = 0; i < 20; i++) {
      await posted("/api/deadlines", { dueAt: "2019-01-01", precision: "day", wording: `filler ${i}`, threatId: threat, effectiveAt: "2025-06-01" });
    }
    deadlinesRecordedAt(t.db, {
      owner: { threatId: threat },
      count: 5_080,
      dueAt: new Date("2019-01-01T00:00:00Z"),
      effectiveAt: new Date("2025-06-01T00:00:00Z"),
      recordedAt: now,
      prefix: "deadline-filler",
    });
    expect(5_100).toBeGreaterThan(SCAN_BUDGET);
    for (const [i, url] of urls.entries()) expect(await (await t.get(url)).text(), url).toBe(before[i]);
  }, 60_000);

  it("the desk's scenario page at a past knownAt stays the same when more events than its budget are recorded later", async () => {
    const knownAt = now.toISOString();
    later();
    const url = `/scenarios/${SCENARIO}?asOf=2025-12-01&knownAt=${knownAt}`;
    const eventsUrl = `${url}&section=events`;
    const before = await (await t.get(url)).text();
    const eventsBefore = await (await t.get(eventsUrl)).text();
    expect(before).toContain("Trump-Xi bilateral meeting");
    // More events than a section's budget, starting before the seeded ones, recorded after knownAt:
    // a few through the API, as the review did, the rest straight into the file.
    for (let i = 0; i < 10; i++) {
      await posted("/api/events", {
        scenarioId: SCENARIO,
        title: `Filler talks ${i}`,
        kind: "call",
        startsAt: "2020-01-01",
        precision: "day",
        wording: "that day",
        effectiveAt: "2019-12-01",
      });
    }
    eventsRecordedAt(t.db, { scenarioId: SCENARIO, count: 510, startsAt: new Date("2020-01-01T00:00:00Z"), recordedAt: now, prefix: "event-filler" });
    expect(await (await t.get(url)).text()).toBe(before);
    expect(await (await t.get(eventsUrl)).text()).toBe(eventsBefore);
  }, 120_000);

  it("a past read that would pass over more than its ceiling of later records says so, naming knownAt, instead of answering another page", async () => {
    const { threat, knownAt } = await crowd();
    deadlinesRecordedAt(t.db, {
      owner: { threatId: threat },
      count: 55_000,
      dueAt: new Date("2019-01-01T00:00:00Z"),
      effectiveAt: new Date("2025-06-01T00:00:00Z"),
      recordedAt: now,
      prefix: "deadline-filler",
    });
    const res = await t.get(`/api/deadlines?asOf=2026-01-01&knownAt=${knownAt}&q=crowd`);
    expect(res.status).toBe(422);
    const body = (await res.json()) as any;
    expect(body.errors[0].field).toBe("query.knownAt");
    // The same read at a knownAt after them answers within its budget, as ever.
    const present = (await (await t.get(`/api/deadlines?asOf=2026-01-01&q=crowd`)).json()) as any;
    expect(present.items).toHaveLength(0);
    expect(present.nextCursor).not.toBeNull();
  }, 60_000);
});

describe("the other budgets at a past knownAt", () => {
  const knownAtNow = () => {
    const knownAt = now.toISOString();
    later();
    return knownAt;
  };

  it("the record lists, with and without a text search, stay the same when more than a budget of records is recorded later before them", async () => {
    const knownAt = knownAtNow();
    const urls = [`/api/events?asOf=2025-12-01&knownAt=${knownAt}&limit=5`, `/api/events?asOf=2025-12-01&knownAt=${knownAt}&q=Trump`];
    const before = await Promise.all(urls.map(async (url) => (await t.get(url)).text()));
    expect(JSON.parse(before[1]!).items.length).toBeGreaterThan(3);
    // Ids that sort before every seeded event, recorded after knownAt.
    eventsRecordedAt(t.db, { scenarioId: SCENARIO, count: 5_100, startsAt: new Date("2020-01-01T00:00:00Z"), recordedAt: now, prefix: "event-0-later" });
    for (const [i, url] of urls.entries()) expect(await (await t.get(url)).text(), url).toBe(before[i]);
    // Past the ceiling: said, not another page.
    eventsRecordedAt(t.db, { scenarioId: SCENARIO, count: 50_000, startsAt: new Date("2020-01-01T00:00:00Z"), recordedAt: now, prefix: "event-0-more" });
    const refused = await t.get(urls[1]!);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as any).errors[0].field).toBe("query.knownAt");
  }, 60_000);

  it("a record's history in pages stays the same when more than a budget of entries is recorded later before its entries", async () => {
    const knownAt = knownAtNow();
    const url = `/api/threats/${TARIFF_THREAT}/history?knownAt=${knownAt}&limit=1`;
    const before = await (await t.get(url)).text();
    expect(JSON.parse(before).items).toHaveLength(1);
    entriesRecordedAt(t.db, {
      kind: "threat",
      id: TARIFF_THREAT,
      to: "threatened",
      count: 5_100,
      effectiveAt: new Date("2020-01-01T00:00:00Z"),
      recordedAt: now,
    });
    expect(await (await t.get(url)).text()).toBe(before);
  }, 60_000);

  it("the in-force page stays the same when more than a budget of measures is recorded later before its own", async () => {
    const knownAt = knownAtNow();
    const url = `/api/in-force?asOf=2025-12-01&knownAt=${knownAt}`;
    const before = await (await t.get(url)).text();
    expect(JSON.parse(before).items.length).toBeGreaterThan(0);
    measuresRecordedAt(t.db, {
      scenarioId: SCENARIO,
      issuerId: "gov-us",
      targetId: "gov-cn",
      count: 10_100,
      since: new Date("2020-01-01T00:00:00Z"),
      recordedAt: now,
      prefix: "threat-0-later",
    });
    expect(await (await t.get(url)).text()).toBe(before);
  }, 60_000);

  it("the desk's scenario timeline at a past knownAt counts the entries recorded later it skips: the same page, and past the ceiling the page says so", async () => {
    const knownAt = knownAtNow();
    const url = `/scenarios/${SCENARIO}?knownAt=${knownAt}&section=timeline`;
    const before = await (await t.get(url)).text();
    expect(before).toContain(`id="timeline"`);
    // Entries about one of the scenario's records, recorded after knownAt: the visit reads and skips them all.
    const late = { kind: "threat", id: TARIFF_THREAT, to: "threatened", effectiveAt: new Date("2025-10-25T00:00:00Z"), recordedAt: now };
    entriesRecordedAt(t.db, { ...late, count: 2_100 });
    expect(await (await t.get(url)).text()).toBe(before);
    const ceiling = PASSED_OVER_PER_BUDGET * TIMELINE_SCAN_BUDGET;
    entriesRecordedAt(t.db, { ...late, count: ceiling - 2_100 });
    expect(await (await t.get(url)).text()).toBe(before);
    entriesRecordedAt(t.db, { ...late, count: 1 });
    const refused = await t.get(url);
    expect(refused.status).toBe(422);
    expect(refused.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await refused.text()).toMatch(/knownAt: more than 50,000 history entries recorded after this instant/);
    expect((await t.get(`/scenarios/${SCENARIO}?section=timeline`)).status).toBe(200);
  }, 120_000);

  it("the desk's scheduled changes stay the same when more than a budget of entries is recorded later before them, and past the ceiling it says so", async () => {
    const res = await t.write("POST", `/api/threats/${TARIFF_THREAT}/status`, {
      status: "imposed",
      reason: "Announced for November",
      effectiveAt: "2025-11-01",
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const knownAt = knownAtNow();
    const url = `/?asOf=2025-10-24&knownAt=${knownAt}`;
    const before = await (await t.get(url)).text();
    expect(before).toContain("Announced for November");
    const late = { kind: "threat", id: TARIFF_THREAT, to: "threatened", effectiveAt: new Date("2025-10-25T00:00:00Z"), recordedAt: now };
    entriesRecordedAt(t.db, { ...late, count: 2_100 });
    expect(await (await t.get(url)).text()).toBe(before);
    entriesRecordedAt(t.db, { ...late, count: 20_000 });
    expect((await t.get(url)).status).toBe(422);
  }, 60_000);
});
