import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/create-app.ts";
import { addAccount } from "../../src/db/accounts.ts";
import { createLogger } from "../../src/logger.ts";
import { NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, TEST_TOKEN, type TestApp, testApp } from "../helpers/app.ts";

let t: TestApp;
let tokens: Record<"reader" | "editor" | "admin", string>;
beforeEach(async () => {
  t = await testApp();
  tokens = {
    reader: (await addAccount(t.db, "Rita Reader", "reader")).token,
    editor: (await addAccount(t.db, "Ed Editor", "editor")).token,
    admin: (await addAccount(t.db, "Ada Admin", "admin")).token,
  };
});
afterEach(() => t.close());

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const metCondition = { status: "met", reason: "Beijing eased the curbs" };

describe("roles", () => {
  it("/api/me names the account and its role, and is 401 without a valid token", async () => {
    expect(await (await t.get("/api/me", bearer(tokens.reader))).json()).toEqual({ name: "Rita Reader", role: "reader" });
    expect(await (await t.get("/api/me", bearer(TEST_TOKEN))).json()).toEqual({ name: "admin", role: "admin" });
    const anonymous = await t.get("/api/me");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("Content-Type")).toBe("application/problem+json");
  });

  it("a reader may read but not write: 403 problem naming the role", async () => {
    expect((await t.get("/api/threats", bearer(tokens.reader))).status).toBe(200);
    const res = await t.write("POST", `/api/conditions/${RARE_EARTH_CONDITION}/status`, metCondition, bearer(tokens.reader));
    expect(res.status).toBe(403);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ type: "/problems/forbidden", role: "reader", needed: "editor" });
    expect((await t.write("POST", "/api/topics", { name: "Chips" }, bearer(tokens.reader))).status).toBe(403);
  });

  it("an editor writes records and statuses, and the history's `by` is the editor's name", async () => {
    expect((await t.write("POST", "/api/topics", { name: "Chips" }, bearer(tokens.editor))).status).toBe(201);
    const res = await t.write("POST", `/api/conditions/${RARE_EARTH_CONDITION}/status`, metCondition, bearer(tokens.editor));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entry: { by: string }; consequences: { by: string }[] };
    expect(body.entry.by).toBe("Ed Editor");
    type History = { items: { to: string; by: string }[] };
    const history = (await (await t.get(`/api/conditions/${RARE_EARTH_CONDITION}/history`)).json()) as History;
    expect(history.items.at(-1)).toMatchObject({ to: "met", by: "Ed Editor" });
    // A consequence is recorded for the same person.
    const deadline = (await (await t.get(`/api/deadlines/${NOVEMBER_DEADLINE}/history`)).json()) as History;
    expect(deadline.items.at(-1)).toMatchObject({ to: "averted", by: "Ed Editor" });
  });

  it("an editor may not manage accounts; an admin may list, add and revoke them", async () => {
    expect((await t.get("/api/accounts", bearer(tokens.editor))).status).toBe(403);
    expect((await t.write("POST", "/api/accounts", { name: "X", role: "reader" }, bearer(tokens.editor))).status).toBe(403);

    const list = await t.get("/api/accounts", bearer(tokens.admin));
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(JSON.parse(text).items.map((a: { name: string }) => a.name)).toEqual(["Ada Admin", "Ed Editor", "Rita Reader"]);
    expect(text).not.toMatch(/token|salt|secretHash|"id"/);

    const added = await t.write("POST", "/api/accounts", { name: "Nia New", role: "editor" }, bearer(tokens.admin));
    expect(added.status).toBe(201);
    const { token } = (await added.json()) as { token: string };
    expect(await (await t.get("/api/me", bearer(token))).json()).toEqual({ name: "Nia New", role: "editor" });

    const revoked = await t.write("DELETE", `/api/accounts/${encodeURIComponent("Nia New")}`, undefined, bearer(tokens.admin));
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
    expect((await t.get("/api/me", bearer(token))).status).toBe(401);
  });

  it("the single-user token is an admin named by TRADEWATCH_TOKEN_NAME (default admin)", async () => {
    expect((await t.get("/api/accounts", bearer(TEST_TOKEN))).status).toBe(200);
    const named = createApp({
      db: t.db,
      token: TEST_TOKEN,
      logger: createLogger("silent"),
      config: { CORS_ORIGINS: [], BODY_LIMIT_BYTES: 1e5, REQUEST_TIMEOUT_MS: 1e4, TRADEWATCH_TOKEN_NAME: "Lead Analyst" },
    });
    const res = await named.request(`/api/conditions/${RARE_EARTH_CONDITION}/status`, {
      method: "POST",
      headers: { ...bearer(TEST_TOKEN), "Content-Type": "application/json" },
      body: JSON.stringify(metCondition),
    });
    expect(((await res.json()) as { entry: { by: string } }).entry.by).toBe("Lead Analyst");
  });
});

