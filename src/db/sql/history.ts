import type Database from "better-sqlite3";
import type { ChangeKind, HistoryEntry } from "../../domain/history.ts";
import { toSqlDate } from "../sql-dates.ts";
import { PASSED_OVER_PER_BUDGET, passedOverCounter } from "./passed-over.ts";
import { BATCH_AT_MOST, limitBy, perConnection } from "./prepared.ts";

/** Raw SQL for the history: load entries with their retractions, append entries and retractions. */

export interface HistoryRow {
  seq: number;
  recordKind: string;
  recordId: string;
  change: string;
  from: string | null;
  to: string | null;
  values: string | null;
  effectiveAt: string;
  recordedAt: string;
  reason: string;
  by: string;
  correction: number;
  byTerms: number;
  causedBySeq: number | null;
  causeEffectiveAt: string | null;
  until: string | null;
  returnsTo: string | null;
  sourceId: string | null;
  evidenceId: string | null;
  retractedAt: string | null;
  retractionReason: string | null;
  retractionBy: string | null;
}

const SELECT_ENTRIES = `
  SELECT e."seq", e."recordKind", e."recordId", e."change", e."from", e."to", e."values", e."effectiveAt", e."recordedAt",
         e."reason", e."by", e."correction", e."byTerms", e."causedBySeq", cause."effectiveAt" AS "causeEffectiveAt",
         e."until", e."returnsTo", e."sourceId", e."evidenceId",
         r."recordedAt" AS "retractedAt", r."reason" AS "retractionReason", r."by" AS "retractionBy"
  FROM "StatusChange" e
  LEFT JOIN "StatusChange" cause ON cause."seq" = e."causedBySeq" AND e."byTerms" = 1
  LEFT JOIN "Retraction" r ON r."entrySeq" = e."seq"`;

export function toHistoryEntry(r: HistoryRow): HistoryEntry {
  return {
    seq: r.seq,
    recordKind: r.recordKind,
    recordId: r.recordId,
    change: r.change as ChangeKind,
    from: r.from,
    to: r.to,
    values: r.values === null ? null : reviveDates(JSON.parse(r.values) as Record<string, unknown>),
    effectiveAt: new Date(r.effectiveAt),
    recordedAt: new Date(r.recordedAt),
    reason: r.reason,
    by: r.by,
    correction: r.correction === 1,
    byTerms: r.byTerms === 1,
    causedBySeq: r.causedBySeq,
    causeEffectiveAt: r.causeEffectiveAt === null ? null : new Date(r.causeEffectiveAt),
    until: r.until === null ? null : new Date(r.until),
    returnsTo: r.returnsTo,
    sourceId: r.sourceId,
    evidenceId: r.evidenceId,
    retractedAt: r.retractedAt === null ? null : new Date(r.retractedAt),
    retraction: r.retractedAt === null ? null : { reason: r.retractionReason!, by: r.retractionBy! },
  };
}

const DATE_VALUES = new Set(["dueAt", "startsAt", "endsAt"]);

/** Dates inside a dates entry's JSON come back as Date objects. */
function reviveDates(values: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(values)) if (DATE_VALUES.has(k) && typeof values[k] === "string") values[k] = new Date(values[k] as string);
  return values;
}

/** A page of one record's timeline (timelineEntries). */
export const TIMELINE_SQL = {
  // The entries after the key (@afterAt, @afterSeq) in effective order, each with whether it was recorded by @knownAt, from the
  // (recordKind, recordId, effectiveAt, seq, recordedAt) index alone: first those at the key's effective time (a range on seq),
  // then those after it (a range on effectiveAt). A row value (effectiveAt, seq) > (…) ranges on effectiveAt alone, and would
  // read again every entry at the key's effective time.
  keysAtSameTime: `SELECT e."effectiveAt", e."seq", e."recordedAt" <= @knownAt AS "known"
         FROM "StatusChange" e
         WHERE e."recordKind" = +@kind AND e."recordId" = +@id AND e."effectiveAt" = @afterAt AND e."seq" > @afterSeq
         ORDER BY e."seq" ${limitBy("@batch")}`,
  keysAfter: `SELECT e."effectiveAt", e."seq", e."recordedAt" <= @knownAt AS "known"
         FROM "StatusChange" e
         WHERE e."recordKind" = +@kind AND e."recordId" = +@id AND e."effectiveAt" > @afterAt
         ORDER BY e."effectiveAt", e."seq" ${limitBy("@batch")}`,
  // A report known and not retracted at @knownAt, at the same effective time as an entry and after it (it voids a lapse by terms).
  reportAtSameTimeAfter: `SELECT EXISTS (SELECT 1 FROM "StatusChange" e LEFT JOIN "Retraction" r ON r."entrySeq" = e."seq"
           WHERE e."recordKind" = +@kind AND e."recordId" = +@id AND e."effectiveAt" = @at AND e."seq" > @seq AND e."recordedAt" <= @knownAt
             AND e."change" = 'status' AND e."byTerms" = 0 AND (r."recordedAt" IS NULL OR r."recordedAt" > @knownAt))`,
  // The page's entries, by seq, with their retractions.
  entries: `${SELECT_ENTRIES} WHERE e."seq" IN (SELECT value FROM json_each(@seqs)) ORDER BY e."effectiveAt", e."seq"`,
};

