import { recordNameProblem } from "./names.ts";
/** Who may do what: each role may do everything the roles before it may. */
export const ROLES = ["reader", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** Whether `role` may do what `needed` may: read (reader), write records (editor), manage accounts (admin). */
export function mayActAs(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The writers that record history `by` without an account: the seed loader, the local CLI, the shared token (default name). */
export const SEED_WRITER = "seed";
export const CLI_WRITER = "cli";
export const SHARED_TOKEN_WRITER = "admin";

/** Every built-in writer's name, with the shared token's configured name (TRADEWATCH_TOKEN_NAME). */
export function builtInWriters(sharedTokenName: string = SHARED_TOKEN_WRITER): string[] {
  return [...new Set([SEED_WRITER, CLI_WRITER, SHARED_TOKEN_WRITER, sharedTokenName])];
}

/**
 * The form in which a writer's name is compared with the others: Unicode NFKC (so a full-width
 * "ｓｅｅｄ" or a ligature is the plain name) and case-folded (upper- then lower-casing folds "ß"
 * with "SS"). Stricter than nameKeyOf, which the stored key and revocation still use.
 */
export function writerKeyOf(name: string): string {
  return name.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}

/** The built-in writer `name` would be taken for, if any. */
export function builtInWriterNamed(name: string, builtIns: readonly string[]): string | undefined {
  const key = writerKeyOf(name);
  return builtIns.find((b) => writerKeyOf(b) === key);
}

/** Names are compared after Unicode NFC and case folding, so "Ana" and "ANA" are one person. */
export function nameKeyOf(name: string): string {
  return name.normalize("NFC").toLowerCase();
}

/**
 * The problem with an account name, or null when it is usable. It signs the history (`by`): held to
 * the rule record names are held to (recordNameProblem), so no two accounts read alike. "Ana" with a
 * zero-width space, or behind a right-to-left override, was another account that every page showed
 * as "Ana" (NFKC and case folding leave those characters in).
 */
export function accountNameProblem(name: string): string | null {
  if (name.trim().length === 0) return "must not be empty";
  if (name.length > 80) return "must be at most 80 characters";
  return recordNameProblem(name);
}
