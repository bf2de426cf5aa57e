import type Database from "better-sqlite3";
import { newAccountCredentials, parseAccountToken, secretMatches } from "../auth-token.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../domain/errors.ts";
import { accountNameProblem, isRole, nameKeyOf, ROLES, type Role } from "../domain/roles.ts";
import type { Prisma, TrackerDatabase } from "./client.ts";

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

const SUMMARY = { name: true, role: true, createdAt: true, revokedAt: true } as const;

/** Creates an account; the token it returns is shown once, only its salted hash is kept. */
export async function addAccount(db: TrackerDatabase, name: string, role: string, now = new Date()): Promise<{ account: AccountSummary; token: string }> {
  const nameProblem = accountNameProblem(name);
  if (nameProblem) throw new InvalidInputError([{ field: "name", problem: nameProblem }]);
  if (!isRole(role)) throw new InvalidInputError([{ field: "role", problem: `must be one of ${ROLES.join(", ")}` }]);
  const nameKey = nameKeyOf(name);
  const { accountId, token, salt, secretHash } = newAccountCredentials();
  const account = await db
    .prismaTransaction(async (tx) => {
      const existing = await tx.account.findUnique({ where: { nameKey }, select: SUMMARY });
      if (existing) throw nameTaken(existing);
      return tx.account.create({ data: { id: accountId, name: name.normalize("NFC"), nameKey, role, salt, secretHash, createdAt: now }, select: SUMMARY });
    })
    .catch((e: unknown) => {
      // Another process added the same name between the check and the insert.
      throw (e as { code?: string }).code === "P2002" ? nameTaken({ name, revokedAt: null }) : e;
    });
  return { account: summary(account), token };
}

function nameTaken(existing: { name: string; revokedAt: Date | null }): ConflictError {
  return new ConflictError(
    existing.revokedAt
      ? `The account "${existing.name}" was revoked; names are not reused, so the history keeps meaning one person`
      : `An account named "${existing.name}" already exists`,
  );
}

/** Every account, revoked ones included, by name; never a token or hash. */
export async function listAccounts(prisma: Prisma): Promise<AccountSummary[]> {
  const rows = await prisma.account.findMany({ select: SUMMARY, orderBy: { nameKey: "asc" } });
  return rows.map(summary);
}

/** Revokes the account so its token stops working at once; revoking twice changes nothing. */
export async function revokeAccount(db: TrackerDatabase, name: string, now = new Date()): Promise<AccountSummary> {
  const nameKey = nameKeyOf(name);
  const account = await db.prismaTransaction(async (tx) => {
    const found = await tx.account.findUnique({ where: { nameKey }, select: SUMMARY });
    if (!found) throw new AccountNotFoundError(name);
    if (found.revokedAt) return found;
    return tx.account.update({ where: { nameKey }, data: { revokedAt: now }, select: SUMMARY });
  });
  return summary(account);
}

function summary(a: { name: string; role: string; createdAt: Date; revokedAt: Date | null }): AccountSummary {
  return { name: a.name, role: a.role as Role, createdAt: a.createdAt, revokedAt: a.revokedAt };
}

const lookups = new WeakMap<Database.Database, Database.Statement>();

/**
 * The live account a token belongs to, or null. One indexed row by the token's id, then a
 * constant-time comparison of the salted hash: no scan of every account per request, and no
 * cache, so a revocation (from the CLI, in another process) holds from the next request.
 */
export function accountForToken(reader: Database.Database, token: string): SignedIn | null {
  const parsed = parseAccountToken(token);
  if (!parsed) return null;
  let lookup = lookups.get(reader);
  if (!lookup) {
    lookup = reader.prepare('SELECT name, role, salt, secretHash FROM "Account" WHERE id = ? AND revokedAt IS NULL');
    lookups.set(reader, lookup);
  }
  const row = lookup.get(parsed.accountId) as { name: string; role: string; salt: string; secretHash: string } | undefined;
  if (!row || !isRole(row.role) || !secretMatches(parsed.secret, row.salt, row.secretHash)) return null;
  return { name: row.name, role: row.role };
}
