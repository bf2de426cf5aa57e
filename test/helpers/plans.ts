import type Database from "better-sqlite3";
import { openRawConnection } from "../../src/db/client.ts";

/** SQLite's plan for a statement as the code prepared it, its placeholders (named or `?`) bound to null: one line, steps joined by " | ". */
export function planOf(conn: Database.Database, sql: string): string {
  const named = [...new Set(sql.match(/@\w+/g) ?? [])].map((n) => [n.slice(1), null]);
  const explain = conn.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = (named.length > 0 ? explain.all(Object.fromEntries(named)) : explain.all(...(sql.match(/\?/g) ?? []).map(() => null))) as { detail: string }[];
  return rows.map((r) => r.detail).join(" | ");
}

/** A read-only connection to the file at `path` that keeps the SQL of every statement prepared on it, so a test can read their plans. */
export function recordingConnection(path: string): { conn: Database.Database; statements: string[] } {
  const conn = openRawConnection(path, { readonly: true });
  const statements: string[] = [];
  const prepare = conn.prepare.bind(conn);
  conn.prepare = ((sql: string) => {
    statements.push(sql);
    return prepare(sql);
  }) as typeof conn.prepare;
  return { conn, statements };
}
