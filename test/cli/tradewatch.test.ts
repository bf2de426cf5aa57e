import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, TARIFF_THREAT, TEST_TOKEN } from "../helpers/app.ts";
import { useServedTestApp } from "../helpers/server.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const served = useServedTestApp();

/** Runs the CLI as a child process, asynchronously: the server it may call lives in this process. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["bin/tradewatch.js", ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: `file:${served.t.db.path}`, TRADEWATCH_URL: "", ...env } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

/** The one line a failure prints; fails the test when there are more (a stack trace). */
function oneLineOf(err: string): string {
  const lines = err.trim().split("\n");
  expect(lines, err).toHaveLength(1);
  return lines[0]!;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe("npx tradewatch", () => {
  it("prints help", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("tradewatch deadlines [--as-of DATE]");
  });

  it("prints the pending deadlines as a table, from the local database", async () => {
    const r = await cli(["deadlines", "--as-of", "2025-10-24"]);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines[0]).toMatch(/^DUE\s+IN DAYS\s+OVERDUE\s+WORDING\s+THREAT\s+ID$/);
    expect(lines[1]).toMatch(/^November 2025\s+37\s+“starting in November”/);
    expect(lines.at(-1)).toBe("1 pending");
    expect((await cli(["deadlines", "--as-of", "2025-02-30"])).code).toBe(2);
  });

  it("prints the same table from a running server, and records a status change there with the token", async () => {
    const table = await cli(["deadlines", "--as-of", "2025-10-24", "--url", served.url]);
    expect(table.out).toContain("November 2025");
    // Due in November, from 1 November: within 10 days of 24 October, not within 5 (--within reaches the server as typed).
    for (const [within, count] of [
      ["10", "1 pending"],
      ["5", "0 pending"],
    ]) {
      const r = await cli(["deadlines", "--as-of", "2025-10-24", "--within", within!, "--url", served.url]);
      expect(r.out.trim().split("\n").at(-1), r.err).toBe(count);
    }
    const refused = await cli(["status", "condition", RARE_EARTH_CONDITION, "met", "--reason", "eased", "--url", served.url], { TRADEWATCH_TOKEN: "wrong" });
    expect(refused.code).toBe(2);
    expect(oneLineOf(refused.err)).toMatch(/^tradewatch: Server answered 401: .*; set TRADEWATCH_TOKEN to the server's write token/);
    const ok = await cli(["status", "condition", RARE_EARTH_CONDITION, "met", "--reason", "Beijing eased the curbs", "--url", served.url], {
      TRADEWATCH_TOKEN: TEST_TOKEN,
    });
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain("open → met (1 consequence(s))");
    expect((await cli(["deadlines"])).out.trim().split("\n").at(-1)).toBe("0 pending");
  });

  it("refuses bad arguments with a message naming them", async () => {
    expect((await cli(["status", "threat", "x", "met", "--reason", "r"])).err).toContain("status: must be one of: considering");
    expect((await cli(["status", "treaty", "x", "met"])).err).toContain("kind: must be one of");
    expect((await cli(["status", "threat", "threat-us-100pct-tariff-chinese-goods", "imposed"])).err).toContain("--reason: required");
  });

  it("says in one line what is wrong with a date, an option, the server or the database", async () => {
    const early = await cli(["deadlines", "--as-of", "1899-12-31"]);
    expect(early.code).toBe(2);
    expect(oneLineOf(early.err)).toMatch(/^--as-of: "1899-12-31" must be a date .* in the years 1900 to 2200$/);
    expect(oneLineOf((await cli(["deadlines", "--known-at", "yesterday"])).err)).toMatch(/^--known-at: "yesterday" must be a date/);
    expect(oneLineOf((await cli(["status", "threat", TARIFF_THREAT, "imposed", "--reason", "r", "--effective-at", "2025-02-30"])).err)).toMatch(
      /^--effective-at: "2025-02-30" must be an ISO-8601 date/,
    );
    // --within under the API's rule for whole numbers: plain decimal digits, nothing else read as a number.
    for (const within of ["1e2", " 5", ""]) {
      expect(oneLineOf((await cli(["deadlines", "--within", within])).err)).toBe(
        `--within: "${within}" must be a whole number of days, written in decimal digits only (0-9)`,
      );
    }
    expect(oneLineOf((await cli(["deadlines", "--bogus"])).err)).toMatch(/^tradewatch: Unknown option '--bogus'.*\(see tradewatch --help\)$/);
    const port = await closedPort();
    const unreachable = await cli(["deadlines", "--url", `http://127.0.0.1:${port}`]);
    expect(unreachable.code).toBe(2);
    expect(oneLineOf(unreachable.err)).toBe(
      `tradewatch: cannot reach the server at http://127.0.0.1:${port} (ECONNREFUSED); is it running? check --url or TRADEWATCH_URL`,
    );
    const missing = await cli(["deadlines"], { DATABASE_URL: "file:/nonexistent-tradewatch/none.db" });
    expect(oneLineOf(missing.err)).toBe(
      "tradewatch: no database at /nonexistent-tradewatch/none.db; run npm run db:migrate (or npm start) first, set DATABASE_URL, or use --url",
    );
  }, 90_000);

  it("strips terminal control characters from stored text it prints", async () => {
    const hostile = "Tariff \u001b]0;owned\u0007\u001b[2J\u001b[31mred\u009b1m\u202eevil\nnext";
    // The API refuses such text now (422), but it may be stored from before that rule.
    expect((await served.t.write("PATCH", `/api/threats/${TARIFF_THREAT}`, { summary: hostile })).status).toBe(422);
    served.t.db.writer.prepare(`UPDATE "Threat" SET "summary" = ? WHERE "id" = ?`).run(hostile, TARIFF_THREAT);
    served.t.db.writer.prepare(`UPDATE "Deadline" SET "wording" = ? WHERE "id" = ?`).run("in \u001b[5mNovember", NOVEMBER_DEADLINE);
    for (const args of [
      ["deadlines", "--as-of", "2025-10-24"],
      ["deadlines", "--as-of", "2025-10-24", "--url", served.url],
    ]) {
      const r = await cli(args);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain("“in [5mNovember”");
      expect(r.out).toContain("Tariff ]0;owned[2J[31mred1mevil next");
      const controls = [...r.out].filter((c) => {
        const n = c.codePointAt(0)!;
        return (n < 0x20 && c !== "\n") || (n >= 0x7f && n <= 0x9f) || (n >= 0x202a && n <= 0x202e);
      });
      expect(controls).toEqual([]);
    }
  });
});
