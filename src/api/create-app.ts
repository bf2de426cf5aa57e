import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { timeout } from "hono/timeout";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Config } from "../config.ts";
import type { TrackerDatabase } from "../db/client.ts";
import { cursorKeyOf } from "../db/cursor-key.ts";
import {
  ChainConflictError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  ReadStoppedError,
  TransitionNotAllowedError,
  VersionMismatchError,
} from "../domain/errors.ts";
import { builtInWriters, SHARED_TOKEN_WRITER } from "../domain/roles.ts";
import type { Logger } from "../logger.ts";
import { webRoutes } from "../web/routes.tsx";
import { signInPage } from "../web/sign-in.tsx";
import type { AppEnv } from "./app-env.ts";
import { signedCursors } from "./cursors.ts";
import { accessLog } from "./middleware/access-log.ts";
import { authenticate } from "./middleware/auth.ts";
import { JSON_BODIES_UNDER, jsonBodies, limitBodies } from "./middleware/request-body.ts";
import { invalidInput, problem } from "./problem.ts";
import { accountRoutes } from "./routes/accounts.ts";
import { deadlineRoutes } from "./routes/deadlines.ts";
import { inForceRoutes } from "./routes/in-force.ts";
import { docsRoutes, healthRoutes } from "./routes/meta.ts";
import { recordRoutes } from "./routes/records.ts";
import { sourceRoutes } from "./routes/sources.ts";
import { historyEntryToWire } from "./wire.ts";

export interface AppOptions {
  db: TrackerDatabase;
  /** The single-user admin token (TRADEWATCH_TOKEN or the token file). */
  token: string;
  logger: Logger;
  config: Pick<Config, "CORS_ORIGINS" | "BODY_LIMIT_BYTES" | "REQUEST_TIMEOUT_MS"> &
    Partial<Pick<Config, "TRADEWATCH_TOKEN_NAME" | "TRADEWATCH_PRIVATE_READS">>;
  /** The server's clock (default the system's): tests pass one they can move. */
  clock?: () => Date;
}

/** Builds the whole HTTP app: middleware, the API under /api, the OpenAPI document and /docs. */
export function createApp({ db, token, logger, config, clock = () => new Date() }: AppOptions) {
  let cursorKey: Buffer | undefined;
  const deps = {
    db,
    clock,
    builtInWriters: builtInWriters(config.TRADEWATCH_TOKEN_NAME ?? SHARED_TOKEN_WRITER),
    historyCursors: signedCursors(() => (cursorKey ??= cursorKeyOf(db.reader))),
  };
  const app = new Hono<AppEnv>();

  app.use("*", requestId({ headerName: "X-Request-Id" }));
  app.use("*", accessLog(logger));
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  if (config.CORS_ORIGINS.length > 0) {
    app.use(
      "/api/*",
      cors({ origin: config.CORS_ORIGINS, allowHeaders: ["Authorization", "Content-Type", "If-Match"], exposeHeaders: ["ETag", "X-Request-Id"] }),
    );
  }
  const tooLarge = (c: Context) => problem(c, 413, "body-too-large", "Request body too large", `The limit is ${config.BODY_LIMIT_BYTES} bytes.`);
  app.use("*", limitBodies(config.BODY_LIMIT_BYTES, tooLarge));
  // Reads give up after the limit; writes are not cut short, since a 503 for a write that
  // then commits would tell the client something false.
  const readTimeout = timeout(config.REQUEST_TIMEOUT_MS);
  app.use("/api/*", (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    // A synchronous read cannot be interrupted from outside: the walks check this between batches.
    c.set("readStopAt", performance.now() + config.REQUEST_TIMEOUT_MS);
    return readTimeout(c, next);
  });
  app.use(
    "*",
    authenticate({
      reader: db.reader,
      adminToken: token,
      adminName: config.TRADEWATCH_TOKEN_NAME ?? SHARED_TOKEN_WRITER,
      privateReads: config.TRADEWATCH_PRIVATE_READS ?? false,
      logger,
      signInPage,
    }),
  );
  app.use(`${JSON_BODIES_UNDER}*`, jsonBodies(config.BODY_LIMIT_BYTES, tooLarge));

  // One tree of OpenAPI routers: mounting merges their registries, so the document covers every route.
  const documented = healthRoutes(db)
    .route("/api", deadlineRoutes(deps))
    .route("/api", inForceRoutes(deps))
    .route("/api", recordRoutes(deps))
    .route("/api", accountRoutes(deps))
    .route("/api", sourceRoutes(deps));
  documented.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer" });
  documented.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Tradewatch API",
      version: "1.0.0",
      description:
        "Trade-tension threats, conditions, deadlines and events, with evidence and a full status history. Errors are application/problem+json (RFC 9457). An operation takes only the query parameters it lists, each once: any other, or one given twice, is 422 naming it; whole numbers are written in decimal digits only.",
    },
  });
  const routed = app.route("/", documented).route("/", docsRoutes()).route("/", webRoutes(deps));

  app.notFound((c) => problem(c, 404, "not-found", "Not found", `No route for ${c.req.method} ${c.req.path}.`));
  app.onError((err, c) => errorResponse(err, c, db, logger));
  return routed;
}

function errorResponse(err: Error, c: Context<AppEnv>, db: TrackerDatabase, logger: Logger): Response {
  if (err instanceof InvalidInputError) return invalidInput(c, err.errors);
  if (err instanceof NotFoundError) return problem(c, 404, "not-found", `No such ${err.kind}`, err.message);
  if (err instanceof VersionMismatchError) return problem(c, 412, "version-mismatch", "Precondition failed", err.message, { currentVersion: err.actual });
  if (err instanceof TransitionNotAllowedError) {
    const next = err.allowed.length ? `Allowed next: ${err.allowed.join(", ")}.` : `"${err.from}" is final.`;
    return problem(c, 409, "transition-not-allowed", "Status change not allowed", `${err.message}. ${next}`, {
      from: err.from,
      to: err.to,
      allowed: err.allowed,
    });
  }
  if (err instanceof ChainConflictError) {
    return problem(c, 409, "chain-conflict", "The history would not stay one legal chain", err.message, {
      conflictsWith: err.conflictsWith ? historyEntryToWire(err.conflictsWith) : null,
      allowed: err.allowed,
    });
  }
  if (err instanceof ConflictError) return problem(c, 409, "conflict", "Conflict", err.message, err.field ? { field: err.field } : {});
  if (err instanceof ReadStoppedError) {
    c.header("Retry-After", "1");
    return problem(c, 503, "timeout", "Request timed out", err.message);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    if (status === 400) return problem(c, 400, "malformed-request", "Malformed request", err.message || "The request could not be read.");
    if (status === 504) return problem(c, 503, "timeout", "Request timed out", "The request took too long; it may be retried.");
    return problem(c, status, "http-error", err.message || "Error", err.message || "Error");
  }
  const fault = db.faultOf(err);
  if (fault) {
    logger.warn({ err, requestId: c.get("requestId") }, "database unavailable");
    if (fault.retryAfterSeconds) c.header("Retry-After", String(fault.retryAfterSeconds));
    return problem(c, 503, "database-unavailable", "Database unavailable", fault.message);
  }
  if ((err as { code?: string }).code === "P2003") return problem(c, 422, "invalid-reference", "Invalid reference", "A referenced record does not exist.");
  logger.error({ err, requestId: c.get("requestId") }, "unhandled error");
  return problem(c, 500, "internal", "Internal error", "Something went wrong on our side; quote the request id when reporting it.");
}

export type App = ReturnType<typeof createApp>;
