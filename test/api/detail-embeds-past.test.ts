import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSED_OVER_AT_MOST } from "../../src/db/threat-detail.ts";
import { createCornDeal, created, createThreat, type TestApp, testApp } from "../helpers/app.ts";
import { conditionsRecordedAt, deadlinesRecordedAt, eventsRecordedAt, measuresRecordedAt, quotesRecordedAt } from "../helpers/recorded-later.ts";

/**
 * A detail's embedded lists at a past knownAt (decision 028): rows recorded after it that lie before
 * the first page of a list, in its order, are passed over, so the detail is the one known then; a
 * detail passes over at most PASSED_OVER_AT_MOST of them, all its lists together, then answers 422
 * naming knownAt. The evidence list likewise, on its own ceiling.
 */
let t: TestApp;
/** The server's clock, moved on so what the tests record comes after `knownAt`. */
let now = new Date("2026-01-05T08:00:00Z");
let knownAt = "";
let threatId = "";
let conditionId = "";
let scenarioId = "";
const LATER = 10_050;
const before: Record<string, string> = {};

const json = async (url: string) => {
  const res = await t.get(url);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as any;
};
const text = async (url: string) => {
  const res = await t.get(url);
  const body = await res.text();
  expect(res.status, `${url}: ${body.slice(0, 300)}`).toBe(200);
  return body;
};
/** The past reads the tests hold: the threat's detail, two pages of its quotes, the scenario's detail. */
const reads = () => ({
  threat: `/api/threats/${threatId}?knownAt=${knownAt}`,
  quotes: `/api/threats/${threatId}/evidence?knownAt=${knownAt}&limit=2`,
  scenario: `/api/scenarios/${scenarioId}?knownAt=${knownAt}`,
});

beforeAll(async () => {
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  scenarioId = (await created(t, "/api/scenarios", { title: "S", summary: "s", effectiveAt: "2025-01-01" })).id;
  const issuerId = (await created(t, "/api/actors", { name: "Issuer", kind: "government" })).id;
  threatId = (
    await created(t, "/api/threats", {
      scenarioId,
      issuerId,
      targetIds: [issuerId],
      measure: "tariff",
      covers: "steel",
      summary: "Steel tariff",
      status: "threatened",
      effectiveAt: "2025-06-01",
    })
  ).id;
  conditionId = (await created(t, "/api/conditions", { threatId, description: "talks fail", effect: "triggers", effectiveAt: "2025-06-01" })).id;
  await created(t, "/api/conditions", { threatId, description: "deal signed", effect: "averts", effectiveAt: "2025-06-01" });
  // The condition's own deadlines, due in March 2027; a full page of the threat's, due 1 January 2027.
  for (const wording of ["first", "second"]) {
    await created(t, "/api/deadlines", { threatId, conditionId, dueAt: "2027-03-01", precision: "day", wording, effectiveAt: "2025-06-01" });
  }
  await created(t, "/api/deadlines", { scenarioId, dueAt: "2027-03-01", precision: "day", wording: "the scenario's", effectiveAt: "2025-06-01" });
  const recorded = new Date(now.getTime() - 60_000);
  const effectiveAt = new Date("2025-06-01T00:00:00Z");
  deadlinesRecordedAt(t.db, { owner: { threatId }, count: 105, dueAt: new Date("2027-01-01T00:00:00Z"), effectiveAt, recordedAt: recorded, prefix: "known" });
  quotesRecordedAt(t.db, { kind: "threat", recordId: threatId, sourceId: "source-known", count: 3, recordedAt: recorded, prefix: "evidence-known" });
  now = new Date(now.getTime() + 60_000);
  knownAt = now.toISOString();
  now = new Date(now.getTime() + 60_000);
  for (const [k, url] of Object.entries(reads())) before[k] = await text(url);
  before.quotesNext = await text(`${reads().quotes}&cursor=${JSON.parse(before.quotes!).nextCursor}`);
}, 120_000);
afterAll(() => t.close());

