import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IN_FORCE_SCAN_BUDGET } from "../../src/db/in-force.ts";
import { PASSED_OVER_PER_BUDGET } from "../../src/db/sql/passed-over.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";
import { created, type TestApp, testApp } from "../helpers/app.ts";
import { upcomingChangesRecordedAt } from "../helpers/recorded-later.ts";

/**
 * The in-force page's upcoming changes at a past knownAt (decision 028): changes recorded after it
 * that lie on the page's way are passed over, so the page is the one known then, and past the
 * ceiling the read says so; its cursors give every change once.
 */
let t: TestApp;
/** The server's clock, moved on by the tests so what they record comes after `knownAt`. */
let now: Date;
let scenarioId: string;
let issuerId: string;
beforeEach(async () => {
  now = new Date("2026-01-05T08:00:00Z");
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  scenarioId = (await created(t, "/api/scenarios", { title: "S", summary: "s", effectiveAt: "2025-01-01" })).id;
  issuerId = (await created(t, "/api/actors", { name: "Issuer", kind: "government" })).id;
});
afterEach(() => t.close());

const DAY = 86_400_000;
const HOUR = 3_600_000;
const knownNow = () => {
  const knownAt = now.toISOString();
  now = new Date(now.getTime() + 60_000);
  return knownAt;
};
const json = async (url: string) => {
  const res = await t.get(url);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as any;
};
/** Every upcoming change, following the cursors: `threatId reason` in the order given, and how many pages it took. */
async function allUpcoming(query: string): Promise<{ changes: string[]; pages: number }> {
  const changes: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: any = await json(`/api/in-force?${query}${cursor ? `&cursor=${cursor}` : ""}`);
    changes.push(...page.upcoming.map((u: any) => `${u.threatId} ${u.reason}`));
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 1_000);
  return { changes, pages };
}

