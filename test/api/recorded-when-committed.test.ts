import { afterEach, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/**
 * The stability promise under concurrency: a write's recorded time is read when it runs, just
 * before its COMMIT, so a read answered while the write waited (at a knownAt before that) gives
 * the same answer when asked again afterwards.
 */
it("keeps an answer known at an instant the same, even when asked while a write recorded around it was waiting", async () => {
  let tick = Date.UTC(2026, 0, 10, 12);
  // Every reading of the clock is a millisecond later, as a real clock moves between requests.
  const app = await testApp({ seeded: false, clock: () => new Date(tick++) });
  t = app;
  const scenario = (await (await app.write("POST", "/api/scenarios", { title: "S", summary: "s", effectiveAt: "2026-01-01" })).json()) as { id: string };
  const deadline = (await (
    await app.write("POST", "/api/deadlines", { scenarioId: scenario.id, dueAt: "2026-02-01", precision: "day", wording: "w", effectiveAt: "2026-01-02" })
  ).json()) as { id: string };

  const write = app.write("POST", `/api/deadlines/${deadline.id}/status`, { status: "triggered", reason: "met", effectiveAt: "2026-01-05" });
  // Let its handler run up to the commit queue (microtasks only: the group commit waits for the next turn).
  for (let i = 0; i < 200; i++) await Promise.resolve();
  // Asked while the write waits for its commit.
  const knownAt = new Date(tick + 5).toISOString();
  tick += 10;
  const asked = await app.get(`/api/deadlines/${deadline.id}?knownAt=${knownAt}`);
  const during = ((await asked.json()) as { status: string }).status;
  expect((await write).status).toBe(200);
  const after = ((await (await app.get(`/api/deadlines/${deadline.id}?knownAt=${knownAt}`)).json()) as { status: string }).status;
  expect(after).toBe(during);
  // And the write is there for a knownAt after it.
  expect(((await (await app.get(`/api/deadlines/${deadline.id}`)).json()) as { status: string }).status).toBe("triggered");
});
