import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "./config.ts";

/** Shorter tokens are refused wherever they come from: they could be guessed. */
export const MIN_TOKEN_LENGTH = 16;

export interface WriteToken {
  token: string;
  /** Where it came from: the environment, or the file it is kept in. */
  origin: string;
}

/** A token that cannot be used; the message is the one line start-up prints. */
export class TokenSetupError extends Error {}

function checkedToken(token: string, origin: string): WriteToken {
  if (token.length === 0)
    throw new TokenSetupError(`${origin} is empty: put a token of at least ${MIN_TOKEN_LENGTH} characters in it, or remove it to have one generated`);
  if (token.length < MIN_TOKEN_LENGTH)
    throw new TokenSetupError(`${origin} holds a token of ${token.length} characters: tokens must be at least ${MIN_TOKEN_LENGTH}`);
  return { token, origin };
}

/**
 * The single admin token: TRADEWATCH_TOKEN, or else one made on first start and kept
 * beside the database in a file only its owner may read.
 */
export function resolveWriteToken(config: Config): WriteToken {
  if (config.TRADEWATCH_TOKEN !== undefined) return checkedToken(config.TRADEWATCH_TOKEN, "TRADEWATCH_TOKEN");
  const file = config.TRADEWATCH_TOKEN_FILE ?? join(dirname(config.databasePath), "token");
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return checkedToken(readFileSync(file, "utf8").trim(), file);
  }
  const token = randomBytes(32).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" });
  return { token, origin: file };
}

function sha256(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

/** Compares in constant time: equal-length digests, so neither length nor content leaks. */
export function tokensMatch(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

/** An account token: "<account id>.<secret>"; the id is a lookup key, only the secret is secret. */
export interface AccountToken {
  accountId: string;
  secret: string;
}

const ACCOUNT_TOKEN = /^([A-Za-z0-9_-]{12})\.([A-Za-z0-9_-]{43})$/;

export function parseAccountToken(token: string): AccountToken | null {
  const m = ACCOUNT_TOKEN.exec(token);
  return m ? { accountId: m[1]!, secret: m[2]! } : null;
}

/** A new account's id, secret, salt and the hash to store; the token is shown once and never kept. */
export function newAccountCredentials() {
  const accountId = randomBytes(9).toString("base64url");
  const secret = randomBytes(32).toString("base64url");
  const salt = randomBytes(16).toString("hex");
  return { accountId, token: `${accountId}.${secret}`, salt, secretHash: secretHashOf(salt, secret) };
}

/** SHA-256 of salt and secret: the secret has 256 random bits, so a slow hash would add no strength (docs/decisions/005). */
export function secretHashOf(salt: string, secret: string): string {
  return createHash("sha256").update(salt, "utf8").update(secret, "utf8").digest("hex");
}

/** Whether `secret` is the one behind `secretHash`, compared in constant time. */
export function secretMatches(secret: string, salt: string, secretHash: string): boolean {
  const given = Buffer.from(secretHashOf(salt, secret), "hex");
  const stored = Buffer.from(secretHash, "hex");
  return stored.length === given.length && timingSafeEqual(given, stored);
}
