import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NOVEMBER_DEADLINE, SOURCE, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

/**
 * The API refuses a query parameter it does not take, one given twice, and a whole number written
 * in any form but decimal digits: 422 problem+json naming it, rather than an answer that looks
 * filtered (or paged) as asked when it is not. The desk's pages and the calendar feed stay lenient.
 */
let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(() => t.close());

type Problem = { type: string; status: number; detail: string; errors: { field: string; problem: string }[] };

/** The 422 a request answers, its problem+json body; fails the test on any other answer. */
async function refused(res: Response, what: string): Promise<Problem> {
  const text = await res.text();
  expect(res.status, `${what}: ${text}`).toBe(422);
  expect(res.headers.get("Content-Type"), what).toBe("application/problem+json");
  const body = JSON.parse(text) as Problem;
  expect(body.type, what).toBe("/problems/invalid-input");
  return body;
}

/** The operations of the OpenAPI document, with the query parameters each documents. */
async function operations(): Promise<{ method: string; path: string; query: string[] }[]> {
  const doc = (await (await t.get("/openapi.json")).json()) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      query: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
    })),
  );
}

/** A documented path with its parameters filled in (the query is checked before any of them is looked up). */
const concrete = (path: string) => path.replace("{collection}", "threats").replace("{seq}", "1").replace("{name}", "nobody").replace("{id}", TARIFF_THREAT);

/** With the token: some reads are for accounts only (/api/me). */
const send = (method: string, url: string) => t.write(method, url, method === "GET" ? undefined : {});

describe("a query parameter a route does not take", () => {
  it("is 422 naming it on the lists, a record, its history and its evidence, instead of an unfiltered answer", async () => {
    // The seeded November deadline is pending: "stauts=averted" used to list it as if it had been averted.
    expect(((await (await t.get("/api/deadlines?status=averted")).json()) as { items: unknown[] }).items).toEqual([]);
    for (const url of [
      "/api/deadlines?stauts=averted",
      "/api/deadlines?status=pending&stauts=averted",
      "/api/threats?stauts=imposed",
      "/api/conditions?stauts=met&limit=5",
      "/api/events?stauts=held",
      "/api/in-force?stauts=x",
      "/api/changes?stauts=x",
      "/api/deadlines?stauts=pending&format=csv",
      `/api/threats/${TARIFF_THREAT}?stauts=imposed`,
      `/api/deadlines/${NOVEMBER_DEADLINE}?stauts=x`,
      `/api/threats/${TARIFF_THREAT}/history?stauts=x`,
      `/api/threats/${TARIFF_THREAT}/evidence?stauts=x`,
      `/api/sources/${SOURCE}/proposals?stauts=x`,
    ]) {
      const body = await refused(await t.get(url), url);
      expect(body.errors, url).toEqual([{ field: "query.stauts", problem: expect.stringMatching(/^unknown parameter \(this route takes .*\)$/) }]);
      expect(body.detail, url).toMatch(/^query\.stauts: unknown parameter/);
    }
    const named = await refused(await t.get(`/api/threats/${TARIFF_THREAT}?asof=2025-10-24`), "asof");
    expect(named.errors).toEqual([{ field: "query.asof", problem: "unknown parameter (this route takes asOf, knownAt)" }]);
  });

  it("is 422 on every operation of the API document, and no parameter a route documents is called unknown there", async () => {
    // /health is for probes, not under /api: lenient, as the desk (below).
    const ops = (await operations()).filter((op) => op.path !== "/health");
    expect(ops.length).toBeGreaterThan(60);
    for (const { method, path, query } of ops) {
      const url = concrete(path);
      const body = await refused(await send(method, `${url}?zzz=1`), `${method} ${path}`);
      expect(body.errors, `${method} ${path}`).toContainEqual({ field: "query.zzz", problem: expect.stringMatching(/^unknown parameter/) });
      // Every documented parameter at once, each with some value: some values are wrong for their
      // parameter (422 naming it), but none of them is unknown.
      if (query.length === 0) continue;
      const res = await send(method, `${url}?${query.map((name) => `${name}=x`).join("&")}`);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      if (res.status === 422) expect((await res.text()).includes("unknown parameter"), `${method} ${path}`).toBe(false);
    }
  }, 60_000);

  it("works where it is documented and is unknown elsewhere", async () => {
    for (const [url, status] of [
      ["/api/threats?authority=IEEPA", 200],
      ["/api/events?authority=IEEPA", 422],
      ["/api/actors?government=gov-us", 200],
      ["/api/topics?government=gov-us", 422],
      ["/api/deadlines?within=30", 200],
      ["/api/in-force?within=30", 200],
      ["/api/threats?within=30", 422],
      [`/api/conditions?threat=${TARIFF_THREAT}`, 200],
      [`/api/deadlines?threat=${TARIFF_THREAT}`, 200],
      [`/api/events?threat=${TARIFF_THREAT}`, 422],
      ["/api/changes?since=2025-01-01", 200],
      ["/api/deadlines?since=2025-01-01", 422],
      [`/api/threats/${TARIFF_THREAT}/history?knownAt=2026-01-01`, 200],
      [`/api/threats/${TARIFF_THREAT}/history?asOf=2026-01-01`, 422],
      ["/api/deadlines?format=csv", 200],
      [`/api/threats/${TARIFF_THREAT}?format=csv`, 422],
    ] as const) {
      expect((await t.get(url)).status, url).toBe(status);
    }
  });

  it("is 422 on a write, which records nothing; the same write without it is done", async () => {
    const before = contentChecksum(t.db);
    const topic = { name: "Strict queries" };
    const writes: [string, string, unknown][] = [
      ["POST", "/api/topics?dryRun=true", topic],
      ["PATCH", `/api/threats/${TARIFF_THREAT}?asOf=2025-10-24`, { summary: "Changed" }],
      ["POST", `/api/threats/${TARIFF_THREAT}/status?effectiveAt=2025-11-01`, { status: "imposed", reason: "Imposed" }],
      ["POST", `/api/deadlines/${NOVEMBER_DEADLINE}/dates?knownAt=2025-10-24`, { dueAt: "2025-12-01", precision: "day", reason: "Moved" }],
      ["POST", `/api/threats/${TARIFF_THREAT}/evidence?stance=disputes`, { sourceId: SOURCE, quote: "100%" }],
      ["POST", "/api/accounts?role=admin", { name: "someone", role: "viewer" }],
    ];
    for (const [method, url, body] of writes) {
      const problem = await refused(await t.write(method, url, body), url);
      expect(
        problem.errors.map((e) => e.field),
        url,
      ).toEqual([`query.${new URL(url, "http://x").searchParams.keys().next().value}`]);
    }
    expect(contentChecksum(t.db)).toBe(before);
    expect((await t.write("POST", "/api/topics", topic)).status).toBe(201);
  });

  it("accepts an empty query and a trailing '&'", async () => {
    for (const url of ["/api/deadlines?", "/api/deadlines?status=pending&", `/api/threats/${TARIFF_THREAT}?`]) {
      expect((await t.get(url)).status, url).toBe(200);
    }
  });
});

