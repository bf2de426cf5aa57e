import { parse } from "csv-parse/sync";
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, SCENARIO, type TestApp, testApp } from "../helpers/app.ts";
import { addBulkScenarioRecords } from "../helpers/bulk-scenario.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

function vevents(ics: string) {
  const component = new ICAL.Component(ICAL.parse(ics));
  return component.getAllSubcomponents("vevent").map((v) => ({
    uid: String(v.getFirstPropertyValue("uid")),
    summary: String(v.getFirstPropertyValue("summary")),
    description: String(v.getFirstPropertyValue("description")),
    status: String(v.getFirstPropertyValue("status")),
    start: v.getFirstPropertyValue("dtstart") as ICAL.Time,
    end: v.getFirstPropertyValue("dtend") as ICAL.Time,
  }));
}

/** Brute force: the ids of the 500 dated rows nearest to `at` (ties by id), sorted. */
function nearestIds(rows: { id: string; at: string | null }[], at: number): string[] {
  return rows
    .filter((r) => r.at !== null)
    .map((r) => ({ id: r.id, distance: Math.abs(Date.parse(r.at!) - at) }))
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1))
    .slice(0, 500)
    .map((r) => r.id)
    .sort();
}

/** The record ids a feed holds of one kind ("deadline", "event"), from their UIDs, sorted. */
function shownIds(events: ReturnType<typeof vevents>, prefix: string): string[] {
  return events
    .filter((e) => e.uid.startsWith(`${prefix}-`))
    .map((e) => e.uid.slice(prefix.length + 1, -"@tradewatch".length))
    .sort();
}

