import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/create-app.ts";
import { openDatabase, type TrackerDatabase } from "../../src/db/client.ts";
import { createLogger } from "../../src/logger.ts";
import { TEST_TOKEN } from "../helpers/app.ts";
import { freshDatabaseFile } from "../helpers/database.ts";

const ROOT = resolve(import.meta.dirname, "../..");
let path: string;
let db: TrackerDatabase;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  path = freshDatabaseFile();
  db = await openDatabase(path);
  app = createApp({ db, token: TEST_TOKEN, logger: createLogger("silent"), config: { CORS_ORIGINS: [], BODY_LIMIT_BYTES: 1e5, REQUEST_TIMEOUT_MS: 1e4 } });
});
afterAll(() => db.close());

function users(args: string[], databasePath = path): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["bin/tradewatch.js", "users", ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: `file:${databasePath}` } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

/** Each CLI run starts Node and tsx (2–5 s on a busy 2-core machine): room for several per test. */
const SPAWNING_TEST_MS = 120_000;

const me = async (token: string) => app.request("/api/me", { headers: { Authorization: `Bearer ${token}` } });

describe("npx tradewatch users", () => {
  it(
    "add prints a token once, which the running app accepts at once; list never shows it; revoke stops it",
    async () => {
      const added = await users(["add", "--name", "Ana Ruiz", "--role", "editor"]);
      expect(added.code, added.err).toBe(0);
      const token = added.out.trim().split("\n").at(-1)!;
      expect(added.out).toContain("Added Ana Ruiz (editor)");
      expect(token).toMatch(/^[\w-]{12}\.[\w-]{43}$/);
      expect(await (await me(token)).json()).toEqual({ name: "Ana Ruiz", role: "editor" });

      const row = db.reader.prepare('SELECT salt, secretHash FROM "Account" WHERE name = ?').get("Ana Ruiz") as { salt: string; secretHash: string };
      expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(token.split(".")[1]!);

      const list = await users(["list"]);
      expect(list.code).toBe(0);
      expect(list.out).toMatch(/^Ana Ruiz\teditor\tadded \d{4}-\d\d-\d\d\tactive$/m);
      for (const secret of [token, token.split(".")[1]!, row.salt, row.secretHash]) expect(list.out).not.toContain(secret);

      const revoked = await users(["revoke", "--name", "ana ruiz"]);
      expect(revoked.code, revoked.err).toBe(0);
      expect(revoked.out).toContain("Revoked Ana Ruiz (editor)");
      expect((await me(token)).status).toBe(401);
      expect((await users(["list"])).out).toMatch(/^Ana Ruiz\teditor\tadded .*\trevoked \d{4}-\d\d-\d\d$/m);
    },
    SPAWNING_TEST_MS,
  );

  it(
    "refuses bad arguments with one line naming them, and changes nothing",
    async () => {
      const cases: [string[], string][] = [
        [["add", "--name", "Bo", "--role", "owner"], "--role: must be one of reader, editor, admin"],
        [["add", "--name", "Bo"], "--role: required (reader, editor, admin)"],
        [["add", "--role", "reader"], "--name: required"],
        [["revoke", "--name", "Nobody"], 'No account named "Nobody"'],
        [["add", "--name", "Bo", "--role", "reader", "--colour", "red"], "Unknown option '--colour'"],
        // The local CLI signs its own writes "cli", the seed loader "seed", the shared token "admin".
        [["add", "--name", "cli", "--role", "admin"], '--name: The name "cli" is the built-in writer "cli"'],
        [["add", "--name", "SEED", "--role", "editor"], '--name: The name "SEED" is the built-in writer "seed"'],
        [["add", "--name", "ａｄｍｉｎ", "--role", "admin"], 'is the built-in writer "admin"'],
      ];
      const accounts = () => (db.reader.prepare('SELECT count(*) AS n FROM "Account"').get() as { n: number }).n;
      const before = accounts();
      const results = await Promise.all(cases.map(([args]) => users(args)));
      results.forEach((r, i) => {
        const [args, message] = cases[i]!;
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.err, args.join(" ")).toContain(message);
        expect(r.err).not.toMatch(/\n\s+at /);
      });
      expect(accounts()).toBe(before);
      await users(["add", "--name", "Cy", "--role", "reader"]);
      const twice = await users(["add", "--name", "CY", "--role", "admin"]);
      expect(twice.code).toBe(2);
      expect(twice.err.trim()).toBe('--name: An account named "Cy" already exists');
    },
    SPAWNING_TEST_MS,
  );

  it(
    "says to migrate first when the database is missing",
    async () => {
      const r = await users(["list"], resolve(ROOT, "no-such-folder/none.db"));
      expect(r.code).toBe(2);
      expect(r.err).toContain("No database at");
    },
    SPAWNING_TEST_MS,
  );
});
