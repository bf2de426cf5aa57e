import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { SERVER_BUNDLE, SERVER_NODE_FLAGS } from "../../scripts/build-server.mjs";

const ROOT = resolve(import.meta.dirname, "../..");

describe("npm start", () => {
  it("runs the built server with the flags the tests and the bench use", () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(scripts.start).toBe(`node scripts/build-server.mjs && exec node ${SERVER_NODE_FLAGS.join(" ")} ${SERVER_BUNDLE}`);
  });

  it("npm run bench builds the server it measures first: a bundle left from before an edit is not what it measures", () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(scripts.bench).toBe("node scripts/build-server.mjs && tsx bench/run.ts");
  });

  it("builds, creates, migrates and seeds a new database file, and serves the API, the desk and its files", async () => {
    const { child, url, exited } = await npmStart();
    try {
      // The seeded article: the 100% tariff's deadline was pending on 24 October 2025.
      const pending = (await (await fetch(`${url}/api/deadlines?status=pending&asOf=2025-10-24`)).json()) as { items: { dueAt: string }[] };
      expect(pending.items.map((d) => d.dueAt)).toContain("2025-11-01T00:00:00.000Z");
      // Files found from the built server's place: the desk's assets and the migrations it ran.
      const desk = await fetch(`${url}/`);
      expect(desk.status).toBe(200);
      expect((await fetch(`${url}/assets/desk.css`)).status).toBe(200);
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      process.kill(-child.pid!, "SIGTERM");
      await exited;
    }
  });

  it("stops the server when npm alone gets SIGTERM (as a process manager sends it)", async () => {
    const { child, url, exited } = await npmStart();
    try {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      process.kill(child.pid!, "SIGTERM");
      await exited;
      // npm passes the signal to its script's process only: the server must be that process, not a shell's child left serving.
      const serving = () =>
        fetch(`${url}/health`).then(
          () => true,
          () => false,
        );
      await expect.poll(serving, { timeout: 15_000 }).toBe(false);
    } finally {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // the whole group has already stopped
      }
    }
  });
});

/** `npm start` on a new database file, in its own process group: npm, its shell and the server below it. */
async function npmStart(): Promise<{ child: ChildProcess; url: string; exited: Promise<void> }> {
  const path = join(mkdtempSync(join(tmpdir(), "tradewatch-start-")), "new.db");
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, DATABASE_URL: `file:${path}`, PORT: "0", HOST: "127.0.0.1", TRADEWATCH_TOKEN: "npm-start-token-0123456789", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((done) => child.on("exit", () => done()));
  const url = await new Promise<string>((found, fail) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /running at (http:\/\/[^/\s]+)\//.exec(output);
      if (m) found(m[1]!);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => fail(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return { child, url, exited };
}
