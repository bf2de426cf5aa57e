import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COUNT_AT_MOST, IN_CARD, SECTION_PAGE, THREATS_PAGE } from "../../src/db/sql/scenario-view.ts";
import { DETAIL_EMBEDS } from "../../src/db/threat-detail.ts";
import { SCENARIO, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { addBulkScenarioRecords, BULK } from "../helpers/bulk-scenario.ts";

/**
 * The scenario page of a scenario with 10,000 records (issue 12, point 4): every section is one
 * bounded page with a link to the next, and the links walk each section to its end.
 */
let t: TestApp;
const PAGE = `/scenarios/${SCENARIO}`;

beforeAll(async () => {
  t = await testApp();
  addBulkScenarioRecords(t.db);
}, 120_000);
afterAll(() => t.close());

async function html(path: string): Promise<string> {
  const res = await t.get(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

/** The href of the link whose text starts with `label`, unescaped. */
function link(page: string, label: string): string | null {
  const m = page.match(new RegExp(`<a href="([^"]+)" rel="next">${label}`));
  return m ? m[1]!.replaceAll("&amp;", "&") : null;
}

/** The records shown as cards, in page order. */
const ids = (page: string, prefix: string) => [...page.matchAll(new RegExp(`class="card" id="(${prefix}[^"]*)"`, "g"))].map((m) => m[1]!);

/** Every card of a section, following its "more" links from `first` to the end. */
async function walk(first: string, label: string, prefix: string): Promise<string[]> {
  const seen: string[] = [];
  let path: string | null = first;
  while (path) {
    const page = await html(path);
    seen.push(...ids(page, prefix));
    path = link(page, label);
  }
  return seen;
}

describe("the scenario page of a scenario with 10,000 records", () => {
  it("answers with one bounded page of each section, counts and links to the next", async () => {
    const times: number[] = [];
    let page = "";
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      page = await html(PAGE);
      times.push(Math.round(performance.now() - started));
    }
    console.info(`scenario page, ${BULK.threats + BULK.conditions + BULK.deadlines + BULK.events} records: ${times.join(", ")} ms, ${page.length} characters`);
    expect(page.length).toBeLessThan(600_000);
    expect(ids(page, "threat-").length).toBe(THREATS_PAGE);
    // Each threat's first deadlines, and the scenario's own first page.
    expect(ids(page, "deadline-").length).toBeLessThanOrEqual(THREATS_PAGE * IN_CARD + SECTION_PAGE);
    expect(ids(page, "event-").length).toBe(SECTION_PAGE);
    expect([...page.matchAll(/<li id="entry-/g)].length).toBe(SECTION_PAGE);
    expect(page).toContain(`Threats (${BULK.threats + 3})`);
    // Counted up to COUNT_AT_MOST (decision 026): the scenario's 3,000 own deadlines are "more than 1000".
    expect(BULK.deadlines / 3).toBeGreaterThan(COUNT_AT_MOST);
    expect(page).toContain(`Other deadlines (more than ${COUNT_AT_MOST})`);
    expect(page).toContain(`Events (${BULK.events + 8})`);
    expect(page).toMatch(/All \d+ deadlines of this threat/);
    for (const label of ["More threats", "More deadlines", "More events", "Earlier entries"]) expect(link(page, label), label).not.toBeNull();
  }, 60_000);

  it("walks each section to its end through its links: every record once, in the section's order, undated last", async () => {
    const overview = await html(PAGE);
    const events = [ids(overview, "event-"), await walk(link(overview, "More events")!, "More events", "event-")].flat();
    expect(new Set(events).size).toBe(BULK.events + 8);
    expect(events.length).toBe(BULK.events + 8);

    const threats = [ids(overview, "threat-"), await walk(link(overview, "More threats")!, "More threats", "threat-")].flat();
    expect(threats).toEqual([...new Set(threats)].sort());
    expect(threats.length).toBe(BULK.threats + 3);

    const own = (await walk(`${PAGE}?section=deadlines`, "More deadlines", "deadline-")).filter((id) => id.startsWith("deadline-bulk-"));
    expect(new Set(own).size).toBe(BULK.deadlines / 3);
    // The undated ones (every 90th) come last.
    const undated = own.filter((id) => Number(id.slice(-5)) % 90 === 0);
    expect(own.slice(-undated.length)).toEqual(undated);

    const tariff = await html(`${PAGE}?section=deadlines&threat=${TARIFF_THREAT}`);
    const total = Number(tariff.match(/Deadlines of <a[^>]*>[^<]*<\/a> \((\d+)\)/)![1]);
    const ofTariff = await walk(`${PAGE}?section=deadlines&threat=${TARIFF_THREAT}`, "More deadlines", "deadline-");
    expect(new Set(ofTariff).size).toBe(total);
    expect(ofTariff.length).toBe(total);

    const conditions = await html(`${PAGE}?section=conditions&threat=threat-bulk-00007`);
    expect(ids(conditions, "condition-")).toEqual(["condition-bulk-00007-0", "condition-bulk-00007-1"]);
  }, 120_000);

  it("shows the timeline latest first, page after page, without repeats", async () => {
    let path: string | null = PAGE;
    const seqs: number[] = [];
    const times: string[] = [];
    for (let i = 0; i < 5 && path; i++) {
      const page = await html(path);
      seqs.push(...[...page.matchAll(/<li id="entry-(\d+)"[^>]*><time datetime="([^"]+)"/g)].map((m) => Number(m[1])));
      times.push(...[...page.matchAll(/<li id="entry-\d+"[^>]*><time datetime="([^"]+)"/g)].map((m) => m[1]!));
      path = link(page, "Earlier entries");
    }
    expect(seqs.length).toBe(5 * SECTION_PAGE);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(times).toEqual([...times].sort().reverse());
  }, 60_000);

  it("keeps asOf and knownAt in every link, and shows only what existed then", async () => {
    const started = performance.now();
    const page = await html(`${PAGE}?asOf=2025-11-01&knownAt=2100-01-01`);
    console.info(`scenario page as of a day before the 10,000 records: ${Math.round(performance.now() - started)} ms, ${page.length} characters`);
    expect(ids(page, "threat-bulk-")).toEqual([]);
    expect(ids(page, "deadline-bulk-")).toEqual([]);
    expect(ids(page, "event-bulk-")).toEqual([]);
    // The scenario's own deadlines all came later: the page says where to look further instead of reading them all.
    const more = link(page, "More deadlines");
    expect(more).toContain("asOf=2025-11-01&knownAt=2100-01-01&section=deadlines&after=");
    expect(ids(await html(more!), "deadline-bulk-")).toEqual([]);
    expect(link(page, "More events")).toContain("asOf=2025-11-01&knownAt=2100-01-01");
  });

  it("answers the API's scenario read with at most DETAIL_EMBEDS of each kind; the lists filtered by scenario hold the rest", async () => {
    const started = performance.now();
    const res = await t.get(`/api/scenarios/${SCENARIO}`);
    const ms = Math.round(performance.now() - started);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      threats: { id: string }[];
      deadlines: unknown[];
      events: unknown[];
      threatsTruncated: boolean;
      deadlinesTruncated: boolean;
      eventsTruncated: boolean;
    };
    console.info(`API scenario read: ${ms} ms`);
    expect(body.threats.map((x) => x.id)).toEqual([...body.threats.map((x) => x.id)].sort());
    for (const list of [body.threats, body.deadlines, body.events]) expect(list.length).toBe(DETAIL_EMBEDS);
    expect([body.threatsTruncated, body.deadlinesTruncated, body.eventsTruncated]).toEqual([true, true, true]);
    const events = (await (await t.get(`/api/events?scenario=${SCENARIO}&limit=500`)).json()) as { items: unknown[]; nextCursor: string | null };
    expect(events.items.length).toBe(500);
    expect(events.nextCursor).not.toBeNull();
  });

  it("refuses what it did not issue: an unknown section, a foreign cursor, a threat of another scenario", async () => {
    const bad = async (query: string, status: number, says: string) => {
      const res = await t.get(`${PAGE}?${query}`);
      expect(res.status, query).toBe(status);
      expect(await res.text()).toContain(says);
    };
    await bad("section=everything", 422, "section: must be one of");
    await bad("section=events&after=bm9wZQ", 422, "after: is not a cursor this API issued");
    await bad(`section=timeline&after=${Buffer.from('["2025",1e21]').toString("base64url")}`, 422, "after.0: must be an ISO-8601 date-time");
    await bad("section=conditions", 422, "threat:");
    await bad("after=x", 422, "section:");
    await bad("section=deadlines&threat=threat-nobody-made", 404, "No such threat in this scenario");
    await bad("asOf=2025-10-24&knownAt=2025-10-22", 404, "No such scenario at that time");
  });
});
