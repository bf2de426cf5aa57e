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

/** Names are compared after Unicode NFC and case folding, so "Ana" and "ANA" are one person. */
export function nameKeyOf(name: string): string {
  return name.normalize("NFC").toLowerCase();
}

const CONTROL_CHARACTERS = /\p{Cc}/u;

/** The problem with an account name, or null when it is usable. */
export function accountNameProblem(name: string): string | null {
  if (name.trim().length === 0) return "must not be empty";
  if (name !== name.trim()) return "must not start or end with spaces";
  if (name.length > 80) return "must be at most 80 characters";
  if (CONTROL_CHARACTERS.test(name)) return "must not contain control characters";
  return null;
}
