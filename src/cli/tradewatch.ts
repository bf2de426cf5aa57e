import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { listDeadlines } from "../db/deadline-queries.ts";
import { recordStatusChange } from "../db/tracked-writes.ts";
import { parseInstant } from "../domain/dates.ts";
import { parseReadInstants } from "../domain/read-time.ts";
import { isStatusOf, isTrackedKind, STATUSES, TRACKED_KINDS } from "../domain/statuses.ts";
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

/** Fixed-width columns, so the table reads in any terminal. */
export function formatTable(rows: DeadlineLine[]): string {
  const header = ["DUE", "IN DAYS", "OVERDUE", "WORDING", "THREAT", "ID"];
  const body = rows.map((r) => [
    r.dueLabel,
    r.daysRemaining === null ? "—" : String(r.daysRemaining),
    r.overdue ? "yes" : "",
    `“${r.wording}”`,
    r.threat?.summary ?? "",
    r.id,
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
  console.error(message);
  process.exit(2);
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
    const time = parseReadInstants({ asOf: values["as-of"], knownAt: values["known-at"] });
    if (Array.isArray(time)) return await fail(time.map((p) => `--${p.field === "asOf" ? "as-of" : "known-at"}: ${p.problem}`).join("; "));
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
      const res = await fetch(`${url.replace(/\/$/, "")}/api/deadlines?${qs}`);
      const body = (await res.json()) as { items: DeadlineLine[]; detail?: string };
      if (!res.ok) await fail(`Server answered ${res.status}: ${body.detail}`);
      console.log(formatTable(body.items));
      return;
    }
    const db = await openDatabase(loadConfig().databasePath);
    try {
      const { rows } = listDeadlines(db.reader, {
        status: "pending",
        asOf: time.asOf,
        knownAt: time.knownAt,
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
    const effectiveAt = values["effective-at"] ? parseInstant(values["effective-at"]) : undefined;
    if (values["effective-at"] && !effectiveAt) await fail("--effective-at: must be an ISO date or date-time");
    if (url) {
      const res = await fetch(`${url.replace(/\/$/, "")}/api/${trackedKind}s/${encodeURIComponent(id!)}/status`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${process.env.TRADEWATCH_TOKEN ?? ""}` },
        body: JSON.stringify({ status, reason: values.reason, ...(effectiveAt ? { effectiveAt: effectiveAt.toISOString() } : {}) }),
      });
      const body = (await res.json()) as { entry?: { from: string; to: string }; consequences?: unknown[]; detail?: string };
      if (!res.ok) await fail(`Server answered ${res.status}: ${body.detail}`);
      console.log(`${kind} ${id}: ${body.entry!.from} → ${body.entry!.to} (${body.consequences!.length} consequence(s))`);
      return;
    }
    const db = await openDatabase(loadConfig().databasePath);
    try {
      const result = await recordStatusChange(db, {
        kind: trackedKind,
        id: id!,
        to: status!,
        reason: values.reason!,
        by: "cli",
        effectiveAt: effectiveAt ?? undefined,
      });
      console.log(`${kind} ${id}: ${result.entry.from} → ${result.entry.to} (${result.consequences.length} consequence(s))`);
    } catch (e) {
      await fail((e as Error).message);
    } finally {
      await db.close();
    }
    return;
  }
  await fail(`Unknown command "${command}".\n\n${HELP}`);
}

await main(process.argv.slice(2));
