import type Database from "better-sqlite3";

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A statement prepared once per connection and SQL text: the hot queries' shapes are few. */
export function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

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
