import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { LOG_FLUSH_MS } from "../../src/logger.ts";
import { seedAll } from "../../src/seed/run.ts";
import { type ChildServer, startChildServer } from "../helpers/child-server.ts";
import { freshDatabaseFile } from "../helpers/database.ts";

// The server gathers its log lines and writes them a few KB or LOG_FLUSH_MS at a time (src/logger.ts).
// What an operator tailing the log must still get: a quiet server's line soon, every line of a
// burst exactly once and whole, and the last lines when the server stops.

const TOKEN = "server-logs-test-token-0123456789";
const servers: ChildServer[] = [];
afterAll(() => {
  for (const s of servers) s.process.kill("SIGKILL");
});

const logLines = (output: string) =>
  output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function seededServer(): Promise<ChildServer> {
  const path = freshDatabaseFile();
  const db = await openDatabase(path);
  await seedAll(db);
  await db.close();
  const server = await startChildServer(path, TOKEN, { LOG_LEVEL: "info" });
  servers.push(server);
  return server;
}

describe("the server's log", () => {
  it("keeps serving while nothing reads stdout, and the lines follow once it is read again", { timeout: 60_000 }, async () => {
    const server = await seededServer();
    // Stop reading the pipe: the kernel and the reader's buffer hold a few hundred KB, then writes to it fail (EAGAIN).
    server.process.stdout!.pause();
    const before = server.output().length;
    for (let round = 0; round < 40; round++) {
      // The log line holds the path: a long one (an unknown topic) makes each line about 4 KB.
      const answers = await Promise.all(Array.from({ length: 25 }, () => fetch(`${server.url}/api/topics/${"x".repeat(4000)}`)));
      for (const a of answers) {
        expect(a.status).toBeLessThan(500);
        await a.arrayBuffer();
      }
    }
    // 1,000 lines of about 4 KB: many times what the pipe and the reader's buffer hold.
    const asked = performance.now();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(performance.now() - asked).toBeLessThan(2_000);
    expect(server.output().length - before).toBeLessThan(200_000);
    server.process.stdout!.resume();
    await expect.poll(() => logLines(server.output()).filter((l) => l.msg === "request").length, { timeout: 10_000 }).toBeGreaterThan(1_000);
  });

  it("writes a lone request's line within about LOG_FLUSH_MS, with the request id the answer carries", { timeout: 60_000 }, async () => {
    const server = await seededServer();
    const res = await fetch(`${server.url}/api/topics?limit=1`);
    expect(res.status).toBe(200);
    const id = res.headers.get("X-Request-Id");
    const asked = performance.now();
    await expect
      .poll(() => logLines(server.output()).find((l) => l.requestId === id), { timeout: 5_000, interval: 20 })
      .toMatchObject({ method: "GET", path: "/api/topics", status: 200 });
    // Generous against a busy machine, yet far below "only when 4 KB have gathered" (which a quiet server never reaches).
    expect(performance.now() - asked).toBeLessThan(LOG_FLUSH_MS + 1_500);
  });

  it("keeps every line of a burst, each whole and once, and writes the last lines when stopped", { timeout: 60_000 }, async () => {
    const server = await seededServer();
    const ids: string[] = [];
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/api/deadlines?status=pending&limit=5`)));
      for (const a of answers) {
        expect(a.status).toBe(200);
        ids.push(a.headers.get("X-Request-Id")!);
        await a.arrayBuffer();
      }
    }
    server.process.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    // Every line is JSON (logLines would throw on a cut one), each request's exactly once, and the goodbye after them.
    const lines = logLines(server.output());
    const seen = lines.filter((l) => l.msg === "request").map((l) => l.requestId as string);
    expect(seen.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    expect(lines.at(-1)).toMatchObject({ msg: "database closed; bye" });
  });
});
