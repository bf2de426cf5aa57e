import { afterAll, beforeAll, expect, it } from "vitest";
import { DETAIL_EMBEDS } from "../../src/db/threat-detail.ts";
import { type TestApp, testApp } from "../helpers/app.ts";

/**
 * An agreement's detail embeds its first DETAIL_EMBEDS conditions and deadlines (each condition
 * its first deadlines), says when more follow, and the desk says so with a link to the list.
 */
let t: TestApp;
let agreementId = "";
const conditions: string[] = [];
const deadlines: string[] = [];

async function created(path: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.write("POST", path, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  t = await testApp();
  agreementId = await created("/api/agreements", { title: "A long truce", partyIds: ["gov-us", "gov-cn"], status: "in-force", effectiveAt: "2026-01-01" });
  for (let i = 0; i < DETAIL_EMBEDS + 1; i++) {
    conditions.push(await created("/api/conditions", { agreementId, description: `condition ${i}`, effect: "averts", effectiveAt: "2026-01-01" }));
  }
  conditions.sort();
  // The first condition's deadlines are the agreement's own too.
  for (let i = 0; i < DETAIL_EMBEDS + 1; i++) {
    deadlines.push(
      await created("/api/deadlines", {
        conditionId: conditions[0],
        dueAt: `2026-0${1 + (i % 9)}-15`,
        precision: "day",
        wording: `deadline ${i}`,
        effectiveAt: "2026-01-01",
      }),
    );
  }
}, 120_000);
afterAll(() => t.close());

it("embeds an agreement's first conditions and deadlines and says more follow; the lists by agreement and condition hold them all", async () => {
  const agreement = (await (await t.get(`/api/agreements/${agreementId}?asOf=2026-03-01`)).json()) as {
    conditions: { id: string; deadlines: unknown[]; deadlinesTruncated: boolean }[];
    conditionsTruncated: boolean;
    deadlines: unknown[];
    deadlinesTruncated: boolean;
  };
  expect(agreement.conditions.map((c) => c.id)).toEqual(conditions.slice(0, DETAIL_EMBEDS));
  expect([agreement.conditionsTruncated, agreement.deadlines.length, agreement.deadlinesTruncated]).toEqual([true, DETAIL_EMBEDS, true]);
  expect([agreement.conditions[0]!.deadlines.length, agreement.conditions[0]!.deadlinesTruncated]).toEqual([DETAIL_EMBEDS, true]);
  for (const owner of [`agreement=${agreementId}`, `condition=${conditions[0]}`]) {
    const page = (await (await t.get(`/api/deadlines?${owner}&limit=500`)).json()) as { items: { id: string }[] };
    expect(page.items.map((d) => d.id).sort(), owner).toEqual([...deadlines].sort());
  }
  const listed = (await (await t.get(`/api/conditions?agreement=${agreementId}&limit=500`)).json()) as { items: { id: string }[] };
  expect(listed.items.map((c) => c.id)).toEqual(conditions);
});

it("shows the desk the first of each and where the rest are, at the page's read time", async () => {
  const html = await (await t.get(`/agreements/${agreementId}?asOf=2026-03-01`)).text();
  for (const [what, list] of [
    ["deadlines", `/api/deadlines?agreement=${agreementId}&amp;asOf=2026-03-01`],
    ["conditions", `/api/conditions?agreement=${agreementId}&amp;asOf=2026-03-01`],
    ["deadlines", `/api/deadlines?condition=${conditions[0]}&amp;asOf=2026-03-01`],
  ]) {
    expect(html).toContain(`Only its first ${DETAIL_EMBEDS} ${what} recorded are shown here`);
    expect(html).toContain(`href="${list}"`);
  }
});
