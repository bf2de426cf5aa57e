import { afterEach, expect, it } from "vitest";
import { type TestApp, testApp } from "../helpers/app.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;

// Found in review: a leaving entry dated a few seconds after it was recorded (a client clock
// slightly ahead) once kept the list saying "pending" after it had taken effect.
it("lists a deadline left pending a few seconds ahead as the history says, before and after, like its GET", async () => {
  let now = Date.UTC(2026, 0, 10, 12);
  const app = await testApp({ seeded: false, clock: () => new Date(now) });
  t = app;
  const scenario = await json(await app.write("POST", "/api/scenarios", { title: "S", summary: "s", effectiveAt: "2026-01-01" }));
  const deadline = await json(
    await app.write("POST", "/api/deadlines", { scenarioId: scenario.id, dueAt: "2026-02-01", precision: "day", wording: "w", effectiveAt: "2026-01-02" }),
  );
  now += 60_000;
  const leaves = new Date(now + 30_000).toISOString();
  expect((await app.write("POST", `/api/deadlines/${deadline.id}/status`, { status: "triggered", reason: "r", effectiveAt: leaves })).status).toBe(200);
  const before = (await json(await app.get("/api/deadlines"))).items;
  expect(before.map((d: any) => [d.status, d.scheduled])).toEqual([["pending", [{ to: "triggered", effectiveAt: leaves, byTerms: false }]]]);
  now += 120_000;
  expect((await json(await app.get(`/api/deadlines/${deadline.id}`))).status).toBe("triggered");
  expect((await json(await app.get("/api/deadlines"))).items.map((d: any) => d.status)).toEqual(["triggered"]);
  expect((await json(await app.get("/api/deadlines?status=triggered"))).items.map((d: any) => d.id)).toEqual([deadline.id]);
  expect((await json(await app.get("/api/deadlines?status=pending"))).items).toEqual([]);
});
