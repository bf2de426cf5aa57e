import { afterEach, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.ts";

// Sources, actors and topics have no history, but the tracker learned of each at a time: asked as
// known before that, a list leaves it out and its GET is a 404, so a past answer does not move.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;

it("leaves out the sources, actors and topics recorded after knownAt, and a government's members recorded after it", async () => {
  let now = Date.parse("2026-11-20T08:00:00Z");
  t = await testApp({ clock: () => new Date(now) });
  now += 60_000;
  const knownAt = new Date(now).toISOString();
  const reads = [
    `/api/sources?knownAt=${knownAt}&limit=500`,
    `/api/actors?knownAt=${knownAt}&limit=500`,
    `/api/topics?knownAt=${knownAt}&limit=500`,
    `/api/actors/gov-us?knownAt=${knownAt}`,
    `/api/actors?government=gov-us&knownAt=${knownAt}`,
  ];
  now += 60_000;
  const before = await Promise.all(reads.map(async (r) => (await t!.get(r)).text()));

  const source = await json(
    await t.write("POST", "/api/sources", { title: "Later", publisher: "Reuters", kind: "wire", publishedAt: "2026-11-01", text: "A later article." }),
  );
  const actor = await json(await t.write("POST", "/api/actors", { name: "Jamieson Greer", kind: "person", governmentId: "gov-us" }));
  const topic = await json(await t.write("POST", "/api/topics", { name: "Soybeans" }));
  for (const id of [source.id, actor.id, topic.id]) expect(typeof id).toBe("string");

  expect(await Promise.all(reads.map(async (r) => (await t!.get(r)).text()))).toEqual(before);
  for (const [collection, id] of [
    ["sources", source.id],
    ["actors", actor.id],
    ["topics", topic.id],
  ]) {
    expect((await t.get(`/api/${collection}/${id}?knownAt=${knownAt}`)).status).toBe(404);
    expect((await t.get(`/api/${collection}/${id}`)).status).toBe(200);
  }
  // Known now, they are there; the actors and topics of the seed, recorded before recorded times were kept for them, at every knownAt.
  expect((await json(await t.get("/api/actors?government=gov-us&limit=500"))).items.map((a: any) => a.id)).toContain(actor.id);
  expect((await json(await t.get("/api/actors/gov-us?knownAt=2020-01-01T00:00:00Z"))).id).toBe("gov-us");
  // A source's detail carries no count of every quote ever recorded.
  expect(await json(await t.get(`/api/sources/${source.id}`))).not.toHaveProperty("_count");
});
