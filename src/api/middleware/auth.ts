import type Database from "better-sqlite3";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { tokensMatch } from "../../auth-token.ts";
import { accountForToken, type SignedIn } from "../../db/accounts.ts";
import { builtInWriterNamed, builtInWriters, mayActAs, type Role } from "../../domain/roles.ts";
import type { Logger } from "../../logger.ts";
import type { AppEnv } from "../app-env.ts";
import { problem } from "../problem.ts";

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Pages and files that hold no tracker data: open even when reads are private. */
const ALWAYS_OPEN = /^\/(health|openapi\.json|favicon\.ico|docs|docs\/.*|assets\/.*)$/;
/** The desk keeps the token in sessionStorage and mirrors it in this session cookie, so its pages can be read. */
export const TOKEN_COOKIE = "tradewatch-token";

/** Failed authentications allowed per address, and from all addresses together, per window. */
export const MAX_FAILED_AUTH_PER_ADDRESS = 10;
export const MAX_FAILED_AUTH_OVERALL = 100;
export const FAILED_AUTH_WINDOW_MS = 60_000;

/** The peer address when served by @hono/node-server; "local" for in-process requests. */
function clientAddress(env: unknown): string {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "local";
}

/**
 * Counts failed authentications in fixed windows, per address and overall. It is consulted
 * only after a token failed, so others' failures never refuse a valid token; the overall
 * count catches guesses spread over many addresses (or a proxy hiding them), and bounds the
 * map: an address enters it only with a counted failure.
 */
