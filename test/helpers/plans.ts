import type Database from "better-sqlite3";
import { openRawConnection } from "../../src/db/client.ts";

/** SQLite's plan for a statement as the code prepared it, its placeholders (named or `?`) bound to null: one line, steps joined by " | ". */
export function planOf(conn: Database.Database, sql: string): string {
  const named = [...new Set(sql.match(/@\w+/g) ?? [])].map((n) => [n.slice(1), null]);
  const explain = conn.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = (named.length > 0 ? explain.all(Object.fromEntries(named)) : explain.all(...(sql.match(/\?/g) ?? []).map(() => null))) as { detail: string }[];
  return rows.map((r) => r.detail).join(" | ");
}

/**
 * A read-only connection to the file at `path` that keeps the SQL of every statement prepared on it,
 * so a test can read their plans, and every run of one (`all`, `get`, `iterate`) with the rows it
 * answered, so a test can count what a read ran.
 */
export function recordingConnection(path: string): { conn: Database.Database; statements: string[]; runs: { sql: string; rows: number }[] } {
  const conn = openRawConnection(path, { readonly: true });
  const statements: string[] = [];
  const runs: { sql: string; rows: number }[] = [];
  const prepare = conn.prepare.bind(conn);
  conn.prepare = ((sql: string) => {
    statements.push(sql);
    const statement = prepare(sql);
    const [all, get, iterate] = [statement.all.bind(statement), statement.get.bind(statement), statement.iterate.bind(statement)];
    statement.all = (...params: unknown[]) => {
      const rows = all(...params);
      runs.push({ sql, rows: rows.length });
      return rows;
    };
    statement.get = (...params: unknown[]) => {
      const row = get(...params);
      runs.push({ sql, rows: row === undefined ? 0 : 1 });
      return row;
    };
    statement.iterate = function* (...params: unknown[]) {
      const run = { sql, rows: 0 };
      runs.push(run);
      for (const row of iterate(...params)) {
        run.rows++;
        yield row;
      }
    };
    return statement;
  }) as typeof conn.prepare;
  return { conn, statements, runs };
}

/**
 * Counts every statement run (`all`, `get`, `run`, `iterate`) on every better-sqlite3 connection of
 * this process, Prisma's adapter's included, while `read` runs: what a request costs in statements.
 */
export async function statementsRun(probe: Database.Database, read: () => Promise<unknown>): Promise<number> {
  const Statement = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<string, (...args: unknown[]) => unknown>;
  const methods = ["all", "get", "run", "iterate"] as const;
  const originals = methods.map((m) => Statement[m]!);
  let runs = 0;
  methods.forEach((m, i) => {
    Statement[m] = function (this: unknown, ...args: unknown[]) {
      runs += 1;
      return originals[i]!.apply(this, args);
    };
  });
  try {
    await read();
    return runs;
  } finally {
    methods.forEach((m, i) => {
      Statement[m] = originals[i]!;
    });
  }
}
