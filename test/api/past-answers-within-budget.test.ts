import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SCAN_BUDGET } from "../../src/db/deadline-queries.ts";
import { createThreat, SCENARIO, type TestApp, testApp } from "../helpers/app.ts";
import { deadlinesRecordedAt } from "../helpers/recorded-later.ts";

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
      `/api/deadlines?asOf=2026-01-01&knownAt=${knownAt}&threatId=${threat}`,
      `/api/deadlines?status=pending&asOf=2025-10-01&knownAt=${knownAt}&q=crowd`,
    ];
    const before = await Promise.all(urls.map(async (url) => (await t.get(url)).text()));
    expect(JSON.parse(before[0]!).items).toHaveLength(10);
    expect(JSON.parse(before[0]!).nextCursor).toBeNull();
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
    for (let i = 0; i < 520; i++) {
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