describe("a detail's embedded lists at a past knownAt", () => {
  it("are the same answers before and after 10,050 rows recorded later in the way of each list, up to the ceiling, then 422 naming knownAt", async () => {
    const later = { effectiveAt: new Date("2025-06-01T00:00:00Z"), recordedAt: now };
    // Each due, numbered or named before the rows known at knownAt, so each comes first as known now.
    deadlinesRecordedAt(t.db, { ...later, owner: { threatId }, count: LATER, dueAt: new Date("2026-12-01T00:00:00Z"), prefix: "later-threat" });
    // Before the condition's own, after the threat's page (the threat's walk stops before them).
    deadlinesRecordedAt(t.db, { ...later, owner: { conditionId, threatId }, count: LATER, dueAt: new Date("2027-02-01T00:00:00Z"), prefix: "later-condition" });
    conditionsRecordedAt(t.db, { owner: { threatId }, count: LATER, recordedAt: now, prefix: "condition-0-later" });
    quotesRecordedAt(t.db, { kind: "threat", recordId: threatId, sourceId: "source-0-later", count: LATER, recordedAt: now, prefix: "evidence-later" });
    deadlinesRecordedAt(t.db, { ...later, owner: { scenarioId }, count: LATER, dueAt: new Date("2026-12-01T00:00:00Z"), prefix: "later-scenario" });

    const read = reads();
    expect(await text(read.threat)).toBe(before.threat);
    expect(await text(read.quotes)).toBe(before.quotes);
    expect(await text(`${read.quotes}&cursor=${JSON.parse(before.quotes!).nextCursor}`)).toBe(before.quotesNext);
    expect(await text(read.scenario)).toBe(before.scenario);
    // They lie in each list's way: as known now, they come first.
    const present = await json(`/api/threats/${threatId}`);
    expect(present.deadlines[0].id).toMatch(/^later-threat-/);
    expect(present.conditions[0].id).toMatch(/^condition-0-later-/);
    expect(present.evidence[0].sourceId).toBe("source-0-later");
    expect(present.conditions.find((c: any) => c.id === conditionId)).toBeUndefined();
    expect((await json(`/api/conditions/${conditionId}`)).deadlines[0].id).toMatch(/^later-condition-/);
    expect((await json(`/api/scenarios/${scenarioId}`)).deadlines[0].id).toMatch(/^later-scenario-/);

    // One ceiling for the whole detail: its lists have passed over 4 × 10,050; quotes up to exactly the ceiling still answer.
    const toCeiling = PASSED_OVER_AT_MOST - 4 * LATER;
    quotesRecordedAt(t.db, {
      kind: "threat",
      recordId: threatId,
      sourceId: "source-0-later",
      count: toCeiling,
      first: LATER,
      recordedAt: now,
      prefix: "evidence-more",
    });
    expect(await text(read.threat)).toBe(before.threat);
    // One more, in another list: said, naming knownAt, not another page.
    conditionsRecordedAt(t.db, { owner: { threatId }, count: 1, recordedAt: now, prefix: "condition-0-one-more" });
    const refused = await t.get(read.threat);
    expect(refused.status).toBe(422);
    const problem = (await refused.json()) as any;
    expect(problem.errors[0].field).toBe("query.knownAt");
    expect(problem.errors[0].problem).toMatch(/more than 50,000 deadlines, conditions and quotes recorded after this instant/);
    // The evidence list has a ceiling of its own (its quotes only): it still answers, until its own is passed.
    expect(await text(read.quotes)).toBe(before.quotes);
    quotesRecordedAt(t.db, {
      kind: "threat",
      recordId: threatId,
      sourceId: "source-0-later",
      count: PASSED_OVER_AT_MOST - LATER - toCeiling + 1,
      first: LATER + toCeiling,
      recordedAt: now,
      prefix: "evidence-past",
    });
    const quotesRefused = await t.get(read.quotes);
    expect(quotesRefused.status).toBe(422);
    expect(((await quotesRefused.json()) as any).errors[0].field).toBe("query.knownAt");
    // At the present nothing is recorded later: the same reads answer.
    expect((await t.get(`/api/threats/${threatId}`)).status).toBe(200);
    expect((await t.get(`/api/threats/${threatId}/evidence?limit=2`)).status).toBe(200);
  }, 180_000);
});