describe("a parameter given twice", () => {
  it("is 422 saying so, where one value is taken", async () => {
    for (const [url, field] of [
      ["/api/deadlines?status=pending&status=averted", "query.status"],
      ["/api/deadlines?limit=5&limit=6", "query.limit"],
      ["/api/threats?q=a&q=b", "query.q"],
      [`/api/threats/${TARIFF_THREAT}?asOf=2025-10-24&asOf=2025-11-24`, "query.asOf"],
      ["/api/in-force?within=5&within=5", "query.within"],
    ] as const) {
      const body = await refused(await t.get(url), url);
      expect(body.errors, url).toEqual([{ field, problem: "was given 2 times: give it once" }]);
    }
  });
});

describe("a whole-number parameter", () => {
  const BAD_FORMS = ["1e2", "0x10", "%205", "5%20", "5.0", "%2B5", "-1", "", "%EF%BC%95", "five"];
  const NUMERIC = [
    ["/api/deadlines?", "limit"],
    ["/api/deadlines?", "within"],
    ["/api/in-force?", "limit"],
    ["/api/in-force?", "within"],
    ["/api/threats?", "limit"],
    ["/api/sources?", "limit"],
    ["/api/changes?", "limit"],
    [`/api/threats/${TARIFF_THREAT}/history?`, "limit"],
    [`/api/threats/${TARIFF_THREAT}/evidence?`, "limit"],
    [`/api/sources/${SOURCE}/proposals?`, "limit"],
  ] as const;

  it("is 422 naming it unless written in decimal digits only", async () => {
    for (const [route, name] of NUMERIC) {
      const days = name === "within" ? " of days" : "";
      for (const form of BAD_FORMS) {
        const url = `${route}${name}=${form}`;
        const body = await refused(await t.get(url), url);
        expect(body.errors, url).toEqual([{ field: `query.${name}`, problem: `must be a whole number${days}, written in decimal digits only (0-9)` }]);
      }
      for (const form of ["5", "05"]) expect((await t.get(`${route}${name}=${form}`)).status, `${route}${name}=${form}`).toBe(200);
    }
  }, 60_000);

  it("reads as the number it says", async () => {
    const page = (await (await t.get("/api/actors?limit=002")).json()) as { items: unknown[]; nextCursor: string | null };
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
    const csv = await t.get("/api/actors?format=csv&limit=1e2");
    await refused(csv, "format=csv&limit=1e2");
  });

  it("is a retraction's seq only in decimal digits, and a refused one retracts nothing", async () => {
    const before = contentChecksum(t.db);
    for (const seq of ["1e0", "0x1", "1.0", "%2B1"]) {
      const body = await refused(await t.write("POST", `/api/history/${seq}/retract`, { reason: "Mistaken" }), seq);
      expect(body.errors, seq).toEqual([{ field: "param.seq", problem: "must be a whole number, written in decimal digits only (0-9)" }]);
    }
    expect(contentChecksum(t.db)).toBe(before);
  });
});

describe("the desk's pages, the calendar feed and /health", () => {
  it("stay lenient: a form's empty fields and a parameter they do not read are not refused", async () => {
    for (const url of [
      "/?asOf=&knownAt=",
      "/?stauts=pending",
      "/in-force?utm_source=mail",
      "/calendar.ics?x-apple-refresh=1",
      "/calendar.ics?asOf=",
      "/health?probe=lb",
    ]) {
      expect((await t.get(url)).status, url).toBe(200);
    }
  });
});
