import pino from "pino";

/** Structured JSON logs; authorization headers and tokens are redacted wherever they appear. */
export function createLogger(level: string) {
  return pino({
    level,
    redact: { paths: ["req.headers.authorization", "headers.authorization", "token", "*.token"], censor: "[redacted]" },
  });
}

export type Logger = ReturnType<typeof createLogger>;
