import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SERVER_ARGS } from "../helpers/child-server.ts";
import { npmScript, runCommand } from "../helpers/run-script.ts";

/** Starts the real server with these settings and waits for it to exit (each case here must fail fast). */
function startServer(env: Record<string, string>) {
  return runCommand(process.execPath, SERVER_ARGS, {
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "warn",
    TRADEWATCH_TOKEN: "startup-token-0123456789",
    ...env,
  });
}

/** The single line of stderr; a stack trace or anything more fails the test. */
function oneLineOf(err: string): string {
  const lines = err.trim().split("\n");
  expect(lines, err).toHaveLength(1);
  return lines[0]!;
}

const scratch = () => mkdtempSync(join(tmpdir(), "tradewatch-startup-"));

describe("start-up errors are one line each, with no stack trace", () => {
  it("names the bad setting and what is wrong with it (never echoing a token)", async () => {
    const dir = scratch();
    const port = await startServer({ DATABASE_URL: `file:${join(dir, "t.db")}`, PORT: "abc" });
    expect(port.code).toBe(1);
    expect(oneLineOf(port.err)).toMatch(/^tradewatch: bad setting PORT \(got "abc"\): must be a whole number from 0 to 65535$/);
    const several = await startServer({ DATABASE_URL: "postgres://x", LOG_LEVEL: "loud", TRADEWATCH_TOKEN: "short-secret" });
    expect(several.code).toBe(1);
    const line = oneLineOf(several.err);
    expect(line).toMatch(/DATABASE_URL \(got "postgres:\/\/x"\): must be a SQLite file URL/);
    expect(line).toMatch(/LOG_LEVEL \(got "loud"\): /);
    // The token's length is checked once the settings parse (test/auth-token.test.ts); never echoed.
    expect(line).not.toContain("short-secret");
    expect(existsSync(join(dir, "t.db"))).toBe(false);
  });

  it("refuses a port in use before it migrates or seeds anything", async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, "127.0.0.1", done));
    const { port } = blocker.address() as { port: number };
    const path = join(scratch(), "t.db");
    try {
      const r = await startServer({ DATABASE_URL: `file:${path}`, PORT: String(port) });
      expect(r.code).toBe(1);
      expect(oneLineOf(r.err)).toBe(`tradewatch: PORT: 127.0.0.1:${port} is already in use (another Tradewatch?); stop that process or set PORT`);
      expect(existsSync(path)).toBe(false);
      console.log(`port in use: refused in ${r.ms} ms, database not created`);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });

  it("refuses an unusable database path at once, in the server and in db:migrate", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "a-file"), "not a folder");
    writeFileSync(join(dir, "notes.db"), "plain text, not SQLite ".repeat(100));
    mkdirSync(join(dir, "a-folder.db"));
    const cases: [string, RegExp][] = [
      [join(dir, "a-file", "sub", "t.db"), /a part of the path is a file, not a folder/],
      [join(dir, "a-folder.db"), /is a folder; set DATABASE_URL to a file/],
      [join(dir, "notes.db"), /is not a SQLite database/],
      // Where mkdir answers ENOENT although the parent exists: Node's recursive mkdir spun there forever.
      ["/proc/self/tradewatch/t.db", /the file or its folder cannot be created there \(ENOENT\)/],
    ];
    for (const [path, problem] of cases) {
      const server = await startServer({ DATABASE_URL: `file:${path}` });
      expect(server.code, server.out).toBe(1);
      expect(oneLineOf(server.err)).toMatch(new RegExp(`^tradewatch: DATABASE_URL \\(${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\).*${problem.source}`));
      const migrate = await npmScript("db:migrate", path);
      expect(migrate.code).toBe(1);
      expect(oneLineOf(migrate.err)).toMatch(new RegExp(`^db:migrate: DATABASE_URL .*${problem.source}`));
      console.log(`unusable path ${path.replace(dir, "")}: server refused in ${server.ms} ms, db:migrate in ${migrate.ms} ms`);
    }
  }, 120_000);
});
