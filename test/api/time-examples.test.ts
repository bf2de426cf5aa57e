import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, type TestApp, testApp } from "../helpers/app.ts";

/** The three worked examples of the README's section on time, run as written against the seeded article. */

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(() => t.close());

const json = async (res: Response) => (await res.json()) as any;
const pendingIds = async (query: string) => (await json(await t.get(`/api/deadlines?status=pending&${query}`))).items.map((d: { id: string }) => d.id);

describe("the README's worked examples of time", () => {
  it("back-fills an article a week late: as known now the deadline was averted on 30 October; as known before, it was pending", async () => {
    const beforeBackfill = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const res = await t.write("POST", `/api/conditions/${RARE_EARTH_CONDITION}/status`, {
      status: "met",
      reason: "Busan meeting: Beijing suspends the October rare-earth export controls for a year",
      effectiveAt: "2025-10-30",
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.consequences).toMatchObject([{ recordId: NOVEMBER_DEADLINE, from: "pending", to: "averted", effectiveAt: "2025-10-30T00:00:00.000Z" }]);
    expect(await pendingIds("asOf=2025-10-29")).toEqual([NOVEMBER_DEADLINE]);
    expect(await pendingIds("asOf=2025-10-31")).toEqual([]);
    expect(await pendingIds(`asOf=2025-10-31&knownAt=${encodeURIComponent(beforeBackfill)}`)).toEqual([NOVEMBER_DEADLINE]);
  });

  it("a one-year suspension lapses by its terms on 10 November 2026, without any write", async () => {
    const threat = "threat-cn-rare-earth-export-controls";
    const res = await t.write("POST", `/api/threats/${threat}/status`, {
      status: "suspended",
      reason: "MOFCOM suspends the 9 October export controls for one year",
      effectiveAt: "2025-11-10",
      until: "2026-11-10",
      // biome-ignore lint/suspicious/noThenProperty: the API's field name
      then: "imposed",
    });
    expect(res.status).toBe(200);
    const { expiryDeadlineId } = await json(res);
    expect(await json(await t.get(`/api/threats/${threat}?asOf=2026-11-09`))).toMatchObject({
      status: "suspended",
      scheduled: [{ to: "imposed", effectiveAt: "2026-11-10T00:00:00.000Z", byTerms: true }],
    });
    expect(await json(await t.get(`/api/threats/${threat}?asOf=2026-11-10T00:00:01Z`))).toMatchObject({ status: "imposed", unconfirmed: true, scheduled: [] });
    expect(await json(await t.get(`/api/deadlines/${expiryDeadlineId}?asOf=2026-11-11`))).toMatchObject({ status: "triggered", unconfirmed: true });
    const inForce = async () => (await json(await t.get("/api/in-force?asOf=2026-11-11&limit=200"))).items.find((i: any) => i.threatId === threat);
    expect(await inForce()).toMatchObject({ since: "2026-11-10T00:00:00.000Z", unconfirmed: true });
    // A report that says the same and cites nothing confirms nothing (issue 9: "until an entry with evidence confirms it").
    const uncited = await t.write("POST", `/api/threats/${threat}/status`, {
      status: "imposed",
      reason: "The controls apply again, we hear",
      effectiveAt: "2026-11-10",
    });
    expect(uncited.status).toBe(200);
    expect(await json(await t.get(`/api/threats/${threat}?asOf=2026-11-11`))).toMatchObject({ status: "imposed", unconfirmed: true });
    expect(await inForce()).toMatchObject({ unconfirmed: true });
    const { seq } = (await json(uncited)).entry;
    expect((await t.write("POST", `/api/history/${seq}/retract`, { reason: "Recorded without its source" })).status).toBe(200);
    // A report citing a source confirms the lapse: the same status, now from a reported entry with evidence.
    const source = await t.write("POST", "/api/sources", {
      title: "MOFCOM announcement: export controls apply again",
      publisher: "Ministry of Commerce of the PRC",
      kind: "official",
      url: "https://example.org/mofcom/controls-apply-again",
      publishedAt: "2026-11-10",
    });
    expect(source.status).toBe(201);
    const beforeConfirmation = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const confirmed = await t.write("POST", `/api/threats/${threat}/status`, {
      status: "imposed",
      reason: "MOFCOM: the controls apply again",
      effectiveAt: "2026-11-10",
      evidence: { sourceId: (await json(source)).id, quote: "the export controls apply again" },
    });
    expect(confirmed.status).toBe(200);
    expect(await json(await t.get(`/api/threats/${threat}?asOf=2026-11-11`))).toMatchObject({ status: "imposed", unconfirmed: false });
    expect(await inForce()).toMatchObject({ unconfirmed: false });
    // As known before the confirmation, the in-force view still said "not confirmed".
    expect(
      (await json(await t.get(`/api/in-force?asOf=2026-11-11&limit=200&knownAt=${encodeURIComponent(beforeConfirmation)}`))).items.find(
        (i: any) => i.threatId === threat,
      ),
    ).toMatchObject({ unconfirmed: true });
  });

  it("retracts a mistake, then records the right entry at its right time", async () => {
    const event = "event-trump-xi-bilateral-apec";
    const wrong = await json(await t.write("POST", `/api/events/${event}/status`, { status: "held", reason: "Reported held", effectiveAt: "2025-10-23" }));
    const beforeRetraction = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const retracted = await t.write("POST", `/api/history/${wrong.entry.seq}/retract`, { reason: "Wrong day: the meeting was on 30 October" });
    expect(retracted.status).toBe(200);
    expect((await t.write("POST", `/api/events/${event}/status`, { status: "held", reason: "Met in Busan", effectiveAt: "2025-10-30" })).status).toBe(200);
    expect((await json(await t.get(`/api/events/${event}?asOf=2025-10-25`))).status).toBe("scheduled");
    expect((await json(await t.get(`/api/events/${event}?asOf=2025-10-25&knownAt=${encodeURIComponent(beforeRetraction)}`))).status).toBe("held");
    const history = await json(await t.get(`/api/events/${event}/history`));
    expect(history.items.map((e: any) => [e.to, e.effectiveAt.slice(0, 10), e.retracted !== null])).toEqual([
      ["scheduled", "2025-10-23", false],
      ["held", "2025-10-23", true],
      ["held", "2025-10-30", false],
    ]);
  });
});