function statementsFor(db: Database.Database) {
  return {
    // The unary + keeps SQLite from walking (recordKind, effectiveAt) for the order, which reads every entry of the kind (measured: 214 ms vs 23 ms for 1,000 of 100,000 threats).
    // `= +@kind` (a value SQLite cannot look up in its statistics): with sqlite_stat4 (after an ANALYZE), a parameter compared to
    // an indexed column makes SQLite plan the statement again at every run (measured at 1M deadlines: 130 µs a read instead of 25).
    ofRecords: db.prepare(
      `${SELECT_ENTRIES} WHERE e."recordKind" = +@kind AND e."recordId" IN (SELECT value FROM json_each(@ids)) ORDER BY +e."effectiveAt", e."seq"`,
    ),
    // One record's entries come in order straight from the (recordKind, recordId, effectiveAt, seq) index, with no list to unpack (17 µs a read).
    ofRecord: db.prepare(`${SELECT_ENTRIES} WHERE e."recordKind" = +? AND e."recordId" = +? ORDER BY e."effectiveAt", e."seq"`),
    one: db.prepare(`${SELECT_ENTRIES} WHERE e."seq" = ?`),
    causedBy: db.prepare(`SELECT "seq" FROM "StatusChange" WHERE "causedBySeq" = ?`),
    // Entries recorded in [@from, @knownAt] after the key (@afterAt, @afterSeq), in recording order on
    // its index, each with whether it is effective in range (a column: every entry read counts).
    recordedKeys: db
      .prepare(
        `SELECT e."recordedAt", e."seq", (+e."effectiveAt" >= @effectiveFrom AND +e."effectiveAt" <= @effectiveTo) AS "matched"
         FROM "StatusChange" e INDEXED BY "StatusChange_recordedAt_idx"
         WHERE e."recordedAt" >= @from AND e."recordedAt" <= @knownAt AND (e."recordedAt" > @afterAt OR e."seq" > @afterSeq)
         ORDER BY e."recordedAt", e."seq" ${limitBy("@batch")}`,
      )
      .raw(),
    keysAtSameTime: db.prepare(TIMELINE_SQL.keysAtSameTime).raw(),
    keysAfter: db.prepare(TIMELINE_SQL.keysAfter).raw(),
    entriesInEffectiveOrder: db.prepare(TIMELINE_SQL.entries),
    reportAtSameTimeAfter: db.prepare(TIMELINE_SQL.reportAtSameTimeAfter).pluck(),
    termsValues: db.prepare(
      `SELECT "seq", "values" FROM "StatusChange" WHERE "seq" IN (SELECT value FROM json_each(@seqs)) AND "recordKind" = @kind AND "recordId" = @id AND "change" = 'terms'`,
    ),
    entriesBySeq: db.prepare(`${SELECT_ENTRIES} WHERE e."seq" IN (SELECT value FROM json_each(?)) ORDER BY e."recordedAt", e."seq"`),
    insert: db.prepare(
      `INSERT INTO "StatusChange" ("recordKind", "recordId", "change", "from", "to", "values", "effectiveAt", "recordedAt", "reason", "by",
         "correction", "byTerms", "causedBySeq", "until", "returnsTo", "sourceId", "evidenceId")
       VALUES (@recordKind, @recordId, @change, @from, @to, @values, @effectiveAt, @recordedAt, @reason, @by,
         @correction, @byTerms, @causedBySeq, @until, @returnsTo, @sourceId, @evidenceId) RETURNING "seq"`,
    ),
    retract: db.prepare(`INSERT INTO "Retraction" ("entrySeq", "causedById", "recordedAt", "reason", "by") VALUES (?, ?, ?, ?, ?) RETURNING "id"`),
  };
}

const statements = perConnection(statementsFor);

