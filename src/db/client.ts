import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import Database from "better-sqlite3";
import { ensureDatabaseFile } from "./database-file.ts";
import { PrismaClient } from "./generated/client.ts";
import type { TransactionClient } from "./generated/internal/prismaNamespace.ts";

export type Prisma = InstanceType<typeof PrismaClient>;
export type Transaction = TransactionClient;

/** Milliseconds a connection waits for another writer before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Per-connection settings every path uses. WAL lets readers run beside the one writer;
 * synchronous=FULL fsyncs the WAL at each commit, so an acknowledged write survives a
 * process kill *and* a power cut (NORMAL would survive only the kill).
 */
const CONNECTION_PRAGMAS = ["foreign_keys = ON", "synchronous = FULL", `busy_timeout = ${BUSY_TIMEOUT_MS}`];

/** Serialises write transactions in this process, whichever connection runs them. */
export class WriteLock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** How long a Prisma write transaction may wait for, and hold, the database. */
const PRISMA_TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 30_000 } as const;

export interface TrackerDatabase {
  /** The Prisma client, for typed reads and for writes through `prismaTransaction`. */
  prisma: Prisma;
  /**
   * A raw better-sqlite3 connection for the hot write path (status changes): synchronous
   * transactions, no ORM round trips. Use it only through `rawTransaction`.
   */
  writer: Database.Database;
  /**
   * Every write transaction, Prisma's or raw, runs under this one lock, so the two writing
   * connections never wait on each other inside SQLite (where a wait would block the event loop).
   */
  writeLock: WriteLock;
  prismaTransaction<T>(work: (tx: TransactionClient) => Promise<T>): Promise<T>;
  rawTransaction<T>(work: (db: Database.Database) => T): Promise<T>;
  /** A read-only better-sqlite3 connection for hot read paths (raw SQL, no ORM layer). */
  reader: Database.Database;
  path: string;
  close(): Promise<void>;
}

/** Opens (creating if needed) the SQLite file at `path`, configured for a server. */
export async function openDatabase(path: string): Promise<TrackerDatabase> {
  ensureDatabaseFile(path);
  // WAL is a property of the file: set it once through a plain connection before anyone else opens it.
  const setup = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  setup.pragma("journal_mode = WAL");
  setup.close();

  const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${path}`, timeout: BUSY_TIMEOUT_MS }) });
  for (const pragma of CONNECTION_PRAGMAS) await prisma.$queryRawUnsafe(`PRAGMA ${pragma}`);

  const reader = new Database(path, { readonly: true, timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
  reader.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const writer = openRawConnection(path);
  const writeLock = new WriteLock();

  return {
    prisma,
    reader,
    writer,
    writeLock,
    path,
    prismaTransaction: (work) => writeLock.run(() => prisma.$transaction(work, PRISMA_TRANSACTION_OPTIONS)),
    // IMMEDIATE: take the write lock at BEGIN, so the transaction never fails half-way on a busy upgrade.
    rawTransaction: (work) => writeLock.run(() => writer.transaction(() => work(writer)).immediate()),
    async close() {
      await writeLock.run(() => undefined);
      reader.close();
      writer.close();
      await prisma.$disconnect();
    },
  };
}

/** Opens a plain better-sqlite3 connection with the same settings (backup, restore, benchmarks). */
export function openRawConnection(path: string, options: Database.Options = {}): Database.Database {
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS, ...options });
  if (!options.readonly) for (const pragma of CONNECTION_PRAGMAS) db.pragma(pragma);
  return db;
}
