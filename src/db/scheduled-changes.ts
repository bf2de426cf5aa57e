import type Database from "better-sqlite3";
import { entriesKnownAt, type HistoryEntry } from "../domain/history.ts";
import { RECORD_KINDS } from "../domain/record-kinds.ts";
import type { TrackedKind } from "../domain/statuses.ts";
import { type HistoryRow, historiesOf, toHistoryEntry } from "./sql/history.ts";
import { PASSED_OVER_PER_BUDGET, passedOverCounter } from "./sql/passed-over.ts";
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

/** How many history rows recorded by its knownAt one read of the schedule may examine (decision 028). */
const SCHEDULE_SCAN_BUDGET = 2_000;
/** The smallest batch the walk reads: a few left out (retracted, superseded) must not cost a query each. */
const BATCH_AT_LEAST = 16;

/**
 * The changes known at `knownAt` that take effect after `asOf`, soonest first: announced changes,
 * lapses by terms, moved dates. Entries retracted or superseded as known then are left out. The
 * entries are walked in effective order in batches, each checked against its record's history,
 * until `limit` are found or SCHEDULE_SCAN_BUDGET examined: a page reads the histories it shows.
 * Entries recorded after knownAt are passed over without counting, at most PASSED_OVER_PER_BUDGET
 * budgets of them.
 */
export function scheduledChanges(reader: Database.Database, time: ReadTime, limit: number): { entry: HistoryEntry; label: string }[] {
  // `+?`: no re-plan at every run with sqlite_stat4 (decision 014); the walk is the (effectiveAt, seq) index.
  const walk = prepared(
    reader,
    `SELECT e.*, c."effectiveAt" AS "causeEffectiveAt", NULL AS "retractedAt", NULL AS "retractionReason", NULL AS "retractionBy", e."recordedAt" > +? AS "later"
       FROM "StatusChange" e LEFT JOIN "StatusChange" c ON c."seq" = e."causedBySeq" AND e."byTerms" = 1
       WHERE (e."effectiveAt", e."seq") > (+?, +?) ORDER BY e."effectiveAt", e."seq" ${limitBy("?")}`,
  );
  const knownAt = toSqlDate(time.knownAt);
  const found: { entry: HistoryEntry; label: string }[] = [];
  const batch = Math.max(limit * 2, BATCH_AT_LEAST);
  // After every entry effective at asOf itself: those hold at asOf, they are not to come.
  let after: [string, number] = [toSqlDate(time.asOf), Number.MAX_SAFE_INTEGER];
  const passed = passedOverCounter("history entries", PASSED_OVER_PER_BUDGET * SCHEDULE_SCAN_BUDGET);
  for (let examined = 0; found.length < limit && examined < SCHEDULE_SCAN_BUDGET; ) {
    const size = Math.min(batch, SCHEDULE_SCAN_BUDGET - examined);
    const rows = walk.all(knownAt, ...after, size) as (HistoryRow & { later: number })[];
    const known = rows.filter((r) => !r.later);
    for (let i = known.length; i < rows.length; i++) passed.passOver();
    examined += known.length;
    const candidates = known.map(toHistoryEntry);
    const { counted, labels } = countedAndLabelled(reader, candidates, time);
    for (const entry of candidates) {
      if (found.length === limit) break;
      // A correction takes effect at no instant (it says what was always so): nothing is to come.
      if (counted.has(entry.seq) && entry.change !== "correction")
        found.push({ entry, label: labels.get(`${entry.recordKind}|${entry.recordId}`) ?? `${entry.recordKind} ${entry.recordId}` });
    }
    if (rows.length < size) break;
    const last = rows.at(-1)!;
    after = [last.effectiveAt, last.seq];
  }
  return found;
}

/** Which of the entries count as known at the read time (their records' histories say), and what their records are called. */
function countedAndLabelled(reader: Database.Database, entries: HistoryEntry[], time: ReadTime) {
  const byKind = new Map<TrackedKind, Set<string>>();
  for (const e of entries) byKind.set(e.recordKind as TrackedKind, (byKind.get(e.recordKind as TrackedKind) ?? new Set()).add(e.recordId));
  const counted = new Set<number>();
  const labels = new Map<string, string>();
  for (const [kind, ids] of byKind) {
    for (const history of historiesOf(reader, kind, [...ids]).values()) for (const e of entriesKnownAt(history, time.knownAt)) counted.add(e.seq);
    const named = prepared(
      reader,
      `SELECT "id", "${LABEL_COLUMN[kind]}" AS "label" FROM "${RECORD_KINDS[kind].table}" WHERE "id" IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify([...ids])) as { id: string; label: string }[];
    for (const n of named) labels.set(`${kind}|${n.id}`, `${kind} “${n.label}”`);
  }
  return { counted, labels };
}
