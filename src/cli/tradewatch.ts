import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { AsOf, Instant, KnownAt } from "../api/schemas/common.ts";
import { loadConfig } from "../config.ts";
import { openDatabase, type TrackerDatabase } from "../db/client.ts";
import { databaseFileError } from "../db/database-file.ts";
import { listDeadlines } from "../db/deadline-queries.ts";
import { recordStatusChange } from "../db/tracked-writes.ts";
import { isStatusOf, isTrackedKind, STATUSES, TRACKED_KINDS } from "../domain/statuses.ts";
import { OperatorError, oneLine } from "../operator-error.ts";
import { USERS_HELP, usersCommand } from "./users.ts";

const HELP = `tradewatch — the trade-tension tracker from the command line

Usage:
  tradewatch deadlines [--as-of DATE] [--known-at DATE] [--within DAYS] [--url URL]
      Pending deadlines, earliest first, as a table: now, or as things stood on DATE
      (--as-of), as the tracker knew them on DATE (--known-at).
  tradewatch status <kind> <id> <status> --reason "..." [--effective-at DATE] [--url URL]
      Record a status change (kind: ${TRACKED_KINDS.join(", ")}).
${USERS_HELP}

Against a running server when --url or TRADEWATCH_URL is set (writes use TRADEWATCH_TOKEN),
else directly on the local database of DATABASE_URL (default file:./data/tradewatch.db).
`;

interface DeadlineLine {
  dueLabel: string;
  daysRemaining: number | null;
  overdue: boolean;
  wording: string;
  id: string;
  threat: { summary: string } | null;
}

// C0 and C1 controls (ESC starts terminal escape sequences) and bidirectional overrides.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Stored text made safe for a terminal: control characters cannot move the cursor, recolour or retitle it. */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => (c === "\n" || c === "\t" || c === "\r" ? " " : ""));
}

/** Fixed-width columns, so the table reads in any terminal. */
export function formatTable(rows: DeadlineLine[]): string {
  const header = ["DUE", "IN DAYS", "OVERDUE", "WORDING", "THREAT", "ID"];
  const body = rows.map((r) => [
    printable(r.dueLabel),
    r.daysRemaining === null ? "—" : String(r.daysRemaining),
    r.overdue ? "yes" : "",
    `“${printable(r.wording)}”`,
    printable(r.threat?.summary ?? ""),
    printable(r.id),
  ]);
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...body.map((b) => b[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (cell.length > widths[i]! ? `${cell.slice(0, widths[i]! - 1)}…` : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...body.map(line), `${rows.length} pending`].join("\n");
}

async function fail(message: string): Promise<never> {
  console.error(printable(message));
  process.exit(2);
}

/** A date option checked by the same schema the API uses, so both accept and refuse the same values. */
async function checkDate(option: string, value: string | undefined, schema: typeof AsOf | typeof KnownAt | typeof Instant): Promise<Date | undefined> {
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) await fail(`${option}: "${value}" ${parsed.error.issues[0]?.message ?? "is not a date"}`);
  return parsed.data;
}

interface ServerAnswer<T> {
  ok: boolean;
  body: T & { detail?: string; title?: string };
}

/** Calls the server; an unreachable server, a refused token or a non-Tradewatch answer is one line saying what to do. */
async function callServer<T>(base: string, path: string, init: RequestInit = {}): Promise<T> {
  const url = `${base.replace(/\/$/, "")}${path}`;
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new OperatorError(
      `cannot reach the server at ${base} (${cause?.code ?? cause?.message ?? (error as Error).message}); is it running? check --url or TRADEWATCH_URL`,
    );
  }
  const text = await res.text();
  let answer: ServerAnswer<T>;
  try {
    answer = { ok: res.ok, body: JSON.parse(text) };
  } catch {
    throw new OperatorError(`${base} answered ${res.status} without JSON; is it a Tradewatch server? check --url or TRADEWATCH_URL`);
  }
  const detail = answer.body.detail ?? answer.body.title ?? "";
  if (res.status === 401 || res.status === 403) {
    throw new OperatorError(
      `Server answered ${res.status}: ${detail}; set TRADEWATCH_TOKEN to the server's write token (TRADEWATCH_TOKEN of the server, or its token file, data/token by default)`,
    );
  }
  if (!answer.ok) throw new OperatorError(`Server answered ${res.status}: ${detail}`);
  return answer.body;
}

