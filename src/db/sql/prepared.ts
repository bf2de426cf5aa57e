import type Database from "better-sqlite3";

/** One cache per connection of what `make` builds from a statement's SQL text. */
function bySqlText<T>(make: (db: Database.Database, sql: string) => T): (db: Database.Database, sql: string) => T {
  const caches = new WeakMap<Database.Database, Map<string, T>>();
  return (db, sql) => {
    let cache = caches.get(db);
    if (!cache) {
      cache = new Map();
      caches.set(db, cache);
    }
    let made = cache.get(sql);
    if (made === undefined) {
      made = make(db, sql);
      cache.set(sql, made);
    }
    return made;
  };
}

/**
 * `LIMIT` by a bound parameter (`"@n"` or `"?"`). SQLite (3.47 and later) reads the value of a
 * bare `LIMIT @n` while planning, and then prepares the statement again every time @n is bound:
 * about 150 µs more for the pending walk, a third of its time. The value of a sub-select is not
 * read when planning, so the plan is made once.
 */
export const limitBy = (placeholder: string) => `LIMIT (SELECT ${placeholder})`;

/** A walk that needs another batch is skipping rows (not there then, not matched): each next batch doubles, up to this. */
export const BATCH_AT_MOST = 1_024;

/**
 * A statement prepared once per connection and SQL text: the hot queries' shapes are few.
 *
 * Planned once means planned without the bound values: on a database with `sqlite_stat4` (after
 * `ANALYZE`), SQLite reads a bound value compared with the leading column of an index while
 * planning and prepares the statement again each time it is bound (a threat's deadlines: 180 µs
 * with `"threatId" = ?`, 102 µs with `= +?`, same plan). Hot statements write such values `+?` /
 * `+@name` where the plan without the value is the same (checked with EXPLAIN QUERY PLAN on the
 * benchmark's 1M database), and limits with `limitBy`.
 */
export const prepared: (db: Database.Database, sql: string) => Database.Statement = bySqlText((db, sql) => db.prepare(sql));

/** A module's set of statements, made once per connection by `make`. */
export function perConnection<T>(make: (db: Database.Database) => T): (db: Database.Database) => T {
  const made = new WeakMap<Database.Database, T>();
  return (db) => {
    let statements = made.get(db);
    if (!statements) {
      statements = make(db);
      made.set(db, statements);
    }
    return statements;
  };
}

/** A statement whose rows come as plain objects of one fixed shape. */
export interface ShapedStatement<Row> {
  all(...params: unknown[]): Row[];
  get(...params: unknown[]): Row | undefined;
}

/**
 * Reads a statement's rows as arrays and turns each into an object of one fixed shape.
 * better-sqlite3 builds each row object key by key; on the hot reads (50 rows of 20 columns)
 * that was about a third of the query's time (docs/PERFORMANCE.md). The statement is switched
 * to raw mode: use it only through what this returns. Only for statements that name their
 * columns: `SELECT *` follows the table's layout, which a migration may change under a running server.
 */
export function shaped<Row = Record<string, unknown>>(statement: Database.Statement): ShapedStatement<Row> {
  statement.raw(true);
  const names = statement.columns().map((c) => c.name);
  // One object literal per row: V8 gives every row the same hidden class from the start.
  // The names are the statement's own column names, quoted by JSON.stringify.
  const make = new Function("r", `return {${names.map((n, i) => `${JSON.stringify(n)}: r[${i}]`).join(", ")}};`) as (row: unknown[]) => Row;
  return {
    all: (...params) => (statement.all(...params) as unknown[][]).map(make),
    get: (...params) => {
      const row = statement.get(...params) as unknown[] | undefined;
      return row === undefined ? undefined : make(row);
    },
  };
}

const shapedBySql = bySqlText((db, sql) => shaped(db.prepare(sql)));

/** `prepared`, its rows read through `shaped`. */
export function preparedRows<Row = Record<string, unknown>>(db: Database.Database, sql: string): ShapedStatement<Row> {
  return shapedBySql(db, sql) as ShapedStatement<Row>;
}