describe("the lists a detail reads through Prisma, at a past knownAt", () => {
  it("are the same answers before and after 10,050 rows recorded later in the way of each, up to the ceiling, then 422 naming knownAt", async () => {
    let clock = new Date("2026-01-05T08:00:00Z");
    const app = await testApp({ clock: () => new Date(clock) });
    try {
      const { agreement, corn } = await createCornDeal(app);
      await created(app, "/api/conditions", { agreementId: agreement.id, description: "tariffs lifted", effect: "averts", effectiveAt: "2026-01-01" });
      const { scenario, actor } = await createThreat(app, { scenario: "2025-01-01", threat: "2025-06-01" });
      const recorded = new Date(clock.getTime() - 60_000);
      eventsRecordedAt(app.db, { scenarioId: scenario.id, count: 2, startsAt: new Date("2027-03-01T00:00:00Z"), recordedAt: recorded, prefix: "event-known" });
      clock = new Date(clock.getTime() + 60_000);
      const then = clock.toISOString();
      clock = new Date(clock.getTime() + 60_000);
      const urls = [`/api/agreements/${agreement.id}`, `/api/commitments/${corn.id}`, `/api/scenarios/${scenario.id}`].map((u) => `${u}?knownAt=${then}`);
      const answer = async (url: string) => {
        const res = await app.get(url);
        const body = await res.text();
        expect(res.status, `${url}: ${body.slice(0, 300)}`).toBe(200);
        return body;
      };
      const known = await Promise.all(urls.map(answer));

      // Before each list's rows known then, in its order: recorded after `then`.
      const later = { effectiveAt: new Date("2026-01-01T00:00:00Z"), recordedAt: clock };
      deadlinesRecordedAt(app.db, {
        ...later,
        owner: { commitmentId: corn.id },
        count: LATER,
        dueAt: new Date("2027-01-01T00:00:00Z"),
        prefix: "later-commitment",
      });
      deadlinesRecordedAt(app.db, {
        ...later,
        owner: { agreementId: agreement.id },
        count: LATER,
        dueAt: new Date("2027-01-01T00:00:00Z"),
        prefix: "later-agreement",
      });
      conditionsRecordedAt(app.db, { owner: { agreementId: agreement.id }, count: LATER, recordedAt: clock, prefix: "condition-0-later" });
      const o = { scenarioId: scenario.id, issuerId: actor.id, targetId: actor.id, since: new Date("2026-01-01T00:00:00Z"), recordedAt: clock };
      measuresRecordedAt(app.db, { ...o, count: LATER, prefix: "threat-0-later" });
      eventsRecordedAt(app.db, { scenarioId: scenario.id, count: LATER, startsAt: new Date("2027-01-01T00:00:00Z"), recordedAt: clock, prefix: "event-later" });
      expect(await Promise.all(urls.map(answer))).toEqual(known);
      // As known now, they come first.
      const agreementNow = JSON.parse(await answer(`/api/agreements/${agreement.id}`));
      expect([agreementNow.conditions[0].id, agreementNow.deadlines[0].id, agreementNow.commitments[0].deadlines[0].id]).toEqual([
        "condition-0-later-000000",
        "later-agreement-000000",
        "later-commitment-000000",
      ]);
      const scenarioNow = JSON.parse(await answer(`/api/scenarios/${scenario.id}`));
      expect([scenarioNow.threats[0].id, scenarioNow.events[0].id]).toEqual(["threat-0-later-000000", "event-later-000000"]);

      // The agreement's detail has passed over 3 × 10,050 (its conditions, its deadlines, its commitment's): up to exactly the ceiling it answers, one more is refused.
      const toCeiling = PASSED_OVER_AT_MOST - 3 * LATER;
      deadlinesRecordedAt(app.db, {
        ...later,
        owner: { agreementId: agreement.id },
        count: toCeiling,
        dueAt: new Date("2027-01-01T00:00:00Z"),
        prefix: "later-more",
      });
      expect(await answer(urls[0]!)).toBe(known[0]);
      conditionsRecordedAt(app.db, { owner: { agreementId: agreement.id }, count: 1, recordedAt: clock, prefix: "condition-0-one-more" });
      const refused = await app.get(urls[0]!);
      expect(refused.status).toBe(422);
      const problem = (await refused.json()) as any;
      expect(problem.errors[0].field).toBe("query.knownAt");
      expect(problem.errors[0].problem).toMatch(/more than 50,000 rows of its lists recorded after this instant/);
      expect((await app.get(`/api/agreements/${agreement.id}`)).status).toBe(200);
    } finally {
      await app.close();
    }
  }, 180_000);
});

