import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_LIMIT } from "../../src/api/schemas/common.ts";
import { PAGE_TEXT_BUDGET } from "../../src/db/sources.ts";
import { BLOCK_CHARS, blockEnd, proposalsFrom } from "../../src/domain/intake.ts";
import { SOURCE, type TestApp, testApp } from "../helpers/app.ts";

/**
 * GET /api/sources/{id}/proposals in pages (decision 023): every page holds at most `limit`
 * proposals and reads at most PAGE_TEXT_BUDGET characters, and the pages walk the proposals
 * the intake finds block by block, each once, in reading order.
 */
let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const SENTENCE = "Washington said on Monday it will impose an additional 25% tariff on $50 billion of goods unless Beijing acts by November. ";
const json = async (res: Response) => (await res.json()) as any;
const cursorOf = (cursor: string) => JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { block: number };

async function stored(text: string, title = `text ${text.length} ${Math.random()}`): Promise<string> {
  const res = await t.write("POST", "/api/sources", { title, publisher: "Test", publishedAt: "2026-01-10", text });
  expect(res.status).toBe(201);
  return (await json(res)).id;
}

/** Every page from the first, with the cursors that led to them. */
async function walk(id: string, limit: number) {
  const pages: { items: any[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const res = await t.get(`/api/sources/${id}/proposals?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    const page = await json(res);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor);
  return pages;
}

const keyOf = (p: any) => [p.startOffset, p.endOffset, p.kind, p.actorId ?? ""].join("|");

describe("proposals in pages", () => {
  it("walks a text of several blocks page by page: each page within its limit, every proposal once, as the blocks give them", async () => {
    const text = SENTENCE.repeat(70);
    const id = await stored(text);
    const small = await walk(id, 9);
    const large = await walk(id, MAX_LIMIT);
    for (const page of small) expect(page.items.length).toBeLessThanOrEqual(9);
    const all = small.flatMap((p) => p.items);
    expect(new Set(all.map(keyOf)).size).toBe(all.length);
    expect(all).toEqual(large.flatMap((p) => p.items));
    // The same as the intake run on each block in turn (blocks of whole sentences, here).
    const actors = await t.db.prisma.actor.findMany({ select: { id: true, name: true, aliases: true }, orderBy: { id: "asc" } });
    const expected: string[] = [];
    for (let start = 0; start < text.length; start = blockEnd(text, start)) {
      const block = text.slice(start, blockEnd(text, start));
      expect(block.endsWith(". ")).toBe(true);
      for (const p of proposalsFrom(block, { publishedAt: new Date("2026-01-10"), actors })) {
        expected.push(keyOf({ ...p, startOffset: p.startOffset + start, endOffset: p.endOffset + start }));
      }
    }
    expect(all.map(keyOf)).toEqual(expected);
    expect(all.filter((p) => p.kind === "percentage")).toHaveLength(70);
    for (const p of all) expect(text.slice(p.startOffset, p.endOffset)).toBe(p.quote);
  });

  it("reads an article shorter than a block as a whole, whatever the page size", async () => {
    const text = readFileSync(resolve(import.meta.dirname, "../fixtures/intake/eu-steel-countermeasures.txt"), "utf8");
    expect(text.length).toBeLessThan(BLOCK_CHARS);
    const id = await stored(text);
    const actors = await t.db.prisma.actor.findMany({ select: { id: true, name: true, aliases: true }, orderBy: { id: "asc" } });
    const whole = proposalsFrom(text, { publishedAt: new Date("2026-01-10"), actors }).map(keyOf);
    expect((await walk(id, 3)).flatMap((p) => p.items).map(keyOf)).toEqual(whole);
  });

  it("answers a page of `limit` proposals of a 235 kB text, its size proportional to the page", async () => {
    const text = SENTENCE.repeat(1_900);
    const id = await stored(text);
    const first = await t.get(`/api/sources/${id}/proposals`);
    const body = await first.text();
    const page = JSON.parse(body);
    expect(page.items).toHaveLength(50);
    expect(page.nextCursor).toEqual(expect.any(String));
    expect(body.length).toBeLessThan(20_000);
    const full = await json(await t.get(`/api/sources/${id}/proposals?limit=${MAX_LIMIT}`));
    expect(full.items).toHaveLength(MAX_LIMIT);
    expect(full.items.slice(0, 50)).toEqual(page.items);
    // The next page starts where this one stopped, inside the text already read.
    expect(cursorOf(full.nextCursor).block).toBeLessThanOrEqual(PAGE_TEXT_BUDGET);
    const second = await json(await t.get(`/api/sources/${id}/proposals?limit=50&cursor=${page.nextCursor}`));
    expect(second.items[0]).toEqual(full.items[50]);
  });

  it("stops a page after PAGE_TEXT_BUDGET characters of text with nothing to propose, with a cursor to go on", async () => {
    const text = `${"plain words without anything to record ".repeat(2_000)}\nChina will impose a 10% duty.`;
    const id = await stored(text);
    const pages = await walk(id, 50);
    let from = 0;
    for (const page of pages.slice(0, -1)) {
      const next = cursorOf(page.nextCursor!).block;
      expect(next - from).toBeLessThanOrEqual(PAGE_TEXT_BUDGET + BLOCK_CHARS);
      from = next;
    }
    expect(pages.length).toBeGreaterThanOrEqual(Math.floor(text.length / (PAGE_TEXT_BUDGET + BLOCK_CHARS)));
    expect(pages.slice(0, -1).every((p) => p.items.length === 0)).toBe(true);
    expect(pages.at(-1)!.items.map((p: any) => p.quote)).toEqual(["China will impose a 10% duty.", "China", "10%"]);
  });

  it("answers the first page in the POST, with the cursor to the rest", async () => {
    const res = await t.write("POST", "/api/sources", { title: "Long", publisher: "Test", publishedAt: "2026-01-10", text: SENTENCE.repeat(300) });
    const created = await json(res);
    expect(created.proposals).toHaveLength(50);
    const next = await json(await t.get(`/api/sources/${created.id}/proposals?cursor=${created.proposalsNextCursor}`));
    const both = await json(await t.get(`/api/sources/${created.id}/proposals?limit=100`));
    expect([...created.proposals, ...next.items]).toEqual(both.items);
  });

  it("refuses a bad limit or cursor with 422 naming it, and an unknown source with 404", async () => {
    for (const [qs, field] of [
      ["limit=0", "query.limit"],
      ["limit=501", "query.limit"],
      ["limit=ten", "query.limit"],
      ["cursor=garbage", "query.cursor"],
      [`cursor=${Buffer.from(JSON.stringify({ block: -1, after: null })).toString("base64url")}`, "query.cursor.block"],
    ]) {
      const res = await t.get(`/api/sources/${SOURCE}/proposals?${qs}`);
      expect(res.status, qs).toBe(422);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect((await json(res)).errors[0].field, qs).toBe(field);
    }
    expect((await t.get("/api/sources/source-nope/proposals")).status).toBe(404);
  });

  it("answers a citation (no text) with no proposals", async () => {
    const res = await t.write("POST", "/api/sources", { title: "Cited", publisher: "Test", publishedAt: "2026-01-10", url: "https://example.com/a" });
    const id = (await json(res)).id;
    expect(await json(await t.get(`/api/sources/${id}/proposals`))).toEqual({ items: [], nextCursor: null });
  });
});
