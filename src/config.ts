import { resolve } from "node:path";
import { z } from "zod";
import { builtInWriterNamed, CLI_WRITER, SEED_WRITER, SHARED_TOKEN_WRITER } from "./domain/roles.ts";
import { OperatorError } from "./operator-error.ts";

const PORT_RANGE = "must be a whole number from 0 to 65535";
const POSITIVE = "must be a positive whole number";

/** The environment, parsed once; a bad value stops start-up with the variable's name. */
const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^file:.+/, "must be a SQLite file URL such as file:./data/tradewatch.db")
    .default("file:./data/tradewatch.db"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number({ message: PORT_RANGE }).int(PORT_RANGE).min(0, PORT_RANGE).max(65535, PORT_RANGE).default(3000),
  // Its length is checked with the token file's, in src/auth-token.ts.
  TRADEWATCH_TOKEN: z.string().optional(),
  TRADEWATCH_TOKEN_FILE: z.string().optional(),
  TRADEWATCH_TOKEN_NAME: z
    .string()
    .trim()
    .min(1)
    .max(80)
    .refine(
      (name) => !builtInWriterNamed(name, [SEED_WRITER, CLI_WRITER]),
      `must not be "${SEED_WRITER}" or "${CLI_WRITER}": the seed loader and the CLI sign their entries so`,
    )
    .default(SHARED_TOKEN_WRITER),
  TRADEWATCH_PRIVATE_READS: z
    .enum(["true", "false"], "must be true or false")
    .default("false")
    .transform((v) => v === "true"),
  CORS_ORIGINS: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  BODY_LIMIT_BYTES: z.coerce
    .number({ message: POSITIVE })
    .int(POSITIVE)
    .positive(POSITIVE)
    .default(256 * 1024),
  REQUEST_TIMEOUT_MS: z.coerce.number({ message: POSITIVE }).int(POSITIVE).positive(POSITIVE).default(10_000),
  /** How long start-up waits for the database file's check before going on with it in the background. */
  START_CHECK_WAIT_MS: z.coerce.number({ message: "must be a whole number of milliseconds, 0 or more" }).int().min(0).default(1_000),
});

export type Config = z.infer<typeof EnvSchema> & { databasePath: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = i.path.join(".");
      // The value helps spot a typo; a token's value is never echoed.
      const shown = name.includes("TOKEN") ? "" : ` (got ${JSON.stringify(env[name])})`;
      return `${name}${shown}: ${i.message}`;
    });
    throw new OperatorError(`bad setting ${problems.join("; ")}`);
  }
  return { ...parsed.data, databasePath: databasePathOf(parsed.data.DATABASE_URL) };
}

/** The file path behind a `file:` URL, resolved against the working directory. */
export function databasePathOf(url: string): string {
  return resolve(url.replace(/^file:/, "").replace(/\?.*$/, ""));
}
