import type { MiddlewareHandler } from "hono";
import { problem } from "../problem.ts";

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Write bodies must be JSON in valid UTF-8; anything else is refused before it is parsed. */
export function requireJsonBodies(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === "POST" || c.req.method === "PATCH" || c.req.method === "PUT") {
      const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/json") {
        return problem(c, 415, "unsupported-media-type", "Unsupported media type", "Send the body as application/json.");
      }
      // Invalid UTF-8 would otherwise be decoded into replacement characters and stored silently.
      try {
        STRICT_UTF8.decode(await c.req.arrayBuffer());
      } catch {
        return problem(c, 400, "malformed-request", "Malformed request", "The body is not valid UTF-8.");
      }
    }
    return next();
  };
}
