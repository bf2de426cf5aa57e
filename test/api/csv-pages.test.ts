import { afterAll, beforeAll, expect, it } from "vitest";
import { TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";

// A CSV export is one page, as the JSON is; when more follow, its Link header (rel="next") is the
// request for the next page. It used to stop at the page without a word.

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  for (const dueAt of ["2026-12-01", "2027-01-01", "2027-02-01"]) {
    const res = await t.write("POST", "/api/deadlines", {
      threatId: TARIFF_THREAT,
      dueAt,
      precision: "day",
      wording: `by ${dueAt}`,
      effectiveAt: "2025-11-01",
    });
    expect(res.status).toBe(201);
  }
});
afterAll(() => t.close());

/** Every data line of a CSV export, following its Link headers; and how many requests that took. */
async function allLines(path: string): Promise<{ lines: string[]; pages: number }> {
  const lines: string[] = [];
  let next: string | null = path;
  let pages = 0;
  while (next) {
    const res = await t.get(next);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/csv");
    lines.push(...(await res.text()).trim().split("\n").slice(1));
    pages++;
    const link = res.headers.get("Link");
    next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
  }
  return { lines, pages };
}

it.each([
  ["/api/deadlines?format=csv", "/api/deadlines?limit=500"],
  ["/api/threats?format=csv", "/api/threats?limit=500"],
  ["/api/actors?format=csv", "/api/actors?limit=500"],
])("pages %s by its Link header through every row the JSON lists", async (csv, json) => {
  const all = ((await (await t.get(json)).json()) as { items: unknown[] }).items.length;
  expect(all).toBeGreaterThan(2);
  const { lines, pages } = await allLines(`${csv}&limit=2`);
  expect(lines).toHaveLength(all);
  expect(pages).toBe(Math.ceil(all / 2));
  // One page holding everything has no Link.
  expect((await t.get(`${csv}&limit=500`)).headers.get("Link")).toBeNull();
});

it("links to the next page in CSV when this one was asked for by the Accept header", async () => {
  const res = await t.get("/api/deadlines?limit=2", { Accept: "text/csv" });
  expect(res.headers.get("Content-Type")).toContain("text/csv");
  const link = /^<([^>]+)>; rel="next"$/.exec(res.headers.get("Link") ?? "")![1]!;
  expect(link).toContain("format=csv");
  const next = await t.get(link);
  expect(next.headers.get("Content-Type")).toContain("text/csv");
});
