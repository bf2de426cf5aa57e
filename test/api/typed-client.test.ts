import { hc } from "hono/client";
import type { ExtractSchema } from "hono/types";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import type { App } from "../../src/api/create-app.ts";
import { DetailSchemas, RowSchemas } from "../../src/api/schemas/record-answers.ts";
import { COLLECTIONS } from "../../src/api/schemas/records.ts";
import { TARIFF_THREAT, TEST_TOKEN, type TestApp, testApp } from "../helpers/app.ts";

/*
 * Hono's typed client against the real app. This file is type-checked by `npm test` (tsc): were
 * the routes registered so that the App type does not carry them, `client.api.agreements` and the
 * rest would not exist and the typed fields read below would not compile.
 */

let t: TestApp;
let now: Date;
beforeEach(async () => {
  now = new Date(Date.now() + 60_000);
  t = await testApp({ clock: () => new Date(now) });
});
afterEach(() => t.close());

const clientOf = (app: TestApp) =>
  hc<App>("http://tradewatch.test", {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => app.app.request(input, init),
    headers: { Authorization: `Bearer ${TEST_TOKEN}` },
  });

/** Every "METHOD path" pair the App type carries. */
type Schema = ExtractSchema<App>;
type Routes = { [P in keyof Schema & string]: keyof Schema[P] extends `$${infer M}` ? `${Uppercase<M>} ${P}` : never }[keyof Schema & string];

/** The 68 operations of the API (67 under /api, and /health). */
const ROUTES = [
  "DELETE /api/accounts/:name",
  "GET /api/accounts",
  "GET /api/actors",
  "GET /api/actors/:id",
  "GET /api/agreements",
  "GET /api/agreements/:id",
  "GET /api/agreements/:id/history",
  "GET /api/changes",
  "GET /api/commitments",
  "GET /api/commitments/:id",
  "GET /api/commitments/:id/history",
  "GET /api/conditions",
  "GET /api/conditions/:id",
  "GET /api/conditions/:id/history",
  "GET /api/deadlines",
  "GET /api/deadlines/:id",
  "GET /api/deadlines/:id/history",
  "GET /api/events",
  "GET /api/events/:id",
  "GET /api/events/:id/history",
  "GET /api/in-force",
  "GET /api/me",
  "GET /api/scenarios",
  "GET /api/scenarios/:id",
  "GET /api/scenarios/:id/history",
  "GET /api/sources",
  "GET /api/sources/:id",
  "GET /api/sources/:id/proposals",
  "GET /api/threats",
  "GET /api/threats/:id",
  "GET /api/threats/:id/history",
  "GET /api/topics",
  "GET /api/topics/:id",
  "GET /health",
  "PATCH /api/actors/:id",
  "PATCH /api/agreements/:id",
  "PATCH /api/commitments/:id",
  "PATCH /api/conditions/:id",
  "PATCH /api/deadlines/:id",
  "PATCH /api/events/:id",
  "PATCH /api/scenarios/:id",
  "PATCH /api/sources/:id",
  "PATCH /api/threats/:id",
  "PATCH /api/topics/:id",
  "GET /api/:collection/:id/evidence",
  "POST /api/:collection/:id/evidence",
  "POST /api/accounts",
  "POST /api/actors",
  "POST /api/agreements",
  "POST /api/agreements/:id/status",
  "POST /api/commitments",
  "POST /api/commitments/:id/status",
  "POST /api/conditions",
  "POST /api/conditions/:id/status",
  "POST /api/deadlines",
  "POST /api/deadlines/:id/dates",
  "POST /api/deadlines/:id/status",
  "POST /api/events",
  "POST /api/events/:id/dates",
  "POST /api/events/:id/status",
  "POST /api/history/:seq/retract",
  "POST /api/scenarios",
  "POST /api/scenarios/:id/status",
  "POST /api/sources",
  "POST /api/threats",
  "POST /api/threats/:id/status",
  "POST /api/threats/:id/terms",
  "POST /api/topics",
] as const;

