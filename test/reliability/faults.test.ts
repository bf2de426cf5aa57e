import { spawnSync } from "node:child_process";
import { closeSync, copyFileSync, mkdtempSync, openSync, renameSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, WRITE_LOCK_WAIT_MS } from "../../src/db/client.ts";
import { seedAll } from "../../src/seed/run.ts";
import { type ChildServer, SERVER_ARGS, startChildServer } from "../helpers/child-server.ts";
import { freshDatabaseFile } from "../helpers/database.ts";

const TOKEN = "faults-test-token-0123456789";
const ROOT = resolve(import.meta.dirname, "../..");
const THREAT = "threat-us-100pct-tariff-chinese-goods";

function post(url: string, path: string, body: unknown) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

/** A seeded database file with enough pages that damage lands inside tables and indexes. */
async function seededFile(): Promise<string> {
  const path = freshDatabaseFile();
  const db = await openDatabase(path);
  await seedAll(db);
  await db.prismaTransaction(async (tx) => {
    for (let i = 0; i < 300; i++) await tx.topic.create({ data: { id: `topic-filler-${i}`, name: `Filler topic ${i} ${"x".repeat(200)}` } });
  });
  await db.close();
  return path;
}

const servers: ChildServer[] = [];
async function serve(path: string): Promise<ChildServer> {
  const server = await startChildServer(path, TOKEN);
  servers.push(server);
  return server;
}
afterAll(async () => {
  for (const s of servers) {
    if (s.process.exitCode === null) s.process.kill("SIGKILL");
    await s.exited;
  }
});

describe("a failed COMMIT (disk full)", () => {
  let mountPoint: string | undefined;
  afterAll(() => {
    if (!mountPoint) return;
    spawnSync("umount", ["-l", mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it("answers 503 problem+json, hangs nothing, and writes succeed again once space is freed", { timeout: 90_000 }, async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), "tradewatch-full-"));
    if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", dir]).status !== 0) {
      console.warn(`SKIPPED disk-full test: cannot mount a 3 MB tmpfs at ${dir} (needs root, as CI has)`);
      rmSync(dir, { recursive: true, force: true });
      ctx.skip();
    }
    mountPoint = dir;
    const path = join(dir, "tracker.db");
    copyFileSync(freshDatabaseFile(), path);
    const server = await serve(path);

    // Fill the filesystem to the last byte.
    const filler = join(dir, "filler");
    const fd = openSync(filler, "w");
    const block = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, block);
    } catch {
      for (;;) {
        try {
          writeSync(fd, block, 0, 512);
        } catch {
          break;
        }
      }
    }
    closeSync(fd);

    // Big creates (through Prisma) until the WAL cannot grow; each answers, none with 500.
    const article = (n: number) => ({ title: `Filler ${n}`, publisher: "Test", publishedAt: "2025-10-23", text: `${n} ${"A long article. ".repeat(12_000)}` });
    const statuses: number[] = [];
    let failed: Response | undefined;
    for (let n = 0; n < 20 && !failed; n++) {
      const res = await post(server.url, "/api/sources", article(n));
      statuses.push(res.status);
      if (res.status !== 201) failed = res;
    }
    expect(failed?.status, `statuses: ${statuses.join(",")}`).toBe(503);
    expect(failed!.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(failed!.headers.get("retry-after"))).toBeGreaterThan(0);

    // Later writes on both paths answer at once (503), instead of queueing behind a lock never released.
    const again = await timed(() => post(server.url, "/api/sources", article(100)));
    expect(again.value.status).toBe(503);
    expect(again.ms).toBeLessThan(5_000);
    const statusChange = await post(server.url, `/api/threats/${THREAT}/status`, { status: "imposed", reason: "disk full test" });
    expect([200, 503]).toContain(statusChange.status);

    unlinkSync(filler);
    const recovered = await timed(() => post(server.url, "/api/sources", article(200)));
    expect(recovered.value.status).toBe(201);
    const { id } = (await recovered.value.json()) as { id: string };
    expect((await fetch(`${server.url}/api/sources/${id}`)).status).toBe(200);
    const topic = await post(server.url, "/api/topics", { name: "written after the disk was freed" });
    expect(topic.status).toBe(201);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    console.info(
      `disk full: statuses before freeing ${statuses.join(",")}; 503 again in ${again.ms.toFixed(0)} ms; after freeing 201 in ${recovered.ms.toFixed(0)} ms`,
    );
  });
});

