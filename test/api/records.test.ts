import { Validator } from "@seriousme/openapi-schema-validator";
import { hc } from "hono/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/api/create-app.ts";
import { SCENARIO, SOURCE, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const json = async (res: Response) => (await res.json()) as any;

describe("reading", () => {
  it("answers /health", async () => {
    expect(await json(await t.get("/health"))).toEqual({ status: "ok" });
  });

  for (const collection of ["scenarios", "threats", "conditions", "deadlines", "events", "actors", "topics", "sources"]) {
    it(`lists ${collection} as { items, nextCursor }`, async () => {
      const res = await t.get(`/api/${collection}`);
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.items.length).toBeGreaterThan(0);
      expect(body).toHaveProperty("nextCursor", null);
    });
  }

  it("returns a threat with its links, evidence and source, and its version as ETag", async () => {
    const res = await t.get(`/api/threats/${TARIFF_THREAT}`);
    expect(res.headers.get("ETag")).toBe('"1"');
    const threat = await json(res);
    expect(threat).toMatchObject({
      id: TARIFF_THREAT,
      status: "threatened",
      version: 1,
      ratePercent: 100,
      authority: null,
      covers: "Chinese goods",
      targetIds: ["gov-cn"],
      isAdditional: true,
      supersededById: null,
    });
    expect(threat.issuer.name).toBe("Donald Trump");
    expect(threat.conditions[0].deadlines[0].wording).toBe("starting in November");
    expect(threat.deadlines).toHaveLength(1);
    expect(threat.topics.length).toBe(2);
    expect(threat.evidence[0].quote).toContain("additional 100% tariff");
    expect(threat.evidence[0].source).toMatchObject({ id: SOURCE, publisher: "Benzinga" });
  });

  it("filters threats by status, actor, topic and text", async () => {
    const ids = async (qs: string) => (await json(await t.get(`/api/threats?${qs}`))).items.map((x: any) => x.id);
    expect(await ids("status=considering")).toEqual(["threat-us-software-export-sanctions"]);
    expect(await ids("actor=gov-cn")).toHaveLength(3);
    expect(await ids("topic=topic-software-exports")).toEqual(["threat-us-software-export-sanctions"]);
    expect(await ids("q=CHINESE goods")).toEqual([TARIFF_THREAT]);
    expect(await ids(`scenario=${SCENARIO}&status=imposed`)).toEqual(["threat-cn-rare-earth-export-controls"]);
  });

  it("answers 404 as a problem for an unknown id or route", async () => {
    const res = await t.get("/api/threats/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await json(res)).toMatchObject({ status: 404, title: "No such threat" });
    expect((await t.get("/api/nothing")).status).toBe(404);
    expect((await t.get("/api/threats/nope/history")).status).toBe(404);
  });

  it("pages through a collection without gaps or repeats", async () => {
    for (let i = 0; i < 23; i++) expect((await t.write("POST", "/api/topics", { name: `Paging topic ${i}` })).status).toBe(201);
    const all = (await json(await t.get("/api/topics?limit=500"))).items.map((x: any) => x.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await json(await t.get(`/api/topics?limit=4${cursor ? `&cursor=${cursor}` : ""}`));
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((x: any) => x.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(all.length);
  });

  it("pages through deadlines in due order, undated last, without gaps or repeats", async () => {
    for (const [i, dueAt] of ["2025-12-01", null, "2025-11-15", "2025-11-15", null, "2026-01-01"].entries()) {
      const body = { wording: `Paging deadline ${i}`, precision: dueAt ? "day" : "unknown", dueAt, scenarioId: SCENARIO };
      expect((await t.write("POST", "/api/deadlines", body)).status).toBe(201);
    }
    const all = (await json(await t.get("/api/deadlines?limit=500"))).items;
    const dated = all.filter((d: any) => d.dueAt).map((d: any) => d.dueAt);
    expect(dated).toEqual([...dated].sort());
    expect(all.slice(-2).every((d: any) => d.dueAt === null)).toBe(true);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await json(await t.get(`/api/deadlines?limit=2${cursor ? `&cursor=${cursor}` : ""}`));
      seen.push(...page.items.map((x: any) => x.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((d: any) => d.id));
  });
});

describe("writing", () => {
  it("needs the bearer token: 401 without it or with a wrong one, and the body says nothing about the token", async () => {
    const none = await t.app.request("/api/topics", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"name":"x"}' });
    expect(none.status).toBe(401);
    const wrong = await t.write("POST", "/api/topics", { name: "x" }, { Authorization: "Bearer wrong" });
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(text).not.toContain("test-token");
    expect(JSON.parse(text)).toMatchObject({ status: 401, type: "/problems/unauthorized" });
  });

  it("creates a threat with evidence, its first history entry and a Location", async () => {
    const res = await t.write("POST", "/api/threats", {
      scenarioId: SCENARIO,
      issuerId: "person-donald-trump",
      targetIds: ["gov-cn"],
      measure: "export-control",
      covers: "critical software",
      summary: "Export controls on critical software",
      status: "considering",
      topicIds: ["topic-software-exports"],
      evidence: [{ sourceId: SOURCE, quote: "software-powered exports to China" }],
    });
    expect(res.status).toBe(201);
    const threat = await json(res);
    expect(res.headers.get("Location")).toBe(`/api/threats/${threat.id}`);
    expect(threat).toMatchObject({ status: "considering", version: 1, measure: "export-control" });
    expect(threat.evidence[0].quote).toBe("software-powered exports to China");
    const history = await json(await t.get(`/api/threats/${threat.id}/history`));
    expect(history.items).toEqual([expect.objectContaining({ from: null, to: "considering", by: "admin" })]);
  });

  it("creates a source with its hash, and refuses the same text twice with 409", async () => {
    const body = { title: "Note", publisher: "Desk", publishedAt: "2025-10-25", text: "China eases rare earth curbs." };
    const created = await t.write("POST", "/api/sources", body);
    expect(created.status).toBe(201);
    expect((await json(created)).sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = await t.write("POST", "/api/sources", { ...body, title: "Again" });
    expect(again.status).toBe(409);
  });

  it("creates events and conditions, and refuses unknown references with 422 naming the field", async () => {
    const event = await t.write("POST", "/api/events", {
      title: "Follow-up call",
      kind: "call",
      startsAt: "2025-11-05",
      precision: "day",
      wording: "early next month",
      participantIds: ["person-donald-trump", "person-xi-jinping"],
    });
    expect(event.status).toBe(201);
    expect((await json(event)).participants).toHaveLength(2);
    const bad = await t.write("POST", "/api/conditions", { threatId: "nope", description: "d", effect: "averts" });
    expect(bad.status).toBe(422);
    expect((await json(bad)).errors).toEqual([{ field: "threatId", problem: 'no threat with id "nope"' }]);
    const badTopic = await t.write("POST", "/api/scenarios", { title: "S2", summary: "s", topicIds: ["nope"] });
    expect((await json(badTopic)).errors[0].field).toBe("topicIds.0");
  });

  it("edits descriptive fields with PATCH, moves the version, and never the status", async () => {
    const res = await t.write("PATCH", `/api/threats/${TARIFF_THREAT}`, { summary: "A 100% tariff" }, { "If-Match": '"1"' });
    expect(res.status).toBe(200);
    expect(res.headers.get("ETag")).toBe('"2"');
    expect(await json(res)).toMatchObject({ summary: "A 100% tariff", status: "threatened" });
    // Terms change only as dated history entries (POST …/terms), never by an edit.
    const terms = await t.write("PATCH", `/api/threats/${TARIFF_THREAT}`, { covers: "all Chinese goods" });
    expect(terms.status).toBe(422);
    const status = await t.write("PATCH", `/api/threats/${TARIFF_THREAT}`, { status: "imposed" });
    expect(status.status).toBe(422);
    expect((await json(status)).errors[0].field).toBe("status");
    const stale = await t.write("PATCH", `/api/threats/${TARIFF_THREAT}`, { summary: "x" }, { "If-Match": '"1"' });
    expect(stale.status).toBe(412);
  });

  it("answers malformed JSON with 400, a non-JSON body with 415, wrong types with 422, all as problems, changing nothing", async () => {
    const before = contentChecksum(t.db);
    const malformed = await t.write("POST", "/api/topics", "{ not json");
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("Content-Type")).toBe("application/problem+json");
    const form = await t.write("POST", "/api/topics", "name=x", { "Content-Type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(415);
    const types = await t.write("POST", "/api/threats", { scenarioId: 5, measure: "embargo", covers: "" });
    expect(types.status).toBe(422);
    const fields = (await json(types)).errors.map((e: any) => e.field);
    expect(fields).toEqual(expect.arrayContaining(["scenarioId", "measure", "covers", "issuerId", "summary"]));
    // A field left out says so; one of the wrong type says what it should be.
    const problems = Object.fromEntries((await json(await t.write("POST", "/api/threats", { scenarioId: 5 }))).errors.map((e: any) => [e.field, e.problem]));
    expect(problems).toMatchObject({ issuerId: "required", summary: "required", covers: "required" });
    expect(problems.scenarioId).toMatch(/expected string, received number/);
    const noReason = await t.write("POST", "/api/threats/threat-us-100pct-tariff-chinese-goods/status", { status: "imposed" });
    expect((await json(noReason)).errors).toEqual([{ field: "reason", problem: "required" }]);
    const extra = await t.write("POST", "/api/topics", { name: "x", admin: true });
    expect(extra.status).toBe(422);
    expect(contentChecksum(t.db)).toBe(before);
  });

  it("refuses a body over the limit with 413", async () => {
    const small = await testApp({ bodyLimit: 1024 });
    const res = await small.write("POST", "/api/topics", { name: "x".repeat(5000) });
    expect(res.status).toBe(413);
    await small.close();
  });
});

describe("the OpenAPI document and the typed client", () => {
  it("is valid OpenAPI 3.1 and lists every route", async () => {
    const doc = await json(await t.get("/openapi.json"));
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const paths = Object.keys(doc.paths);
    for (const c of ["scenarios", "threats", "conditions", "deadlines", "events", "actors", "topics", "sources"]) {
      expect(paths).toContain(`/api/${c}`);
      expect(paths).toContain(`/api/${c}/{id}`);
    }
    for (const c of ["scenarios", "threats", "conditions", "deadlines", "events"]) {
      expect(paths).toContain(`/api/${c}/{id}/status`);
      expect(paths).toContain(`/api/${c}/{id}/history`);
    }
    for (const p of ["/api/in-force", "/api/threats/{id}/terms"]) {
      expect(paths).toContain(p);
    }
    expect(paths).toEqual(expect.arrayContaining(["/health", "/api/changes"]));
    const statusEnum = doc.paths["/api/deadlines"].get.parameters.find((p: any) => p.name === "status").schema.enum;
    expect(statusEnum).toEqual(["pending", "triggered", "averted", "extended", "cancelled"]);
    expect(doc.components.schemas.Problem).toBeDefined();
  });

  it("serves the interactive docs page and its assets locally", async () => {
    expect(await (await t.get("/docs")).text()).toContain("swagger-ui");
    expect((await t.get("/docs/assets/swagger-ui-bundle.js")).status).toBe(200);
  });

  it("lets the Hono typed client call the deadlines route", async () => {
    const client = hc<App>("http://tradewatch.test", { fetch: (input: RequestInfo | URL, init?: RequestInit) => t.app.request(input, init) });
    const res = await client.api.deadlines.$get({ query: { status: "pending", asOf: "2025-10-24" } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items[0]?.dueLabel).toBe("November 2025");
    // The in-force view is typed too: its query and its answer.
    const inForce = await client.api["in-force"].$get({ query: { asOf: "2025-10-24", measure: "export-control" } });
    expect(inForce.status).toBe(200);
    const view = await inForce.json();
    expect(view.items.map((i) => i.threatId)).toEqual(["threat-cn-rare-earth-export-controls"]);
    expect(view.totals).toEqual([]);
  });
});
