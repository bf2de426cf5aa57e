/** How the better-sqlite3 adapter stores DateTime (ISO-8601 text with +00:00): raw SQL must compare in the same form. */
export function toSqlDate(d: Date): string {
  return d.toISOString().replace("Z", "+00:00");
}

export function fromSqlDate(s: string | null): Date | null {
  return s === null ? null : new Date(s);
}
