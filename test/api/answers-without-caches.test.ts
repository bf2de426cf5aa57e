import { afterEach, expect, it } from "vitest";
import { createThreat, type TestApp, testApp } from "../helpers/app.ts";

// Cache columns (and, known at a past instant, the current row's version) are left undefined in
// answers rather than deleted (src/db/records.ts withoutCaches): no surface may show them.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;
const DAY = 86_400_000;
const CACHE_NAMES = /statusUntil|statusFrom|statusKnownFrom|pendingFrom|pendingKnownFrom|pendingUntil|pendingInexact|datesMoved|dueAtEarliest|dueAtLatest/;

async function linkedRecords(app: TestApp, at: (d: number) => string) {
  const { scenario, threat } = await createThreat(app, { scenario: at(-30), threat: at(-20) });
  const condition = await json(
    await app.write("POST", "/api/conditions", { threatId: threat.id, description: "talks fail", effect: "triggers", effectiveAt: at(-20) }),
  );
  await app.write("POST", "/api/deadlines", { threatId: threat.id, dueAt: at(10), precision: "day", wording: "due", effectiveAt: at(-20) });
  return { scenario, threat, condition };
}

it("a record read as known at a past instant carries no ETag (its version is left out), and no answer shows a cache column", async () => {
  let now = Date.UTC(2026, 2, 1, 12);
  const app = await testApp({ seeded: false, clock: () => new Date(now) });
  t = app;
  const at = (d: number) => new Date(Date.UTC(2026, 2, 1, 12) + d * DAY).toISOString();
  const { scenario, threat, condition } = await linkedRecords(app, at);
  now += DAY;
  const past = new Date(now - DAY / 2).toISOString();
  for (const path of [`/api/scenarios/${scenario.id}`, `/api/threats/${threat.id}`, `/api/conditions/${condition.id}`]) {
    const present = await app.get(path);
    expect(present.status).toBe(200);
    expect(present.headers.get("ETag")).toMatch(/^"\d+"$/);
    expect(await present.text()).not.toMatch(CACHE_NAMES);
    const then = await app.get(`${path}?knownAt=${past}`);
    expect(then.status).toBe(200);
    expect(then.headers.get("ETag")).toBeNull();
    const body = await then.text();
    expect(body).not.toMatch(CACHE_NAMES);
    expect(JSON.parse(body)).not.toHaveProperty("version");
  }
  for (const collection of ["scenarios", "threats", "conditions", "deadlines"]) {
    for (const query of ["", `knownAt=${past}`, `asOf=${at(-10)}`]) {
      for (const format of ["", "format=csv"]) {
        const res = await app.get(`/api/${collection}?${[query, format].filter(Boolean).join("&")}`);
        expect(res.status).toBe(200);
        const body = await res.text();
        expect(body).not.toMatch(CACHE_NAMES);
        // The deadlines view keeps its version column (null then), as its schema says.
        if (format && query.startsWith("knownAt") && collection !== "deadlines") expect(body.split("\n")[0]).not.toMatch(/\bversion\b|updatedAt/);
      }
    }
  }
});
