import type Database from "better-sqlite3";

/** SQLite's plan for a statement as the code prepared it, its placeholders (named or `?`) bound to null: one line, steps joined by " | ". */
export function planOf(conn: Database.Database, sql: string): string {
  const named = [...new Set(sql.match(/@\w+/g) ?? [])].map((n) => [n.slice(1), null]);
  const explain = conn.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = (named.length > 0 ? explain.all(Object.fromEntries(named)) : explain.all(...(sql.match(/\?/g) ?? []).map(() => null))) as { detail: string }[];
  return rows.map((r) => r.detail).join(" | ");
}