/** The local database of DATABASE_URL; never creates one (that is db:migrate's or the server's job). */
async function openLocalDatabase(): Promise<TrackerDatabase> {
  const { databasePath } = loadConfig();
  if (!existsSync(databasePath)) {
    throw new OperatorError(`no database at ${databasePath}; run npm run db:migrate (or npm start) first, set DATABASE_URL, or use --url`);
  }
  return openDatabase(databasePath).catch((error) => {
    throw databaseFileError(databasePath, error);
  });
}

async function main(argv: string[]) {
  if (argv[0] === "users") return usersCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "as-of": { type: "string" },
      "known-at": { type: "string" },
      within: { type: "string" },
      reason: { type: "string" },
      "effective-at": { type: "string" },
      url: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return;
  }
  const url = values.url ?? process.env.TRADEWATCH_URL;
  if (command === "deadlines") {
    const asOf = await checkDate("--as-of", values["as-of"], AsOf);
    const knownAt = await checkDate("--known-at", values["known-at"], KnownAt);
    const within = values.within === undefined ? undefined : Number(values.within);
    if (within !== undefined && !(Number.isInteger(within) && within >= 0)) await fail("--within: must be a whole number of days");
    if (url) {
      const qs = new URLSearchParams({
        status: "pending",
        limit: "500",
        ...(values["as-of"] ? { asOf: values["as-of"] } : {}),
        ...(values["known-at"] ? { knownAt: values["known-at"] } : {}),
        ...(within !== undefined ? { within: String(within) } : {}),
      });
      const body = await callServer<{ items: DeadlineLine[] }>(url, `/api/deadlines?${qs}`);
      console.log(formatTable(body.items));
      return;
    }
    const db = await openLocalDatabase();
    try {
      const { rows } = listDeadlines(db.reader, {
        status: "pending",
        asOf,
        knownAt,
        withinDays: within,
        limit: 500,
      });
      console.log(formatTable(rows));
    } finally {
      await db.close();
    }
    return;
  }
  if (command === "status") {
    const [kind, id, status] = rest;
    if (!kind || !id || !status) await fail('Usage: tradewatch status <kind> <id> <status> --reason "..."');
    if (!isTrackedKind(kind!)) await fail(`kind: must be one of ${TRACKED_KINDS.join(", ")}`);
    const trackedKind = kind as (typeof TRACKED_KINDS)[number];
    if (!isStatusOf(trackedKind, status!)) await fail(`status: must be one of ${STATUSES[trackedKind].join(", ")}`);
    if (!values.reason) await fail("--reason: required (what happened, and where it was reported)");
    const effectiveAt = await checkDate("--effective-at", values["effective-at"], Instant);
    if (url) {
      const body = await callServer<{ entry: { from: string; to: string }; consequences: unknown[] }>(
        url,
        `/api/${trackedKind}s/${encodeURIComponent(id!)}/status`,
        {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${process.env.TRADEWATCH_TOKEN ?? ""}` },
          body: JSON.stringify({ status, reason: values.reason, ...(effectiveAt ? { effectiveAt: effectiveAt.toISOString() } : {}) }),
        },
      );
      console.log(printable(`${kind} ${id}: ${body.entry.from} → ${body.entry.to} (${body.consequences.length} consequence(s))`));
      return;
    }
    const db = await openLocalDatabase();
    try {
      const result = await recordStatusChange(db, {
        kind: trackedKind,
        id: id!,
        to: status!,
        reason: values.reason!,
        by: "cli",
        effectiveAt: effectiveAt ?? undefined,
      });
      console.log(printable(`${kind} ${id}: ${result.entry.from} → ${result.entry.to} (${result.consequences.length} consequence(s))`));
    } catch (e) {
      await fail((e as Error).message);
    } finally {
      await db.close();
    }
    return;
  }
  await fail(`Unknown command "${command}".\n\n${HELP}`);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  // Unknown options, an unreachable server, a refused token, an unusable database: one line, no stack.
  await fail(`tradewatch: ${oneLine(error)}${(error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? " (see tradewatch --help)" : ""}`);
}
