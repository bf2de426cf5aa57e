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
