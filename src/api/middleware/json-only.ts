import type { MiddlewareHandler } from "hono";
import { problem } from "../problem.ts";

/** Write bodies must be JSON; anything else is refused before it is read. */
export function requireJsonBodies(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === "POST" || c.req.method === "PATCH" || c.req.method === "PUT") {
      const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/json") {
        return problem(c, 415, "unsupported-media-type", "Unsupported media type", "Send the body as application/json.");
      }
    }
    return next();
  };
}
