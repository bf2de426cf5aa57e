import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TARGETS_PER_KIND } from "../../src/db/sources.ts";
import { SOURCE, type TestApp, testApp } from "../helpers/app.ts";
import { addBulkScenarioRecords } from "../helpers/bulk-scenario.ts";

/**
 * The intake desk page (/intake/{id}) on a database of 10,000 more records and a 235 kB text
 * that yields about 17,000 proposals: one page of 50 proposals with a link to the next, the
 * text it read, and the records offered once per page, a few of each kind.
 */
let t: TestApp;
let big = "";
const SENTENCE = "Washington said on Monday it will impose an additional 25% tariff on $50 billion of goods unless Beijing acts by November. ";
const PAGE_PROPOSALS = 50;
/** The lists a record field draws on: owners, threats, tracked records, all records, actors. */
const LISTS = 5;

beforeAll(async () => {
  t = await testApp();
  addBulkScenarioRecords(t.db);
  const res = await t.write("POST", "/api/sources", { title: "Repeated", publisher: "Test", publishedAt: "2026-01-10", text: SENTENCE.repeat(1_900) });
  big = ((await res.json()) as { id: string }).id;
}, 120_000);
afterAll(() => t.close());

async function html(path: string): Promise<string> {
  const res = await t.get(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

const proposals = (page: string) => [...page.matchAll(/<li id="proposal-\d+" class="card" data-kind="(\w+)">/g)].map((m) => m[1]);
const quoteStarts = (page: string) => [...page.matchAll(/<blockquote class="quote">“([^<]*)”<\/blockquote>/g)].length;
const more = (page: string) => page.match(/<a href="([^"]+)" rel="next">More proposals/)?.[1]?.replaceAll("&amp;", "&") ?? null;

describe("the intake page of a long text", () => {
  it("shows one page of proposals, the stretch of text it read and a link to the next, a bounded size", async () => {
    const page = await html(`/intake/${big}`);
    expect(proposals(page)).toHaveLength(PAGE_PROPOSALS);
    expect(quoteStarts(page)).toBe(PAGE_PROPOSALS);
    expect(page).toMatch(/characters 0 to [\d,]+ of 233,700/);
    expect(page.length).toBeLessThan(400_000);
    // Records are offered once per page in datalists, a few of each kind, not in each proposal's form.
    expect([...page.matchAll(/<datalist /g)]).toHaveLength(LISTS);
    const offered = [...page.matchAll(/<option value="[^"]*" label=/g)].length;
    // Owners draw on 3 kinds, threats on 1, tracked records on 5, all records on 7, actors on 1.
    expect(offered).toBeLessThanOrEqual(TARGETS_PER_KIND * 17);

    const next = more(page)!;
    expect(next).toMatch(new RegExp(`^/intake/${big}\\?after=`));
    const second = await html(next);
    expect(proposals(second)).toHaveLength(PAGE_PROPOSALS);
    expect(second).toContain(`<a href="/intake/${big}">From the start</a>`);
    expect(more(second)).not.toBe(next);
  });

  it("shows a short article whole, every proposal on one page, without a link to more", async () => {
    const page = await html(`/intake/${SOURCE}`);
    expect(proposals(page).length).toBeGreaterThan(10);
    expect(proposals(page)[0]).toBe("actor");
    expect(more(page)).toBeNull();
    expect(page).not.toContain("characters 0 to");
  });

  it("refuses an `after` it did not make", async () => {
    const res = await t.get(`/intake/${big}?after=garbage`);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("after: is not a cursor this API issued");
  });
});
