import { afterEach, beforeEach, expect, it } from "vitest";
import { SCENARIO, type TestApp, testApp } from "../helpers/app.ts";

// A postponed event rescheduled without `newPrecision` keeps the precision its dates had at the
// rescheduling's effective time, as an extended deadline's successor keeps the deadline's; it was
// a day whatever the event's (review of session 11).

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(() => t.close());

async function post(path: string, body: Record<string, unknown>, status = 200): Promise<any> {
  const res = await t.write("POST", path, body);
  expect(res.status, await res.clone().text()).toBe(status);
  return res.json();
}

/** An event (of the seeded scenario) postponed on 15 January 2026. */
async function postponedEvent(dates: { startsAt: string | null; precision: string }): Promise<string> {
  const { id } = await post(
    "/api/events",
    { scenarioId: SCENARIO, title: "Talks", kind: "meeting", ...dates, wording: "in March", effectiveAt: "2025-12-01" },
    201,
  );
  await post(`/api/events/${id}/status`, { status: "postponed", reason: "Put off", effectiveAt: "2026-01-15" });
  return id;
}

const reschedule = (id: string, extra: Record<string, unknown> = {}) =>
  post(`/api/events/${id}/status`, { status: "scheduled", reason: "New date", newStartsAt: "2026-05-04", effectiveAt: "2026-01-20", ...extra });

it("keeps the event's precision as it stood at the rescheduling's effective time when newPrecision is not sent", async () => {
  const id = await postponedEvent({ startsAt: "2026-03-01", precision: "month" });
  // Refined to a week after the rescheduling takes effect: not what the rescheduling kept.
  await post(`/api/events/${id}/dates`, { startsAt: "2026-05-04", precision: "week", reason: "Week named", effectiveAt: "2026-02-01" });
  const res = await reschedule(id);
  expect(res.consequences.map((c: any) => [c.change, c.values.precision])).toEqual([["dates", "month"]]);
  const then = await (await t.get(`/api/events/${id}?asOf=2026-01-25`)).json();
  expect([then.startsAt, then.precision]).toEqual(["2026-05-04T00:00:00.000Z", "month"]);
});

it("takes newPrecision when sent, and a day for an event that had no date", async () => {
  const given = await postponedEvent({ startsAt: "2026-03-01", precision: "month" });
  expect((await reschedule(given, { newPrecision: "day" })).consequences[0].values.precision).toBe("day");
  const undated = await postponedEvent({ startsAt: null, precision: "unknown" });
  expect((await reschedule(undated)).consequences[0].values.precision).toBe("day");
});

it("a dates move states its precision: without it, 422 naming precision, nothing written", async () => {
  const id = await postponedEvent({ startsAt: "2026-03-01", precision: "month" });
  const before = await (await t.get(`/api/events/${id}/history`)).json();
  const res = await t.write("POST", `/api/events/${id}/dates`, { startsAt: "2026-04-01", reason: "Moved" });
  expect(res.status).toBe(422);
  expect(JSON.stringify(await res.json())).toContain('"precision"');
  expect(await (await t.get(`/api/events/${id}/history`)).json()).toEqual(before);
});
