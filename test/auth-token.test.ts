import { spawn } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveWriteToken, TokenSetupError } from "../src/auth-token.ts";
import { loadConfig } from "../src/config.ts";
import { SERVER_ARGS } from "./helpers/child-server.ts";

const ROOT = resolve(import.meta.dirname, "..");

function folder(): string {
  return mkdtempSync(join(tmpdir(), "tradewatch-token-"));
}

/** Starts the real server with `env`, expecting it to refuse; resolves with its exit code and stderr. */
function refusedStart(env: Record<string, string>): Promise<{ code: number | null; err: string; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, SERVER_ARGS, {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    let out = "";
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      // Started after all: stop it so the test fails on the assertion, not a timeout.
      if (out.includes("running at")) child.kill();
    });
    child.on("exit", (code) => done({ code, err, out }));
  });
}

describe("the single-user token", () => {
  it("is refused below 16 characters, from the variable and from the file", () => {
    const dir = folder();
    expect(() => resolveWriteToken(loadConfig({ DATABASE_URL: `file:${join(dir, "t.db")}`, TRADEWATCH_TOKEN: "short-token" }))).toThrow(
      new TokenSetupError("TRADEWATCH_TOKEN holds a token of 11 characters: tokens must be at least 16"),
    );
    const file = join(dir, "token");
    writeFileSync(file, "abc\n");
    expect(() => resolveWriteToken(loadConfig({ DATABASE_URL: `file:${join(dir, "t.db")}` }))).toThrow(`${file} holds a token of 3 characters`);
    expect(resolveWriteToken(loadConfig({ DATABASE_URL: `file:${join(dir, "t.db")}`, TRADEWATCH_TOKEN: "exactly-16-chars" })).token).toBe("exactly-16-chars");
  });

  it("an empty token file is an error, not writes silently disabled", () => {
    const dir = folder();
    writeFileSync(join(dir, "my-token"), "\n");
    expect(() => resolveWriteToken(loadConfig({ DATABASE_URL: `file:${join(dir, "t.db")}`, TRADEWATCH_TOKEN_FILE: join(dir, "my-token") }))).toThrow(
      `${join(dir, "my-token")} is empty`,
    );
  });

  it("stops start-up with one clear line, before the database is created", async () => {
    const dir = folder();
    const short = await refusedStart({ DATABASE_URL: `file:${join(dir, "a.db")}`, TRADEWATCH_TOKEN: "tiny" });
    expect(short.code).toBe(1);
    expect(short.err.trim()).toBe("tradewatch: TRADEWATCH_TOKEN holds a token of 4 characters: tokens must be at least 16");
    writeFileSync(join(dir, "empty"), "");
    const empty = await refusedStart({ DATABASE_URL: `file:${join(dir, "b.db")}`, TRADEWATCH_TOKEN_FILE: join(dir, "empty") });
    expect(empty.code).toBe(1);
    expect(empty.err.trim().split("\n")).toEqual([
      `tradewatch: ${join(dir, "empty")} is empty: put a token of at least 16 characters in it, or remove it to have one generated`,
    ]);
    expect(() => statSync(join(dir, "b.db"))).toThrow();
  }, 120_000);
});