describe("a database file lost under a running server", () => {
  it("deleted: /health answers 503 and writes are refused, never 201 into the deleted file", async () => {
    const path = freshDatabaseFile();
    const server = await serve(path);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { detail: string }).detail).toMatch(/deleted/);
    const write = await post(server.url, "/api/topics", { name: "into nowhere" });
    expect(write.status).toBe(503);
    const change = await post(server.url, `/api/threats/${THREAT}/status`, { status: "imposed", reason: "into nowhere" });
    expect(change.status).toBe(503);
  });

  it("replaced by another file: /health answers 503 and writes are refused", async () => {
    const path = freshDatabaseFile();
    const server = await serve(path);
    const other = `${path}.other`;
    copyFileSync(freshDatabaseFile(), other);
    renameSync(other, path);

    expect((await fetch(`${server.url}/health`)).status).toBe(503);
    const write = await post(server.url, "/api/topics", { name: "into the old file" });
    expect(write.status).toBe(503);
    expect(((await write.json()) as { detail: string }).detail).toMatch(/replaced/);
  });
});

describe("a database file damaged under a running server", () => {
  it("answers 503, not 500, for the damaged read, then keeps /health at 503 and refuses writes", async () => {
    const path = freshDatabaseFile();
    const server = await serve(path);
    for (let i = 0; i < 40; i++) expect((await post(server.url, "/api/topics", { name: `Topic ${i} ${"y".repeat(2_000)}` })).status).toBe(201);
    const other = new Database(path);
    try {
      other.pragma("wal_checkpoint(TRUNCATE)");
      const pageSize = other.pragma("page_size", { simple: true }) as number;
      const fd = openSync(path, "r+");
      // Every page but the first (the schema): an invalid b-tree page type in each header.
      for (let page = 1; page * pageSize < statSync(path).size; page++) writeSync(fd, Buffer.alloc(16, 0xa5), 0, 16, page * pageSize);
      closeSync(fd);
      // A commit from another connection makes the server's connections drop their page caches.
      other.pragma("user_version = 7");
    } finally {
      other.close();
    }

    const list = await fetch(`${server.url}/api/topics?limit=500`);
    expect(list.status).toBe(503);
    expect(list.headers.get("content-type")).toContain("application/problem+json");
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { detail: string }).detail).toMatch(/damaged/);
    expect((await post(server.url, "/api/topics", { name: "into a damaged file" })).status).toBe(503);
  });
});

describe("start-up on a damaged database file", () => {
  function start(path: string) {
    return spawnSync(process.execPath, SERVER_ARGS, {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: `file:${path}`, PORT: "0", TRADEWATCH_TOKEN: TOKEN, LOG_LEVEL: "warn" },
      encoding: "utf8",
      timeout: 30_000,
    });
  }

  it("refuses garbled pages with one clear line", async () => {
    const path = await seededFile();
    const size = statSync(path).size;
    const fd = openSync(path, "r+");
    for (let page = 3; page * 4096 < size; page += 4) writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, page * 4096 + 100);
    closeSync(fd);

    const run = start(path);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/damaged|cannot be read/);
    expect(lines[0]).toMatch(/restore a backup/);
    expect(run.stdout).not.toMatch(/running at/);
  });

  it("refuses a truncated file with one clear line", async () => {
    const path = await seededFile();
    truncateSync(path, Math.floor(statSync(path).size / 2));

    const run = start(path);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/damaged|cannot be read/);
  });
});

describe("a large file's start-up check, finished after the server is up", () => {
  it("serves meanwhile, then keeps /health at 503 and refuses writes once it finds damage", { timeout: 60_000 }, async () => {
    const path = await seededFile();
    // Damage in the last pages only (filler rows): start-up can open and migrate the file; only the check sees it.
    const size = statSync(path).size;
    const fd = openSync(path, "r+");
    for (let page = Math.floor(size / 4096) - 3; page * 4096 < size; page++) writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, page * 4096 + 100);
    closeSync(fd);

    // No wait at all: as for a file too large to check before serving.
    const server = await startChildServer(path, TOKEN, { START_CHECK_WAIT_MS: "0" });
    servers.push(server);
    let health: Response;
    const deadline = Date.now() + 30_000;
    do health = await fetch(`${server.url}/health`);
    while (health.status === 200 && Date.now() < deadline);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { detail: string }).detail).toMatch(/damaged.*start-up check/);
    expect((await post(server.url, "/api/topics", { name: "into a damaged file" })).status).toBe(503);
  });
});

/** A preload (NODE_OPTIONS --require) that runs `code` where the start-up check of the database file runs, and nowhere else. */
function inTheCheck(code: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "tradewatch-preload-")), "in-the-check.cjs");
  writeFileSync(
    file,
    `const wt = require("node:worker_threads");\nif (process.env.TRADEWATCH_FILE_CHECK || (!wt.isMainThread && wt.workerData && wt.workerData.driver)) { ${code} }\n`,
  );
  return `${process.env.NODE_OPTIONS ?? ""} --require ${file}`;
}

