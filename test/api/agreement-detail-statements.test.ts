import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DETAIL_EMBEDS } from "../../src/db/threat-detail.ts";
import { createCornDeal, created, type TestApp, testApp } from "../helpers/app.ts";
import { statementsRun } from "../helpers/plans.ts";
import { conditionsRecordedAt, deadlinesRecordedAt } from "../helpers/recorded-later.ts";

/**
 * An agreement's detail embeds a page of each condition's and each commitment's deadlines. They
 * were read one Prisma query an owner (an agreement of 100 conditions: over 100 queries, 120–160
 * ms); they are read in one statement for all the conditions and one for all the commitments, and
 * the answer is the same: each owner's page is the one its own detail embeds.
 */
let t: TestApp;
let clock = new Date("2026-01-05T08:00:00Z");
let agreementId = "";
let then = "";
const commitmentIds: string[] = [];
const conditionIds: string[] = [];
const effectiveAt = new Date("2026-01-01T00:00:00Z");

const json = async (url: string) => {
  const res = await t.get(url);
  const body = await res.text();
  expect(res.status, `${url}: ${body.slice(0, 300)}`).toBe(200);
  return JSON.parse(body);
};

beforeAll(async () => {
  t = await testApp({ clock: () => new Date(clock) });
  const { agreement, corn } = await createCornDeal(t);
  agreementId = agreement.id;
  commitmentIds.push(corn.id);
  const soy = await created(t, "/api/commitments", {
    agreementId,
    partyId: "gov-cn",
    description: "Buy soy",
    kind: "purchase",
    effectiveAt: "2026-01-01",
    dueAt: "2027-01-01",
    precision: "month",
    wording: "in January",
  });
  commitmentIds.push(soy.id);
  // Three conditions through the API: none, two (one cancelled, one undated) and a full page and more of deadlines, some due the same day.
  for (const description of ["tariffs lifted", "export licences granted", "ports reopened"]) {
    conditionIds.push((await created(t, "/api/conditions", { agreementId, description, effect: "averts", effectiveAt: "2026-01-01" })).id);
  }
  const first = await created(t, "/api/deadlines", {
    conditionId: conditionIds[1],
    dueAt: "2027-02-01",
    precision: "day",
    wording: "by 1 Feb",
    effectiveAt: "2026-01-01",
  });
  await created(t, "/api/deadlines", { conditionId: conditionIds[1], precision: "unknown", wording: "some day", effectiveAt: "2026-01-01" });
  const recorded = new Date(clock.getTime() - 60_000);
  deadlinesRecordedAt(t.db, {
    owner: { conditionId: conditionIds[2]! },
    count: DETAIL_EMBEDS + 2,
    dueAt: new Date("2027-03-01T00:00:00Z"),
    effectiveAt,
    recordedAt: recorded,
    prefix: "ports",
  });
  deadlinesRecordedAt(t.db, {
    owner: { commitmentId: soy.id },
    count: 3,
    dueAt: new Date("2027-01-01T00:00:00Z"),
    effectiveAt,
    recordedAt: recorded,
    prefix: "soy",
  });
  clock = new Date(clock.getTime() + 60_000);
  const res = await t.write("POST", `/api/deadlines/${first.id}/status`, { status: "cancelled", reason: "dropped from the text", effectiveAt: "2026-01-02" });
  expect(res.status, await res.clone().text()).toBe(200);
  clock = new Date(clock.getTime() + 60_000);
  then = clock.toISOString();
  clock = new Date(clock.getTime() + 60_000);
  // Recorded after `then`: each comes first in its list as known now.
  deadlinesRecordedAt(t.db, {
    owner: { conditionId: conditionIds[2]! },
    count: 2,
    dueAt: new Date("2027-01-01T00:00:00Z"),
    effectiveAt,
    recordedAt: clock,
    prefix: "ports-later",
  });
  deadlinesRecordedAt(t.db, {
    owner: { commitmentId: corn.id },
    count: 2,
    dueAt: new Date("2026-06-01T00:00:00Z"),
    effectiveAt,
    recordedAt: clock,
    prefix: "corn-later",
  });
}, 120_000);
afterAll(() => t.close());

describe("an agreement's detail", () => {
  for (const at of ["the present", "a past knownAt"] as const) {
    it(`embeds each condition's and commitment's deadlines as their own details do, at ${at}`, async () => {
      const time = at === "the present" ? "" : `?knownAt=${then}`;
      const agreement = await json(`/api/agreements/${agreementId}${time}`);
      expect(agreement.conditions.map((c: any) => c.id)).toEqual([...conditionIds].sort());
      expect(agreement.commitments.map((c: any) => c.id)).toEqual([...commitmentIds].sort());
      for (const [list, collection] of [
        ["conditions", "conditions"],
        ["commitments", "commitments"],
      ] as const) {
        for (const embedded of agreement[list]) {
          const own = await json(`/api/${collection}/${embedded.id}${time}`);
          expect({ deadlines: embedded.deadlines, truncated: embedded.deadlinesTruncated }, embedded.id).toEqual({
            deadlines: own.deadlines,
            truncated: own.deadlinesTruncated,
          });
        }
      }
      const byId = new Map(agreement.conditions.map((c: any) => [c.id, c]));
      const ports = byId.get(conditionIds[2]) as any;
      expect([ports.deadlines.length, ports.deadlinesTruncated]).toEqual([DETAIL_EMBEDS, true]);
      expect(ports.deadlines[0].id).toBe(at === "the present" ? "ports-later-000000" : "ports-000000");
      const two = (byId.get(conditionIds[1]) as any).deadlines;
      // Undated first (as SQLite orders nulls), each under the agreement, the cancelled one as cancelled then.
      expect(two.map((d: any) => [d.status, d.dueAt, d.agreementId])).toEqual([
        ["pending", null, agreementId],
        ["cancelled", "2027-02-01T00:00:00.000Z", agreementId],
      ]);
      expect((byId.get(conditionIds[0]) as any).deadlines).toEqual([]);
    });
  }

  it("runs as many statements for 100 conditions as for 3, at the present and at a past knownAt", async () => {
    const urls = [`/api/agreements/${agreementId}`, `/api/agreements/${agreementId}?knownAt=${then}`];
    const count = async (url: string) => {
      await json(url);
      return statementsRun(t.db.reader, () => json(url));
    };
    const few: number[] = [];
    for (const url of urls) few.push(await count(url));
    // 97 more conditions, each with two deadlines, all recorded before `then`.
    conditionsRecordedAt(t.db, { owner: { agreementId }, count: 97, recordedAt: new Date("2026-01-05T07:00:00Z"), prefix: "condition-more" });
    for (let i = 0; i < 97; i++) {
      const conditionId = `condition-more-${String(i).padStart(6, "0")}`;
      deadlinesRecordedAt(t.db, {
        owner: { conditionId },
        count: 2,
        dueAt: new Date("2027-04-01T00:00:00Z"),
        effectiveAt,
        recordedAt: new Date("2026-01-05T07:00:00Z"),
        prefix: `more-${i}`,
      });
    }
    expect((await json(urls[0]!)).conditions).toHaveLength(DETAIL_EMBEDS);
    const many: number[] = [];
    for (const url of urls) many.push(await count(url));
    expect(many).toEqual(few);
  });
});