describe("the calendar feed", () => {
  it("shows a suspension's lapse and its expiry as upcoming, and answers as of a past day", async () => {
    const t = await testApp();
    const until = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    const res = await t.write("POST", "/api/threats/threat-us-100pct-tariff-chinese-goods/status", {
      status: "suspended",
      reason: "Suspended for a year under the deal",
      until,
      // biome-ignore lint/suspicious/noThenProperty: the API's field name
      then: "threatened",
    });
    expect(res.status).toBe(200);
    const { expiryDeadlineId } = (await res.json()) as { expiryDeadlineId: string };
    const events = vevents(await (await t.get("/calendar.ics")).text());
    const lapse = events.find((e) => e.summary.startsWith("Takes effect: threat"))!;
    expect(lapse.summary).toContain("→ threatened");
    expect(lapse.start.toString()).toBe(until);
    expect(lapse.description).toContain("by its terms");
    const expiry = events.find((e) => e.uid === `deadline-${expiryDeadlineId}@tradewatch`)!;
    expect(expiry.start.toString()).toBe(until);
    expect(expiry.description).toContain(`→ triggered from ${until} (by its terms)`);
    // As of the article's day the suspension was not yet recorded as in effect: no expiry then.
    const then = vevents(await (await t.get("/calendar.ics?asOf=2025-10-24")).text());
    expect(then.some((e) => e.uid === `deadline-${expiryDeadlineId}@tradewatch`)).toBe(false);
    const bad = await t.get("/calendar.ics?asOf=not-a-day");
    expect(bad.status).toBe(422);
    // A problem, as for ?scenario=: a feed's reader is a program.
    expect(bad.headers.get("Content-Type")).toBe("application/problem+json");
    expect(((await bad.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(["query.asOf"]);
    await t.close();
  });

  it('names a scheduled terms change as the desk does: "terms change", not "dates move"', async () => {
    const t = await testApp();
    const effectiveAt = new Date(Date.now() + 20 * 86_400_000).toISOString();
    const res = await t.write("POST", "/api/threats/threat-us-100pct-tariff-chinese-goods/terms", { ratePercent: 50, effectiveAt, reason: "Rate halved" });
    expect(res.status).toBe(200);
    const change = vevents(await (await t.get("/calendar.ics")).text()).find((e) => e.summary.startsWith("Takes effect: threat"))!;
    expect(change.summary).toMatch(/ terms change$/);
    expect(change.start.toString()).toBe(effectiveAt.slice(0, 10));
    const desk = await (await t.get("/")).text();
    expect(desk).toContain("terms change");
    await t.close();
  });

  it("parses with ical.js and holds the deadline and the dated meetings as all-day entries over their precision", async () => {
    const res = await t.get("/calendar.ics");
    expect(res.headers.get("Content-Type")).toContain("text/calendar");
    const events = vevents(await res.text());
    const tariff = events.find((e) => e.uid === `deadline-${NOVEMBER_DEADLINE}@tradewatch`)!;
    expect(tariff.start.isDate).toBe(true);
    expect(tariff.start.toString()).toBe("2025-11-01");
    expect(tariff.end.toString()).toBe("2025-12-01");
    expect(tariff.description).toContain("“starting in November” (month precision)");
    expect(tariff.status).toBe("CONFIRMED");
    const bilateral = events.find((e) => e.uid === "event-event-trump-xi-bilateral-apec@tradewatch")!;
    expect([bilateral.start.toString(), bilateral.end.toString()]).toEqual(["2025-10-30", "2025-10-31"]);
    const apec = events.find((e) => e.uid === "event-event-apec-summit-2025@tradewatch")!;
    expect([apec.start.toString(), apec.end.toString()]).toEqual(["2025-10-31", "2025-11-02"]);
    const week = events.find((e) => e.uid === "event-event-bessent-he-lifeng-malaysia@tradewatch")!;
    expect([week.start.toString(), week.end.toString()]).toEqual(["2025-10-20", "2025-10-27"]);
    // Undated meetings cannot be placed on a calendar.
    expect(events.some((e) => e.uid.includes("asean"))).toBe(false);
  });

  it("holds at most the 500 deadlines and the 500 events dated nearest to asOf, on either side", async () => {
    const big = await testApp();
    addBulkScenarioRecords(big.db);
    const asOf = "2026-06-01T12:00:00Z";
    const events = vevents(await (await big.get(`/calendar.ics?asOf=${asOf}`)).text());
    const nearest = (table: string, column: string) =>
      nearestIds(big.db.reader.prepare(`SELECT "id", "${column}" AS "at" FROM "${table}"`).all() as { id: string; at: string | null }[], Date.parse(asOf));
    expect(shownIds(events, "deadline")).toEqual(nearest("Deadline", "dueAt"));
    expect(shownIds(events, "event")).toEqual(nearest("Event", "startsAt"));
    await big.close();
  });

  it("places items by their dates as they stood at asOf: one moved near it is held, one moved away or dated since is weighed at its new date", async () => {
    const big = await testApp();
    addBulkScenarioRecords(big.db);
    const asOf = "2026-06-01T12:00:00Z";
    const near = "2026-06-02T00:00:00.000Z";
    // A deadline first due in January, and a meeting first undated, both moved next to asOf (known since December).
    const moves = [
      ["deadlines", "deadline-bulk-00003", { dueAt: near, precision: "day" }],
      ["events", "event-asean-summit-malaysia", { startsAt: near, precision: "day" }],
    ] as const;
    for (const [collection, id, dates] of moves) {
      const res = await big.write("POST", `/api/${collection}/${id}/dates`, { ...dates, effectiveAt: "2025-12-01T00:00:00Z", reason: "Date set" });
      expect(res.status).toBe(200);
    }
    const events = vevents(await (await big.get(`/calendar.ics?asOf=${asOf}`)).text());
    const moved = new Map<string, string>(moves.map(([, id]) => [id, near]));
    const nearest = (table: string, column: string) =>
      nearestIds(
        (big.db.reader.prepare(`SELECT "id", "${column}" AS "at" FROM "${table}"`).all() as { id: string; at: string | null }[]).map((r) => ({
          id: r.id,
          at: moved.get(r.id) ?? r.at,
        })),
        Date.parse(asOf),
      );
    expect(shownIds(events, "deadline")).toEqual(nearest("Deadline", "dueAt"));
    expect(shownIds(events, "deadline")).toContain("deadline-bulk-00003");
    expect(shownIds(events, "event")).toEqual(nearest("Event", "startsAt"));
    expect(shownIds(events, "event")).toContain("event-asean-summit-malaysia");
    await big.close();
  });

  it("with ?scenario=, holds the 500 deadlines of that scenario (its own and its threats') dated nearest to asOf", async () => {
    const big = await testApp();
    addBulkScenarioRecords(big.db);
    // A deadline of another scenario due at asOf itself, which the filter must leave out.
    const created = await big.write("POST", "/api/scenarios", { title: "Elsewhere", summary: "Another scenario" });
    const other = ((await created.json()) as { id: string }).id;
    const res = await big.write("POST", "/api/deadlines", { dueAt: "2026-06-01T00:00:00Z", precision: "day", wording: "elsewhere", scenarioId: other });
    expect(res.status, await res.clone().text()).toBe(201);
    const asOf = "2026-06-01T12:00:00Z";
    const events = vevents(await (await big.get(`/calendar.ics?asOf=${asOf}&scenario=${SCENARIO}`)).text());
    const expected = nearestIds(
      big.db.reader
        .prepare(
          `SELECT d."id", d."dueAt" AS "at" FROM "Deadline" d LEFT JOIN "Threat" t ON t."id" = d."threatId"
           WHERE d."scenarioId" = ? OR t."scenarioId" = ?`,
        )
        .all(SCENARIO, SCENARIO) as { id: string; at: string | null }[],
      Date.parse(asOf),
    );
    expect(shownIds(events, "deadline")).toEqual(expected);
    await big.close();
  });

  it("keeps stable UIDs and marks an averted deadline as cancelled after the status change", async () => {
    const before = vevents(await (await t.get("/calendar.ics?scenario=scenario-us-china-rare-earth-tariffs")).text()).map((e) => e.uid);
    await t.write("POST", `/api/conditions/${RARE_EARTH_CONDITION}/status`, { status: "met", reason: "Curbs eased" });
    const after = vevents(await (await t.get("/calendar.ics?scenario=scenario-us-china-rare-earth-tariffs")).text());
    expect(after.map((e) => e.uid).sort()).toEqual(before.sort());
    const tariff = after.find((e) => e.uid === `deadline-${NOVEMBER_DEADLINE}@tradewatch`)!;
    expect(tariff.status).toBe("CANCELLED");
    expect(tariff.summary).toMatch(/^\[averted\]/);
  });
});

describe("CSV exports", () => {
  it("answer ?format=csv and Accept: text/csv with a header row and quoting that parses back to the same rows", async () => {
    await t.write("POST", "/api/topics", { name: 'Chips, "advanced" nodes\nand tools' });
    const json = (await (await t.get("/api/topics?limit=500")).json()) as { items: { id: string; name: string }[] };
    const csv = await (await t.get("/api/topics?limit=500", { Accept: "text/csv" })).text();
    const rows = parse(csv, { columns: true }) as { id: string; name: string }[];
    expect(rows.map((r) => [r.id, r.name])).toEqual(json.items.map((r) => [r.id, r.name]));
    const deadlines = await t.get("/api/deadlines?format=csv");
    expect(deadlines.headers.get("Content-Type")).toContain("text/csv");
    const parsed = parse(await deadlines.text(), { columns: true }) as Record<string, string>[];
    expect(parsed[0]).toMatchObject({ id: NOVEMBER_DEADLINE, wording: "starting in November", precision: "month", dueLabel: "November 2025" });
  });
});
