import type Database from "better-sqlite3";

/**
 * Runs a synchronous read of several statements in one read transaction: the answer sees one
 * state of the file, not a write that committed between two of its statements (a threat's
 * deadlines from before a status change, its conditions from after). On a connection already
 * in a transaction (the writer answering with what it wrote) the work runs in that one.
 *
 * It also costs less: outside a transaction each statement takes and drops its own WAL read
 * lock (an fcntl on the -shm file each way) and stats the database file, about 14 times for a
 * threat's page; in one transaction, once (decision 035).
 */
export function inOneSnapshot<T>(conn: Database.Database, read: () => T): T {
  if (conn.inTransaction) return read();
  // better-sqlite3 rolls back (and rethrows) if the read throws; a read-only BEGIN takes no write lock.
  return conn.transaction(read)();
}
