import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import Database from "better-sqlite3";
import { nameKey } from "../domain/names.ts";
import { databaseFileError, ensureDatabaseFile } from "./database-file.ts";
import { PrismaClient } from "./generated/client.ts";
import type { TransactionClient } from "./generated/internal/prismaNamespace.ts";

export type Prisma = InstanceType<typeof PrismaClient>;
export type Transaction = TransactionClient;

/** Milliseconds a connection waits for another writer before SQLITE_BUSY (scripts, backups). */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * How long a server write waits for another process's write lock before answering 503.
 * The wait is asynchronous (retries with backoff): SQLite's own busy wait would block the event loop.
 */
export const WRITE_LOCK_WAIT_MS = 5_000;

/**
 * Per-connection settings every path uses. WAL lets readers run beside the one writer;
 * synchronous=FULL fsyncs the WAL at each commit, so an acknowledged write survives a
 * process kill *and* a power cut (NORMAL would survive only the kill).
 */
const CONNECTION_PRAGMAS = ["foreign_keys = ON", "synchronous = FULL", `busy_timeout = ${BUSY_TIMEOUT_MS}`];
/** The server's writing connections never wait inside SQLite: a busy lock fails at once and is retried asynchronously. */
const SERVER_WRITER_PRAGMAS = [
  "foreign_keys = ON",
  "synchronous = FULL",
  "busy_timeout = 0",
  // A 4 MB page cache each (SQLite's build here defaults to 16 MB): the hot reads use the reader's;
  // a scan through Prisma (text search) no longer keeps 16 MB of pages (peak RSS, docs/PERFORMANCE.md).
  "cache_size = -4000",
];

/** The database cannot take this request now (busy, disk full, file lost or damaged): the API answers 503. */
export class DatabaseUnavailableError extends Error {
  constructor(
    message: string,
    /** Seconds after which a retry may succeed; absent when only an operator can fix it. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** SQLite result codes that say the storage, not the request, failed. */
const TRANSIENT_CODES = ["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PROTOCOL"];
const DAMAGE_CODES = ["SQLITE_CORRUPT", "SQLITE_NOTADB"];
/** At most this many raw writes share one COMMIT. */
const GROUP_COMMIT_MAX = 64;

/** An error of the storage, not of one write's content: it fails every write of its transaction. */
function isStorageFault(err: unknown): boolean {
  const code = sqliteCodeOf(err);
  return code !== undefined && [...TRANSIENT_CODES, ...DAMAGE_CODES].some((c) => code.startsWith(c));
}

/**
 * The SQLite result code behind an error from better-sqlite3 or from Prisma (its `code`, or its
 * adapter error's `originalCode`), if any. Codes only, never messages, which may quote user input.
 */
function sqliteCodeOf(err: unknown): string | undefined {
  for (let e = err as Record<string, any> | undefined, depth = 0; e && depth < 5; depth++) {
    for (const code of [e.code, e.originalCode, e.cause?.originalCode]) if (typeof code === "string" && code.startsWith("SQLITE_")) return code;
    e = e.meta?.driverAdapterError ?? e.cause;
  }
  return undefined;
}

const isBusy = (err: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(sqliteCodeOf(err) ?? "");

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

type PrismaAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;

/**
 * Prisma's better-sqlite3 adapter with two repairs. Its connection gets the server's pragmas
 * whenever it is opened. And when COMMIT (or ROLLBACK) fails — disk full, I/O error — the adapter
 * never releases its transaction lock (prisma#29933), so every later write would wait forever:
 * here the connection is rolled back and the lock released, and the error goes on to the caller.
 */
class RecoveringAdapterFactory extends PrismaBetterSQLite3 {
  constructor(
    url: string,
    private readonly onConnect: (connection: Database.Database) => void,
  ) {
    super({ url, timeout: 0 });
  }

  override async connect(): Promise<PrismaAdapter> {
    const adapter = await super.connect();
    const connection = (adapter as unknown as { client: Database.Database }).client;
    this.onConnect(connection);
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const tx = await startTransaction(isolationLevel);
      const executeRaw = tx.executeRaw.bind(tx);
      tx.executeRaw = async (query) => {
        try {
          return await executeRaw(query);
        } catch (err) {
          if (query.sql === "COMMIT" || query.sql === "ROLLBACK") {
            if (connection.inTransaction) rollbackQuietly(connection);
            await tx.rollback();
          }
          throw err;
        }
      };
      return tx;
    };
    return adapter;
  }
}

function rollbackQuietly(connection: Database.Database): void {
  try {
    connection.exec("ROLLBACK");
  } catch {
    // Already rolled back by SQLite itself; nothing left to undo.
  }
}

/** Models whose names are unique as compared by `nameKey`: the name's column and the stored key's column. */
const NAME_KEYS: Record<string, { field: string; key: string; table: string }> = {
  Actor: { field: "name", key: "nameKey", table: "Actor" },
  Topic: { field: "name", key: "nameKey", table: "Topic" },
  Scenario: { field: "title", key: "titleKey", table: "Scenario" },
};

/**
 * Every Prisma write of a name also stores its key, whose unique index refuses "Café" beside
 * "CAFE\u0301": callers (API, seed, CLI) need not remember it.
 */
function withNameKeys(prisma: Prisma): Prisma {
  const extended = prisma.$extends({
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          const keyed = NAME_KEYS[model];
          if (keyed) {
            const a = args as { data?: unknown; create?: unknown; update?: unknown };
            const writes = operation === "upsert" ? [a.create, a.update] : [a.data].flat();
            for (const data of writes as Record<string, unknown>[]) {
              if (data && typeof data[keyed.field] === "string") data[keyed.key] = nameKey(data[keyed.field] as string);
            }
          }
          return query(args);
        },
      },
    },
  });
  // The extension changes no method's signature, only what create/update store.
  return extended as unknown as Prisma;
}

