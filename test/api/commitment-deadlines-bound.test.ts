import { afterAll, beforeAll, expect, it } from "vitest";
import { DETAIL_EMBEDS } from "../../src/db/threat-detail.ts";
import { createCornDeal, type TestApp, testApp } from "../helpers/app.ts";

// A commitment's detail, and each commitment an agreement embeds, hold a page of its deadlines
// with `deadlinesTruncated` (decision 022); `GET /api/deadlines?commitment=` pages through them all.
// They embedded every deadline: 1,500 made a 671 kB answer.

let t: TestApp;
let deal: Awaited<ReturnType<typeof createCornDeal>>;
const MORE = DETAIL_EMBEDS + 5;
const json = async (r: Response) => (await r.json()) as any;
let now = Date.parse("2026-11-20T08:00:00Z");

beforeAll(async () => {
  t = await testApp({ clock: () => new Date(now) });
  deal = await createCornDeal(t);
  for (let i = 0; i < MORE; i++) {
    const day = String((i % 28) + 1).padStart(2, "0");
    const res = await t.write("POST", "/api/deadlines", {
      commitmentId: deal.corn.id,
      dueAt: `2027-0${(i % 9) + 1}-${day}`,
      precision: "day",
      wording: `tranche ${i}`,
      effectiveAt: "2026-02-01",
    });
    expect(res.status, await res.clone().text()).toBe(201);
  }
}, 120_000);
afterAll(() => t.close());

it("embeds the first deadlines of a commitment in due order and says more follow; the deadlines list pages through all of them", async () => {
  const all: { id: string; dueAt: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const page = await json(await t.get(`/api/deadlines?commitment=${deal.corn.id}&limit=40${cursor ? `&cursor=${cursor}` : ""}`));
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  expect(all.length).toBeGreaterThanOrEqual(MORE);
  const dated = all.filter((d) => d.dueAt !== null);
  const commitment = await json(await t.get(`/api/commitments/${deal.corn.id}`));
  expect(commitment.deadlines).toHaveLength(DETAIL_EMBEDS);
  expect(commitment.deadlinesTruncated).toBe(true);
  expect(commitment.deadlines.map((d: any) => d.id)).toEqual(dated.slice(0, DETAIL_EMBEDS).map((d) => d.id));

  const agreement = await json(await t.get(`/api/agreements/${deal.agreement.id}`));
  const embedded = agreement.commitments.find((c: any) => c.id === deal.corn.id);
  expect(embedded.deadlines.map((d: any) => d.id)).toEqual(commitment.deadlines.map((d: any) => d.id));
  expect(embedded.deadlinesTruncated).toBe(true);
});

it("reads the page as recorded by knownAt: deadlines recorded later take no place in it", async () => {
  const knownAt = new Date(now).toISOString();
  now += 60_000;
  const before = await (await t.get(`/api/commitments/${deal.corn.id}?knownAt=${knownAt}`)).text();
  const res = await t.write("POST", "/api/deadlines", {
    commitmentId: deal.corn.id,
    dueAt: "2026-03-01",
    precision: "day",
    wording: "early",
    effectiveAt: "2026-02-01",
  });
  expect(res.status).toBe(201);
  expect(await (await t.get(`/api/commitments/${deal.corn.id}?knownAt=${knownAt}`)).text()).toBe(before);
  expect(await (await t.get(`/api/commitments/${deal.corn.id}`)).text()).not.toBe(before);
});

it("says which agreement a commitment's deadline comes under wherever it is shown, as the deadline list does", async () => {
  const listed = await json(await t.get(`/api/deadlines?commitment=${deal.corn.id}&limit=3`));
  expect(listed.items.map((d: any) => d.agreementId)).toEqual(Array(3).fill(deal.agreement.id));
  const commitment = await json(await t.get(`/api/commitments/${deal.corn.id}`));
  expect(new Set(commitment.deadlines.map((d: any) => d.agreementId))).toEqual(new Set([deal.agreement.id]));
  const agreement = await json(await t.get(`/api/agreements/${deal.agreement.id}`));
  expect(new Set(agreement.commitments[0].deadlines.map((d: any) => d.agreementId))).toEqual(new Set([deal.agreement.id]));
  // An agreement's condition's deadline too.
  const condition = await t.write("POST", "/api/conditions", {
    agreementId: deal.agreement.id,
    description: "Beijing licenses rare-earth exports",
    awaitedActorId: "gov-cn",
    effect: "averts",
    effectiveAt: "2026-02-01",
  });
  expect(condition.status, await condition.clone().text()).toBe(201);
  const conditionId = (await json(condition)).id;
  const due = await t.write("POST", "/api/deadlines", {
    conditionId,
    dueAt: "2027-01-01",
    precision: "day",
    wording: "by New Year",
    effectiveAt: "2026-02-01",
  });
  expect(due.status, await due.clone().text()).toBe(201);
  const conditionRead = await json(await t.get(`/api/conditions/${conditionId}`));
  expect(conditionRead.deadlines.map((d: any) => d.agreementId)).toEqual([deal.agreement.id]);
  const embedded = (await json(await t.get(`/api/agreements/${deal.agreement.id}`))).conditions.find((c: any) => c.id === conditionId);
  expect(embedded.deadlines.map((d: any) => d.agreementId)).toEqual([deal.agreement.id]);
});
