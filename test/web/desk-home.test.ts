import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/api/cursors.ts";
import { NOVEMBER_DEADLINE, type TestApp, testApp } from "../helpers/app.ts";
import { addBulkScenarioRecords, BULK } from "../helpers/bulk-scenario.ts";

/**
 * The desk's home page (/) shows one page of pending deadlines (500), says how many it shows
 * without passing a page's length off as a count of all, and links to the next page by a keyset
 * cursor, as the API's nextCursor.
 */
const PAGE = 500;

function rowIds(html: string): string[] {
  return [...html.matchAll(/<tr id="([^"]+)"/g)].map((m) => m[1]!);
}

function countLine(html: string): string {
  return /<p id="deadline-count">([\s\S]*?)<\/p>/.exec(html)![1]!.replace(/<[^>]+>/g, "");
}

function nextLink(html: string): string | null {
  const href = /<a href="([^"]+)">Next page of deadlines<\/a>/.exec(html)?.[1];
  return href ? href.replaceAll("&amp;", "&") : null;
}

describe("the desk's home page with more pending deadlines than a page", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
    addBulkScenarioRecords(t.db);
  });
  afterAll(() => t.close());

  it("says how many it shows and that more follow, and its next-page links reach every pending deadline once", async () => {
    const first = await (await t.get("/")).text();
    expect(rowIds(first)).toHaveLength(PAGE);
    expect(countLine(first)).toMatch(/^500 pending shown(, 500 of them overdue)?; more follow\.$/);
    expect(first).not.toContain("First page");
    const seen: string[] = [];
    let html = first;
    let pages = 1;
    for (;;) {
      seen.push(...rowIds(html));
      const next = nextLink(html);
      if (!next) break;
      const res = await t.get(next);
      expect(res.status).toBe(200);
      html = await res.text();
      pages++;
      expect(html).toContain('<a href="/">First page</a>');
    }
    expect(countLine(html)).toMatch(/pending shown on this later page.*; no more follow\.$/);
    const pending = (t.db.reader.prepare(`SELECT "id" FROM "Deadline" WHERE "status" = 'pending'`).all() as { id: string }[]).map((r) => r.id);
    expect(pending.length).toBeGreaterThan(BULK.deadlines);
    expect(seen).toHaveLength(new Set(seen).size);
    expect(new Set(seen)).toEqual(new Set(pending));
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(pending.length / PAGE));
  });

  it("keeps the page's asOf and knownAt in the next page's link", async () => {
    const html = await (await t.get("/?asOf=2026-03-01&knownAt=2026-11-01")).text();
    const next = nextLink(html)!;
    expect(next).toMatch(/^\/\?asOf=2026-03-01&knownAt=2026-11-01&cursor=[A-Za-z0-9_-]+$/);
    const later = await (await t.get(next)).text();
    expect(later).toContain("Pending deadlines as of 2026-03-01, as known on 2026-11-01");
    expect(rowIds(later).some((id) => rowIds(html).includes(id))).toBe(false);
  });

  it("refuses a cursor it did not issue with a 422 naming the field and its part", async () => {
    const garbled = await t.get("/?cursor=not*a*cursor");
    expect(garbled.status).toBe(422);
    expect(await garbled.text()).toContain("cursor: is not a cursor this API issued");
    const badDate = await t.get(`/?cursor=${encodeCursor({ undated: 0, dueAt: "yesterday", id: "x" })}`);
    expect(badDate.status).toBe(422);
    expect(await badDate.text()).toContain("cursor.dueAt: must be an ISO-8601 date-time");
    // In the desk's frame, with a way back, not a bare paragraph.
    const page = await (await t.get("/?asOf=2026-13-01")).text();
    expect(page).toContain("<title>Cannot show this page · Tradewatch</title>");
    expect(page).toMatch(/<p role="alert">asOf: must be a date/);
    expect(page).toContain('<a href="/">Back to the pending deadlines</a>');
  });
});

describe("the desk's home page with fewer pending deadlines than a page", () => {
  it("gives the true count and no paging links", async () => {
    const t = await testApp();
    try {
      const html = await (await t.get("/")).text();
      const shown = rowIds(html).length;
      expect(shown).toBeGreaterThan(0);
      expect(shown).toBeLessThan(PAGE);
      expect(countLine(html)).toMatch(new RegExp(`^${shown} pending(, \\d+ overdue)?\\.$`));
      expect(nextLink(html)).toBeNull();
      expect(html).not.toContain("First page");
    } finally {
      await t.close();
    }
  });
});

describe("the README's desk example on a fresh install", () => {
  it("shows the seeded November deadline as of 2025-10-24, as known on the day of the install, and nothing as known before it", async () => {
    const t = await testApp();
    try {
      const installedOn = new Date().toISOString().slice(0, 10);
      for (const query of ["?asOf=2025-10-24", `?asOf=2025-10-24&knownAt=${installedOn}`]) {
        const html = await (await t.get(`/${query}`)).text();
        const row = new RegExp(`<tr id="${NOVEMBER_DEADLINE}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? "";
        expect(row, query).toContain("November 2025");
        expect(row, query).toContain("in 37 days");
      }
      const before = await (await t.get("/?asOf=2025-10-24&knownAt=2025-10-24")).text();
      expect(rowIds(before)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