/** Keys for rows written before the key columns existed; a row whose key another row holds keeps none. */
function fillMissingNameKeys(writer: Database.Database): void {
  for (const { field, key, table } of Object.values(NAME_KEYS)) {
    const rows = writer.prepare(`SELECT "id", "${field}" AS name FROM "${table}" WHERE "${key}" IS NULL`).all() as { id: string; name: string }[];
    if (rows.length === 0) continue;
    const fill = writer.prepare(`UPDATE "${table}" SET "${key}" = @key WHERE "id" = @id AND NOT EXISTS (SELECT 1 FROM "${table}" WHERE "${key}" = @key)`);
    try {
      writer.transaction(() => {
        for (const row of rows) fill.run({ key: nameKey(row.name), id: row.id });
      })();
    } catch (err) {
      // Another process is writing: the keys are filled at the next open.
      if (!isBusy(err)) throw err;
    }
  }
}

export interface DatabaseHealth {
  ok: boolean;
  /** What is wrong, in an operator's words; absent when ok. */
  problem?: string;
}

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
  /**
   * Both write paths check the file is still the one opened, wait asynchronously (up to
   * WRITE_LOCK_WAIT_MS) for another process's write lock, and fail with DatabaseUnavailableError.
   */
  prismaTransaction<T>(work: (tx: TransactionClient) => Promise<T>): Promise<T>;
  /** A synchronous write on the raw writer, in its own savepoint of a group commit; resolves once committed. */
  rawTransaction<T>(work: (db: Database.Database) => T): Promise<T>;
  /** A read-only better-sqlite3 connection for hot read paths (raw SQL, no ORM layer). */
  reader: Database.Database;
  path: string;
  /** Whether the file is still the one opened, readable and undamaged (for /health). */
  health(): DatabaseHealth;
  /** The 503 to answer for an error the storage caused (noting damage, which stays), or null for any other error. */
  faultOf(err: unknown): DatabaseUnavailableError | null;
  /** Damage found outside a query (the file check finishing after start-up): /health 503 and writes refused from now on. */
  noteDamage(problem: string): void;
  close(): Promise<void>;
}

