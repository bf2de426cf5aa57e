import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { fieldProblemsOf } from "../api/problem.ts";
import { AsOf, Id, Instant, KnownAt, WithinDays } from "../api/schemas/common.ts";
import { statusChangeBodyFor, statusChangeOf } from "../api/schemas/records.ts";
import { loadConfig } from "../config.ts";
import { openDatabase, type TrackerDatabase } from "../db/client.ts";
import { databaseFileError } from "../db/database-file.ts";
import { listDeadlines } from "../db/deadline-queries.ts";
import { unknownFilterIds } from "../db/records.ts";
import { readTimeOf } from "../db/sql/record-states.ts";
import { recordStatusChange } from "../db/tracked-writes.ts";
import { type FieldProblem, InvalidInputError } from "../domain/errors.ts";
import { CLI_WRITER } from "../domain/roles.ts";
import { isTrackedKind, PRECISIONS, TRACKED_KINDS } from "../domain/statuses.ts";
import { OperatorError, oneLine } from "../operator-error.ts";
import { USERS_HELP, usersCommand } from "./users.ts";

const STATUS_DATE_PRECISIONS = PRECISIONS.filter((p) => p !== "unknown").join(", ");

const HELP = `tradewatch — the trade-tension tracker from the command line

Usage:
  tradewatch deadlines [--as-of DATE] [--known-at DATE] [--within DAYS] [--actor ID] [--scenario ID]
                       [--threat ID] [--condition ID] [--agreement ID] [--url URL]
      Pending deadlines, earliest first, as a table (at most 500): now, or as things stood on
      DATE (--as-of), as the tracker knew them on DATE (--known-at); only those involving an
      actor then (--actor: issuer, target, awaited actor or party), of a scenario (--scenario),
      or a threat's, a condition's or an agreement's own (all of them: its page shows 100).
  tradewatch status <kind> <id> <status> --reason "..." [--effective-at DATE] [OPTIONS] [--url URL]
      Record a status change (kind: ${TRACKED_KINDS.join(", ")}).
      Checked by the API's own rules, locally too: a misplaced option is refused, naming it,
      and nothing is written.
      --until DATE --then STATUS [--until-wording "..."]
          a status with an end (a threat suspended): when it ends by its terms, the status then
      --new-due-at DATE [--new-precision P] [--new-wording "..."]
          a deadline "extended": the successor's due date (P: ${STATUS_DATE_PRECISIONS}; default the deadline's own)
      --new-starts-at DATE [--new-ends-at DATE] [--new-precision P] [--new-wording "..."]
          an event "scheduled" again (rescheduled): its new dates (default P: the event's own)
      --superseded-by ID
          a threat or an agreement "superseded": the record of the same kind replacing it
      --correction
          recorded as a correction of the history, not news: it sets off no consequences
${USERS_HELP}

Against a running server when --url or TRADEWATCH_URL is set (writes use TRADEWATCH_TOKEN),
else directly on the local database of DATABASE_URL (default file:./data/tradewatch.db).
`;

/** The status options and the fields of the API's body they give (statusChangeBodyFor). */
const STATUS_OPTIONS = {
  "effective-at": "effectiveAt",
  until: "until",
  // biome-ignore lint/suspicious/noThenProperty: the API's word (issue 9: "until", "then"); an option name, never awaited
  then: "then",
  "until-wording": "untilWording",
  "new-due-at": "newDueAt",
  "new-starts-at": "newStartsAt",
  "new-ends-at": "newEndsAt",
  "new-precision": "newPrecision",
  "new-wording": "newWording",
  "superseded-by": "supersededById",
} as const;
const STATUS_DATE_OPTIONS = ["effective-at", "until", "new-due-at", "new-starts-at", "new-ends-at"] as const;
/** The deadline list's filters the command line takes (each an option of the same name). */
const DEADLINE_FILTERS = ["actor", "scenario", "threat", "condition", "agreement"] as const;
/** A body field or query parameter as the command line names it: an option, or the status argument. */
const OPTION_OF: Record<string, string> = {
  ...Object.fromEntries(Object.entries(STATUS_OPTIONS).map(([option, field]) => [field, `--${option}`])),
  reason: "--reason",
  correction: "--correction",
  ...Object.fromEntries(DEADLINE_FILTERS.map((filter) => [`query.${filter}`, `--${filter}`])),
  "query.asOf": "--as-of",
  "query.knownAt": "--known-at",
  "query.within": "--within",
};

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
/** The table shows at most this many deadlines. */
const TABLE_ROWS = 500;
/** A filtered list's page may hold fewer rows than asked (each page examines a bounded number of rows): it is followed this many times at most. */
const TABLE_PAGES = 20;