describe("a scenario's detail at a past knownAt", () => {
  it("counts its own deadlines with its other lists, against one ceiling: past it, 422 naming knownAt", async () => {
    let clock = new Date("2026-01-05T08:00:00Z");
    const app = await testApp({ seeded: false, clock: () => new Date(clock) });
    try {
      const scenario = await created(app, "/api/scenarios", { title: "S", summary: "s", effectiveAt: "2025-01-01" });
      await created(app, "/api/deadlines", { scenarioId: scenario.id, dueAt: "2027-03-01", precision: "day", wording: "its own", effectiveAt: "2025-06-01" });
      eventsRecordedAt(app.db, {
        scenarioId: scenario.id,
        count: 2,
        startsAt: new Date("2027-03-01T00:00:00Z"),
        recordedAt: new Date(clock.getTime() - 60_000),
        prefix: "event-known",
      });
      clock = new Date(clock.getTime() + 60_000);
      const url = `/api/scenarios/${scenario.id}?knownAt=${clock.toISOString()}`;
      clock = new Date(clock.getTime() + 60_000);
      const known = await app.get(url);
      expect(known.status).toBe(200);
      const body = await known.text();
      // Half the ceiling in its events' way, half in its own deadlines': neither alone reaches it, the detail does.
      const half = PASSED_OVER_AT_MOST / 2;
      eventsRecordedAt(app.db, { scenarioId: scenario.id, count: half, startsAt: new Date("2027-01-01T00:00:00Z"), recordedAt: clock, prefix: "event-later" });
      const later = { effectiveAt: new Date("2025-06-01T00:00:00Z"), recordedAt: clock };
      deadlinesRecordedAt(app.db, {
        ...later,
        owner: { scenarioId: scenario.id },
        count: half,
        dueAt: new Date("2027-01-01T00:00:00Z"),
        prefix: "later-scenario",
      });
      expect(await (await app.get(url)).text()).toBe(body);
      deadlinesRecordedAt(app.db, { ...later, owner: { scenarioId: scenario.id }, count: 1, dueAt: new Date("2027-01-01T00:00:00Z"), prefix: "one-more" });
      const refused = await app.get(url);
      expect(refused.status).toBe(422);
      const problem = (await refused.json()) as any;
      expect(problem.errors[0].field).toBe("query.knownAt");
      expect(problem.errors[0].problem).toMatch(/more than 50,000 rows of its lists recorded after this instant/);
      expect((await app.get(`/api/scenarios/${scenario.id}`)).status).toBe(200);
    } finally {
      await app.close();
    }
  }, 180_000);
});
