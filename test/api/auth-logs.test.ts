import { Writable } from "node:stream";
import { expect, it } from "vitest";
import { MAX_FAILED_AUTH_PER_ADDRESS, TOKEN_COOKIE } from "../../src/api/middleware/auth.ts";
import { addAccount } from "../../src/db/accounts.ts";
import { createLogger } from "../../src/logger.ts";
import { TEST_TOKEN, testApp } from "../helpers/app.ts";

it("no token, secret, salt or hash ever reaches the log, whichever way it was sent or refused", async () => {
  let log = "";
  const sink = new Writable({
    write(chunk, _enc, done) {
      log += chunk.toString();
      done();
    },
  });
  const t = await testApp({ seeded: false, privateReads: true, logger: createLogger("trace", sink) });
  try {
    const { token } = await addAccount(t.db, "Ed Editor", "editor");
    const [id, secret] = token.split(".") as [string, string];
    const made = (await (await t.write("POST", "/api/accounts", { name: "Nia New", role: "reader" })).json()) as { token: string };
    await t.write("POST", "/api/topics", { name: "Logged" }, { Authorization: `Bearer ${token}` });
    await t.get("/calendar.ics", { Authorization: `Basic ${Buffer.from(`x:${made.token}`).toString("base64")}` });
    await t.get("/", { Cookie: `${TOKEN_COOKIE}=${encodeURIComponent(token)}` });
    await t.get("/api/me", { Authorization: `Bearer ${id}.${secret.replace(/.$/, "x")}` });
    for (let i = 0; i <= MAX_FAILED_AUTH_PER_ADDRESS; i++) await t.write("POST", "/api/topics", { name: "x" }, { Authorization: `Bearer ${TEST_TOKEN}-${i}` });

    const rows = t.db.reader.prepare('SELECT salt, secretHash FROM "Account"').all() as { salt: string; secretHash: string }[];
    const secrets = [TEST_TOKEN, token, secret, made.token, made.token.split(".")[1]!, ...rows.flatMap((r) => [r.salt, r.secretHash])];
    const lines = log
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; status?: number });
    expect(lines.filter((l) => l.msg === "request").map((l) => l.status)).toContain(429);
    expect(lines.some((l) => l.msg === "failed authentications limited for one address")).toBe(true);
    for (const s of secrets) expect(log).not.toContain(s);
  } finally {
    await t.close();
  }
});