describe("the in-force page's upcoming changes at a past knownAt", () => {
  it("are the same page before and after 10,100 changes recorded later before its own, and past the ceiling the read says so", async () => {
    // A measure imposed in June 2025 with a suspension scheduled for 1 March 2026, through the API.
    const threat = await created(t, "/api/threats", {
      scenarioId,
      issuerId,
      targetIds: [issuerId],
      measure: "tariff",
      covers: "steel",
      summary: "Steel tariff",
      ratePercent: 25,
      status: "imposed",
      effectiveAt: "2025-06-01",
    });
    const suspension = await t.write("POST", `/api/threats/${threat.id}/status`, { status: "suspended", reason: "truce", effectiveAt: "2026-03-01" });
    expect(suspension.status, await suspension.clone().text()).toBe(200);
    upcomingChangesRecordedAt(t.db, {
      scenarioId,
      issuerId,
      count: 120,
      effectiveAt: new Date("2026-02-01T12:00:00Z"),
      stepMs: DAY,
      recordedAt: now,
      prefix: "known",
    });
    const knownAt = knownNow();
    const first = `/api/in-force?asOf=2026-01-10&knownAt=${knownAt}&within=365&limit=20`;
    const before = await (await t.get(first)).text();
    const firstPage = JSON.parse(before);
    expect(firstPage.upcoming).toHaveLength(20);
    const second = `${first}&cursor=${firstPage.nextCursor}`;
    const secondBefore = await (await t.get(second)).text();
    expect(JSON.parse(secondBefore).upcoming.map((u: any) => u.reason)).toContain("truce");

    // 10,100 suspensions of another measure, taking effect before all of those, recorded after knownAt.
    const later = { scenarioId, issuerId, effectiveAt: new Date("2026-01-20T00:00:00Z"), stepMs: 1_000, recordedAt: now };
    upcomingChangesRecordedAt(t.db, { ...later, count: 10_100, prefix: "later-a" });
    expect(await (await t.get(first)).text()).toBe(before);
    expect(await (await t.get(second)).text()).toBe(secondBefore);
    // They lie on the page's way: as known now, they come first.
    expect((await json("/api/in-force?asOf=2026-01-10&within=365&limit=20")).upcoming.every((u: any) => u.threatId === "later-a")).toBe(true);

    // Past the ceiling (ten budgets of rows passed over): said, naming knownAt, not another page.
    upcomingChangesRecordedAt(t.db, { ...later, count: PASSED_OVER_PER_BUDGET * IN_FORCE_SCAN_BUDGET - 10_100 + 1, prefix: "later-b" });
    const refused = await t.get(first);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as any).errors[0].field).toBe("query.knownAt");
  }, 120_000);

  it("give every change once when paged through, known then at a past knownAt, all at the present, later ones interleaved and tied", async () => {
    const start = new Date("2026-02-01T00:00:00Z");
    upcomingChangesRecordedAt(t.db, { scenarioId, issuerId, count: 300, effectiveAt: start, stepMs: HOUR, recordedAt: now, prefix: "known" });
    const knownAt = knownNow();
    // Recorded later: between the known ones, and at the same instants (ids before and after theirs).
    upcomingChangesRecordedAt(t.db, {
      scenarioId,
      issuerId,
      count: 3_000,
      effectiveAt: new Date(start.getTime() + 60_000),
      stepMs: 6 * 60_000,
      recordedAt: now,
      prefix: "later-between",
    });
    upcomingChangesRecordedAt(t.db, { scenarioId, issuerId, count: 300, effectiveAt: start, stepMs: HOUR, recordedAt: now, prefix: "a-later-tied" });
    upcomingChangesRecordedAt(t.db, { scenarioId, issuerId, count: 300, effectiveAt: start, stepMs: HOUR, recordedAt: now, prefix: "later-tied" });
    const known = Array.from({ length: 300 }, (_, i) => `known known ${i + 1}`);

    const past = await allUpcoming(`asOf=2026-01-10&knownAt=${knownAt}&within=365&limit=50`);
    expect(past.changes).toEqual(known);
    expect(past.pages).toBe(6);

    const present = await allUpcoming("asOf=2026-01-10&within=365&limit=50");
    expect(present.changes).toHaveLength(3_900);
    expect(new Set(present.changes).size).toBe(3_900);
    expect(present.changes.filter((c) => c.startsWith("known "))).toEqual(known);
    // At each shared instant: by measure id, then seq.
    expect(present.changes.slice(0, 3)).toEqual(["a-later-tied a-later-tied 1", "known known 1", "later-tied later-tied 1"]);
  }, 120_000);

  it("a page cut short by the scan budget (changes of a measure that no longer targets the actor) gives a cursor that resumes after the last change examined", async () => {
    const other = (await created(t, "/api/actors", { name: "Other", kind: "government" })).id;
    const measure = (targetIds: string[], summary: string) =>
      created(t, "/api/threats", {
        scenarioId,
        issuerId,
        targetIds,
        measure: "tariff",
        covers: "steel",
        summary,
        ratePercent: 25,
        status: "imposed",
        effectiveAt: "2025-06-01",
      });
    const retargeted = await measure([issuerId], "retargeted");
    const terms = await t.write("POST", `/api/threats/${retargeted.id}/terms`, { targetIds: [other], effectiveAt: "2025-07-01", reason: "retargeted" });
    expect(terms.status, await terms.clone().text()).toBe(200);
    const kept = await measure([issuerId], "kept");
    const suspension = await t.write("POST", `/api/threats/${kept.id}/status`, { status: "suspended", reason: "truce", effectiveAt: "2026-03-01" });
    expect(suspension.status, await suspension.clone().text()).toBe(200);
    // More than a budget of the retargeted measure's changes before the suspension: examined under `target`, none listed.
    const change = t.db.writer.prepare(
      `INSERT INTO "InForceChange" ("threatId","issuerId","measure","seq","change","to","values","reason","effectiveAt","knownFrom") VALUES (?, ?, 'tariff', ?, 'status', 'suspended', NULL, 'filler', ?, ?)`,
    );
    t.db.writer.transaction(() => {
      for (let i = 0; i < IN_FORCE_SCAN_BUDGET + 100; i++)
        change.run(retargeted.id, issuerId, 1_000 + i, toSqlDate(new Date(Date.UTC(2026, 1, 1) + i * 1_000)), toSqlDate(now));
    })();
    now = new Date(now.getTime() + 60_000);
    const query = `asOf=2026-01-10&within=365&limit=5&target=${issuerId}`;
    const first = await json(`/api/in-force?${query}`);
    expect(first.upcoming).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const second = await json(`/api/in-force?${query}&cursor=${first.nextCursor}`);
    expect(second.upcoming.map((u: any) => u.reason)).toEqual(["truce"]);
    expect((await allUpcoming(query)).changes).toEqual([`${kept.id} truce`]);
  }, 120_000);
});