describe("hc<App>", () => {
  it("knows every collection's routes with their inputs and typed answers", async () => {
    const client = clientOf(t);

    const created = await client.api.agreements.$post({
      json: { title: "US-China trade truce", partyIds: ["gov-us", "gov-cn"], status: "in-force", effectiveAt: "2025-11-10" },
    });
    if (created.status !== 201) throw new Error(`expected 201, got ${created.status}`);
    const agreement = await created.json();
    expectTypeOf(agreement.partyIds).toEqualTypeOf<string[]>();
    expect(agreement.status).toBe("in-force");

    const commitmentCreated = await client.api.commitments.$post({
      json: {
        agreementId: agreement.id,
        partyId: "gov-cn",
        description: "Buy 12 million tonnes of US soybeans",
        kind: "purchase",
        dueAt: "2025-12-31",
        precision: "month",
        wording: "by the end of 2025",
        effectiveAt: "2025-11-10",
      },
    });
    if (commitmentCreated.status !== 201) throw new Error(`expected 201, got ${commitmentCreated.status}`);
    const commitmentId = (await commitmentCreated.json()).id;

    const listed = await client.api.agreements.$get({ query: { status: "in-force", asOf: "2025-11-20" } });
    if (listed.status !== 200) throw new Error(`expected 200, got ${listed.status}`);
    const page = await listed.json();
    expect(page.items.map((a) => [a.title, a.parties.map((p) => p.name).sort()])).toEqual([
      ["US-China trade truce", ["People’s Republic of China government", "United States government"]],
    ]);

    const commitment = await client.api.commitments[":id"].$get({ param: { id: commitmentId }, query: { asOf: "2025-11-20" } });
    if (commitment.status !== 200) throw new Error(`expected 200, got ${commitment.status}`);
    const owed = await commitment.json();
    expectTypeOf(owed.kind).toEqualTypeOf<"purchase" | "tariff-cut" | "suspension" | "licence" | "other">();
    expect([owed.party.name, owed.status, owed.deadlines[0]?.precision]).toEqual(["People’s Republic of China government", "pending", "month"]);

    const changed = await client.api.threats[":id"].status.$post({
      param: { id: TARIFF_THREAT },
      json: { status: "withdrawn", reason: "The truce ended it" },
    });
    if (changed.status !== 200) throw new Error(`expected 200, got ${changed.status}`);
    const change = await changed.json();
    expect([change.record.status, change.record.ratePercent, change.entry.to]).toEqual(["withdrawn", 100, "withdrawn"]);
    expect(change.consequences.every((e) => e.recordKind === "deadline")).toBe(true);

    // A threat embeds a page of its deadlines and conditions, and says whether more follow; the deadlines list filtered by it holds them all.
    const threat = await client.api.threats[":id"].$get({ param: { id: TARIFF_THREAT }, query: {} });
    if (threat.status !== 200) throw new Error(`expected 200, got ${threat.status}`);
    const read = await threat.json();
    expectTypeOf(read.deadlinesTruncated).toEqualTypeOf<boolean>();
    expectTypeOf(read.conditions[0]!.deadlinesTruncated).toEqualTypeOf<boolean>();
    expect([read.deadlinesTruncated, read.conditionsTruncated, read.conditions.every((c) => c.deadlinesTruncated === false)]).toEqual([false, false, true]);
    const own = await client.api.deadlines.$get({ query: { threat: TARIFF_THREAT, limit: "500" } });
    if (own.status !== 200) throw new Error(`expected 200, got ${own.status}`);
    expect((await own.json()).items.map((d) => d.id)).toEqual(read.deadlines.map((d) => d.id));

    const refused = await client.api.threats[":id"].terms.$post({ param: { id: TARIFF_THREAT }, json: { effectiveAt: "2025-11-10", reason: "No term given" } });
    expect(refused.status).toBe(422);
  });

  it("answers a list's refusal of a filter naming no record through the typed client, as the OpenAPI document describes", async () => {
    const client = clientOf(t);
    // The client's type holds the answers a handler returns (a refusal is thrown, so problem+json is not among them): the document describes it.
    const refused = await client.api.deadlines.$get({ query: { actor: "gov-nope" } });
    expect([refused.status as number, ((await refused.json()) as unknown as { errors: unknown }).errors]).toEqual([
      422,
      [{ field: "query.actor", problem: 'no actor "gov-nope"' }],
    ]);
    const doc = (await (await t.get("/openapi.json")).json()) as { paths: Record<string, { get?: { responses: Record<string, { description: string }> } }> };
    for (const path of ["/api/deadlines", "/api/threats", "/api/actors", "/api/in-force"]) {
      expect(doc.paths[path]?.get?.responses["422"]?.description, path).toContain('`query.actor: no actor "gov-nope"`');
    }
  });

  it("knows exactly the operations of the OpenAPI document", async () => {
    // Checked by the compiler in both directions: a route missing from the App type, or one not listed here, fails tsc.
    expectTypeOf<Routes>().toEqualTypeOf<(typeof ROUTES)[number]>();
    const doc = (await (await t.get("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    expect(operations.sort()).toEqual([...ROUTES].sort());
  });

  it("declares answers that the API's real answers match, for every collection", async () => {
    const client = clientOf(t);
    const truce = await client.api.agreements.$post({ json: { title: "Truce", partyIds: ["gov-us", "gov-cn"], effectiveAt: "2025-11-10" } });
    if (truce.status !== 201) throw new Error(`expected 201, got ${truce.status}`);
    const agreementId = (await truce.json()).id;
    await client.api.commitments.$post({
      json: { agreementId, partyId: "gov-us", description: "Cut the tariff", kind: "tariff-cut", affectsThreatIds: [TARIFF_THREAT], effectiveAt: "2025-11-10" },
    });
    for (const collection of COLLECTIONS) {
      if (collection === "deadlines") continue; // listed by routes/deadlines.ts, its own schema
      const list = (await (await t.get(`/api/${collection}?limit=500`)).json()) as { items: { id: string }[] };
      expect(list.items.length, collection).toBeGreaterThan(0);
      for (const row of list.items) {
        expect(RowSchemas[collection].safeParse(row).error, `${collection} row ${row.id}`).toBeUndefined();
        const detail = await (await t.get(`/api/${collection}/${encodeURIComponent(row.id)}`)).json();
        expect(DetailSchemas[collection].safeParse(detail).error, `${collection} ${row.id}`).toBeUndefined();
      }
    }
    const deadlines = (await (await t.get("/api/deadlines?limit=500")).json()) as { items: { id: string }[] };
    for (const d of deadlines.items) {
      const detail = await (await t.get(`/api/deadlines/${d.id}`)).json();
      expect(DetailSchemas.deadlines.safeParse(detail).error, d.id).toBeUndefined();
    }
  });
});
