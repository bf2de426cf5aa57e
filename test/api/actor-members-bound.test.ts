import { afterAll, beforeAll, expect, it } from "vitest";
import { DETAIL_EMBEDS } from "../../src/db/threat-detail.ts";
import { type TestApp, testApp } from "../helpers/app.ts";

/** A government's detail embeds its first DETAIL_EMBEDS members; the actors list filtered by it pages through them all. */
let t: TestApp;
let government = "";
const members: string[] = [];

beforeAll(async () => {
  t = await testApp();
  const created = async (body: Record<string, unknown>) => {
    const res = await t.write("POST", "/api/actors", body);
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  government = await created({ name: "A large government", kind: "government" });
  for (let i = 0; i < DETAIL_EMBEDS + 2; i++) members.push(await created({ name: `Spokesperson ${i}`, kind: "person", governmentId: government }));
  members.sort();
}, 60_000);
afterAll(() => t.close());

it("embeds a government's first members in id order and says more follow; the actors list by government pages through them all", async () => {
  const detail = (await (await t.get(`/api/actors/${government}`)).json()) as { members: { id: string }[]; membersTruncated: boolean };
  expect(detail.members.map((m) => m.id)).toEqual(members.slice(0, DETAIL_EMBEDS));
  expect(detail.membersTruncated).toBe(true);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await t.get(`/api/actors?government=${government}&limit=40${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
    seen.push(...page.items.map((a) => a.id));
    cursor = page.nextCursor;
  } while (cursor);
  expect(seen).toEqual(members);
  const small = (await (await t.get("/api/actors/gov-us")).json()) as { membersTruncated: boolean };
  expect(small.membersTruncated).toBe(false);
  const bad = await t.get("/api/actors?government=");
  expect(bad.status).toBe(422);
  expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("query.government");
});

it("reads a page of members on the (governmentId, id) index: no sort of them all", () => {
  const plan = (sql: string, params: unknown[]) =>
    (t.db.reader.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(" | ");
  // The statements Prisma sends: the detail's members, a page of the list after a cursor.
  for (const p of [
    plan(`SELECT "id" FROM "main"."Actor" WHERE "governmentId" = ? ORDER BY "id" ASC LIMIT ? OFFSET ?`, ["g", 101, 0]),
    plan(`SELECT "id" FROM "main"."Actor" WHERE ("governmentId" = ? AND "id" > ?) ORDER BY "id" ASC LIMIT ? OFFSET ?`, ["g", "", 41, 0]),
  ]) {
    expect(p).toMatch(/SEARCH main.Actor USING (COVERING )?INDEX Actor_governmentId_id_idx \(governmentId=\?/);
    expect(p).not.toMatch(/TEMP B-TREE|SCAN main.Actor/);
  }
});
