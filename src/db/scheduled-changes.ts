import type Database from "better-sqlite3";
import { entriesKnownAt, type HistoryEntry } from "../domain/history.ts";
import { RECORD_KINDS } from "../domain/record-kinds.ts";
import type { TrackedKind } from "../domain/statuses.ts";
import { type HistoryRow, historiesOf, toHistoryEntry } from "./sql/history.ts";
import { limitBy, prepared } from "./sql/prepared.ts";
import type { ReadTime } from "./sql/record-states.ts";
import { toSqlDate } from "./sql-dates.ts";

/** What a record is called on a page, by kind. */
const LABEL_COLUMN: Record<TrackedKind, string> = {
  scenario: "title",
  threat: "summary",
  condition: "description",
  deadline: "wording",
  event: "title",
  agreement: "title",
  commitment: "description",
};

/** How many history rows one read of the schedule may examine. */
const SCHEDULE_SCAN_BUDGET = 2_000;

/**
 * The changes known at `knownAt` that take effect after `asOf`, soonest first: announced changes,
 * lapses by terms, moved dates. Entries retracted or superseded as known then are left out.
 */
export function scheduledChanges(reader: Database.Database, time: ReadTime, limit: number): { entry: HistoryEntry; label: string }[] {
  const rows = prepared(
    reader,
    `SELECT e.*, c."effectiveAt" AS "causeEffectiveAt", NULL AS "retractedAt", NULL AS "retractionReason", NULL AS "retractionBy"
       FROM "StatusChange" e LEFT JOIN "StatusChange" c ON c."seq" = e."causedBySeq" AND e."byTerms" = 1
       WHERE e."effectiveAt" > ? AND e."recordedAt" <= ? ORDER BY e."effectiveAt", e."seq" ${limitBy("?")}`,
  ).all(toSqlDate(time.asOf), toSqlDate(time.knownAt), SCHEDULE_SCAN_BUDGET) as HistoryRow[];
  const candidates = rows.map(toHistoryEntry);
  const byKind = new Map<TrackedKind, Set<string>>();
  for (const e of candidates) byKind.set(e.recordKind as TrackedKind, (byKind.get(e.recordKind as TrackedKind) ?? new Set()).add(e.recordId));
  const counted = new Set<number>();
  const labels = new Map<string, string>();
  for (const [kind, ids] of byKind) {
    for (const history of historiesOf(reader, kind, [...ids]).values()) for (const e of entriesKnownAt(history, time.knownAt)) counted.add(e.seq);
    const column = LABEL_COLUMN[kind];
    const named = reader
      .prepare(`SELECT "id", "${column}" AS "label" FROM "${RECORD_KINDS[kind].table}" WHERE "id" IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify([...ids])) as { id: string; label: string }[];
    for (const n of named) labels.set(`${kind}|${n.id}`, `${kind} “${n.label}”`);
  }
  return candidates
    .filter((e) => counted.has(e.seq))
    .slice(0, limit)
    .map((entry) => ({ entry, label: labels.get(`${entry.recordKind}|${entry.recordId}`) ?? `${entry.recordKind} ${entry.recordId}` }));
}
