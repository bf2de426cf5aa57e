import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import Database from "better-sqlite3";
import { ensureDatabaseFolder } from "../config.ts";
import { PrismaClient } from "./generated/client.ts";

export type Prisma = InstanceType<typeof PrismaClient>;

/** Milliseconds a connection waits for another writer before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Per-connection settings every path uses. WAL lets readers run beside the one writer;
 * synchronous=FULL fsyncs the WAL at each commit, so an acknowledged write survives a
 * process kill *and* a power cut (NORMAL would survive only the kill).
 */
const CONNECTION_PRAGMAS = ["foreign_keys = ON", "synchronous = FULL", `busy_timeout = ${BUSY_TIMEOUT_MS}`];

export interface TrackerDatabase {
  /** The Prisma client: the only writer in the process (its transactions are serialised). */
  prisma: Prisma;
  /** A read-only better-sqlite3 connection for hot read paths (raw SQL, no ORM layer). */
  reader: Database.Database;
  path: string;
  close(): Promise<void>;
}

/** Opens (creating if needed) the SQLite file at `path`, configured for a server. */
export async function openDatabase(path: string): Promise<TrackerDatabase> {
  ensureDatabaseFolder(path);
  // WAL is a property of the file: set it once through a plain connection before anyone else opens it.
  const setup = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  setup.pragma("journal_mode = WAL");
  setup.close();

  const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${path}`, timeout: BUSY_TIMEOUT_MS }) });
  for (const pragma of CONNECTION_PRAGMAS) await prisma.$queryRawUnsafe(`PRAGMA ${pragma}`);

  const reader = new Database(path, { readonly: true, timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
  reader.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);

  return {
    prisma,
    reader,
    path,
    async close() {
      reader.close();
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