describe("tokens refused", () => {
  it("a revoked token gets 401 from the next request on, and its name is not reused", async () => {
    expect((await t.write("POST", "/api/topics", { name: "Before" }, bearer(tokens.editor))).status).toBe(201);
    await t.write("DELETE", `/api/accounts/${encodeURIComponent("ed editor")}`, undefined, bearer(tokens.admin));
    const res = await t.write("POST", "/api/topics", { name: "After" }, bearer(tokens.editor));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: "/problems/unauthorized", detail: "The token is unknown or revoked." });
    const again = await t.write("POST", "/api/accounts", { name: "ED EDITOR", role: "editor" }, bearer(tokens.admin));
    expect(again.status).toBe(409);
  });

  it("a token sent on an open read is checked: unknown or revoked is 401, a valid one reads, none reads", async () => {
    expect((await t.get("/api/threats?limit=1")).status).toBe(200);
    expect((await t.get("/api/threats?limit=1", bearer(tokens.reader))).status).toBe(200);
    for (const header of ["Bearer nope-nope-nope-nope", `Basic ${Buffer.from(`x:${tokens.reader}`).toString("base64")}`]) {
      const res = await t.get("/api/threats?limit=1", { Authorization: header });
      expect(res.status, header).toBe(401);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    }
    // The desk's pages and the documents stay open whatever is sent.
    expect((await t.get("/health", { Authorization: "Bearer nope-nope-nope-nope" })).status).toBe(200);
  });

  it("an unknown token, a right id with a wrong secret, and a malformed header all get 401", async () => {
    const [id] = tokens.editor.split(".");
    for (const header of [`Bearer ${"A".repeat(12)}.${"b".repeat(43)}`, `Bearer ${id}.${"b".repeat(43)}`, "Bearer nope-nope-nope-nope", "Token abc"]) {
      const res = await t.write("POST", "/api/topics", { name: "x" }, { Authorization: header });
      expect(res.status, header).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toContain("Bearer");
    }
  });

  it("refuses bad account names and roles with 422 naming the field", async () => {
    const blank = await t.write("POST", "/api/accounts", { name: " ", role: "editor" }, bearer(tokens.admin));
    expect(blank.status).toBe(422);
    expect(((await blank.json()) as { errors: unknown[] }).errors).toEqual([{ field: "name", problem: "must not be empty" }]);
    const role = await t.write("POST", "/api/accounts", { name: "Zed", role: "owner" }, bearer(tokens.admin));
    expect(((await role.json()) as { errors: unknown[] }).errors).toEqual([{ field: "role", problem: "must be one of reader, editor, admin" }]);
    expect((await t.write("DELETE", "/api/accounts/Nobody", undefined, bearer(tokens.admin))).status).toBe(404);
  });
});

describe("built-in writers' names", () => {
  const BUILT_IN = ["seed", "SEED", "cli", "Cli", "admin", "ADMIN", "ａｄｍｉｎ", "ｓｅｅｄ"];

  it("no account may take one (seed, cli, the shared token's), compared after NFKC and case folding: 409 naming the field, nothing added", async () => {
    const count = () => (t.db.reader.prepare('SELECT count(*) AS n FROM "Account"').get() as { n: number }).n;
    const before = count();
    for (const name of BUILT_IN) {
      const res = await t.write("POST", "/api/accounts", { name, role: "admin" }, bearer(tokens.admin));
      expect(res.status, name).toBe(409);
      const body = (await res.json()) as { field: string; detail: string };
      expect(body.field, name).toBe("name");
      expect(body.detail, name).toContain("built-in writer");
    }
    expect(count()).toBe(before);
    // Another account's name folds the same way: the full-width form of an existing name is that name.
    const wide = await t.write("POST", "/api/accounts", { name: "ＥＤ ＥＤＩＴＯＲ", role: "editor" }, bearer(tokens.admin));
    expect(wide.status).toBe(409);
    expect(((await wide.json()) as { field: string }).field).toBe("name");
    // The seed's entries are still the only ones signed "seed".
    const bySeed = t.db.reader.prepare(`SELECT count(*) AS n FROM "StatusChange" WHERE "by" <> 'seed' AND lower("by") = 'seed'`).get() as { n: number };
    expect(bySeed.n).toBe(0);
  });

  it("the shared token's configured name is reserved too", async () => {
    const named = createApp({
      db: t.db,
      token: TEST_TOKEN,
      logger: createLogger("silent"),
      config: { CORS_ORIGINS: [], BODY_LIMIT_BYTES: 1e5, REQUEST_TIMEOUT_MS: 1e4, TRADEWATCH_TOKEN_NAME: "Lead Analyst" },
    });
    const res = await named.request("/api/accounts", {
      method: "POST",
      headers: { ...bearer(TEST_TOKEN), "Content-Type": "application/json" },
      body: JSON.stringify({ name: "lead analyst", role: "editor" }),
    });
    expect(res.status).toBe(409);
  });

  it("an account that already has one (made before names were reserved) writes nothing more: 403 saying what to do; its past entries stay", async () => {
    // Such an account can only exist from before: put it in the table as an older version did.
    const { token } = await addAccount(t.db, "Temporary", "editor");
    await t.db.rawTransaction((w) => w.prepare(`UPDATE "Account" SET name = 'Seed', nameKey = 'seed' WHERE name = 'Temporary'`).run());
    const write = await t.write("POST", "/api/topics", { name: "Forged" }, bearer(token));
    expect(write.status).toBe(403);
    const body = (await write.json()) as { type: string; detail: string };
    expect(body.type).toBe("/problems/reserved-name");
    expect(body.detail).toContain("revoke it");
    expect((await t.get("/api/me", bearer(token))).status).toBe(403);
    const topics = (await (await t.get("/api/topics?q=Forged")).json()) as { items: unknown[] };
    expect(topics.items).toEqual([]);
    // Revoking it by its name still works, so an admin can act on the advice.
    expect((await t.write("DELETE", "/api/accounts/Seed", undefined, bearer(tokens.admin))).status).toBe(200);
  });
});
