import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/create-app.ts";
import { resolveWriteToken, tokensMatch } from "../../src/auth-token.ts";
import { loadConfig } from "../../src/config.ts";
import { TEST_TOKEN, type TestApp, testApp } from "../helpers/app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe("authentication", () => {
  it("compares tokens in constant time, whatever their lengths", () => {
    expect(tokensMatch(TEST_TOKEN, TEST_TOKEN)).toBe(true);
    expect(tokensMatch("short", TEST_TOKEN)).toBe(false);
    expect(tokensMatch(`${TEST_TOKEN}x`, TEST_TOKEN)).toBe(false);
  });

  it("creates the token file readable only by its owner, and reuses it", () => {
    const dir = mkdtempSync(join(tmpdir(), "tradewatch-token-"));
    const config = loadConfig({ DATABASE_URL: `file:${join(dir, "t.db")}` });
    const first = resolveWriteToken(config);
    expect(first.origin).toBe(join(dir, "token"));
    expect(statSync(first.origin).mode & 0o777).toBe(0o600);
    expect(first.token.length).toBeGreaterThanOrEqual(32);
    expect(resolveWriteToken(config).token).toBe(first.token);
    expect(resolveWriteToken(loadConfig({ DATABASE_URL: `file:${join(dir, "t.db")}`, TRADEWATCH_TOKEN: "from-the-environment-123" })).token).toBe(
      "from-the-environment-123",
    );
  });
});

describe("responses", () => {
  it("carry secure headers, a request id echoed in problem bodies, and no CORS by default", async () => {
    const res = await t.get("/api/threats/nope", { Origin: "https://evil.example" });
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
    expect(res.headers.get("Content-Security-Policy")).toContain("default-src 'self'");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const id = res.headers.get("X-Request-Id");
    expect(id).toBeTruthy();
    expect(((await res.json()) as { requestId: string }).requestId).toBe(id);
  });

  it("open CORS only to configured origins", async () => {
    const app = createApp({
      db: t.db,
      token: TEST_TOKEN,
      logger: pino({ level: "silent" }),
      config: { CORS_ORIGINS: ["https://desk.example"], BODY_LIMIT_BYTES: 1e5, REQUEST_TIMEOUT_MS: 1e4 },
    });
    const allowed = await app.request("/api/topics", { headers: { Origin: "https://desk.example" } });
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe("https://desk.example");
    const other = await app.request("/api/topics", { headers: { Origin: "https://evil.example" } });
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("never put stack traces, SQL or file paths in error bodies", async () => {
    for (const res of [
      await t.write("POST", "/api/threats", '{"scenarioId": "x"'),
      await t.write("POST", "/api/conditions", { threatId: "'; DROP TABLE x; --", description: "d", effect: "averts" }),
      await t.get("/api/deadlines?asOf=1200-01-01"),
    ]) {
      const text = await res.text();
      expect(res.status).toBeLessThan(500);
      expect(text).not.toMatch(/at .*\.ts:\d+|SELECT |INSERT |\/work\/|node_modules|Prisma/);
    }
  });
});

describe("logs", () => {
  it("are JSON lines with the request id, and never contain the token", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = createApp({
      db: t.db,
      token: TEST_TOKEN,
      logger: pino({ level: "info" }, sink),
      config: { CORS_ORIGINS: [], BODY_LIMIT_BYTES: 1e5, REQUEST_TIMEOUT_MS: 1e4 },
    });
    const ok = await app.request("/api/topics", {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, "Content-Type": "application/json" },
      body: '{"name":"Logged"}',
    });
    await app.request("/api/topics", { method: "POST", headers: { Authorization: `Bearer ${TEST_TOKEN}x`, "Content-Type": "application/json" }, body: "{}" });
    const all = lines.join("");
    expect(all).not.toContain(TEST_TOKEN);
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.requestId === ok.headers.get("X-Request-Id"));
    expect(entry).toMatchObject({ method: "POST", path: "/api/topics", status: 201 });
  });
});
