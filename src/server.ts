import type { Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { createAdaptorServer } from "@hono/node-server";
import { createApp } from "./api/create-app.ts";
import { resolveWriteToken, TokenSetupError } from "./auth-token.ts";
import { type Config, loadConfig } from "./config.ts";
import { checkDatabaseFile, openDatabase } from "./db/client.ts";
import { databaseFileError, ensureDatabaseFile, ensureDatabaseFolder, inWalMode } from "./db/database-file.ts";
import { migrateDatabase } from "./db/migrate.ts";
import { createLogger, serverLogDestination } from "./logger.ts";
import { OperatorError, reportFailure } from "./operator-error.ts";
import { isEmpty, seedAll } from "./seed/run.ts";

type Handler = (req: Request, env: unknown) => Response | Promise<Response>;

/** Answers 503 until start-up (migrations, seed) is done: the port is taken first, so a clash fails before any work. */
const STARTING: Handler = () =>
  new Response(JSON.stringify({ type: "/problems/starting", title: "Starting", status: 503, detail: "The server is starting; retry in a moment" }), {
    status: 503,
    headers: { "Content-Type": "application/problem+json", "Retry-After": "1" },
  });

/** Takes HOST:PORT, or fails with the one line that says which setting to change. */
function listen(server: Server, config: Config): Promise<void> {
  return new Promise((done, fail) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const where = `${config.HOST}:${config.PORT}`;
      if (error.code === "EADDRINUSE") fail(new OperatorError(`PORT: ${where} is already in use (another Tradewatch?); stop that process or set PORT`));
      else if (error.code === "EACCES") fail(new OperatorError(`PORT: not allowed to listen on ${where}; use a port above 1023 or set PORT`));
      else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND")
        fail(new OperatorError(`HOST: ${config.HOST} is not an address of this machine; set HOST (default 127.0.0.1)`));
      else fail(error);
    });
    server.listen(config.PORT, config.HOST, () => done());
  });
}

function writeTokenOf(config: Config) {
  try {
    return resolveWriteToken(config);
  } catch (e) {
    if (e instanceof TokenSetupError) throw new OperatorError(e.message);
    throw e;
  }
}

const STILL_CHECKING = Symbol("still checking");

// Start-up: settings, port, migrations, seed of an empty database, serve; on SIGTERM/SIGINT drain and close.
async function start() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, serverLogDestination());
  let handle: Handler = STARTING;
  // The env carries the Node request and socket (the client address for authentication limits).
  // A request must arrive whole within REQUEST_TIMEOUT_MS (else 408). Node takes the larger of its
  // header and request timeouts as the request's (the header one is 60 s by default), and checks
  // them every 30 s by default: a client that stopped mid-body held its connection for 60-90 s.
  const server = createAdaptorServer({
    fetch: (req: Request, env: unknown) => handle(req, env),
    serverOptions: {
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      headersTimeout: config.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(config.REQUEST_TIMEOUT_MS, 30_000),
    },
  }) as Server;
  await listen(server, config);

  // The token is checked before the database is touched: a refused one changes nothing.
  ensureDatabaseFolder(config.databasePath);
  const { token, origin } = writeTokenOf(config);
  ensureDatabaseFile(config.databasePath);
  // A damaged file found within the wait stops start-up; a large file's check goes on beside the
  // server, and damage found then keeps /health at 503 and writes refused.
  const check = checkDatabaseFile(config.databasePath, (reason) =>
    logger.warn({ database: config.databasePath, reason }, "the database file could not be checked; serving it unchecked"),
  );
  // Only a file in WAL mode can be written beside the check's read: any other (a rollback journal)
  // must first be switched to WAL, which waits for that read (and fails after 5 s), so its check is awaited in full.
  const early = inWalMode(config.databasePath) ? await Promise.race([check, sleep(config.START_CHECK_WAIT_MS, STILL_CHECKING)]) : await check;
  if (early !== null && early !== STILL_CHECKING) throw new OperatorError(early);
  const applied = migrateDatabase(config.databasePath);
  if (applied.length) logger.info({ applied }, "applied migrations");
  const db = await openDatabase(config.databasePath).catch((error) => {
    throw databaseFileError(config.databasePath, error);
  });
  if (await isEmpty(db.prisma)) {
    const articles = await seedAll(db);
    logger.info({ articles }, "seeded an empty database");
  }
  if (early === STILL_CHECKING) {
    logger.warn({ database: config.databasePath }, "the database file is still being checked; serving meanwhile");
    void check.then((problem) => {
      if (problem) {
        db.noteDamage(`${problem} (found by the start-up check)`);
        logger.error({ problem }, "the database file is damaged: writes are refused");
      } else logger.info("the database file checked sound");
    });
  }
  const app = createApp({ db, token, logger, config });
  handle = (req, env) => app.fetch(req, env as never);

  const address = server.address() as import("node:net").AddressInfo;
  const url = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url, database: config.databasePath, tokenFrom: origin }, "tradewatch listening");
  console.log(`Tradewatch is running at ${url}/  (API ${url}/api, docs ${url}/docs)`);
  console.log(`Write token: ${origin === "TRADEWATCH_TOKEN" ? "from TRADEWATCH_TOKEN" : `in ${origin}`}`);

  let stopping = false;
  function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: no new requests, finishing those in flight");
    // close() stops accepting and waits for in-flight requests; idle keep-alive sockets are closed now.
    server.close(async () => {
      await db.close();
      logger.info("database closed; bye");
      // The gathered lines may still have a write in flight: exiting at once let pino write the rest
      // (the goodbye) ahead of it, out of order. Exit once it has landed, or after a while if stdout takes nothing.
      setTimeout(() => process.exit(0), 2_000).unref();
      logger.flush(() => process.exit(0));
    });
    server.closeIdleConnections();
  }
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

try {
  await start();
} catch (error) {
  reportFailure("tradewatch", error);
  process.exit(1);
}
