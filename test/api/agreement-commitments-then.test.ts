import { afterEach, expect, it } from "vitest";
import { AGREEMENT_COMMITMENTS } from "../../src/db/records.ts";
import { DETAIL_EMBEDS } from "../../src/db/threat-detail.ts";
import { type TestApp, testApp } from "../helpers/app.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

it("answers an agreement at a past knownAt the same whatever commitments are recorded later", async () => {
  let now = Date.parse("2026-11-30T08:00:00Z");
  t = await testApp({ clock: () => new Date(now) });
  const app = t;
  const created = async (path: string, body: Record<string, unknown>) => {
    const res = await app.write("POST", path, body);
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const agreementId = await created("/api/agreements", {
    title: "A long truce",
    partyIds: ["gov-us", "gov-cn"],
    status: "in-force",
    effectiveAt: "2026-01-01",
  });
  const commitment = (i: number) =>
    created("/api/commitments", { agreementId, partyId: "gov-cn", description: `commitment ${i}`, kind: "other", effectiveAt: "2026-01-02" });
  for (let i = 0; i < AGREEMENT_COMMITMENTS; i++) await commitment(i);
  now += 60_000;
  const read = `/api/agreements/${agreementId}?asOf=2026-06-01&knownAt=${new Date(now).toISOString()}`;
  now += 60_000;
  const before = await (await t.get(read)).text();
  expect(JSON.parse(before).commitmentsTruncated).toBe(false);
  now += 60_000;
  for (let i = 0; i < 3; i++) await commitment(AGREEMENT_COMMITMENTS + i);
  expect(await (await t.get(read)).text()).toBe(before);
}, 60_000);

it("answers a scenario at a past knownAt the same whatever threats, deadlines and events are recorded later", async () => {
  let now = Date.parse("2026-11-30T08:00:00Z");
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  const app = t;
  const created = async (path: string, body: Record<string, unknown>) => {
    const res = await app.write("POST", path, body);
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const scenarioId = await created("/api/scenarios", { title: "A long story", summary: "s", effectiveAt: "2026-01-01" });
  const actor = await created("/api/actors", { name: "A", kind: "government" });
  const three = async (i: number) => {
    await created("/api/threats", {
      scenarioId,
      issuerId: actor,
      targetIds: [actor],
      measure: "tariff",
      covers: "goods",
      summary: `t${i}`,
      effectiveAt: "2026-01-02",
    });
    await created("/api/deadlines", { scenarioId, dueAt: "2026-12-01", precision: "day", wording: `d${i}`, effectiveAt: "2026-01-02" });
    await created("/api/events", {
      scenarioId,
      title: `e${i}`,
      kind: "meeting",
      startsAt: "2026-03-01",
      precision: "day",
      wording: "1 March",
      effectiveAt: "2026-01-02",
    });
  };
  for (let i = 0; i < DETAIL_EMBEDS; i++) await three(i);
  now += 60_000;
  const read = `/api/scenarios/${scenarioId}?asOf=2026-06-01&knownAt=${new Date(now).toISOString()}`;
  now += 60_000;
  const before = await (await t.get(read)).text();
  const first = JSON.parse(before);
  expect([first.threats.length, first.deadlines.length, first.events.length]).toEqual([DETAIL_EMBEDS, DETAIL_EMBEDS, DETAIL_EMBEDS]);
  now += 60_000;
  for (let i = 0; i < 3; i++) await three(DETAIL_EMBEDS + i);
  expect(await (await t.get(read)).text()).toBe(before);
}, 120_000);
