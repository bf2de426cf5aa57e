import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN_COOKIE } from "../../src/api/middleware/auth.ts";
import { addAccount } from "../../src/db/accounts.ts";
import { type TestApp, testApp } from "../helpers/app.ts";

let open: TestApp;
let closed: TestApp;
let reader: string;
beforeAll(async () => {
  open = await testApp();
  closed = await testApp({ privateReads: true });
  reader = (await addAccount(closed.db, "Rita Reader", "reader")).token;
});
afterAll(async () => {
  await open.close();
  await closed.close();
});

const PRIVATE_PATHS = [
  "/api/threats",
  "/api/deadlines?status=pending",
  "/api/changes",
  "/",
  "/scenarios/scenario-us-china-rare-earth-tariffs",
  "/calendar.ics",
];

describe("TRADEWATCH_PRIVATE_READS", () => {
  it("is off by default: reads need no token", async () => {
    for (const path of PRIVATE_PATHS) expect((await open.get(path)).status, path).toBe(200);
  });

  it("when true, every API read, desk page and the calendar need a token; a reader's is enough", async () => {
    for (const path of PRIVATE_PATHS) {
      expect((await closed.get(path)).status, path).toBe(401);
      expect((await closed.get(path, { Authorization: `Bearer ${reader}` })).status, path).toBe(200);
    }
  });

  it("leaves /health, the API description and the desk's assets open", async () => {
    for (const path of ["/health", "/openapi.json", "/docs", "/assets/desk.js", "/assets/desk.css"]) expect((await closed.get(path)).status, path).toBe(200);
  });

  it("answers a desk page with the sign-in form, and reads it with the desk's session cookie", async () => {
    const refused = await closed.get("/scenarios/scenario-us-china-rare-earth-tariffs");
    expect(refused.headers.get("Content-Type")).toContain("text/html");
    const page = await refused.text();
    expect(page).toContain('id="token-form"');
    expect(page).toContain("Reading this tracker needs a token");
    const withCookie = await closed.get("/scenarios/scenario-us-china-rare-earth-tariffs", { Cookie: `${TOKEN_COOKIE}=${encodeURIComponent(reader)}` });
    expect(withCookie.status).toBe(200);
    expect(await withCookie.text()).toContain("Timeline");
  });

  it("takes the calendar's token as an HTTP Basic password, and asks for Basic", async () => {
    const refused = await closed.get("/calendar.ics");
    expect(refused.headers.get("WWW-Authenticate")).toBe('Basic realm="tradewatch"');
    const basic = Buffer.from(`anyone:${reader}`).toString("base64");
    const feed = await closed.get("/calendar.ics", { Authorization: `Basic ${basic}` });
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain("BEGIN:VCALENDAR");
  });

  it("refuses HTTP Basic anywhere but the calendar feed, writes above all, with a 401 that says to send Bearer", async () => {
    const editor = (await addAccount(open.db, "Basil Basic", "editor")).token;
    for (const t of [open, closed]) {
      for (const user of ["any", "Basil Basic"]) {
        const basic = `Basic ${Buffer.from(`${user}:${t === open ? editor : reader}`).toString("base64")}`;
        const write = await t.write("POST", "/api/actors", { name: `Basic writer ${user}` }, { Authorization: basic });
        expect(write.status).toBe(401);
        expect(write.headers.get("Content-Type")).toContain("application/problem+json");
        const body = (await write.json()) as { type: string; detail: string };
        expect(body.type).toContain("basic-not-accepted");
        expect(body.detail).toContain("Authorization: Bearer");
        expect((await t.get("/api/me", { Authorization: basic })).status).toBe(401);
      }
    }
    expect((await closed.get("/api/threats", { Authorization: `Basic ${Buffer.from(`x:${reader}`).toString("base64")}` })).status).toBe(401);
    const actors = (await (await open.get("/api/actors?q=Basic%20writer")).json()) as { items: unknown[] };
    expect(actors.items).toEqual([]);
  });

  it("never accepts the cookie for a write", async () => {
    const editor = (await addAccount(closed.db, "Ed Editor", "editor")).token;
    const res = await closed.app.request("/api/topics", {
      method: "POST",
      headers: { Cookie: `${TOKEN_COOKIE}=${encodeURIComponent(editor)}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Cookie write" }),
    });
    expect(res.status).toBe(401);
    expect((await closed.write("POST", "/api/topics", { name: "Bearer write" }, { Authorization: `Bearer ${editor}` })).status).toBe(201);
  });
});
