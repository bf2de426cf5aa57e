import { afterAll, beforeAll, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

// Actors, topics and sources carry a version like the tracked records: GET gives it as the ETag,
// a PATCH with a stale If-Match is refused (412) and changes nothing. It was ignored: a lost update.

let t: TestApp;
let sourceId = "";
beforeAll(async () => {
  t = await testApp();
  const res = await t.write("POST", "/api/sources", {
    title: "Notice",
    publisher: "MOFCOM",
    kind: "official",
    url: "https://example.org/n/1",
    publishedAt: "2025-10-09",
  });
  expect(res.status).toBe(201);
  sourceId = ((await res.json()) as { id: string }).id;
});
afterAll(() => t.close());

it.each([
  ["topics", () => "topic-fentanyl", { name: "Fentanyl and precursors" }],
  ["actors", () => "person-donald-trump", { role: "President of the United States of America" }],
  ["sources", () => sourceId, { title: "MOFCOM notice" }],
])("%s: ETag on GET, 412 on a stale If-Match, the version moves on a PATCH", async (collection, idOf, body) => {
  const path = `/api/${collection}/${idOf()}`;
  const etag = (await t.get(path)).headers.get("ETag");
  expect(etag).toMatch(/^"\d+"$/);
  const before = await contentChecksum(t.db);
  const stale = await t.write("PATCH", path, body, { "If-Match": '"999"' });
  expect(stale.status).toBe(412);
  expect(await contentChecksum(t.db)).toBe(before);
  const fresh = await t.write("PATCH", path, body, { "If-Match": etag! });
  expect(fresh.status, await fresh.clone().text()).toBe(200);
  const next = fresh.headers.get("ETag");
  expect(next).not.toBe(etag);
  expect((await t.write("PATCH", path, body, { "If-Match": etag! })).status).toBe(412);
  expect((await t.get(path)).headers.get("ETag")).toBe(next);
});
