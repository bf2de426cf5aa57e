import { expect } from "vitest";
import { createApp } from "../../src/api/create-app.ts";
import type { TrackerDatabase } from "../../src/db/client.ts";
import { createLogger, type Logger } from "../../src/logger.ts";
import { freshDatabase } from "./database.ts";

export const TEST_TOKEN = "test-token-0123456789abcdef";

export interface TestApp {
  db: TrackerDatabase;
  app: ReturnType<typeof createApp>;
  /** A request with the bearer token and a JSON body. */
  write(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** The real app on a fresh migrated (and by default seeded) SQLite file. */
export async function testApp(
  options: { seeded?: boolean; bodyLimit?: number; privateReads?: boolean; logger?: Logger; clock?: () => Date } = {},
): Promise<TestApp> {
  const db = await freshDatabase({ seeded: options.seeded ?? true });
  const app = createApp({
    db,
    token: TEST_TOKEN,
    logger: options.logger ?? createLogger("silent"),
    config: {
      CORS_ORIGINS: [],
      BODY_LIMIT_BYTES: options.bodyLimit ?? 256 * 1024,
      REQUEST_TIMEOUT_MS: 10_000,
      TRADEWATCH_PRIVATE_READS: options.privateReads ?? false,
    },
    clock: options.clock,
  });
  return {
    db,
    app,
    write: async (method, path, body, headers = {}) =>
      app.request(path, {
        method,
        headers: { Authorization: `Bearer ${TEST_TOKEN}`, "Content-Type": "application/json", ...headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      }),
    get: async (path, headers = {}) => app.request(path, { headers }),
    close: () => db.close(),
  };
}

export const TARIFF_THREAT = "threat-us-100pct-tariff-chinese-goods";
export const RARE_EARTH_CONDITION = "condition-beijing-eases-rare-earth-restrictions";
export const NOVEMBER_DEADLINE = "deadline-100pct-tariff-november";
export const SCENARIO = "scenario-us-china-rare-earth-tariffs";
export const SOURCE = "src-benzinga-trump-xi-apec";

/** POSTs a record through the API and answers it; anything but 201 fails the test. */
export async function created(app: TestApp, path: string, body: unknown): Promise<any> {
  const res = await app.write("POST", path, body);
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * On the seeded actors, a deal in force from 1 January 2026 and China's commitment under it to buy
 * corn by 1 March 2027 (with that due date as its deadline), created through the API.
 */
export async function createCornDeal(app: TestApp): Promise<{ agreement: any; corn: any; cornDeadline: string }> {
  const agreement = await created(app, "/api/agreements", { title: "Deal", partyIds: ["gov-us", "gov-cn"], status: "in-force", effectiveAt: "2026-01-01" });
  const corn = await created(app, "/api/commitments", {
    agreementId: agreement.id,
    partyId: "gov-cn",
    description: "Buy corn",
    kind: "purchase",
    effectiveAt: "2026-01-01",
    dueAt: "2027-03-01",
    precision: "day",
    wording: "by March",
  });
  return { agreement, corn, cornDeadline: corn.deadlines[0].id };
}

/** A scenario, an actor and a threat it issues against itself ("threatened"), created through the API: ids and answers. */
export async function createThreat(app: TestApp, at: { scenario: string; threat: string }): Promise<{ scenario: any; actor: any; threat: any }> {
  const scenario = await created(app, "/api/scenarios", { title: "S", summary: "s", effectiveAt: at.scenario });
  const actor = await created(app, "/api/actors", { name: "A", kind: "government" });
  const threat = await created(app, "/api/threats", {
    scenarioId: scenario.id,
    issuerId: actor.id,
    targetIds: [actor.id],
    measure: "tariff",
    covers: "goods",
    summary: "a tariff",
    status: "threatened",
    effectiveAt: at.threat,
  });
  return { scenario, actor, threat };
}

/** A 422 problem (application/problem+json) naming `field` among its errors: its text. */
export async function refused(res: Response, field: string): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(422);
  expect(res.headers.get("Content-Type")).toContain("application/problem+json");
  const fields: string[] = JSON.parse(text).errors.map((e: { field: string }) => e.field);
  expect(fields, text).toContain(field);
  return text;
}
