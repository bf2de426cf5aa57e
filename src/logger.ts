import pino from "pino";

/** Structured JSON logs; authorization headers and tokens are redacted wherever they appear. */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  const options = {
    level,
    redact: { paths: ["req.headers.authorization", "headers.authorization", "token", "*.token"], censor: "[redacted]" },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;

/** How long a log line may wait in the server's buffer before it is written out. */
export const LOG_FLUSH_MS = 200;

/** What the gathered lines may hold while stdout takes none (its reader stalled): lines beyond it are dropped, so memory stays bounded. */
export const LOG_BUFFER_AT_MOST = 8 * 1024 * 1024;

/**
 * The server's stdout for logs (decision 018): lines are gathered and written 4 KB or
 * LOG_FLUSH_MS at a time, not one write per line. pino writes what is left when the process
 * exits, however it exits; a process killed outright (SIGKILL) loses at most the last
 * LOG_FLUSH_MS of lines.
 */
export function serverLogDestination(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 4096, maxLength: LOG_BUFFER_AT_MOST, periodicFlush: LOG_FLUSH_MS });
}