/** Pages of a list, followed until the table is full or the list ends: a filter that matches few rows is not cut at its first page. */
async function tableOfPages<C>(page: (after: C | null) => Promise<{ rows: DeadlineLine[]; next: C | null }>): Promise<{ rows: DeadlineLine[]; more: boolean }> {
  const rows: DeadlineLine[] = [];
  let after: C | null = null;
  for (let n = 0; n < TABLE_PAGES; n++) {
    const { rows: got, next } = await page(after);
    rows.push(...got);
    after = next;
    if (after === null || rows.length >= TABLE_ROWS) break;
  }
  return { rows: rows.slice(0, TABLE_ROWS), more: after !== null || rows.length > TABLE_ROWS };
}

/** The filters not given yet, to suggest when the table is not the whole list. */
function narrowingLeft(values: Record<string, unknown>): string[] {
  return ["within", "actor", "scenario", "threat"].filter((o) => values[o] === undefined).map((o) => `--${o}`);
}

export function formatTable(rows: DeadlineLine[], more = false, narrowWith: string[] = ["--within", "--actor", "--scenario"]): string {
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
  const narrow = narrowWith.length
    ? ` (narrow with ${narrowWith.length > 1 ? `${narrowWith.slice(0, -1).join(", ")} or ${narrowWith.at(-1)}` : narrowWith[0]})`
    : "";
  const count = more ? `${rows.length} pending shown; more may follow${narrow}` : `${rows.length} pending`;
  return [line(header), ...body.map(line), count].join("\n");
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
  body: T & { detail?: string; title?: string; errors?: FieldProblem[] };
}

/** The server refused a request; `errors`: the fields it named (a 422). */
class ServerRefusal extends OperatorError {
  constructor(
    message: string,
    readonly errors: FieldProblem[] | undefined,
  ) {
    super(message);
  }
}