/** A file's identity: a deleted file, or another file moved into its place, has another (or none). */
function fileIdentity(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

/** What `PRAGMA quick_check` found, or why the file could not be read as a database at all. */
type CheckOutcome = { rows: string[] } | { error: { message: string; code?: string } };

/**
 * The check's code, run by a child process with its settings in TRADEWATCH_FILE_CHECK: opens the
 * file read-only and reports what `quick_check` found (or why the file could not be read) over IPC.
 * A process, not a thread: quick_check is one native call, which no thread can interrupt, so a
 * server stopping would wait for it (minutes on a large file); a process is killed at once, and
 * runs at the lowest CPU priority, so the seconds it reads a large file do not slow the answers.
 */
const CHECK_SCRIPT = `
const { path, driver, busyTimeoutMs } = JSON.parse(process.env.TRADEWATCH_FILE_CHECK);
// Lowest CPU priority: the check runs while the server answers, and must not slow its answers.
try { require("node:os").setPriority(19); } catch {}
const Database = require(driver);
let outcome;
let db;
try {
  db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
  outcome = { rows: db.pragma("quick_check(3)").map((r) => r.quick_check) };
} catch (e) {
  outcome = { error: { message: String(e && e.message), code: e && e.code } };
} finally {
  if (db) db.close();
}
process.send(outcome, () => process.disconnect());`;

/**
 * Checks an existing database file (`PRAGMA quick_check`) in a child process: resolves to null
 * when it is sound or does not exist yet, else one line saying what is wrong and what to do.
 * The check reads the whole file (about 6 s for 2 GB in the page cache, minutes from disk), so
 * start-up waits for it only so long and lets it finish in the background (src/server.ts); the
 * process is killed when this one exits. A check that cannot run (its process fails to start
 * or load) says nothing of the file: it resolves to null, after telling `unchecked` why.
 */
export function checkDatabaseFile(path: string, unchecked: (reason: string) => void = () => {}): Promise<string | null> {
  if (fileIdentity(path) === null) return Promise.resolve(null);
  return new Promise((done) => {
    let settled = false;
    const settle = (problem: string | null, uncheckedBecause?: string) => {
      if (settled) return;
      settled = true;
      if (uncheckedBecause !== undefined) unchecked(uncheckedBecause);
      done(problem);
    };
    const settings = { path, driver: createRequire(import.meta.url).resolve("better-sqlite3"), busyTimeoutMs: BUSY_TIMEOUT_MS };
    // Its errors (a failure to load) go to this process's stderr.
    const child = spawn(process.execPath, ["-e", CHECK_SCRIPT], {
      env: { ...process.env, TRADEWATCH_FILE_CHECK: JSON.stringify(settings) },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const stop = () => child.kill("SIGKILL");
    process.once("exit", stop);
    // The check never keeps this process alive on its own (a server stopping, a CLI finishing).
    child.unref();
    child.channel?.unref();
    // The check reports what the file holds (its errors opening or reading it included) as a message;
    // a failure to start, or an exit without a message, is the checker failing, not the file.
    child.once("message", (outcome: CheckOutcome) => settle(describeCheck(path, outcome)));
    child.once("error", (error) => {
      process.off("exit", stop);
      settle(null, error.message);
    });
    // "close", not "exit": it comes once the IPC channel is closed too, so after any message.
    child.once("close", (code, signal) => {
      process.off("exit", stop);
      settle(null, `the check stopped (${signal ?? `exit code ${code}`}) without a result`);
    });
  });
}

function describeCheck(path: string, outcome: CheckOutcome): string | null {
  const advice = "restore a backup (npm run db:restore -- <backup file>) or move the file away to start empty";
  if ("rows" in outcome) {
    if (outcome.rows.length === 1 && outcome.rows[0] === "ok") return null;
    return `The database file ${path} is damaged (${oneLine(outcome.rows.join("; "))}): ${advice}.`;
  }
  // Not a SQLite file at all: the operator pointed DATABASE_URL at the wrong file, not at a damaged one.
  if (outcome.error.code === "SQLITE_NOTADB")
    return databaseFileError(path, Object.assign(new Error(outcome.error.message), { code: outcome.error.code })).message;
  return `The database file ${path} cannot be read as a database (${oneLine(outcome.error.message)}): ${advice}.`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, "; ");
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/** Opens (creating if needed) the SQLite file at `path`, configured for a server. */
export async function openDatabase(path: string): Promise<TrackerDatabase> {
  ensureDatabaseFile(path);
  // WAL is a property of the file: set it once through a plain connection before anyone else opens it.
  const setup = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  setup.pragma("journal_mode = WAL");
  setup.close();
  const identity = fileIdentity(path);

  const prisma = withNameKeys(
    new PrismaClient({
      adapter: new RecoveringAdapterFactory(`file:${path}`, (connection) => {
        for (const pragma of SERVER_WRITER_PRAGMAS) connection.pragma(pragma);
      }),
    }),
  );
  await prisma.$connect();

  const reader = new Database(path, { readonly: true, timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
  reader.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // 8 MB of pages (the build's default is 16 MB): the hot reads' pages fit many times over, and
  // a long walk (a deep cursor, a scan to the budget) no longer lifts peak RSS by 16 MB.
  reader.pragma("cache_size = -8000");
  const writer = new Database(path, { timeout: 0 });
  for (const pragma of SERVER_WRITER_PRAGMAS) writer.pragma(pragma);
  fillMissingNameKeys(writer);
  const writeLock = new WriteLock();
  /** Damage seen by any query: it does not heal by itself, so it keeps /health at 503 and writes refused. */
  let damage: string | null = null;

  function fileProblem(): string | null {
    if (damage) return damage;
    const now = fileIdentity(path);
    if (now === null) return "the database file was deleted while the server ran; restore a backup and restart the server";
    if (now !== identity) return "the database file was replaced while the server ran; restart the server to use the new file";
    return null;
  }

  function faultOf(err: unknown): DatabaseUnavailableError | null {
    if (err instanceof DatabaseUnavailableError) return err;
    const code = sqliteCodeOf(err);
    if (!code) return null;
    if (DAMAGE_CODES.some((c) => code.startsWith(c))) {
      damage = `the database file is damaged (${code}); stop the server and restore a backup`;
      return new DatabaseUnavailableError(damage);
    }
    if (isBusy(err)) return new DatabaseUnavailableError("Another process holds the database's write lock; retry shortly.", 1);
    if (TRANSIENT_CODES.some((c) => code.startsWith(c))) {
      return new DatabaseUnavailableError(`The database could not store this change (${code}, e.g. disk full); nothing was written.`, 5);
    }
    return null;
  }

  /** Runs one write transaction under the process lock, retrying (without blocking) while another process writes. */
  function write<T>(attempt: () => Promise<T> | T): Promise<T> {
    const deadline = Date.now() + WRITE_LOCK_WAIT_MS;
    return writeLock.run(async () => {
      for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
        const problem = fileProblem();
        if (problem) throw new DatabaseUnavailableError(`Writes are refused: ${problem}.`);
        try {
          return await attempt();
        } catch (err) {
          if (!isBusy(err)) throw faultOf(err) ?? err;
          if (Date.now() + delay > deadline) throw faultOf(err);
          await sleep(delay);
        }
      }
    });
  }

  /** Raw writes waiting for the next group commit, in arrival order. */
  const waiting: { work: (db: Database.Database) => unknown; resolve: (value: any) => void; reject: (err: unknown) => void }[] = [];
  let groupScheduled = false;
  let closing = false;

  /**
   * Group commit: the raw writes that arrived while the previous COMMIT was syncing run in one
   * transaction, each in its own savepoint (a write that fails leaves the others untouched), with
   * one fsync for all; each is acknowledged only once that COMMIT has succeeded. A storage fault
   * (busy, disk full, I/O error, damage) fails the whole group: nothing of it was written.
   */
  function commitGroup() {
    groupScheduled = false;
    const group = waiting.splice(0, GROUP_COMMIT_MAX);
    if (group.length === 0) return;
    if (waiting.length > 0 && !closing) scheduleGroup();
    const outcomes: { ok: boolean; value?: unknown; err?: unknown }[] = [];
    write(() => {
      outcomes.length = 0;
      writer
        .transaction(() => {
          for (const item of group) {
            try {
              outcomes.push({ ok: true, value: writer.transaction(() => item.work(writer))() });
            } catch (err) {
              if (isStorageFault(err)) throw err;
              outcomes.push({ ok: false, err });
            }
          }
        })
        .immediate();
    }).then(
      () => {
        for (const [i, item] of group.entries()) {
          const outcome = outcomes[i]!;
          if (outcome.ok) item.resolve(outcome.value);
          else item.reject(outcome.err);
        }
      },
      (err) => {
        for (const item of group) item.reject(err);
      },
    );
  }

  function scheduleGroup() {
    if (groupScheduled) return;
    groupScheduled = true;
    // After the I/O callbacks of this turn: requests that arrived meanwhile join the group.
    setImmediate(commitGroup);
  }

  return {
    prisma,
    reader,
    writer,
    writeLock,
    path,
    prismaTransaction: (work) => write(() => prisma.$transaction(work, PRISMA_TRANSACTION_OPTIONS)),
    // IMMEDIATE: take the write lock at BEGIN, so the transaction never fails half-way on a busy upgrade.
    rawTransaction: (work) =>
      new Promise((resolve, reject) => {
        if (closing) {
          reject(new DatabaseUnavailableError("The server is shutting down; nothing was written. Retry shortly.", 5));
          return;
        }
        waiting.push({ work, resolve, reject });
        scheduleGroup();
      }),
    health() {
      const problem = fileProblem();
      if (problem) return { ok: false, problem };
      try {
        reader.prepare("SELECT count(*) FROM sqlite_master").get();
        return { ok: true };
      } catch (err) {
        return { ok: false, problem: faultOf(err)?.message ?? `the database cannot be read (${(err as Error).message})` };
      }
    },
    faultOf,
    noteDamage(problem) {
      damage ??= problem;
    },
    async close() {
      // Writes still waiting are committed (or fail) before the connections close; later ones are refused.
      closing = true;
      while (waiting.length > 0) commitGroup();
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
