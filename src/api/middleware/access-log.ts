import type { MiddlewareHandler } from "hono";
import type { Logger } from "../../logger.ts";

/** One structured line per request, carrying the request id that the response echoes. */
export function accessLog(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    logger.info(
      { requestId: c.get("requestId"), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 },
      "request",
    );
  };
}
