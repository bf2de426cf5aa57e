import { serve } from "@hono/node-server";
import { createApp } from "./api/create-app.ts";
import { resolveWriteToken, TokenSetupError, type WriteToken } from "./auth-token.ts";
import { ensureDatabaseFolder, loadConfig } from "./config.ts";
import { databaseFileProblem, openDatabase } from "./db/client.ts";
import { migrateDeploy } from "./db/migrate.ts";
import { createLogger } from "./logger.ts";
import { isEmpty, seedAll } from "./seed/run.ts";

// Start-up: migrate, seed an empty database, serve; on SIGTERM/SIGINT drain and close.
const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
// The token is checked before the database is touched: a refused one changes nothing.
ensureDatabaseFolder(config.databasePath);
let writeToken: WriteToken;
try {
  writeToken = resolveWriteToken(config);
} catch (e) {
  if (!(e instanceof TokenSetupError)) throw e;
  console.error(`Cannot start: ${e.message}`);
  process.exit(1);
}
const { token, origin } = writeToken;
const damaged = databaseFileProblem(config.databasePath);
if (damaged) {
  console.error(damaged);
  process.exit(1);
}
migrateDeploy(`file:${config.databasePath}`);
const db = await openDatabase(config.databasePath);
if (await isEmpty(db.prisma)) {
  const articles = await seedAll(db);
  logger.info({ articles }, "seeded an empty database");
}
const app = createApp({ db, token, logger, config });

const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, (info) => {
  const url = `http://${info.address.includes(":") ? `[${info.address}]` : info.address}:${info.port}`;
  logger.info({ url, database: config.databasePath, tokenFrom: origin }, "tradewatch listening");
  console.log(`Tradewatch is running at ${url}/  (API ${url}/api, docs ${url}/docs)`);
  console.log(`Write token: ${origin === "TRADEWATCH_TOKEN" ? "from TRADEWATCH_TOKEN" : `in ${origin}`}`);
});
(server as import("node:http").Server).requestTimeout = config.REQUEST_TIMEOUT_MS;

let stopping = false;
function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping: no new requests, finishing those in flight");
  // close() stops accepting and waits for in-flight requests; idle keep-alive sockets are closed now.
  server.close(async () => {
    await db.close();
    logger.info("database closed; bye");
    process.exit(0);
  });
  (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