/** The whole history of each record (retractions included), in effective order. */
export function historiesOf(db: Database.Database, kind: string, ids: readonly string[]): Map<string, HistoryEntry[]> {
  if (ids.length === 1) return new Map([[ids[0]!, historyOf(db, kind, ids[0]!)]]);
  const result = new Map<string, HistoryEntry[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return result;
  for (const row of statements(db).ofRecords.all({ kind, ids: JSON.stringify(ids) }) as HistoryRow[]) {
    result.get(row.recordId)?.push(toHistoryEntry(row));
  }
  return result;
}

export function historyOf(db: Database.Database, kind: string, id: string): HistoryEntry[] {
  return (statements(db).ofRecord.all(kind, id) as HistoryRow[]).map(toHistoryEntry);
}

export function entryBySeq(db: Database.Database, seq: number): HistoryEntry | null {
  const row = statements(db).one.get(seq) as HistoryRow | undefined;
  return row ? toHistoryEntry(row) : null;
}

/** The entries an entry set off, directly. */
export function consequencesOfEntry(db: Database.Database, seq: number): number[] {
  return (statements(db).causedBy.all(seq) as { seq: number }[]).map((r) => r.seq);
}

/** Where a read of recorded entries goes on: after this recorded time (as stored) and seq. */
export type RecordedKey = [recordedAt: string, seq: number];

export interface ChangesQuery {
  since: Date;
  knownAt: Date;
  effectiveFrom: Date;
  effectiveTo: Date;
  after: RecordedKey | null;
  limit: number;
}

/** How many entries one read of /api/changes may look at, matched or not. */
export const CHANGES_SCAN_BUDGET = 5_000;

/**
 * One page of up to `limit` entries in recording order (recorded time, then seq), recorded in
 * [since, knownAt] after `after` and effective in [effectiveFrom, effectiveTo], looking at most at
 * CHANGES_SCAN_BUDGET entries: the effective range has no index, and a range nothing falls in
 * read the whole history. `next` is where the next page goes on: after its last entry when it is
 * full, after the last entry looked at when the budget cut it short, null when nothing further
 * can match.
 */
export function entriesRecorded(db: Database.Database, q: ChangesQuery): { entries: HistoryEntry[]; next: RecordedKey | null } {
  const st = statements(db);
  const since = toSqlDate(q.since);
  const params = { knownAt: toSqlDate(q.knownAt), effectiveFrom: toSqlDate(q.effectiveFrom), effectiveTo: toSqlDate(q.effectiveTo) };
  let key: RecordedKey = q.after ?? ["", 0];
  const found: RecordedKey[] = [];
  let examined = 0;
  let exhausted = false;
  for (let batch = q.limit + 1; found.length <= q.limit && examined < CHANGES_SCAN_BUDGET; batch = Math.min(batch * 2, BATCH_AT_MOST)) {
    const size = Math.min(batch, CHANGES_SCAN_BUDGET - examined);
    // biome-ignore lint/complexity/useMathMinMax: ISO texts, compared as strings
    const from = key[0] > since ? key[0] : since;
    const rows = st.recordedKeys.all({ ...params, from, afterAt: key[0], afterSeq: key[1], batch: size }) as [string, number, number | null][];
    for (const [recordedAt, seq, matched] of rows) {
      examined++;
      key = [recordedAt, seq];
      if (matched && found.push(key) > q.limit) break;
    }
    if (rows.length < size) {
      exhausted = true;
      break;
    }
  }
  const shown = found.slice(0, q.limit);
  const entries = shown.length ? (st.entriesBySeq.all(JSON.stringify(shown.map(([, seq]) => seq))) as HistoryRow[]).map(toHistoryEntry) : [];
  const next = found.length > q.limit ? shown.at(-1)! : exhausted ? null : key;
  return { entries, next };
}

/** Where a record's timeline read in pages goes on: after this effective time (as stored) and seq. */
export type EffectiveKey = [effectiveAt: string, seq: number];

/** How many entries recorded by its knownAt one page of a record's timeline may look at. */
export const TIMELINE_SCAN_BUDGET = 5_000;

/**
 * Up to `limit` entries of one record recorded by `knownAt`, in effective order after `after`,
 * with their retractions, looking at most at TIMELINE_SCAN_BUDGET entries recorded by then (those
 * recorded later are passed over without counting, at most PASSED_OVER_PER_BUDGET budgets of
 * them: decision 028). `next` is where the next page goes on: after its last entry when more
 * follow, after the last entry looked at when the budget cut the page short, null at the end.
 */
export function timelineEntries(
  db: Database.Database,
  kind: string,
  id: string,
  knownAt: Date,
  after: EffectiveKey | null,
  limit: number,
): { entries: HistoryEntry[]; next: EffectiveKey | null } {
  const st = statements(db);
  const params = { kind, id, knownAt: toSqlDate(knownAt) };
  let key: EffectiveKey = after ?? ["", 0];
  const found: EffectiveKey[] = [];
  let examined = 0;
  let exhausted = false;
  const passed = passedOverCounter("history entries", PASSED_OVER_PER_BUDGET * TIMELINE_SCAN_BUDGET);
  for (let batch = limit + 1; found.length <= limit && examined < TIMELINE_SCAN_BUDGET; batch = Math.min(batch * 2, BATCH_AT_MOST)) {
    const size = Math.min(batch, TIMELINE_SCAN_BUDGET - examined);
    const at = { ...params, afterAt: key[0], afterSeq: key[1] };
    const rows = st.keysAtSameTime.all({ ...at, batch: size }) as [string, number, number][];
    if (rows.length < size) rows.push(...(st.keysAfter.all({ ...at, batch: size - rows.length }) as [string, number, number][]));
    for (const [effectiveAt, seq, known] of rows) {
      key = [effectiveAt, seq];
      if (!known) {
        passed.passOver();
        continue;
      }
      examined++;
      if (found.push(key) > limit) break;
    }
    if (rows.length < size) {
      exhausted = true;
      break;
    }
  }
  const shown = found.slice(0, limit);
  const entries = shown.length
    ? (st.entriesInEffectiveOrder.all({ seqs: JSON.stringify(shown.map(([, seq]) => seq)) }) as HistoryRow[]).map(toHistoryEntry)
    : [];
  const next = found.length > limit ? shown.at(-1)! : exhausted ? null : key;
  return { entries, next };
}

/** Whether a report known and not retracted at `knownAt` follows `entry` at the same effective time. */
export function isReportedLaterAtSameTime(db: Database.Database, entry: HistoryEntry, knownAt: Date): boolean {
  const params = { kind: entry.recordKind, id: entry.recordId, at: toSqlDate(entry.effectiveAt), seq: entry.seq, knownAt: toSqlDate(knownAt) };
  return statements(db).reportAtSameTimeAfter.get(params) === 1;
}

/** The values of a record's terms entries, by seq. */
export function termsValuesOf(db: Database.Database, kind: string, id: string, seqs: readonly number[]): Map<number, Record<string, unknown>> {
  if (seqs.length === 0) return new Map();
  const rows = statements(db).termsValues.all({ kind, id, seqs: JSON.stringify(seqs) }) as { seq: number; values: string }[];
  return new Map(rows.map((r) => [r.seq, JSON.parse(r.values) as Record<string, unknown>]));
}

export type NewHistoryEntry = Omit<HistoryEntry, "seq" | "causeEffectiveAt" | "retractedAt" | "retraction">;

/** An entry's columns as stored. */
function storedForm(e: NewHistoryEntry) {
  return {
    recordKind: e.recordKind,
    recordId: e.recordId,
    change: e.change,
    from: e.from,
    to: e.to,
    values: e.values === null ? null : JSON.stringify(e.values),
    effectiveAt: toSqlDate(e.effectiveAt),
    recordedAt: toSqlDate(e.recordedAt),
    reason: e.reason,
    by: e.by,
    correction: e.correction ? 1 : 0,
    byTerms: e.byTerms ? 1 : 0,
    causedBySeq: e.causedBySeq,
    until: e.until === null ? null : toSqlDate(e.until),
    returnsTo: e.returnsTo,
    sourceId: e.sourceId,
    evidenceId: e.evidenceId,
  };
}

/**
 * Appends an entry and returns it as a read of it would (`entryBySeq`), without reading it back:
 * `causeEffectiveAt` is the effective time of the entry it follows from, for an entry by terms.
 */
export function appendAndReturn(db: Database.Database, e: NewHistoryEntry, causeEffectiveAt: Date | null): HistoryEntry {
  const stored = storedForm(e);
  const seq = (statements(db).insert.get(stored) as { seq: number }).seq;
  // Object.assign on the row just stored, not `{ ...stored, more }`: see threatDetail (V8 kept such copies past a scavenge).
  return toHistoryEntry(
    Object.assign(stored, {
      seq,
      causeEffectiveAt: e.byTerms && e.causedBySeq !== null ? toSqlDate(causeEffectiveAt!) : null,
      retractedAt: null,
      retractionReason: null,
      retractionBy: null,
    }),
  );
}

export function appendRetraction(db: Database.Database, entrySeq: number, causedById: number | null, recordedAt: Date, reason: string, by: string): number {
  return (statements(db).retract.get(entrySeq, causedById, toSqlDate(recordedAt), reason, by) as { id: number }).id;
}
