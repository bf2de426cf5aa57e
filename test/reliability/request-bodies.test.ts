import { request } from "node:http";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { TEST_TOKEN } from "../helpers/app.ts";
import { startChildServer } from "../helpers/child-server.ts";
import { contentChecksum, freshDatabaseFile } from "../helpers/database.ts";
import { useServedTestApp } from "../helpers/server.ts";

// Write bodies over a real HTTP connection: served by Node, a JSON body is read straight from the
// request stream (src/api/middleware/request-body.ts), so its limits are tested here, not in-process.
const served = useServedTestApp();
const LIMIT = 256 * 1024;

interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on its own connection; `chunks` are written one by one (chunked when no length is given). */
function send(o: { path: string; chunks: (string | Buffer)[]; headers?: Record<string, string>; token?: boolean; abortAfterChunks?: boolean }): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const url = new URL(o.path, served.url);
    const req = request(
      url,
      {
        method: "POST",
        agent: false,
        headers: { "Content-Type": "application/json", ...(o.token === false ? {} : { Authorization: `Bearer ${TEST_TOKEN}` }), ...o.headers },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on("error", (err) => (o.abortAfterChunks ? resolve({ status: 0, headers: {}, body: String(err) }) : reject(err)));
    for (const chunk of o.chunks) req.write(chunk);
    if (o.abortAfterChunks) setImmediate(() => req.destroy());
    else req.end();
  });
}

describe("write bodies over HTTP", () => {
  it("takes a JSON write and answers it", async () => {
    const res = await send({ path: "/api/topics", chunks: [JSON.stringify({ name: "Body over HTTP" })] });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body).name).toBe("Body over HTTP");
  });

  it("takes a JSON body sent in chunks with no declared length", async () => {
    const text = JSON.stringify({ name: "Chunked body" });
    const res = await send({ path: "/api/topics", chunks: [text.slice(0, 5), text.slice(5)] });
    expect(res.status).toBe(201);
  });

  it("refuses a declared length over the limit with 413, even before the token is checked, changing nothing", async () => {
    const before = contentChecksum(served.t.db);
    const body = JSON.stringify({ name: "x".repeat(LIMIT) });
    for (const token of [true, false]) {
      const res = await send({ path: "/api/topics", chunks: [body], headers: { "Content-Length": String(Buffer.byteLength(body)) }, token });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).type).toContain("body-too-large");
    }
    expect(contentChecksum(served.t.db)).toBe(before);
  });

  it("refuses a chunked body once it passes the limit, changing nothing, and serves the next request", async () => {
    const before = contentChecksum(served.t.db);
    const piece = "x".repeat(64 * 1024);
    const res = await send({ path: "/api/topics", chunks: ['{"name":"', piece, piece, piece, piece, piece, '"}'] });
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe("close");
    expect(contentChecksum(served.t.db)).toBe(before);
    const next = await send({ path: "/api/topics", chunks: [JSON.stringify({ name: "After the refusal" })] });
    expect(next.status).toBe(201);
  });

  it("asks for the token before reading a body", async () => {
    const piece = "x".repeat(64 * 1024);
    const res = await send({ path: "/api/topics", chunks: ['{"name":"', piece, piece, piece, piece, piece, '"}'], token: false });
    expect(res.status).toBe(401);
  });

  it("answers bytes that are not UTF-8 and malformed JSON with 400, changing nothing", async () => {
    const before = contentChecksum(served.t.db);
    const notUtf8 = await send({ path: "/api/topics", chunks: [Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])] });
    expect(notUtf8.status).toBe(400);
    expect(JSON.parse(notUtf8.body).detail).toContain("UTF-8");
    const malformed = await send({ path: "/api/topics", chunks: ["{ not json"] });
    expect(malformed.status).toBe(400);
    expect(contentChecksum(served.t.db)).toBe(before);
  });

  it("writes nothing for a client that goes away mid-body, and keeps serving", async () => {
    const before = contentChecksum(served.t.db);
    await send({ path: "/api/topics", chunks: ['{"name":"Half a bo'], abortAfterChunks: true });
    const next = await send({ path: "/api/topics", chunks: [JSON.stringify({ name: "After the abort" })] });
    expect(next.status).toBe(201);
    const names = (served.t.db.reader.prepare(`SELECT "name" FROM "Topic"`).all() as { name: string }[]).map((r) => r.name);
    expect(names).not.toContain("Half a bo");
    expect(contentChecksum(served.t.db)).not.toBe(before);
  });
});

describe("a client that stops sending mid-body", () => {
  it("is answered 408 and cut off once REQUEST_TIMEOUT_MS has passed, not a minute later", async () => {
    const server = await startChildServer(freshDatabaseFile(), TEST_TOKEN, { REQUEST_TIMEOUT_MS: "1000" });
    try {
      const url = new URL(server.url);
      const started = performance.now();
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(Number(url.port), url.hostname);
        let text = "";
        socket.on("data", (d) => {
          text += d;
        });
        socket.on("error", () => {});
        socket.on("close", () => resolve(text));
        // Half of the declared body, then nothing: Node's own defaults held this for 60-90 s.
        socket.write(
          `POST /api/topics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"name":"half`,
        );
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      server.process.kill("SIGTERM");
      await server.exited;
    }
  }, 30_000);
});
