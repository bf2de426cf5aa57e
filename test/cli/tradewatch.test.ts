import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { RARE_EARTH_CONDITION, TEST_TOKEN } from "../helpers/app.ts";
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
    const refused = await cli(["status", "condition", RARE_EARTH_CONDITION, "met", "--reason", "eased", "--url", served.url], { TRADEWATCH_TOKEN: "wrong" });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("401");
    const ok = await cli(["status", "condition", RARE_EARTH_CONDITION, "met", "--reason", "Beijing eased the curbs", "--url", served.url], {
      TRADEWATCH_TOKEN: TEST_TOKEN,
    });
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain("open → met (1 consequence(s))");
    expect((await cli(["deadlines"])).out.trim().split("\n").at(-1)).toBe("0 pending");
  });

  it("refuses bad arguments with a message naming them", async () => {
    expect((await cli(["status", "threat", "x", "met", "--reason", "r"])).err).toContain("status: must be one of considering");
    expect((await cli(["status", "treaty", "x", "met"])).err).toContain("kind: must be one of");
    expect((await cli(["status", "threat", "threat-us-100pct-tariff-chinese-goods", "imposed"])).err).toContain("--reason: required");
  });
});
