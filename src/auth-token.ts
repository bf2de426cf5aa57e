import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "./config.ts";

export interface WriteToken {
  token: string;
  /** Where it came from: the environment, or the file it is kept in. */
  origin: string;
}

/**
 * The bearer token for writes: TRADEWATCH_TOKEN, or else one made on first start and kept
 * beside the database in a file only its owner may read.
 */
export function resolveWriteToken(config: Config): WriteToken {
  if (config.TRADEWATCH_TOKEN) return { token: config.TRADEWATCH_TOKEN, origin: "TRADEWATCH_TOKEN" };
  const file = config.TRADEWATCH_TOKEN_FILE ?? join(dirname(config.databasePath), "token");
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return { token: readFileSync(file, "utf8").trim(), origin: file };
  }
  const token = randomBytes(32).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" });
  return { token, origin: file };
}