export class FailedAuthLimit {
  #windowStart = Number.NEGATIVE_INFINITY;
  #overall = 0;
  #byAddress = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one failure; returns the seconds to wait when a limit was already met, else null. */
  failure(address: string): number | null {
    const t = this.now();
    if (t - this.#windowStart >= FAILED_AUTH_WINDOW_MS) {
      this.#windowStart = t;
      this.#overall = 0;
      this.#byAddress.clear();
    }
    const fromAddress = this.#byAddress.get(address) ?? 0;
    if (fromAddress >= MAX_FAILED_AUTH_PER_ADDRESS || this.#overall >= MAX_FAILED_AUTH_OVERALL) {
      return Math.max(1, Math.ceil((this.#windowStart + FAILED_AUTH_WINDOW_MS - t) / 1000));
    }
    this.#byAddress.set(address, fromAddress + 1);
    this.#overall += 1;
    if (fromAddress + 1 === MAX_FAILED_AUTH_PER_ADDRESS) this.logger.warn({ address }, "failed authentications limited for one address");
    if (this.#overall === MAX_FAILED_AUTH_OVERALL) this.logger.warn({ address }, "failed authentications limited for all addresses");
    return null;
  }
}

export interface AuthOptions {
  /** The connection account tokens are looked up on. */
  reader: Database.Database;
  /** TRADEWATCH_TOKEN or the token file: an admin named `adminName`. */
  adminToken: string;
  adminName: string;
  /** TRADEWATCH_PRIVATE_READS: every read of tracker data then needs a token. */
  privateReads: boolean;
  logger: Logger;
  /** What a browser gets instead of a 401 problem on a desk page. */
  signInPage: (c: Context<AppEnv>) => Response | Promise<Response>;
}

const BASIC_REFUSED = Symbol("Basic authentication where it is not accepted");

function article(role: Role): string {
  return role === "admin" ? "an admin" : `${role === "editor" ? "an" : "a"} ${role}`;
}

/** The least role a request needs, or null when it is open to anyone. */
function roleNeeded(method: string, path: string, privateReads: boolean): Role | null {
  if (method === "OPTIONS") return null;
  if (path === "/api/me") return "reader";
  if (path === "/api/accounts" || path.startsWith("/api/accounts/")) return "admin";
  if (WRITE_METHODS.has(method)) return path.startsWith("/api/") ? "editor" : null;
  if (!privateReads || ALWAYS_OPEN.test(path)) return null;
  return "reader";
}

/** Basic authentication is for calendar clients, which can send nothing else; everything else (writes above all) needs Bearer. */
function acceptsBasic(c: Context<AppEnv>): boolean {
  return c.req.path === "/calendar.ics" && (c.req.method === "GET" || c.req.method === "HEAD");
}

/**
 * The token a request presents: `Authorization: Bearer <token>`, or Basic with the token as
 * password (the calendar feed only), or, for reads only, the desk's cookie (a cross-site form
 * post carries cookies, so writes never accept one). "" for an Authorization header of no known
 * form; BASIC_REFUSED for Basic where it is not accepted.
 */
function presentedToken(c: Context<AppEnv>): string | typeof BASIC_REFUSED | null {
  const header = c.req.header("Authorization");
  if (header !== undefined) {
    const bearer = /^Bearer +(\S+) *$/i.exec(header);
    if (bearer) return bearer[1]!;
    const basic = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
    if (basic) {
      if (!acceptsBasic(c)) return BASIC_REFUSED;
      const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
      return decoded.slice(decoded.indexOf(":") + 1);
    }
    return "";
  }
  if (c.req.method === "GET" || c.req.method === "HEAD") return getCookie(c, TOKEN_COOKIE) ?? null;
  return null;
}

/**
 * Signs requests in: the token is checked first, so a valid one always passes whatever others
 * failed; only failures are counted and limited. Sets `account` for the handlers (`by`).
 */
export function authenticate(options: AuthOptions): MiddlewareHandler<AppEnv> {
  const limit = new FailedAuthLimit(options.logger);
  const admin: SignedIn = { name: options.adminName, role: "admin" };
  const builtIns = builtInWriters(options.adminName);
  const accountOf = (token: string): SignedIn | null => (tokensMatch(token, options.adminToken) ? admin : accountForToken(options.reader, token));

  return async (c, next) => {
    let needed = roleNeeded(c.req.method, c.req.path, options.privateReads);
    // Credentials sent to the API are checked even where none are needed: a wrong or revoked
    // token is a 401 (RFC 6750), not a read that silently goes on as anonymous.
    if (!needed && c.req.path.startsWith("/api/") && c.req.method !== "OPTIONS" && c.req.header("Authorization") !== undefined) needed = "reader";
    if (!needed) return next();
    const token = presentedToken(c);
    if (token === BASIC_REFUSED) {
      // No token was checked, so nothing is counted against the failed-authentication limit.
      c.header("WWW-Authenticate", 'Bearer realm="tradewatch"');
      return problem(
        c,
        401,
        "basic-not-accepted",
        "Basic authentication is accepted only by the calendar feed",
        `${c.req.method} ${c.req.path} needs Authorization: Bearer <token>; HTTP Basic is accepted only for GET /calendar.ics.`,
      );
    }
    const account = token ? accountOf(token) : null;
    const builtIn = account && account !== admin ? builtInWriterNamed(account.name, builtIns) : undefined;
    if (builtIn) {
      // An account made before built-in names were reserved (or before TRADEWATCH_TOKEN_NAME named
      // it): what it wrote stays as recorded, but it signs nothing more in that name.
      return problem(
        c,
        403,
        "reserved-name",
        "This account's name is a built-in writer's",
        `The account "${account!.name}" has the name of the built-in writer "${builtIn}", so its writes could not be told from theirs. An admin can revoke it and add the person under another name; its past entries stay as recorded.`,
        { name: account!.name },
      );
    }
    if (account) {
      if (!mayActAs(account.role, needed)) {
        return problem(
          c,
          403,
          "forbidden",
          "Not allowed for this role",
          `${account.name} is ${article(account.role)}; this needs ${needed === "admin" ? "an admin" : "an editor or admin"}.`,
          {
            role: account.role,
            needed,
          },
        );
      }
      c.set("account", account);
      return next();
    }
    if (token !== null) {
      const wait = limit.failure(clientAddress(c.env));
      if (wait !== null) {
        c.header("Retry-After", String(wait));
        return problem(c, 429, "too-many-failed-authentications", "Too many failed authentications", `Wait ${wait} s before trying another token.`);
      }
    }
    const calendar = c.req.path === "/calendar.ics";
    c.header("WWW-Authenticate", calendar ? 'Basic realm="tradewatch"' : 'Bearer realm="tradewatch"');
    if (!c.req.path.startsWith("/api/") && !calendar) return options.signInPage(c);
    const detail = token ? "The token is unknown or revoked." : "This needs an Authorization: Bearer token.";
    return problem(c, 401, "unauthorized", "Authentication required", detail);
  };
}