describe("a start-up check still running at shutdown", () => {
  it("does not hold the server's exit", { timeout: 60_000 }, async () => {
    const path = freshDatabaseFile();
    const db = await openDatabase(path);
    await seedAll(db);
    await db.close();
    // A check that takes 20 s inside one native call (as quick_check of a large file does).
    const server = await startChildServer(path, TOKEN, {
      START_CHECK_WAIT_MS: "0",
      NODE_OPTIONS: inTheCheck(`require("node:child_process").execSync("sleep 20");`),
    });
    servers.push(server);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const { ms, value: code } = await timed(async () => {
      server.process.kill("SIGTERM");
      return server.exited;
    });
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5_000);
  });
});

describe("a start-up check that cannot run", () => {
  it("is not taken for damage: a sound file is served, with a warning that it was not checked", { timeout: 60_000 }, async () => {
    const path = freshDatabaseFile();
    const db = await openDatabase(path);
    await seedAll(db);
    await db.close();
    // The check fails as it loads (as when threads, processes or memory run out); the server itself is unaffected.
    const server = await startChildServer(path, TOKEN, { NODE_OPTIONS: inTheCheck(`throw new Error("no thread for the check");`) });
    servers.push(server);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await post(server.url, "/api/topics", { name: "written after an unchecked start" })).status).toBe(201);
    // Log lines reach stdout within LOG_FLUSH_MS (src/logger.ts), not at once.
    await expect.poll(() => server.output(), { timeout: 5_000 }).toMatch(/no thread for the check/);
    await expect.poll(() => server.output(), { timeout: 5_000 }).toMatch(/could not be checked/);
  });
});

describe("the start-up check of a file not in WAL mode", () => {
  it("is awaited in full: switching the file to WAL must wait for the check's read, so start-up cannot go on beside it", { timeout: 60_000 }, async () => {
    const path = await seededFile();
    // A rollback-journal file (one made by another tool, or a copy of a file in that mode), damaged where only the check looks.
    const plain = new Database(path);
    plain.pragma("journal_mode = DELETE");
    plain.close();
    const size = statSync(path).size;
    const fd = openSync(path, "r+");
    for (let page = Math.floor(size / 4096) - 3; page * 4096 < size; page++) writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, page * 4096 + 100);
    closeSync(fd);

    // No wait at all for a WAL file; this one is checked before start-up writes to it.
    const run = spawnSync(process.execPath, SERVER_ARGS, {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: `file:${path}`, PORT: "0", TRADEWATCH_TOKEN: TOKEN, LOG_LEVEL: "warn", START_CHECK_WAIT_MS: "0" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr.trim()).toMatch(/^tradewatch: The database file .* is damaged .*restore a backup/);
    expect(run.stdout).not.toMatch(/running at/);
  });
});

describe("another process holding the write lock", () => {
  it("never blocks the event loop: /health answers fast, and a write that cannot get the lock gets 503 with Retry-After", { timeout: 60_000 }, async () => {
    const path = freshDatabaseFile();
    const server = await serve(path);
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    try {
      const started = performance.now();
      const blockedCreate = post(server.url, "/api/topics", { name: "waits for the lock" });
      const blockedChange = post(server.url, `/api/threats/${THREAT}/status`, { status: "imposed", reason: "waits for the lock" });
      const healthTimes: number[] = [];
      for (let i = 0; i < 10; i++) {
        const { ms, value } = await timed(() => fetch(`${server.url}/health`));
        expect(value.status).toBe(200);
        healthTimes.push(ms);
      }
      const create = await blockedCreate;
      const change = await blockedChange;
      const waited = performance.now() - started;
      expect(create.status).toBe(503);
      expect(create.headers.get("retry-after")).toBe("1");
      expect(create.headers.get("content-type")).toContain("application/problem+json");
      expect(change.status).toBe(503);
      expect(waited).toBeGreaterThanOrEqual(WRITE_LOCK_WAIT_MS - 100);
      healthTimes.sort((a, b) => a - b);
      console.info(`lock held elsewhere: /health ${healthTimes.map((t) => t.toFixed(0)).join(", ")} ms; writes answered 503 after ${waited.toFixed(0)} ms`);
      expect(healthTimes[Math.floor(healthTimes.length / 2)]).toBeLessThan(100);
      expect(healthTimes.at(-1)).toBeLessThan(1_000);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    // The lock released, writes go through again.
    expect((await post(server.url, "/api/topics", { name: "after the lock" })).status).toBe(201);
  });
});
