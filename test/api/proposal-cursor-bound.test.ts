import { afterAll, beforeAll, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.ts";

// A proposals cursor is a place in one source's text: on another source's proposals it was read as
// a place in that text, and answered a page from the middle of it (review of session 11).

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const SENTENCE = "Washington said on Monday it will impose an additional 25% tariff on $50 billion of goods unless Beijing acts by November. ";

/** A stored source whose proposals run over more than one page of 50: its id and the cursor to its second page. */
async function longSource(title: string): Promise<{ id: string; next: string }> {
  const res = await t.write("POST", "/api/sources", { title, publisher: "Test", publishedAt: "2026-01-10", text: `${title}. ${SENTENCE.repeat(40)}` });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { id: string; proposalsNextCursor: string | null };
  expect(body.proposalsNextCursor).not.toBeNull();
  return { id: body.id, next: body.proposalsNextCursor! };
}

it("answers a cursor only on the source's proposals it was issued for: elsewhere 422 naming query.cursor", async () => {
  const [a, b] = [await longSource("A"), await longSource("B")];
  const own = await t.get(`/api/sources/${a.id}/proposals?cursor=${a.next}`);
  expect(own.status).toBe(200);
  const { nextCursor } = (await own.json()) as { nextCursor: string };
  for (const cursor of [a.next, nextCursor]) {
    const res = await t.get(`/api/sources/${b.id}/proposals?cursor=${cursor}`);
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = (await res.json()) as { errors: { field: string; problem: string }[] };
    expect(problem.errors).toEqual([{ field: "query.cursor", problem: expect.stringContaining("another source") }]);
  }
  expect((await t.get(`/api/sources/${b.id}/proposals?cursor=${b.next}`)).status).toBe(200);
});

it("on the desk's intake page, a cursor of another source's proposals is refused too", async () => {
  const [a, b] = [await longSource("Desk A"), await longSource("Desk B")];
  const page = await (await t.get(`/intake/${a.id}`)).text();
  const more = /href="\/intake\/[^"?]+\?after=([A-Za-z0-9_-]+)"/.exec(page);
  expect(more).not.toBeNull();
  expect((await t.get(`/intake/${a.id}?after=${more![1]}`)).status).toBe(200);
  const elsewhere = await t.get(`/intake/${b.id}?after=${more![1]}`);
  expect(elsewhere.status).toBe(422);
  expect(await elsewhere.text()).toContain("another source");
});
