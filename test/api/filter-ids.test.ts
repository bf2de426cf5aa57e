import { afterEach, describe, expect, it } from "vitest";
import { FILTER_KINDS, IN_FORCE_FILTERS, RECORD_KINDS, type RecordFilter } from "../../src/domain/record-kinds.ts";
import { createCornDeal, created, RARE_EARTH_CONDITION, SCENARIO, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";

// A list filtered by an id that names no record answered an empty 200, read as "nothing matches".
// Such a filter is refused (422, naming it), judged as known at the read's knownAt so that a past
// answer does not move when the record is recorded later.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;
/** A problem's body without what differs between two requests (its requestId). */
const problemOf = async (r: Response) => {
  const { requestId: _, ...body } = await json(r);
  return { status: r.status, ...body };
};

/** Every list route and the filters naming a record it takes, from the registry of record kinds. */
const FILTERED_LISTS: [string, readonly RecordFilter[]][] = [
  ...Object.values(RECORD_KINDS)
    .filter((k) => k.filters.length > 0)
    .map((k): [string, readonly RecordFilter[]] => [`/api/${k.collection}`, k.filters]),
  ["/api/in-force", IN_FORCE_FILTERS],
];

describe("a list filtered by an id that names no record", () => {
  it("is refused on every list and the in-force view (422 naming the parameter alone), JSON and CSV alike; a known id lists", async () => {
    t = await testApp();
    const { agreement, corn } = await createCornDeal(t);
    const known: Record<RecordFilter, string> = {
      scenario: SCENARIO,
      actor: "gov-us",
      topic: "topic-tariffs",
      threat: TARIFF_THREAT,
      condition: RARE_EARTH_CONDITION,
      agreement: agreement.id,
      commitment: corn.id,
      government: "gov-us",
      issuer: "gov-us",
      target: "gov-cn",
    };
    for (const [path, filters] of FILTERED_LISTS) {
      for (const filter of filters) {
        const kind = FILTER_KINDS[filter];
        const refusal = [{ field: `query.${filter}`, problem: `no ${kind} "${kind}-nope"` }];
        for (const [query, headers] of [
          ["", {}],
          ["&format=csv", {}],
          ["", { Accept: "text/csv" }],
        ] as const) {
          const res = await t.get(`${path}?${filter}=${kind}-nope${query}`, headers);
          expect([res.status, res.headers.get("content-type"), (await json(res)).errors], `${path} ${filter} ${query}`).toEqual([
            422,
            "application/problem+json",
            refusal,
          ]);
        }
        expect((await t.get(`${path}?${filter}=${encodeURIComponent(known[filter])}`)).status, `${path} ${filter}`).toBe(200);
      }
    }
  });

  it("names each filter refused, and one naming a record of another kind", async () => {
    t = await testApp();
    const res = await t.get(`/api/deadlines?threat=${SCENARIO}&actor=gov-nope&scenario=${SCENARIO}&status=pending`);
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([
      { field: "query.actor", problem: 'no actor "gov-nope"' },
      { field: "query.threat", problem: `no threat "${SCENARIO}"` },
    ]);
  });
});

describe("a filter's id judged as known at knownAt", () => {
  it("is refused at a knownAt before it was recorded, and lists now; the past answer stays the same after later writes", async () => {
    let now = Date.parse("2026-11-20T08:00:00Z");
    t = await testApp({ clock: () => new Date(now) });
    const before = new Date(now).toISOString();
    now += 60_000;
    const actor = await created(t, "/api/actors", { name: "Jamieson Greer", kind: "person", governmentId: "gov-us" });
    const topic = await created(t, "/api/topics", { name: "Soybeans" });
    const scenario = await created(t, "/api/scenarios", { title: "Soybean talks", summary: "s" });
    now += 60_000;
    const reads: [string, string, string][] = [
      [`/api/deadlines?actor=${actor.id}`, "actor", `no actor "${actor.id}"`],
      [`/api/threats?topic=${topic.id}`, "topic", `no topic "${topic.id}"`],
      [`/api/events?scenario=${scenario.id}&format=csv`, "scenario", `no scenario "${scenario.id}"`],
      [`/api/actors?government=${actor.id}`, "government", `no actor "${actor.id}"`],
      [`/api/in-force?target=${actor.id}`, "target", `no actor "${actor.id}"`],
    ];
    const then: Record<string, unknown>[] = [];
    for (const [read, field, problem] of reads) {
      const res = await t.get(`${read}&knownAt=${before}`);
      const body = await problemOf(res);
      expect([body.status, body.errors]).toEqual([422, [{ field: `query.${field}`, problem: `${problem} as known at ${before}` }]]);
      then.push(body);
      expect((await t.get(read)).status, read).toBe(200);
    }

    // Recorded later: the scenario's threat against the new actor, its status moved, a deadline of it.
    now += 60_000;
    const threat = await created(t, "/api/threats", {
      scenarioId: scenario.id,
      issuerId: "gov-us",
      targetIds: [actor.id],
      measure: "tariff",
      ratePercent: 10,
      covers: "soybeans",
      summary: "a tariff",
      status: "imposed",
      topicIds: [topic.id],
    });
    await created(t, "/api/deadlines", { threatId: threat.id, dueAt: "2027-01-01", precision: "day", wording: "by New Year" });
    expect((await t.write("POST", `/api/scenarios/${scenario.id}/status`, { status: "escalating", reason: "tariff imposed" })).status).toBe(200);
    now += 60_000;
    for (const [i, [read]] of reads.entries()) expect(await problemOf(await t.get(`${read}&knownAt=${before}`)), read).toEqual(then[i]);
    expect((await json(await t.get(`/api/threats?topic=${topic.id}`))).items.map((x: any) => x.id)).toEqual([threat.id]);
  });

  it("lists nothing, not refused, for a record known then that exists only from a later asOf", async () => {
    t = await testApp();
    const scenario = await created(t, "/api/scenarios", { title: "Later talks", summary: "s", effectiveAt: "2026-06-01" });
    const res = await t.get(`/api/threats?scenario=${scenario.id}&asOf=2026-01-01`);
    expect([res.status, (await json(res)).items]).toEqual([200, []]);
  });

  it("refuses a record whose creation was retracted as known then, and lists it as known before", async () => {
    let now = Date.parse("2026-11-20T08:00:00Z");
    t = await testApp({ clock: () => new Date(now) });
    const scenario = await created(t, "/api/scenarios", { title: "Mistaken talks", summary: "s" });
    now += 60_000;
    const known = new Date(now).toISOString();
    now += 60_000;
    const [creation] = (await json(await t.get(`/api/scenarios/${scenario.id}/history`))).items;
    expect((await t.write("POST", `/api/history/${creation.seq}/retract`, { reason: "stated by mistake" })).status).toBe(200);
    now += 60_000;
    expect((await t.get(`/api/threats?scenario=${scenario.id}&knownAt=${known}`)).status).toBe(200);
    const res = await t.get(`/api/threats?scenario=${scenario.id}`);
    expect([res.status, (await json(res)).errors]).toEqual([422, [{ field: "query.scenario", problem: `no scenario "${scenario.id}"` }]]);
  });

  it("refuses the calendar feed's scenario as the lists' filters", async () => {
    let now = Date.parse("2026-11-20T08:00:00Z");
    t = await testApp({ clock: () => new Date(now) });
    const before = new Date(now).toISOString();
    now += 60_000;
    const scenario = await created(t, "/api/scenarios", { title: "Soybean talks", summary: "s" });
    const res = await t.get(`/calendar.ics?scenario=${scenario.id}&knownAt=${before}`);
    expect([res.status, (await json(res)).errors]).toEqual([422, [{ field: "query.scenario", problem: `no scenario "${scenario.id}" as known at ${before}` }]]);
    expect((await t.get(`/calendar.ics?scenario=${scenario.id}`)).status).toBe(200);
  });
});