/** Problems naming the API's fields, as the command line names them (its options). */
function asOptions(errors: FieldProblem[]): string {
  return errors.map((e) => `${OPTION_OF[e.field] ?? e.field}: ${e.problem}`).join("; ");
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
  if (!answer.ok) throw new ServerRefusal(`Server answered ${res.status}: ${detail}`, answer.body.errors);
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
      actor: { type: "string" },
      scenario: { type: "string" },
      threat: { type: "string" },
      condition: { type: "string" },
      agreement: { type: "string" },
      reason: { type: "string" },
      ...(Object.fromEntries(Object.keys(STATUS_OPTIONS).map((option) => [option, { type: "string" }])) as Record<
        keyof typeof STATUS_OPTIONS,
        { type: "string" }
      >),
      correction: { type: "boolean" },
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
    const within = values.within === undefined ? undefined : WithinDays.safeParse(values.within);
    if (within?.error) await fail(`--within: "${values.within}" ${within.error.issues[0]?.message ?? "must be a whole number of days"}`);
    const owners = { threat: values.threat, condition: values.condition, agreement: values.agreement };
    for (const [option, value] of Object.entries(owners)) {
      const problem = value === undefined ? undefined : Id.safeParse(value).error?.issues[0]?.message;
      if (problem) await fail(`--${option}: ${problem}`);
    }
    if (url) {
      const qs = new URLSearchParams({
        status: "pending",
        limit: "500",
        ...(values["as-of"] ? { asOf: values["as-of"] } : {}),
        ...(values["known-at"] ? { knownAt: values["known-at"] } : {}),
        ...(values.within !== undefined ? { within: values.within } : {}),
        ...(values.actor ? { actor: values.actor } : {}),
        ...(values.scenario ? { scenario: values.scenario } : {}),
        ...Object.fromEntries(Object.entries(owners).filter(([, v]) => v !== undefined)),
      });
      const table = await tableOfPages<string>(async (cursor) => {
        const body = await callServer<{ items: DeadlineLine[]; nextCursor: string | null }>(
          url,
          `/api/deadlines?${qs}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
        ).catch((e) => (e instanceof ServerRefusal && e.errors ? fail(asOptions(e.errors)) : Promise.reject(e)));
        return { rows: body.items, next: body.nextCursor };
      });
      console.log(formatTable(table.rows, table.more, narrowingLeft(values)));
      return;
    }
    const db = await openLocalDatabase();
    try {
      // A filter naming no record as known then is refused as the server refuses it, not shown as an empty table.
      const unknown = unknownFilterIds(db.reader, Object.fromEntries(DEADLINE_FILTERS.map((f) => [f, values[f]])), readTimeOf(asOf, knownAt));
      if (unknown.length > 0) await fail(unknown.map((e) => `--${e.field}: ${e.problem}`).join("; "));
      const query = {
        status: "pending" as const,
        asOf,
        knownAt,
        withinDays: within?.data,
        actorId: values.actor,
        scenarioId: values.scenario,
        threatId: owners.threat,
        conditionId: owners.condition,
        agreementId: owners.agreement,
      };
      const table = await tableOfPages<NonNullable<ReturnType<typeof listDeadlines>["next"]>>(async (after) => {
        const { rows, next } = listDeadlines(db.reader, { ...query, limit: TABLE_ROWS, ...(after === null ? {} : { after }) });
        return { rows, next };
      });
      console.log(formatTable(table.rows, table.more, narrowingLeft(values)));
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
    if (!values.reason) await fail("--reason: required (what happened, and where it was reported)");
    for (const option of STATUS_DATE_OPTIONS) await checkDate(`--${option}`, values[option], Instant);
    // The body the API takes, checked by the API's own schema: the same combinations are refused, naming the same fields.
    const body: Record<string, unknown> = { status, reason: values.reason, ...(values.correction ? { correction: true } : {}) };
    for (const [option, field] of Object.entries(STATUS_OPTIONS)) {
      const value = values[option as keyof typeof STATUS_OPTIONS];
      if (value !== undefined) body[field] = value;
    }
    const parsed = statusChangeBodyFor(trackedKind).safeParse(body);
    if (!parsed.success) return fail(asOptions(fieldProblemsOf(parsed.error)));
    const said = (r: {
      entry: { from: string | null; to: string | null };
      consequences: unknown[];
      successorDeadlineId: string | null;
      expiryDeadlineId: string | null;
    }) =>
      printable(
        `${kind} ${id}: ${r.entry.from} → ${r.entry.to} (${r.consequences.length} consequence(s))` +
          (r.successorDeadlineId ? `; successor deadline ${r.successorDeadlineId}` : "") +
          (r.expiryDeadlineId ? `; expiry deadline ${r.expiryDeadlineId}` : ""),
      );
    if (url) {
      const answer = await callServer<Parameters<typeof said>[0]>(url, `/api/${trackedKind}s/${encodeURIComponent(id!)}/status`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${process.env.TRADEWATCH_TOKEN ?? ""}` },
        body: JSON.stringify(body),
      }).catch((e) => (e instanceof ServerRefusal && e.errors ? fail(asOptions(e.errors)) : Promise.reject(e)));
      console.log(said(answer));
      return;
    }
    const db = await openLocalDatabase();
    try {
      const result = await recordStatusChange(db, { kind: trackedKind, id: id!, by: CLI_WRITER, ...statusChangeOf(parsed.data) });
      console.log(said(result));
    } catch (e) {
      // A rule of the write (a misplaced end, a missing new date) names the field as the server would.
      await fail(e instanceof InvalidInputError ? asOptions(e.errors) : (e as Error).message);
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
