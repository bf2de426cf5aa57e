import type Database from "better-sqlite3";
import { newAccountCredentials, parseAccountToken, secretMatches } from "../auth-token.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../domain/errors.ts";
import { accountNameProblem, builtInWriterNamed, builtInWriters, isRole, nameKeyOf, ROLES, type Role, writerKeyOf } from "../domain/roles.ts";
import type { TrackerDatabase } from "./client.ts";
import { prepared } from "./sql/prepared.ts";
import { fromSqlDate, toSqlDate } from "./sql-dates.ts";

class AccountNotFoundError extends NotFoundError {
  constructor(name: string) {
    super("account", name);
    this.message = `No account named "${name}"`;
  }
}

/** Who a request acts as: the name recorded as `by`, and what the role allows. */
export interface SignedIn {
  name: string;
  role: Role;
}

export interface AccountSummary extends SignedIn {
  createdAt: Date;
  revokedAt: Date | null;
}

type AccountRow = { name: string; role: string; createdAt: string; revokedAt: string | null };
const SUMMARY_COLUMNS = 'name, role, createdAt, revokedAt FROM "Account"';

/**
 * Creates an account; the token it returns is shown once, only its salted hash is kept. Its name
 * is the history's `by`, so it may be no built-in writer's (`builtIns`: seed, cli, the shared
 * token's) nor another account's, compared after NFKC and case folding.
 * Raw SQL, like every query here: a driver error never carries bound values, so no salt or
 * hash can reach a log through an error message.
 */
export async function addAccount(
  db: TrackerDatabase,
  name: string,
  role: string,
  builtIns: readonly string[] = builtInWriters(),
  now = new Date(),
): Promise<{ account: AccountSummary; token: string }> {
  const nameProblem = accountNameProblem(name);
  if (nameProblem) throw new InvalidInputError([{ field: "name", problem: nameProblem }]);
  if (!isRole(role)) throw new InvalidInputError([{ field: "role", problem: `must be one of ${ROLES.join(", ")}` }]);
  const builtIn = builtInWriterNamed(name, builtIns);
  if (builtIn) throw new ConflictError(`The name "${name}" is the built-in writer "${builtIn}"'s; history it records would read as theirs`, "name");
  const nameKey = nameKeyOf(name);
  const writerKey = writerKeyOf(name);
  const { accountId, token, salt, secretHash } = newAccountCredentials();
  const account = await db.rawTransaction((w) => {
    // Accounts are few: each is compared whole, as writerKeyOf folds more than the stored nameKey.
    const existing = (w.prepare(`SELECT ${SUMMARY_COLUMNS}`).all() as AccountRow[]).find((a) => writerKeyOf(a.name) === writerKey);
    if (existing) throw nameTaken(existing);
    w.prepare('INSERT INTO "Account" (id, name, nameKey, role, salt, secretHash, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      accountId,
      name.normalize("NFC"),
      nameKey,
      role,
      salt,
      secretHash,
      toSqlDate(now),
    );
    return w.prepare(`SELECT ${SUMMARY_COLUMNS} WHERE id = ?`).get(accountId) as AccountRow;
  });
  return { account: summary(account), token };
}

function nameTaken(existing: { name: string; revokedAt: string | null }): ConflictError {
  return new ConflictError(
    existing.revokedAt
      ? `The account "${existing.name}" was revoked; names are not reused, so the history keeps meaning one person`
      : `An account named "${existing.name}" already exists`,
    "name",
  );
}

/** Every account, revoked ones included, by name; never a token or hash. */
export function listAccounts(db: TrackerDatabase): AccountSummary[] {
  return (db.reader.prepare(`SELECT ${SUMMARY_COLUMNS} ORDER BY nameKey`).all() as AccountRow[]).map(summary);
}

/** Revokes the account so its token stops working at once; revoking twice changes nothing. */
export async function revokeAccount(db: TrackerDatabase, name: string, now = new Date()): Promise<AccountSummary> {
  const nameKey = nameKeyOf(name);
  const account = await db.rawTransaction((w) => {
    w.prepare('UPDATE "Account" SET revokedAt = ? WHERE nameKey = ? AND revokedAt IS NULL').run(toSqlDate(now), nameKey);
    return w.prepare(`SELECT ${SUMMARY_COLUMNS} WHERE nameKey = ?`).get(nameKey) as AccountRow | undefined;
  });
  if (!account) throw new AccountNotFoundError(name);
  return summary(account);
}

function summary(a: AccountRow): AccountSummary {
  return { name: a.name, role: a.role as Role, createdAt: fromSqlDate(a.createdAt)!, revokedAt: fromSqlDate(a.revokedAt) };
}

/**
 * The live account a token belongs to, or null. One indexed row by the token's id, then a
 * constant-time comparison of the salted hash: no scan of every account per request, and no
 * cache, so a revocation (from the CLI, in another process) holds from the next request.
 */
export function accountForToken(reader: Database.Database, token: string): SignedIn | null {
  const parsed = parseAccountToken(token);
  if (!parsed) return null;
  const lookup = prepared(reader, 'SELECT name, role, salt, secretHash FROM "Account" WHERE id = ? AND revokedAt IS NULL');
  const row = lookup.get(parsed.accountId) as { name: string; role: string; salt: string; secretHash: string } | undefined;
  if (!row || !isRole(row.role) || !secretMatches(parsed.secret, row.salt, row.secretHash)) return null;
  return { name: row.name, role: row.role };
}
