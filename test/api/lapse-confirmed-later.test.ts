import { afterEach, beforeEach, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.ts";

// A lapse by terms reported first without a source is confirmed by a later report that cites one
// (README, worked example 2), with no retraction first; a confirmed lapse is not reported again.

const THREAT = "threat-cn-rare-earth-export-controls";
let t: TestApp;
let now = Date.now();
beforeEach(async () => {
  // After the seed's entries (recorded at the real time), and after the lapse of 10 November 2026.
  now = Math.max(Date.now(), Date.parse("2026-11-30T00:00:00Z")) + 60_000;
  t = await testApp({ clock: () => new Date(now) });
  const suspended = await t.write("POST", `/api/threats/${THREAT}/status`, {
    status: "suspended",
    reason: "MOFCOM suspends the controls for a year",
    effectiveAt: "2025-11-10",
    until: "2026-11-10",
    // biome-ignore lint/suspicious/noThenProperty: the API's field name
    then: "imposed",
  });
  expect(suspended.status, await suspended.clone().text()).toBe(200);
});
afterEach(() => t.close());

const json = async (r: Response) => (await r.json()) as any;
const threatThen = async (knownAt?: string) => json(await t.get(`/api/threats/${THREAT}?asOf=2026-11-11${knownAt ? `&knownAt=${knownAt}` : ""}`));
const inForce = async () => (await json(await t.get("/api/in-force?asOf=2026-11-11&limit=200"))).items.find((i: any) => i.threatId === THREAT);
const cited = async () => {
  const source = await t.write("POST", "/api/sources", {
    title: "MOFCOM: controls apply again",
    publisher: "Ministry of Commerce of the PRC",
    kind: "official",
    url: "https://example.org/mofcom/again",
    publishedAt: "2026-11-10",
  });
  return { sourceId: (await json(source)).id, quote: "the export controls apply again" };
};
const report = (extra: Record<string, unknown> = {}) =>
  t.write("POST", `/api/threats/${THREAT}/status`, { status: "imposed", reason: "the controls apply again", effectiveAt: "2026-11-10", ...extra });

it.each([
  ["as a report", {}],
  ["as a correction", { correction: true }],
])("confirms a lapse first reported without a source by a later report citing one, %s", async (_, extra) => {
  const uncited = await report();
  expect(uncited.status).toBe(200);
  expect(await threatThen()).toMatchObject({ status: "imposed", unconfirmed: true });
  now += 60_000;
  const beforeConfirmation = new Date(now).toISOString();
  now += 60_000;

  const confirmed = await report({ ...extra, evidence: await cited() });
  expect(confirmed.status, await confirmed.clone().text()).toBe(200);
  expect((await json(confirmed)).entry).toMatchObject({ to: "imposed", effectiveAt: "2026-11-10T00:00:00.000Z" });
  expect(await threatThen()).toMatchObject({ status: "imposed", unconfirmed: false });
  expect(await inForce()).toMatchObject({ since: "2026-11-10T00:00:00.000Z", unconfirmed: false });
  // As known before, it was unconfirmed; the history keeps both reports, none retracted.
  expect(await threatThen(beforeConfirmation)).toMatchObject({ status: "imposed", unconfirmed: true });
  const history = await json(await t.get(`/api/threats/${THREAT}/history`));
  expect(history.items.filter((e: any) => e.to === "imposed" && !e.byTerms && e.effectiveAt.startsWith("2026-11-10")).map((e: any) => e.retracted)).toEqual([
    null,
    null,
  ]);
  // Retracting the uncited report leaves the confirmed one standing (the chain stays legal).
  expect((await t.write("POST", `/api/history/${(await json(uncited)).entry.seq}/retract`, { reason: "no source" })).status).toBe(200);
  expect(await threatThen()).toMatchObject({ status: "imposed", unconfirmed: false });
});

it("once confirmed by a report citing a source, the lapse is not reported again, with or without one", async () => {
  const evidence = await cited();
  expect((await report({ evidence })).status).toBe(200);
  expect(await threatThen()).toMatchObject({ status: "imposed", unconfirmed: false });
  for (const again of [{}, { evidence }]) {
    const res = await report(again);
    expect(res.status).toBe(409);
    expect((await json(res)).detail).toContain("imposed");
  }
  expect(await threatThen()).toMatchObject({ status: "imposed", unconfirmed: false });
});

it("a report citing a source after the lapse's day confirms it too", async () => {
  const res = await report({ effectiveAt: "2026-11-12", evidence: await cited() });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(await json(await t.get(`/api/threats/${THREAT}?asOf=2026-11-11`))).toMatchObject({ status: "imposed", unconfirmed: true });
  expect(await json(await t.get(`/api/threats/${THREAT}?asOf=2026-11-13`))).toMatchObject({ status: "imposed", unconfirmed: false });
});
