import type Database from "better-sqlite3";
import { correctedKnownAt } from "../../domain/corrections.ts";
import { datesMovesAt } from "../../domain/dates.ts";
import { type HistoryEntry, type RecordState, recordStateAt } from "../../domain/history.ts";
import { RECORD_KINDS } from "../../domain/record-kinds.ts";
import type { TrackedKind } from "../../domain/statuses.ts";
import { historiesOf } from "./history.ts";
import { prepared } from "./prepared.ts";

/** When an answer holds: `asOf` (effective time) and `knownAt` (recorded time), and the clock's now. */
export interface ReadTime {
  asOf: Date;
  knownAt: Date;
  now: Date;
}

export function readTimeOf(asOf: Date | undefined, knownAt: Date | undefined, now = new Date()): ReadTime {
  // What the tracker knows can never be later than now: a knownAt ahead of the clock reads as now.
  const known = knownAt && knownAt.getTime() < now.getTime() ? knownAt : now;
  return { asOf: asOf ?? now, knownAt: known, now };
}

/** True when the read is about the present as known now: the cached status columns answer it. */
export function isPresent(t: ReadTime): boolean {
  return t.asOf.getTime() === t.now.getTime() && t.knownAt.getTime() === t.now.getTime();
}

/** A record's status (and what follows it) at a read time. */
export interface StatusAt {
  exists: boolean;
  status: string | null;
  byTerms: boolean;
  scheduled: HistoryEntry[];
  dates: Record<string, unknown>;
  /** A threat's terms changed since first recorded, as then (see src/domain/terms.ts). */
  terms: Record<string, unknown>;
  /** The values the status entry in effect carries (a move to "superseded": supersededById). */
  statusValues: Record<string, unknown> | null;
  createdAt: Date | null;
  /** A condition's or commitment's facts that corrections name, as known then (src/domain/corrections.ts); the row holds them as known now. */
  corrected: Record<string, unknown>;
  /** How many times its dates have moved then (datesMovesAt): 0 for a record whose history holds no dates entry. */
  datesMoves: number;
}

export function fromState(state: RecordState, corrected: Record<string, unknown>, datesMoves: number): StatusAt {
  return {
    exists: state.exists,
    status: state.status,
    byTerms: state.byTerms,
    scheduled: state.scheduled,
    dates: state.dates,
    terms: state.terms,
    statusValues: state.statusEntry?.values ?? null,
    createdAt: state.created?.effectiveAt ?? null,
    corrected,
    datesMoves,
  };
}

/** A record's cache columns as read by a caller (booleans as SQLite's 0/1 or as booleans). */
export interface CachedRow {
  id: string;
  status: string;
  statusUntil: string | Date | null;
  pendingInexact?: number | boolean;
  datesMoved?: number | boolean;
}

/**
 * Which of some records (kind, JSON array of ids) have a history entry beyond a plain status
 * change. Its middle term is, word for word, the WHERE of the partial index that answers it
 * (migration 20261201100000). `= +?`: no re-plan at every run with sqlite_stat4 (src/db/sql/history.ts).
 * A correction is not one: the row holds the corrected facts as known now (decision 027), so a
 * record with corrections only is still answered from its columns (its entry's row is read to
 * tell, only for the few entries the index holds).
 */
export const BEYOND_PLAIN_STATUS = `SELECT DISTINCT "recordId" FROM "StatusChange" WHERE "recordKind" = +? AND ("byTerms" = 1 OR "change" <> 'status' OR "values" IS NOT NULL) AND "recordId" IN (SELECT value FROM json_each(?)) AND "change" <> 'correction'`;

/**
 * The statuses of some records of one kind at a read time. In the present, a record whose cached
 * status is still current (no known change has taken effect since the last write) is answered from
 * its columns; every other answer comes from the history, read by the domain's evaluator.
 */
export function statusesAt(
  db: Database.Database,
  kind: TrackedKind,
  ids: readonly string[],
  t: ReadTime,
  /** Only the status matters (a link's): a current cached status answers, whatever else its history holds. */
  statusOnly = false,
  /** The records' rows as the caller already read them (their cache columns), so they are not read again. */
  cachedRows?: ReadonlyMap<string, CachedRow>,
): Map<string, StatusAt> {
  const result = new Map<string, StatusAt>();
  const unique = [...new Set(ids)];
  let toEvaluate = unique;
  if (isPresent(t) && unique.length > 0) {
    const rows: CachedRow[] = [];
    const unread: string[] = [];
    for (const id of unique) {
      const row = cachedRows?.get(id);
      if (row && "statusUntil" in row) rows.push(row);
      else unread.push(id);
    }
    if (unread.length > 0) {
      const plainColumns = kind === "deadline" ? `, "pendingInexact", "datesMoved"` : "";
      rows.push(
        ...(prepared(
          db,
          `SELECT "id", "status", "statusUntil"${plainColumns} FROM "${RECORD_KINDS[kind].table}" WHERE "id" IN (SELECT value FROM json_each(?))`,
        ).all(JSON.stringify(unread)) as CachedRow[]),
      );
    }
    toEvaluate = [];
    const current = new Set<string>();
    for (const r of rows) {
      // With a change scheduled (or one that has since taken effect) only the history says what holds and what follows.
      if (r.statusUntil !== null) {
        toEvaluate.push(r.id);
        continue;
      }
      result.set(r.id, {
        exists: true,
        status: r.status,
        byTerms: false,
        scheduled: [],
        dates: {},
        terms: {},
        statusValues: null,
        createdAt: null,
        corrected: {},
        datesMoves: 0,
      });
      // A deadline with exact pending bounds and unmoved dates has the common history: its columns say everything.
      if (kind !== "deadline" || r.pendingInexact || r.datesMoved) current.add(r.id);
    }
    // A cached status may hold by terms (a lapse), dates or terms may have moved, a status may carry values: only the history can say, so those are read too.
    if (current.size > 0 && !statusOnly) {
      const special = prepared(db, BEYOND_PLAIN_STATUS).all(kind, JSON.stringify([...current])) as { recordId: string }[];
      for (const r of special) toEvaluate.push(r.recordId);
    }
  }
  if (toEvaluate.length > 0) {
    const histories = historiesOf(db, kind, toEvaluate);
    for (const [id, history] of histories) {
      result.set(id, fromState(recordStateAt(history, t.asOf, t.knownAt), correctedKnownAt(history, t.knownAt), datesMovesAt(history, t.asOf, t.knownAt)));
    }
  }
  return result;
}
