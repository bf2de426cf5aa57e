import { afterAll, beforeAll, expect, it } from "vitest";
import { SCENARIO, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

// Actors, topics and scenarios are told apart by their names: a name that reads like another
// ("Donald Trump " beside "Donald Trump") or hides characters (a zero-width space, a NUL raw in the
// desk's HTML) is refused, 422 naming the field, as account names are.

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const cases: [string, string][] = [
  ["a trailing space", "Donald Trump "],
  ["a leading space", " Donald Trump"],
  ["two spaces in a row", "Donald  Trump"],
  ["a no-break space", "Donald\u00a0Trump"],
  ["a zero-width space", "Donald\u200bTrump"],
  ["a NUL", "Donald\u0000Trump"],
  ["a tab", "Donald\tTrump"],
];

it.each(cases)("refuses a name with %s on every path that names, changing nothing", async (_what, name) => {
  const before = await contentChecksum(t.db);
  for (const [method, path, field, body] of [
    ["POST", "/api/actors", "name", { name, kind: "person" }],
    ["POST", "/api/topics", "name", { name }],
    ["POST", "/api/scenarios", "title", { title: name, summary: "a scenario" }],
    ["PATCH", "/api/topics/topic-fentanyl", "name", { name }],
    ["PATCH", `/api/scenarios/${SCENARIO}`, "title", { title: name }],
  ] as const) {
    const res = await t.write(method, path, body);
    expect(res.status, `${method} ${path}`).toBe(422);
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
  }
  expect(await contentChecksum(t.db)).toBe(before);
});

it("takes a name in plain words, with curly quotes and accents", async () => {
  const res = await t.write("POST", "/api/actors", { name: "Agnès O’Neill", kind: "person" });
  expect(res.status, await res.clone().text()).toBe(201);
});
