import type { IncomingMessage } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { problem } from "../problem.ts";

/** What @hono/node-server passes as `c.env`: the Node request the fetch Request is made from. */
interface NodeBindings {
  incoming?: IncomingMessage;
}

type TooLarge = (c: Context) => Response | Promise<Response>;

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

const mediaTypeOf = (c: Context) => (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();

/**
 * A JSON body served by Node, which `jsonBodies` reads straight from the request stream: through
 * a fetch Request and web streams it cost ≈ 0.25 ms more a write (measured, docs/PERFORMANCE.md).
 */
function nodeJsonBody(c: Context): IncomingMessage | null {
  const incoming = (c.env as NodeBindings | undefined)?.incoming;
  return incoming && !incoming.readableEnded && c.req.path.startsWith(JSON_BODIES_UNDER) && mediaTypeOf(c) === "application/json" ? incoming : null;
}

/** Where `jsonBodies` runs (create-app.ts mounts it there): only there may `limitBodies` leave the counting to it. */
export const JSON_BODIES_UNDER = "/api/";

/**
 * Refuses a request body over `maxSize` bytes with `tooLarge`, before authentication. A JSON body
 * served by Node is only checked here by its declared length (`jsonBodies` counts its bytes as it
 * reads it, after authentication); any other goes through Hono's bodyLimit. Reads carry no body:
 * asking a GET for one would build a whole fetch Request for nothing.
 */
export function limitBodies(maxSize: number, tooLarge: TooLarge): MiddlewareHandler {
  const viaFetch = bodyLimit({ maxSize, onError: tooLarge });
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    if (!nodeJsonBody(c)) return viaFetch(c, next);
    if (Number(c.req.header("Content-Length") ?? 0) > maxSize) return refuse(c, tooLarge);
    return next();
  };
}

/**
 * Write bodies must be JSON in valid UTF-8; anything else is refused before it is parsed. The
 * body is read and decoded once, and handed to Hono's request, which parses it from there.
 */
export function jsonBodies(maxSize: number, tooLarge: TooLarge): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "POST" && c.req.method !== "PATCH" && c.req.method !== "PUT") return next();
    if (mediaTypeOf(c) !== "application/json") {
      return problem(c, 415, "unsupported-media-type", "Unsupported media type", "Send the body as application/json.");
    }
    const incoming = nodeJsonBody(c);
    const bytes = incoming ? await readAtMost(incoming, maxSize) : new Uint8Array(await c.req.arrayBuffer());
    if (bytes === null) return refuse(c, tooLarge);
    let text: string;
    try {
      // Invalid UTF-8 would otherwise be decoded into replacement characters and stored silently.
      text = STRICT_UTF8.decode(bytes);
    } catch {
      return problem(c, 400, "malformed-request", "Malformed request", "The body is not valid UTF-8.");
    }
    // Hono keeps promises in its body cache (its type says values), as its own readers store them.
    (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text);
    return next();
  };
}

/** The rest of the body is left unread: the connection cannot carry another request. */
function refuse(c: Context, tooLarge: TooLarge) {
  c.header("Connection", "close");
  return tooLarge(c);
}

/** The whole body, or null as soon as it passes `max` bytes; a client that goes away mid-body is a 400. */
function readAtMost(incoming: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onError);
      incoming.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      done();
      incoming.pause();
      resolve(null);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = () => {
      done();
      reject(new HTTPException(400, { message: "The request body could not be read." }));
    };
    const onClose = () => {
      if (!incoming.complete) onError();
    };
    incoming.on("data", onData);
    incoming.once("end", onEnd);
    incoming.once("error", onError);
    incoming.once("close", onClose);
  });
}
