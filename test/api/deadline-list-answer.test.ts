import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, SCENARIO, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";

/** The list answers with the rows pageDetails builds, as they are: their fields and key order are the contract. */

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(() => t.close());

const KEYS = [
  "id",
  "dueAt",
  "precision",
  "status",
  "wording",
  "unconfirmed",
  "scheduled",
  "version",
  "extendsId",
  "kind",
  "dueLabel",
  "daysRemaining",
  "overdue",
  "threat",
  "condition",
  "scenario",
  "agreementId",
  "commitmentId",
];

describe("the deadline list's rows", () => {
  it("show the dates in ISO form, the leaving known later, the timing and the links, in the contract's key order", async () => {
    const left = await t.write("POST", `/api/deadlines/${NOVEMBER_DEADLINE}/status`, {
      status: "averted",
      reason: "Beijing eases its rare-earth restrictions",
      effectiveAt: "2025-10-31T12:34:56.789Z",
    });
    expect(left.status).toBe(200);
    const text = await (await t.get("/api/deadlines?status=pending&asOf=2025-10-24")).text();
    const body = JSON.parse(text);
    expect(body.items).toHaveLength(1);
    expect(Object.keys(body.items[0])).toEqual(KEYS);
    expect(body.items[0]).toEqual({
      id: NOVEMBER_DEADLINE,
      dueAt: "2025-11-01T00:00:00.000Z",
      precision: "month",
      status: "pending",
      wording: "starting in November",
      unconfirmed: false,
      scheduled: [{ to: "averted", effectiveAt: "2025-10-31T12:34:56.789Z", byTerms: false }],
      version: 2,
      extendsId: null,
      kind: "stated",
      dueLabel: "November 2025",
      daysRemaining: 37,
      overdue: false,
      threat: { id: TARIFF_THREAT, summary: expect.any(String), status: "threatened" },
      condition: { id: RARE_EARTH_CONDITION, description: expect.any(String), status: "open" },
      scenario: { id: SCENARIO, title: expect.any(String), status: expect.any(String) },
      agreementId: null,
      commitmentId: null,
    });
    expect(text).toContain(`"scheduled":[{"to":"averted","effectiveAt":"2025-10-31T12:34:56.789Z","byTerms":false}]`);
  });

  it("show a moved deadline, read from its history, in the same form", async () => {
    const moved = await t.write("POST", `/api/deadlines/${NOVEMBER_DEADLINE}/dates`, {
      dueAt: "2025-12-15T08:00:00.250Z",
      precision: "day",
      effectiveAt: "2025-10-23T06:00:00Z",
      reason: "The White House moves the start to mid-December",
    });
    expect(moved.status, await moved.clone().text()).toBe(200);
    const body = await (await t.get("/api/deadlines?status=pending&asOf=2025-10-24")).json();
    expect(Object.keys(body.items[0])).toEqual(KEYS);
    expect(body.items[0]).toMatchObject({
      id: NOVEMBER_DEADLINE,
      dueAt: "2025-12-15T08:00:00.250Z",
      precision: "day",
      scheduled: [],
      dueLabel: "15 December 2025",
      daysRemaining: 52,
      overdue: false,
    });
  });
});
