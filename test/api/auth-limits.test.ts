import { request } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAILED_AUTH_WINDOW_MS, FailedAuthLimit, MAX_FAILED_AUTH_OVERALL, MAX_FAILED_AUTH_PER_ADDRESS } from "../../src/api/middleware/auth.ts";
import { addAccount } from "../../src/db/accounts.ts";
import { createLogger } from "../../src/logger.ts";
import { type TestApp, testApp } from "../helpers/app.ts";
import { listen } from "../helpers/server.ts";

let t: TestApp;
let editor: string;
beforeEach(async () => {
  t = await testApp({ seeded: false });
  editor = (await addAccount(t.db, "Ed Editor", "editor")).token;
});
afterEach(() => t.close());

const BAD = { Authorization: "Bearer guess-guess-guess-guess" };
const createTopic = (name: string, headers: Record<string, string>) => t.write("POST", "/api/topics", { name }, headers);

describe("failed authentications", () => {
  it(`are limited to ${MAX_FAILED_AUTH_PER_ADDRESS} per address, while a valid token from that address still passes`, async () => {
    for (let i = 0; i < MAX_FAILED_AUTH_PER_ADDRESS; i++) expect((await createTopic("x", BAD)).status).toBe(401);
    const limited = await createTopic("x", BAD);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Content-Type")).toBe("application/problem+json");
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await createTopic("Valid after failures", { Authorization: `Bearer ${editor}` })).status).toBe(201);
    expect((await t.get("/api/me", { Authorization: `Bearer ${editor}` })).status).toBe(200);
  });

  it("count only tokens that failed: requests without a token never use up the limit", async () => {
    for (let i = 0; i < MAX_FAILED_AUTH_PER_ADDRESS * 2; i++) {
      const anonymous = await t.app.request("/api/topics", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"name":"x"}' });
      expect(anonymous.status).toBe(401);
    }
    expect((await createTopic("x", BAD)).status).toBe(401);
  });

  it(`are limited over all addresses together: ${MAX_FAILED_AUTH_OVERALL} spread over 127.0.0.x meet the limit, a valid token still passes`, async () => {
    const server = await listen(t);
    const port = Number(new URL(server.url).port);
    const post = (from: string, authorization: string) =>
      new Promise<number>((done, fail) => {
        const req = request(
          {
            host: "127.0.0.1",
            port,
            localAddress: from,
            method: "POST",
            path: "/api/topics",
            headers: { Authorization: authorization, "Content-Type": "application/json" },
          },
          (res) => {
            res.resume();
            res.on("end", () => done(res.statusCode!));
          },
        );
        req.on("error", fail);
        req.end(JSON.stringify({ name: `from ${from} ${Math.random()}` }));
      });
    try {
      const perAddress = MAX_FAILED_AUTH_PER_ADDRESS - 1; // each address stays under its own limit
      const addresses = Math.ceil(MAX_FAILED_AUTH_OVERALL / perAddress);
      const statuses: number[] = [];
      for (let a = 0; a < addresses; a++) {
        for (let i = 0; i < perAddress; i++) statuses.push(await post(`127.0.0.${a + 2}`, BAD.Authorization));
      }
      expect(statuses.slice(0, MAX_FAILED_AUTH_OVERALL).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(MAX_FAILED_AUTH_OVERALL).every((s) => s === 429)).toBe(true);
      expect(await post("127.0.0.200", BAD.Authorization)).toBe(429);
      expect(await post("127.0.0.200", `Bearer ${editor}`)).toBe(201);
    } finally {
      await server.stop();
    }
  });

  it("start again after the window", () => {
    let now = 0;
    const limit = new FailedAuthLimit(createLogger("silent"), () => now);
    for (let i = 0; i < MAX_FAILED_AUTH_PER_ADDRESS; i++) expect(limit.failure("10.0.0.1")).toBeNull();
    expect(limit.failure("10.0.0.1")).toBe(FAILED_AUTH_WINDOW_MS / 1000);
    expect(limit.failure("10.0.0.2")).toBeNull();
    now = FAILED_AUTH_WINDOW_MS - 1500;
    expect(limit.failure("10.0.0.1")).toBe(2);
    now = FAILED_AUTH_WINDOW_MS;
    expect(limit.failure("10.0.0.1")).toBeNull();
  });
});
