import type Database from "better-sqlite3";

/** SQLite's LIKE for test data: `%` and `_` wildcards, an optional escape character, ASCII letters compared without case. */
export function sqliteLike(pattern: string, value: string | null, escapeChar?: string): number | null {
  if (value === null) return null;
  const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const folded = fold(pattern);
  let source = "";
  for (let i = 0; i < folded.length; i++) {
    const ch = folded[i]!;
    if (ch === escapeChar) source += (folded[++i] ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (ch === "%") source += "[\\s\\S]*";
    else if (ch === "_") source += "[\\s\\S]";
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`).test(fold(value)) ? 1 : 0;
}

/**
 * Replaces SQLite's like() on one connection by sqliteLike, calling `seen` with each pattern:
 * SQLite itself then counts the rows a LIKE examines. Statements prepared before keep the old one.
 */
export function countLikeCalls(connection: Database.Database, seen: (pattern: string) => void): void {
  connection.function("like", { deterministic: true }, (pattern: unknown, value: unknown) => {
    seen(pattern as string);
    return sqliteLike(pattern as string, value as string | null);
  });
  connection.function("like", { deterministic: true }, (pattern: unknown, value: unknown, escapeChar: unknown) => {
    seen(pattern as string);
    return sqliteLike(pattern as string, value as string | null, escapeChar as string);
  });
}
