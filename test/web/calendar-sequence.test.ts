import ICAL from "ical.js";
import { afterEach, beforeEach, expect, it } from "vitest";
import { NOVEMBER_DEADLINE, SCENARIO, type TestApp, testApp } from "../helpers/app.ts";

// RFC 5545: every content line ends with CRLF, the last one too; an entry whose time moved carries
// a higher SEQUENCE, so a subscribed calendar replaces the old time (review of session 11).

const BILATERAL = "event-trump-xi-bilateral-apec";
let t: TestApp;
let now = 0;
beforeEach(async () => {
  // After the seed's own recorded time: the clock only moves on.
  now = Date.now() + 60_000;
  t = await testApp({ clock: () => new Date(now) });
});
afterEach(() => t.close());

const feed = async (query = "") => {
  const res = await t.get(`/calendar.ics${query}`);
  expect(res.status).toBe(200);
  return res.text();
};

/** Each entry's SEQUENCE by UID. */
function sequences(ics: string): Map<string, number> {
  const vevents = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents("vevent");
  return new Map(vevents.map((v) => [String(v.getFirstPropertyValue("uid")), Number(v.getFirstPropertyValue("sequence"))]));
}

const sequenceOf = async (uid: string, query = "") => sequences(await feed(query)).get(uid);

async function moved(path: string, body: Record<string, unknown>) {
  now += 60_000;
  const res = await t.write("POST", path, { reason: "Moved", ...body });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<{ entry: { seq: number } }>;
}

it("ends its last line, END:VCALENDAR, with CRLF like every other line", async () => {
  for (const body of [await feed(), await feed(`?scenario=${SCENARIO}`)]) {
    expect(body.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(body.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  }
});

it("gives an entry a SEQUENCE that grows each time its dates move, and not with anything else", async () => {
  const deadline = `deadline-${NOVEMBER_DEADLINE}@tradewatch`;
  const event = `event-${BILATERAL}@tradewatch`;
  expect(await sequenceOf(deadline)).toBe(0);
  expect(await sequenceOf(event)).toBe(0);
  const move = await moved(`/api/deadlines/${NOVEMBER_DEADLINE}/dates`, { dueAt: "2025-11-10", precision: "day", effectiveAt: "2025-11-01" });
  expect(await sequenceOf(deadline)).toBe(1);
  expect(await sequenceOf(deadline, `?scenario=${SCENARIO}`)).toBe(1);
  // A status change moves no date.
  await moved(`/api/events/${BILATERAL}/status`, { status: "postponed", effectiveAt: "2025-10-29" });
  expect(await sequenceOf(event)).toBe(0);
  // A rescheduling does, as a dates move does.
  await moved(`/api/events/${BILATERAL}/status`, { status: "scheduled", newStartsAt: "2025-12-02", effectiveAt: "2025-11-15" });
  expect(await sequenceOf(event)).toBe(1);
  await moved(`/api/events/${BILATERAL}/dates`, { startsAt: "2025-12-03", precision: "day", effectiveAt: "2025-11-20" });
  expect(await sequenceOf(event)).toBe(2);
  // Retracting a move puts the old date back: a change of time too, so the number still grows.
  now += 60_000;
  const retracted = await t.write("POST", `/api/history/${move.entry.seq}/retract`, { reason: "Misread" });
  expect(retracted.status, await retracted.clone().text()).toBe(200);
  expect(await sequenceOf(deadline)).toBe(2);
});

it("counts a move scheduled ahead from when it takes effect, the date it moves the entry to", async () => {
  const deadline = `deadline-${NOVEMBER_DEADLINE}@tradewatch`;
  await moved(`/api/deadlines/${NOVEMBER_DEADLINE}/dates`, { dueAt: "2027-02-01", precision: "month", effectiveAt: "2027-01-01" });
  expect(await sequenceOf(deadline)).toBe(0);
  expect(await sequenceOf(deadline, "?asOf=2027-01-02")).toBe(1);
});

it("at a past knownAt, answers byte for byte the same whatever moves are recorded later", async () => {
  const knownAt = new Date(now).toISOString();
  const queries = [`?asOf=2025-11-20&knownAt=${knownAt}`, `?asOf=2025-11-20&knownAt=${knownAt}&scenario=${SCENARIO}`];
  const stamp = /^DTSTAMP:.*\r\n/gm;
  const before = (await Promise.all(queries.map((q) => feed(q)))).map((b) => b.replace(stamp, ""));
  const move = await moved(`/api/deadlines/${NOVEMBER_DEADLINE}/dates`, { dueAt: "2025-11-10", precision: "day", effectiveAt: "2025-11-01" });
  await moved(`/api/events/${BILATERAL}/dates`, { startsAt: "2025-10-31", precision: "day", effectiveAt: "2025-10-25" });
  now += 60_000;
  expect((await t.write("POST", `/api/history/${move.entry.seq}/retract`, { reason: "Misread" })).status).toBe(200);
  const after = (await Promise.all(queries.map((q) => feed(q)))).map((b) => b.replace(stamp, ""));
  expect(after).toEqual(before);
  // Known now, both moves (and the retraction) count.
  const known = sequences(await feed("?asOf=2025-11-20"));
  expect([known.get(`deadline-${NOVEMBER_DEADLINE}@tradewatch`), known.get(`event-${BILATERAL}@tradewatch`)]).toEqual([2, 1]);
});
