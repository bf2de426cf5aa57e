import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { problem } from "../problem.ts";

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Failed attempts allowed per client per window before 429. */
export const MAX_FAILED_AUTH = 10;
export const FAILED_AUTH_WINDOW_MS = 60_000;

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

/** Compares in constant time: equal-length digests, so neither length nor content leaks. */
export function tokensMatch(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The peer address when served by @hono/node-server; "local" for in-process requests. */
export function clientAddress(env: unknown): string {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "local";
}

/**
 * Every write needs `Authorization: Bearer <token>`; reads are open. Repeated failures from
 * one client are refused with 429 for the rest of the window.
 */
export function requireTokenForWrites(token: string, now: () => number = Date.now): MiddlewareHandler {
  const failures = new Map<string, { count: number; windowStart: number }>();
  return async (c, next) => {
    if (!WRITE_METHODS.has(c.req.method)) return next();
    const client = clientAddress(c.env);
    const t = now();
    let record = failures.get(client);
    if (record && t - record.windowStart > FAILED_AUTH_WINDOW_MS) {
      failures.delete(client);
      record = undefined;
    }
    if (record && record.count >= MAX_FAILED_AUTH) {
      c.header("Retry-After", String(Math.ceil((record.windowStart + FAILED_AUTH_WINDOW_MS - t) / 1000)));
      return problem(c, 429, "too-many-failed-authentications", "Too many failed authentications", "Wait before trying again.");
    }
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer (.+)$/.exec(header);
    if (!match || !tokensMatch(match[1]!, token)) {
      const r = record ?? { count: 0, windowStart: t };
      r.count += 1;
      failures.set(client, r);
      if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
      c.header("WWW-Authenticate", 'Bearer realm="tradewatch"');
      return problem(c, 401, "unauthorized", "Authentication required", "Writes need an Authorization: Bearer token.");
    }
    return next();
  };
}
