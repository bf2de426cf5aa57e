import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { created, NOVEMBER_DEADLINE, type TestApp, testApp } from "../helpers/app.ts";

/**
 * An extended deadline's successor: the old precision unless another is given; a wording the
 * tracker wrote is written again for the new date, an analyst's is not carried to a date it does
 * not describe; and an "extension" to a date that does not end later is refused.
 */
let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(() => t.close());

async function extend(id: string, body: Record<string, unknown>): Promise<Response> {
  return t.write("POST", `/api/deadlines/${id}/status`, { status: "extended", reason: "Extended by both sides", ...body });
}

async function successorOf(res: Response): Promise<{ dueAt: string; precision: string; wording: string; extendsId: string }> {
  expect(res.status, await res.clone().text()).toBe(200);
  const { successorDeadlineId } = (await res.json()) as { successorDeadlineId: string };
  return (await t.get(`/api/deadlines/${successorDeadlineId}`)).json();
}

describe("an extended deadline's successor", () => {
  it("writes an agreement's generated expiry wording again for the new date", async () => {
    const agreement = await created(t, "/api/agreements", { title: "Truce", partyIds: ["gov-us", "gov-cn"], status: "in-force", expiresAt: "2030-11-10" });
    const expiry = agreement.deadlines.find((d: { kind: string }) => d.kind === "expiry");
    expect(expiry.wording).toBe("Expires 10 November 2030");
    const successor = await successorOf(await extend(expiry.id, { newDueAt: "2031-11-10" }));
    expect(successor).toMatchObject({ extendsId: expiry.id, precision: "day", wording: "Expires 10 November 2031", dueAt: "2031-11-10T00:00:00.000Z" });
  });

  it("keeps a month deadline's precision and gives it the new date as it reads, not the old date's words", async () => {
    const successor = await successorOf(await extend(NOVEMBER_DEADLINE, { newDueAt: "2026-02-01" }));
    expect(successor).toMatchObject({ precision: "month", wording: "February 2026", dueAt: "2026-02-01T00:00:00.000Z" });
  });

  it("takes the precision and wording given", async () => {
    const successor = await successorOf(await extend(NOVEMBER_DEADLINE, { newDueAt: "2026-02-20", newPrecision: "day", newWording: "by 20 February" }));
    expect(successor).toMatchObject({ precision: "day", wording: "by 20 February", dueAt: "2026-02-20T00:00:00.000Z" });
  });

  it("writes a suspension's generated end wording again for the new date", async () => {
    const res = await t.write("POST", "/api/threats/threat-us-100pct-tariff-chinese-goods/status", {
      status: "suspended",
      reason: "Suspended for a year",
      until: "2030-11-10",
      // biome-ignore lint/suspicious/noThenProperty: the API's field name
      then: "threatened",
    });
    expect(res.status).toBe(200);
    const { expiryDeadlineId } = (await res.json()) as { expiryDeadlineId: string };
    const expiry = await (await t.get(`/api/deadlines/${expiryDeadlineId}`)).json();
    expect(expiry.wording).toBe("Suspended until 10 November 2030");
    const successor = await successorOf(await extend(expiryDeadlineId, { newDueAt: "2031-05-10", newPrecision: "month" }));
    expect(successor).toMatchObject({ precision: "month", wording: "Suspended until May 2031" });
  });

  it.each([
    ["a day deadline to the same day", "expiry", { newDueAt: "2030-11-10" }],
    ["a day deadline to an earlier day", "expiry", { newDueAt: "2030-11-01" }],
    ["a month deadline to a later day of its month", "november", { newDueAt: "2025-11-20", newPrecision: "day" }],
    ["a month deadline to its own month", "november", { newDueAt: "2025-11-15" }],
    ["a month deadline to an earlier month", "november", { newDueAt: "2025-10-01" }],
  ])("refuses to extend %s with a 422 naming newDueAt, changing nothing", async (_, which, body) => {
    const agreement = await created(t, "/api/agreements", { title: "Truce", partyIds: ["gov-us", "gov-cn"], status: "in-force", expiresAt: "2030-11-10" });
    const id: string = which === "expiry" ? agreement.deadlines.find((d: { kind: string }) => d.kind === "expiry").id : NOVEMBER_DEADLINE;
    const before = await (await t.get(`/api/deadlines/${id}/history`)).json();
    const res = await extend(id, body);
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { errors: { field: string; problem: string }[] };
    expect(problem.errors).toEqual([{ field: "newDueAt", problem: expect.stringContaining("must be later than the deadline's due date then") }]);
    expect(await (await t.get(`/api/deadlines/${id}/history`)).json()).toEqual(before);
    expect((await (await t.get(`/api/deadlines/${id}`)).json()).status).toBe("pending");
  });

  it("accepts a month deadline moved to the next day after its month", async () => {
    const successor = await successorOf(await extend(NOVEMBER_DEADLINE, { newDueAt: "2025-12-01", newPrecision: "day" }));
    expect(successor).toMatchObject({ precision: "day", wording: "1 December 2025" });
  });
});
