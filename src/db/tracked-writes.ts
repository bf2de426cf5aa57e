import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { endingThatRefuses } from "../domain/belonging.ts";
import { consequencesOf, mayHaveConsequences } from "../domain/consequences.ts";
import { CORRECTABLE_FACTS, type CorrectableKind, correctedKnownAt, isCorrectableKind, planCorrection } from "../domain/corrections.ts";
import { formatAtPrecision, precisionOfNewDate } from "../domain/dates.ts";
import { dueAfter, extendsLater, successorDueDate } from "../domain/deadlines.ts";
import { editChangesNothing } from "../domain/edits.ts";
import {
  ChainConflictError,
  ConflictError,
  checkExpectedVersion,
  type ExpectedVersions,
  InvalidInputError,
  NotFoundError,
  TransitionNotAllowedError,
} from "../domain/errors.ts";
import type { EvidenceRequest } from "../domain/evidence.ts";
import {
  aKind,
  creationMayTakeEffectAt,
  dueDateRangeOf,
  entriesKnownAt,
  firstBrokenLink,
  type HistoryEntry,
  isConsequence,
  isCreation,
  MAX_SCHEDULE_YEARS,
  pendingBoundsOf,
  planDatesChange,
  planStatusChange,
  recordStateAt,
  type StatusCache,
  type StatusChangePlan,
  statusCacheAt,
} from "../domain/history.ts";
import { allowedNextStatuses, isEnding, requiresSuccessor } from "../domain/lifecycle.ts";
import { DEADLINE_CACHE_COLUMNS, RECORD_KINDS, STATUS_SPAN_KINDS, startingStatusFor } from "../domain/record-kinds.ts";
import { type Precision, TRACKED_KINDS, type TrackedKind } from "../domain/statuses.ts";
import { planTermsChange, type Terms } from "../domain/terms.ts";
import type { TrackerDatabase } from "./client.ts";
import { storeEvidenceRaw } from "./evidence.ts";
import { refreshInForce } from "./in-force.ts";
import { appendAndReturn, appendRetraction, consequencesOfEntry, entryBySeq, historiesOf, historyOf, type NewHistoryEntry } from "./sql/history.ts";
import { perConnection, prepared } from "./sql/prepared.ts";
import { fromSqlDate, toSqlDate } from "./sql-dates.ts";

/**
 * Every write to a tracked record (creation, status change, moved dates, retraction) runs here,
 * as one raw-SQL transaction on the writer connection: load the record's history, ask the domain
 * planner what may be written, append the entries, and refresh the record's cached columns
 * from its history. Nothing here decides what held when: src/domain/history.ts does.
 */

export interface NewDate {
  at: Date;
  /** Unstated: the precision the deadline's or event's date had at the change's effective time (precisionOfNewDate). */
  precision?: Exclude<Precision, "unknown">;
  endsAt?: Date | null;
  wording?: string;
}

export type EvidenceRef = EvidenceRequest;

export interface StatusChangeRequest {
  kind: TrackedKind;
  id: string;
  to: string;
  reason: string;
  by: string;
  effectiveAt?: Date;
  correction?: boolean;
  /** The version the client last saw (If-Match); absent means "whatever is current". */
  expectedVersion?: ExpectedVersions;
  evidence?: EvidenceRef;
  /** The new due date of an extension, or the new date of a rescheduled event. */
  newDate?: NewDate;
  /** A status with an end: until when it lasts, the status that follows, and the expiry's wording. */
  until?: Date;
  returnsTo?: string;
  untilWording?: string;
  /** A move to "superseded" (a threat or an agreement): the record of the same kind that replaced it (kept in the entry's values). */
  supersededById?: string;
}

export interface StatusChangeResult {
  version: number;
  entry: HistoryEntry;
  consequences: HistoryEntry[];
  /** The successor deadline an extension created. */
  successorDeadlineId: string | null;
  /** The expiry deadline a status with an end created. */
  expiryDeadlineId: string | null;
}

const SET_SPAN = `, "statusFrom" = @statusFrom, "statusKnownFrom" = @statusKnownFrom`;

function statementsFor(db: Database.Database) {
  const byKind = <T>(make: (table: string, kind: TrackedKind) => T) =>
    Object.fromEntries(TRACKED_KINDS.map((k) => [k, make(RECORD_KINDS[k].table, k)])) as Record<TrackedKind, T>;
  return {
    find: byKind((t) => db.prepare(`SELECT "id", "version" FROM "${t}" WHERE "id" = ?`)),
    refreshStatus: byKind((t, kind) =>
      db.prepare(
        `UPDATE "${t}" SET "status" = COALESCE(@status, "status"), "statusUntil" = @statusUntil${STATUS_SPAN_KINDS.has(kind) ? SET_SPAN : ""}, "version" = "version" + 1, "updatedAt" = @now WHERE "id" = @id`,
      ),
    ),
    deadlineCaches: db.prepare(`SELECT ${DEADLINE_REFRESHED.map((c) => `"${c}"`).join(", ")} FROM "Deadline" WHERE "id" = ?`).raw(true),
    deadline: db.prepare(
      `SELECT "id", "dueAt", "precision", "wording", "threatId", "conditionId", "scenarioId", "agreementId", "commitmentId", "kind" FROM "Deadline" WHERE "id" = ?`,
    ),
    insertDeadline: db.prepare(
      `INSERT INTO "Deadline" ("id", "dueAt", "precision", "wording", "threatId", "conditionId", "scenarioId", "agreementId", "commitmentId", "extendsId", "kind", "status", "version", "createdAt", "updatedAt")
       VALUES (@id, @dueAt, @precision, @wording, @threatId, @conditionId, @scenarioId, @agreementId, @commitmentId, @extendsId, @kind, 'pending', 0, @now, @now)`,
    ),
    eventPrecision: db.prepare(`SELECT "precision" FROM "Event" WHERE "id" = ?`),
    condition: db.prepare(`SELECT "effect", "threatId", "agreementId" FROM "Condition" WHERE "id" = ?`),
    deadlinesOfAgreement: db.prepare(`SELECT "id", "conditionId", "kind" FROM "Deadline" WHERE "agreementId" = ? ORDER BY "id"`),
    deadlinesOfCommitment: db.prepare(`SELECT "id" FROM "Deadline" WHERE "commitmentId" = ? ORDER BY "id"`),
    commitmentsOfAgreement: db.prepare(`SELECT "id" FROM "Commitment" WHERE "agreementId" = ? ORDER BY "id"`),
    agreement: db.prepare(`SELECT "id" FROM "Agreement" WHERE "id" = ?`),
    // `= +?`: a value SQLite cannot look up in sqlite_stat4, which would make it plan the statement again at every run (src/db/sql/history.ts).
    // The agreement and commitment lookups above keep `= ?`: most deadlines have neither, and SQLite takes their index only when it sees the value is rare.
    deadlinesOfCondition: db.prepare(`SELECT "id" FROM "Deadline" WHERE "conditionId" = +? ORDER BY "id"`),
    deadlinesOfThreat: db.prepare(`SELECT "id", "conditionId", "kind" FROM "Deadline" WHERE "threatId" = +? ORDER BY "id"`),
    conditionsOfThreat: db.prepare(`SELECT "id" FROM "Condition" WHERE "threatId" = ? ORDER BY "id"`),
    conditionsOfAgreement: db.prepare(`SELECT "id" FROM "Condition" WHERE "agreementId" = ? ORDER BY "id"`),
    commitment: db.prepare(`SELECT "agreementId" FROM "Commitment" WHERE "id" = ?`),
    actorExists: db.prepare(`SELECT 1 FROM "Actor" WHERE "id" = ?`),
    linkTarget: db.prepare(`INSERT OR IGNORE INTO "ThreatTarget" ("threatId", "actorId", "initial") VALUES (?, ?, ?)`),
    threatFirstTerms: db.prepare(`SELECT "measure", "ratePercent", "authority", "covers" FROM "Threat" WHERE "id" = ?`),
    firstTargets: db.prepare(`SELECT "actorId" FROM "ThreatTarget" WHERE "threatId" = ? AND "initial" = 1 ORDER BY "actorId"`).pluck(),
  };
}

const statements = perConnection(statementsFor);

/**
 * Records a status change and everything it sets off, in one transaction. `answer`, when given,
 * reads what the write answers with on the writing connection, at the write's recorded time,
 * after everything it changed: inside the write, as it will be committed (decision 019).
 */
export function recordStatusChange<Answer = never>(
  db: TrackerDatabase,
  req: StatusChangeRequest,
  at: RecordedAt = () => new Date(),
  answer?: (conn: Database.Database, now: Date) => Answer,
): Promise<StatusChangeResult & { answer?: Answer }> {
  return db.rawTransaction((conn) => {
    const now = recordedAtNow(at);
    const scope = new WriteScope(conn, now);
    const result = applyStatusChange(conn, req, now, scope);
    scope.refresh();
    return { ...result, version: currentVersion(conn, req.kind, req.id), ...(answer ? { answer: answer(conn, now) } : {}) };
  });
}

/** When the tracker learns a write: a fixed instant, or a clock read as the write runs. */
export type RecordedAt = Date | (() => Date);

/**
 * A write's recorded time, read inside its transaction: a clock is read just before the COMMIT
 * (in the same synchronous run), so no read of this process can see a recorded time whose
 * entries are not yet committed.
 */
function recordedAtNow(at: RecordedAt): Date {
  return typeof at === "function" ? at() : at;
}

/**
 * What one write reads and touches. Each record's history is read once and kept in line with the
 * entries the write appends, as a read would return it (the transaction's own writes are the
 * only ones it could miss); the touched records' cached columns are refreshed from those
 * histories once, at the end.
 */
export class WriteScope {
  readonly #histories = new Map<string, readonly HistoryEntry[]>();
  readonly #appended = new Map<number, HistoryEntry>();
  readonly #touched = new Map<string, { kind: TrackedKind; id: string }>();
  constructor(
    readonly conn: Database.Database,
    readonly now: Date,
  ) {}

  historyOf(kind: TrackedKind, id: string): readonly HistoryEntry[] {
    return this.historiesOf(kind, [id]).get(id)!;
  }

  historiesOf(kind: TrackedKind, ids: readonly string[]): Map<string, readonly HistoryEntry[]> {
    const missing = ids.filter((id) => !this.#histories.has(`${kind}|${id}`));
    for (const [id, history] of historiesOf(this.conn, kind, missing)) this.#histories.set(`${kind}|${id}`, history);
    return new Map(ids.map((id) => [id, this.#histories.get(`${kind}|${id}`)!]));
  }

  append(e: NewHistoryEntry): HistoryEntry {
    const cause = e.byTerms && e.causedBySeq !== null ? (this.#appended.get(e.causedBySeq) ?? entryBySeq(this.conn, e.causedBySeq)) : null;
    const entry = appendAndReturn(this.conn, e, cause?.effectiveAt ?? null);
    this.#appended.set(entry.seq, entry);
    const key = `${e.recordKind}|${e.recordId}`;
    const history = this.#histories.get(key);
    // A new copy, in read order (effective time, then seq: the new entry's is the highest), so a history handed out earlier stays as it was.
    if (history) {
      const at = entry.effectiveAt.getTime();
      let i = history.length;
      while (i > 0 && history[i - 1]!.effectiveAt.getTime() > at) i--;
      this.#histories.set(key, [...history.slice(0, i), entry, ...history.slice(i)]);
    }
    return entry;
  }

  /**
   * Retracts an entry and what it set off, as of this write (the cached histories follow), for a
   * consequence that a new entry showed no longer follows.
   */
  retract(seq: number, reason: string, by: string): void {
    let rootId: number | null = null;
    for (const s of withWhatItSetOff(this.conn, seq)) {
      const e = this.#appended.get(s) ?? entryBySeq(this.conn, s)!;
      if (e.retractedAt) continue;
      const id = appendRetraction(this.conn, s, rootId, this.now, rootId === null ? reason : `Retracted with entry ${seq}: ${reason}`, by);
      rootId ??= id;
      const key = `${e.recordKind}|${e.recordId}`;
      const history = this.#histories.get(key);
      const retracted = { ...e, retractedAt: this.now, retraction: { reason, by } };
      if (this.#appended.has(s)) this.#appended.set(s, retracted);
      if (history)
        this.#histories.set(
          key,
          history.map((h) => (h.seq === s ? retracted : h)),
        );
      this.touch(e.recordKind as TrackedKind, e.recordId);
    }
  }

  touch(kind: TrackedKind, id: string) {
    this.#touched.set(`${kind}|${id}`, { kind, id });
  }

  refresh() {
    for (const { kind, id } of this.#touched.values()) refreshCachedColumns(this.conn, kind, id, this.now, this.historyOf(kind, id));
  }
}

/** The record's current version, once it is known to exist and to be at the version the client last saw (If-Match). */
function recordAtVersion(conn: Database.Database, kind: TrackedKind, id: string, expected: ExpectedVersions | undefined): number {
  const current = statements(conn).find[kind].get(id) as { version: number } | undefined;
  if (!current) throw new NotFoundError(kind, id);
  checkExpectedVersion(expected, current.version);
  return current.version;
}

function currentVersion(conn: Database.Database, kind: TrackedKind, id: string): number {
  return (statements(conn).find[kind].get(id) as { version: number }).version;
}

/** A change dated further ahead than any route records. */
function tooFarAhead(): InvalidInputError {
  return new InvalidInputError([{ field: "effectiveAt", problem: `must be at most ${MAX_SCHEDULE_YEARS} years ahead` }]);
}

/** A terms or dates change each of whose values given is already the one in effect then: 422 naming each. */
function changesNothing(unchanged: readonly { field: string; value: unknown }[], effectiveAt: Date, rule: string): InvalidInputError {
  const then = effectiveAt.toISOString();
  return new InvalidInputError(unchanged.map(({ field, value }) => ({ field, problem: `is already ${JSON.stringify(value ?? null)} at ${then}: ${rule}` })));
}

function throwPlanProblem(kind: TrackedKind, to: string, plan: Exclude<StatusChangePlan, { ok: true }>): never {
  switch (plan.problem) {
    case "too-far-ahead":
      throw tooFarAhead();
    case "not-yet-created":
      throw new ChainConflictError(
        plan.conflictsWith
          ? `The ${kind} was recorded as created on ${plan.conflictsWith.effectiveAt.toISOString()}: a change cannot take effect before that`
          : `The ${kind} does not exist at that time`,
        plan.conflictsWith,
        [],
      );
    case "unknown-status":
      throw new TransitionNotAllowedError(kind, "", to, plan.allowed, `"${to}" is not a status of ${aKind(kind)}`);
    case "same-status":
      throw new TransitionNotAllowedError(kind, plan.from, to, plan.allowed, `The ${kind} is already "${plan.from}" at that time`);
    case "not-allowed":
      throw new TransitionNotAllowedError(kind, plan.from, to, plan.allowed, `A ${kind} cannot move from "${plan.from}" to "${to}"`);
    case "breaks-later-entry":
      throw new ChainConflictError(
        `A later entry (seq ${plan.conflictsWith.seq}, "${plan.conflictsWith.to}" from ${plan.conflictsWith.effectiveAt.toISOString()}) could not follow "${to}"`,
        plan.conflictsWith,
        plan.allowed,
      );
    case "end-already-set-then": {
      const prior = plan.conflictsWith;
      const at = prior.effectiveAt.toISOString();
      const terms = `"${prior.to}" from ${at} until ${prior.until!.toISOString()}, then "${prior.returnsTo}" (entry ${prior.seq})`;
      throw new ChainConflictError(
        plan.repeats
          ? `The ${kind} is already ${terms}: this end is recorded`
          : `The ${kind} is already ${terms}: a second end at the same instant cannot replace that one's lapse and expiry. ` +
              `A change of its end is recorded from when it was made (an effectiveAt after ${at}); ` +
              `an end recorded wrong is retracted (POST /api/history/${prior.seq}/retract) and recorded again`,
        prior,
        [],
      );
    }
    case "needs-new-date":
      throw new InvalidInputError([
        { field: kind === "deadline" ? "newDueAt" : "newStartsAt", problem: `required when ${aKind(kind)} moves from "${plan.from}" to "${to}"` },
      ]);
    case "bad-terms":
      throw new InvalidInputError([{ field: plan.field, problem: plan.message }]);
  }
}

function applyStatusChange(
  conn: Database.Database,
  req: StatusChangeRequest,
  now: Date,
  scope: WriteScope,
  causedBy: HistoryEntry | null = null,
): StatusChangeResult {
  const version = recordAtVersion(conn, req.kind, req.id, req.expectedVersion);
  const effectiveAt = req.effectiveAt ?? now;
  const history = scope.historyOf(req.kind, req.id);
  const plan = planStatusChange(
    history,
    {
      kind: req.kind,
      to: req.to,
      effectiveAt,
      correction: req.correction ?? false,
      until: req.until,
      returnsTo: req.returnsTo,
      hasNewDate: req.newDate !== undefined,
      citesSource: req.evidence !== undefined,
    },
    now,
  );
  if (!plan.ok) throwPlanProblem(req.kind, req.to, plan);
  const usesNewDate = !req.correction && req.newDate !== undefined;
  const successor = usesNewDate && req.kind === "deadline" && req.to === "extended" ? successorOfExtension(conn, scope, req, effectiveAt, now, causedBy) : null;
  const values = successorOf(conn, req, effectiveAt);
  const evidenceId = req.evidence ? attachEvidence(conn, req.kind, req.id, req.evidence, now) : null;
  const entry = scope.append({
    recordKind: req.kind,
    recordId: req.id,
    change: "status",
    from: plan.from,
    to: req.to,
    values,
    effectiveAt,
    recordedAt: now,
    reason: req.reason,
    by: req.by,
    correction: req.correction ?? false,
    byTerms: false,
    causedBySeq: causedBy?.seq ?? null,
    until: req.until ?? null,
    returnsTo: req.returnsTo ?? null,
    sourceId: req.evidence?.sourceId ?? causedBy?.sourceId ?? null,
    evidenceId: evidenceId ?? causedBy?.evidenceId ?? null,
  });
  scope.touch(req.kind, req.id);
  if (!causedBy) refuseEndBeforeBelonging(conn, scope, entry, now);
  retractSuperseded(scope, plan.supersedes, entry);
  const consequences: HistoryEntry[] = [];
  let successorDeadlineId: string | null = null;
  let expiryDeadlineId: string | null = null;
  if (successor) {
    successorDeadlineId = createFollowingDeadline(conn, req.id, successor, entry, now, scope);
    // Extended back-dated before a change of its threat already recorded (an imposition since): the successor was moved by it then.
    if (!causedBy) consequences.push(...owedConsequences(conn, scope, "deadline", successorDeadlineId, effectiveAt, now));
  }
  if (usesNewDate && req.kind === "event" && plan.from === "postponed" && req.to === "scheduled") {
    // The precision the event's dates had when rescheduled (moved dates live in dates entries, the row keeps the first).
    const had = recordStateAt(scope.historyOf("event", req.id), effectiveAt, now).dates.precision as Precision | undefined;
    const dates = {
      startsAt: req.newDate!.at,
      endsAt: req.newDate!.endsAt ?? req.newDate!.at,
      precision: precisionOfNewDate(had ?? (statements(conn).eventPrecision.get(req.id) as { precision: Precision }).precision, req.newDate!.precision),
      ...(req.newDate!.wording ? { wording: req.newDate!.wording } : {}),
    };
    consequences.push(appendDates(scope, "event", req.id, dates, entry, now));
  }
  if (req.until && req.returnsTo) {
    const expiry = recordEnd(conn, req, entry, now, scope);
    expiryDeadlineId = expiry.deadlineId;
    consequences.push(...expiry.entries);
  }
  // Corrections fix the record only: they set nothing else off.
  if (!req.correction) consequences.push(...applyConsequences(conn, req.kind, req.id, req.to, entry, now, scope, expiryDeadlineId));
  return { version: version + 1, entry, consequences, successorDeadlineId, expiryDeadlineId };
}

/** An entry and, breadth first, every entry it set off (its consequences, theirs, and so on): what retracting it takes with it. */
function withWhatItSetOff(conn: Database.Database, seq: number): number[] {
  const all = [seq];
  for (let i = 0; i < all.length; i++) all.push(...consequencesOfEntry(conn, all[i]!));
  return all;
}

/** A record's creation entry unless it was retracted (null: as known now, the record never existed). */
function standingCreation(conn: Database.Database, kind: string, id: string): HistoryEntry | null {
  return historyOf(conn, kind, id).find((e) => isCreation(e) && !e.retractedAt) ?? null;
}

/** Consequences recorded earlier that `entry`, taking effect before them, shows no longer follow. */
function retractSuperseded(scope: WriteScope, superseded: readonly HistoryEntry[], entry: HistoryEntry): void {
  for (const e of superseded) {
    const reason = `No longer follows: the ${entry.recordKind} was "${entry.to}" from ${entry.effectiveAt.toISOString()} (entry ${entry.seq})`;
    scope.retract(e.seq, reason, entry.by);
  }
}

/** A move to "superseded" names the record of the same kind that replaced it (an existing other one); no other move does. */
function successorOf(conn: Database.Database, req: StatusChangeRequest, effectiveAt: Date): { supersededById: string } | null {
  const needs = requiresSuccessor(req.kind, req.to);
  const what = req.kind === "agreement" ? "agreement" : "measure";
  if (req.supersededById === undefined) {
    // A correction to "superseded" too: a supersession naming nothing would read superseded by null.
    if (needs)
      throw new InvalidInputError([
        {
          field: "supersededById",
          problem: `required when ${req.kind === "agreement" ? "an agreement" : "a threat"} is superseded: the ${what} that replaces it`,
        },
      ]);
    return null;
  }
  if (!needs)
    throw new InvalidInputError([{ field: "supersededById", problem: 'only a threat or an agreement moving to "superseded" names what supersedes it' }]);
  if (req.supersededById === req.id)
    throw new InvalidInputError([{ field: "supersededById", problem: `${req.kind === "agreement" ? "an agreement" : "a measure"} cannot supersede itself` }]);
  const st = statements(conn);
  const exists = req.kind === "agreement" ? st.agreement.get(req.supersededById) : st.find.threat.get(req.supersededById);
  if (!exists) throw new InvalidInputError([{ field: "supersededById", problem: `no ${req.kind} with id "${req.supersededById}"` }]);
  // What replaces it must exist when it does: a link to a record first stated later would answer 404 at that date.
  const creation = standingCreation(conn, req.kind, req.supersededById);
  if (!creation)
    throw new InvalidInputError([{ field: "supersededById", problem: `the ${what} "${req.supersededById}" does not exist: its creation was retracted` }]);
  if (creation.effectiveAt.getTime() > effectiveAt.getTime()) {
    throw new ChainConflictError(
      `The ${what} ${req.supersededById} was first stated on ${creation.effectiveAt.toISOString()}: it cannot supersede this one before that`,
      creation,
      [],
    );
  }
  return { supersededById: req.supersededById };
}

/** A dates or terms entry: new values at an effective time, with who, why and on what evidence. */
function valuesEntry(
  kind: string,
  id: string,
  change: "dates" | "terms",
  values: Record<string, unknown>,
  now: Date,
  at: { effectiveAt: Date; reason: string; by: string; causedBySeq: number | null; sourceId: string | null; evidenceId: string | null },
): NewHistoryEntry {
  return {
    recordKind: kind,
    recordId: id,
    change,
    from: null,
    to: null,
    values,
    effectiveAt: at.effectiveAt,
    recordedAt: now,
    reason: at.reason,
    by: at.by,
    correction: false,
    byTerms: false,
    causedBySeq: at.causedBySeq,
    until: null,
    returnsTo: null,
    sourceId: at.sourceId,
    evidenceId: at.evidenceId,
  };
}
function appendDates(scope: WriteScope, kind: "deadline" | "event", id: string, values: Record<string, unknown>, cause: HistoryEntry, now: Date): HistoryEntry {
  return scope.append(valuesEntry(kind, id, "dates", values, now, { ...cause, causedBySeq: cause.seq }));
}

/**
 * The due date, precision and wording of an extension's successor (see successorDueDate), from the
 * deadline as it stood when extended. An analyst's extension must move the date later: one to the
 * same or an earlier date would give a successor born overdue.
 */
function successorOfExtension(
  conn: Database.Database,
  scope: WriteScope,
  req: StatusChangeRequest,
  effectiveAt: Date,
  now: Date,
  causedBy: HistoryEntry | null,
): SuccessorDate {
  const row = statements(conn).deadline.get(req.id) as { dueAt: string | null; precision: Precision; wording: string };
  const moved = recordStateAt(scope.historyOf("deadline", req.id), effectiveAt, now).dates;
  const old = {
    dueAt: "dueAt" in moved ? ((moved.dueAt as Date | null) ?? null) : fromSqlDate(row.dueAt),
    precision: (moved.precision as Precision | undefined) ?? row.precision,
    wording: (moved.wording as string | undefined) ?? row.wording,
  };
  const successor = successorDueDate(old, req.newDate!);
  if (!causedBy && !extendsLater(old, successor)) {
    throw new InvalidInputError([
      { field: "newDueAt", problem: `must be later than the deadline's due date then (${formatAtPrecision(old.dueAt, old.precision)}), read at its precision` },
    ]);
  }
  return successor;
}

type SuccessorDate = ReturnType<typeof successorDueDate>;

/** The successor of an extended deadline: a new pending deadline from the extension's effective time. */
function createFollowingDeadline(
  conn: Database.Database,
  oldId: string,
  newDate: SuccessorDate,
  cause: HistoryEntry,
  now: Date,
  scope: WriteScope,
  kind?: string,
): string {
  const st = statements(conn);
  const old = st.deadline.get(oldId) as {
    threatId: string | null;
    conditionId: string | null;
    scenarioId: string | null;
    agreementId: string | null;
    commitmentId: string | null;
    kind: string;
  };
  const id = `deadline-${randomUUID()}`;
  st.insertDeadline.run({
    id,
    dueAt: toSqlDate(newDate.at),
    precision: newDate.precision,
    wording: newDate.wording,
    threatId: old.threatId,
    conditionId: old.conditionId,
    scenarioId: old.scenarioId,
    agreementId: old.agreementId,
    commitmentId: old.commitmentId,
    extendsId: oldId,
    kind: kind ?? old.kind,
    now: toSqlDate(now),
  });
  scope.append(creationEntry("deadline", id, "pending", cause.effectiveAt, now, `Extension of deadline ${oldId}: ${cause.reason}`, cause.by, cause));
  scope.touch("deadline", id);
  return id;
}

function creationEntry(
  kind: TrackedKind,
  id: string,
  status: string,
  effectiveAt: Date,
  now: Date,
  reason: string,
  by: string,
  cause: HistoryEntry | null,
  evidence?: { sourceId: string; evidenceId: string },
): NewHistoryEntry {
  return {
    recordKind: kind,
    recordId: id,
    change: "status",
    from: null,
    to: status,
    values: null,
    effectiveAt,
    recordedAt: now,
    reason,
    by,
    correction: false,
    byTerms: false,
    causedBySeq: cause?.seq ?? null,
    until: null,
    returnsTo: null,
    sourceId: evidence?.sourceId ?? cause?.sourceId ?? null,
    evidenceId: evidence?.evidenceId ?? cause?.evidenceId ?? null,
  };
}

/**
 * A status with an end (a suspension "until 10 November 2026, then imposed"): the lapse back to
 * `then` at `until`, written now but holding only by its terms, and an expiry deadline due at
 * `until` that the lapse triggers. A new end to a status that already had one extends the old
 * expiry deadline (kept in history as extended) instead of adding a second.
 */
function recordEnd(
  conn: Database.Database,
  req: StatusChangeRequest,
  cause: HistoryEntry,
  now: Date,
  scope: WriteScope,
): { deadlineId: string; entries: HistoryEntry[] } {
  const until = req.until!;
  const entries: HistoryEntry[] = [];
  entries.push(
    scope.append({
      ...creationEntry(req.kind, req.id, req.returnsTo!, until, now, `Ends by its terms: "${req.to}" until ${until.toISOString().slice(0, 10)}`, req.by, cause),
      from: req.to,
      byTerms: true,
    }),
  );
  const st = statements(conn);
  const wording = req.untilWording ?? `${req.to[0]!.toUpperCase()}${req.to.slice(1)} until ${formatAtPrecision(until, "day")}`;
  const newDate: NewDate = { at: until, precision: "day", wording };
  // The expiry deadline this status had before, if it is still pending then, is extended to the new end.
  const previous = (st.deadlinesOfThreat.all(req.id) as { id: string; kind: string }[]).filter(
    (d) => d.kind === "expiry" && recordStateAt(scope.historyOf("deadline", d.id), cause.effectiveAt, now).status === "pending",
  );
  let deadlineId: string;
  if (previous[0]) {
    const extension = applyStatusChange(
      conn,
      { kind: "deadline", id: previous[0].id, to: "extended", reason: `Extended: ${req.reason}`, by: req.by, effectiveAt: cause.effectiveAt, newDate },
      now,
      scope,
      cause,
    );
    entries.push(extension.entry);
    deadlineId = extension.successorDeadlineId!;
  } else {
    deadlineId = `deadline-${randomUUID()}`;
    st.insertDeadline.run({
      id: deadlineId,
      dueAt: toSqlDate(until),
      precision: "day",
      wording,
      threatId: req.kind === "threat" ? req.id : null,
      conditionId: null,
      scenarioId: null,
      agreementId: null,
      commitmentId: null,
      extendsId: null,
      kind: "expiry",
      now: toSqlDate(now),
    });
    entries.push(scope.append(creationEntry("deadline", deadlineId, "pending", cause.effectiveAt, now, `Expiry of: ${req.reason}`, req.by, cause)));
    scope.touch("deadline", deadlineId);
  }
  entries.push(
    scope.append({ ...creationEntry("deadline", deadlineId, "triggered", until, now, "Reached by its terms", req.by, cause), from: "pending", byTerms: true }),
  );
  return { deadlineId, entries };
}

function attachEvidence(conn: Database.Database, kind: string, id: string, evidence: EvidenceRef, now: Date, field = "evidence"): string {
  return storeEvidenceRaw(conn, kind, id, evidence, field, now);
}

/** Deadline (or commitment) ids pending at `at`, as known now. */
function pendingAt(scope: WriteScope, ids: string[], at: Date, now: Date, kind: "deadline" | "commitment" = "deadline"): { id: string }[] {
  const histories = scope.historiesOf(kind, ids);
  return ids.filter((id) => recordStateAt(histories.get(id)!, at, now).status === "pending").map((id) => ({ id }));
}

/**
 * The domain's consequence rules, evaluated at the cause's effective time: the deadlines pending
 * then (as known now) move, each through the same chain rules as any change, and carry the
 * cause's effective time. A consequence the chain would not allow is left out.
 */
function applyConsequences(
  conn: Database.Database,
  kind: TrackedKind,
  id: string,
  to: string,
  cause: HistoryEntry,
  now: Date,
  scope: WriteScope,
  ownExpiry: string | null,
  /** Only the consequences for these records (a consequence restored after a retraction). */
  only?: ReadonlySet<string>,
): HistoryEntry[] {
  if (!mayHaveConsequences(kind, to)) return [];
  const st = statements(conn);
  const at = cause.effectiveAt;
  let context: Parameters<typeof consequencesOf>[2];
  // With `only`, the others are not read: their histories would cost a write on a measure with many deadlines one read each.
  const ids = (rows: unknown[]) => (rows as { id: string }[]).map((d) => d.id).filter((d) => !only || only.has(d));
  if (kind === "condition") {
    const condition = st.condition.get(id) as { effect: "averts" | "triggers"; threatId: string | null; agreementId: string | null };
    const own = ids(st.deadlinesOfCondition.all(id));
    // The deadlines of its threat (or agreement) that belong to no other condition: meeting one condition leaves the
    // others' alone. An expiry (an agreement's, a suspension's end) is its own term, not something a condition averts.
    const siblings = (condition.threatId ? st.deadlinesOfThreat.all(condition.threatId) : st.deadlinesOfAgreement.all(condition.agreementId)) as {
      id: string;
      conditionId: string | null;
      kind: string;
    }[];
    const guarded = ids(siblings.filter((d) => (d.conditionId === null || d.conditionId === id) && d.kind !== "expiry"));
    context = {
      conditionEffect: condition.effect,
      ownPendingDeadlines: pendingAt(scope, own, at, now),
      guardedThreatPendingDeadlines: pendingAt(scope, guarded, at, now),
    };
  } else if (kind === "agreement") {
    context = {
      ownPendingDeadlines: pendingAt(scope, ids(st.deadlinesOfAgreement.all(id)), at, now),
      pendingCommitments: pendingAt(scope, ids(st.commitmentsOfAgreement.all(id)), at, now, "commitment"),
    };
  } else if (kind === "commitment") {
    context = { ownPendingDeadlines: pendingAt(scope, ids(st.deadlinesOfCommitment.all(id)), at, now) };
  } else {
    const own = ids(st.deadlinesOfThreat.all(id)).filter((d) => d !== ownExpiry);
    context = { ownPendingDeadlines: pendingAt(scope, own, at, now) };
  }
  const entries: HistoryEntry[] = [];
  for (const c of consequencesOf(kind, to, context)) {
    const plan = planStatusChange(scope.historyOf(c.kind, c.id), { kind: c.kind, to: c.to, effectiveAt: at, correction: false, hasNewDate: false }, now);
    if (!plan.ok) continue;
    const entry: HistoryEntry = scope.append({
      recordKind: c.kind,
      recordId: c.id,
      change: "status",
      from: plan.from,
      to: c.to,
      values: null,
      effectiveAt: at,
      recordedAt: now,
      reason: `Consequence: ${c.rule} (${kind} ${id} became "${to}")`,
      by: cause.by,
      correction: false,
      byTerms: false,
      causedBySeq: cause.seq,
      until: null,
      returnsTo: null,
      sourceId: cause.sourceId,
      evidenceId: cause.evidenceId,
    });
    entries.push(entry);
    scope.touch(c.kind, c.id);
    retractSuperseded(scope, plan.supersedes, entry);
    // A commitment lapsed by its agreement's end resolves its own deadlines in turn.
    if (c.kind === "commitment") entries.push(...applyConsequences(conn, c.kind, c.id, c.to, entry, now, scope, null));
  }
  return entries;
}

/**
 * Brings a record's cached columns (its status now, a deadline's pending bounds, a threat's
 * in-force projection) in line with its history. Date columns keep the dates as first recorded: moved dates live in dates entries.
 */
export function refreshCachedColumns(
  conn: Database.Database,
  kind: TrackedKind,
  id: string,
  now: Date,
  history: readonly HistoryEntry[] = historyOf(conn, kind, id),
): void {
  const st = statements(conn);
  const cacheNow = statusCacheAt(history, now);
  const status = { id, now: toSqlDate(now), ...statusColumns(cacheNow) };
  if (kind === "deadline") {
    const bounds = pendingBoundsOf(history);
    const datesMoved = history.some((e) => e.change === "dates");
    const first = datesMoved ? (st.deadline.get(id) as { dueAt: string | null }) : null;
    const range = first ? dueDateRangeOf(history, fromSqlDate(first.dueAt)) : null;
    refreshDeadlineCaches(conn, id, now, {
      status: status.status,
      statusUntil: status.statusUntil,
      pendingFrom: sqlDateOrNull(bounds.pendingFrom),
      pendingKnownFrom: sqlDateOrNull(bounds.pendingKnownFrom),
      pendingUntil: sqlDateOrNull(bounds.pendingUntil),
      pendingUntilKnownAt: sqlDateOrNull(bounds.pendingUntilKnownAt),
      pendingInexact: bounds.pendingInexact ? 1 : 0,
      datesMoved: datesMoved ? 1 : 0,
      dueAtEarliest: sqlDateOrNull(range?.earliest),
      dueAtLatest: sqlDateOrNull(range?.latest),
    });
  } else st.refreshStatus[kind].run(status);
  if (kind === "threat") refreshInForce(conn, id, history, now);
  if (isCorrectableKind(kind)) refreshCorrectedFacts(conn, kind, id, history, now);
}

/** A condition's or commitment's corrected facts as known now, on its row (only those a correction names; the others are as first stated). */
function refreshCorrectedFacts(conn: Database.Database, kind: CorrectableKind, id: string, history: readonly HistoryEntry[], now: Date): void {
  const facts = correctedKnownAt(history, now);
  const keys = Object.keys(facts);
  if (keys.length === 0) return;
  prepared(conn, `UPDATE "${RECORD_KINDS[kind].table}" SET ${keys.map((k) => `"${k}" = @${k}`).join(", ")} WHERE "id" = @id`).run({ ...facts, id });
}

/** A deadline's status and the columns it caches from its history; most are in one or more of its indexes. */
const DEADLINE_REFRESHED = ["status", ...DEADLINE_CACHE_COLUMNS] as const;
type DeadlineCaches = Record<(typeof DEADLINE_REFRESHED)[number], string | number | null>;

/**
 * Writes a deadline's cache columns, setting only those whose value changes: SQLite rewrites
 * every index on a column an UPDATE sets, even to the same value, and the deadline row has
 * thirteen (a status change dirtied six index pages where three or four change). A null status
 * keeps the stored one.
 */
function refreshDeadlineCaches(conn: Database.Database, id: string, now: Date, next: DeadlineCaches): void {
  const current = statements(conn).deadlineCaches.get(id) as (string | number | null)[] | undefined;
  if (!current) return;
  const changed = DEADLINE_REFRESHED.filter((c, i) => !(c === "status" && next.status === null) && next[c] !== current[i]);
  const sets = changed.map((c) => `"${c}" = @${c}`).join(", ");
  prepared(conn, `UPDATE "Deadline" SET ${sets}${sets ? ", " : ""}"version" = "version" + 1, "updatedAt" = @now WHERE "id" = @id`).run({
    ...Object.fromEntries(changed.map((c) => [c, next[c]])),
    now: toSqlDate(now),
    id,
  });
}

function sqlDateOrNull(v: unknown): string | null {
  return v instanceof Date ? toSqlDate(v) : null;
}

export interface DatesChangeRequest {
  kind: "deadline" | "event";
  id: string;
  values: { dueAt?: Date | null; startsAt?: Date | null; endsAt?: Date | null; precision: Precision; wording?: string };
  effectiveAt?: Date;
  reason: string;
  by: string;
  evidence?: EvidenceRef;
  expectedVersion?: ExpectedVersions;
}

/** Moves or refines a deadline's due date or an event's dates, as a dated history entry: old dates stay in history. */
export function recordDatesChange(
  db: TrackerDatabase,
  req: DatesChangeRequest,
  at: RecordedAt = () => new Date(),
): Promise<{ entry: HistoryEntry; version: number }> {
  return db.rawTransaction((conn) => {
    const now = recordedAtNow(at);
    recordAtVersion(conn, req.kind, req.id, req.expectedVersion);
    const effectiveAt = req.effectiveAt ?? now;
    const scope = new WriteScope(conn, now);
    const values = Object.fromEntries(Object.entries(req.values).filter(([, v]) => v !== undefined));
    const plan = planDatesChange(scope.historyOf(req.kind, req.id), firstDatesOf(conn, req.kind, req.id), values, effectiveAt, now);
    if (!plan.ok && plan.problem === "too-far-ahead") throw tooFarAhead();
    if (!plan.ok && plan.problem === "changes-nothing") throw changesNothing(plan.unchanged, effectiveAt, "a dates change must change at least one of them");
    if (!plan.ok) throw new ChainConflictError(`The ${req.kind} did not exist yet at ${effectiveAt.toISOString()}`, plan.created, []);
    const evidenceId = req.evidence ? attachEvidence(conn, req.kind, req.id, req.evidence, now) : null;
    const entry = scope.append(
      valuesEntry(req.kind, req.id, "dates", values, now, { ...req, effectiveAt, causedBySeq: null, sourceId: req.evidence?.sourceId ?? null, evidenceId }),
    );
    scope.touch(req.kind, req.id);
    scope.refresh();
    return { entry, version: currentVersion(conn, req.kind, req.id) };
  });
}

/** A deadline's or an event's dates as first recorded (the row's date columns; moved dates live in dates entries). */
function firstDatesOf(conn: Database.Database, kind: "deadline" | "event", id: string): Record<string, unknown> {
  const columns = kind === "deadline" ? ["dueAt", "precision", "wording"] : ["startsAt", "endsAt", "precision", "wording"];
  const row = prepared(conn, `SELECT ${columns.map((c) => `"${c}"`).join(", ")} FROM "${RECORD_KINDS[kind].table}" WHERE "id" = ?`).get(id) as
    | Record<string, string | null>
    | undefined;
  if (!row) return {};
  return Object.fromEntries(columns.map((c) => [c, c.endsWith("At") ? (row[c] === null ? null : fromSqlDate(row[c]!)) : row[c]]));
}

export interface RetractionResult {
  retracted: HistoryEntry[];
  /** Consequences the retracted entries had kept from following (or had superseded), recorded now. */
  restored: HistoryEntry[];
}

/**
 * Retracts an entry and everything it set off. The entries stay; answers known after now ignore
 * them. Refused when what remains would not be a legal chain (retract the later entry first).
 */
export function retractEntry(db: TrackerDatabase, seq: number, reason: string, by: string, at: RecordedAt = () => new Date()): Promise<RetractionResult> {
  return db.rawTransaction((conn) => {
    const now = recordedAtNow(at);
    const root = entryBySeq(conn, seq);
    if (!root) throw new NotFoundError("history entry", String(seq));
    if (root.retractedAt) throw new ConflictError(`Entry ${seq} was already retracted on ${root.retractedAt.toISOString()}`);
    // Alone, it would leave what the same terms set off (the expiry's trigger) standing.
    if (root.byTerms) {
      throw new ConflictError(
        `Entry ${seq} follows from the terms of entry ${root.causedBySeq}, it is not a reported fact: retract entry ${root.causedBySeq}, or record what happened (a new end extends it, a report at or before it supersedes it)`,
      );
    }
    // While its cause stands, the rule would set it off again at once: the cause is what to retract,
    // or the record's own earlier news is what to report (it supersedes the consequence).
    const cause = isConsequence(root) ? entryBySeq(conn, root.causedBySeq!) : null;
    if (cause && !cause.retractedAt) {
      throw new ChainConflictError(
        `Entry ${seq} follows from entry ${cause.seq} (${cause.recordKind} ${cause.recordId} "${cause.to}" from ${cause.effectiveAt.toISOString()}) by a rule: retract entry ${cause.seq}, or record what the ${root.recordKind} did before it (that supersedes the consequence)`,
        cause,
        [],
      );
    }
    const entries = withWhatItSetOff(conn, seq)
      .map((s) => entryBySeq(conn, s)!)
      .filter((e) => !e.retractedAt);
    withConsequencesOfRetractedRecords(conn, entries);
    refuseOrphans(conn, entries, now);
    refuseDanglingLinks(conn, entries, now);
    const rootId = appendRetraction(conn, seq, null, now, reason, by);
    for (const e of entries) if (e.seq !== seq) appendRetraction(conn, e.seq, rootId, now, `Retracted with entry ${seq}: ${reason}`, by);
    const records = new Map(entries.map((e) => [`${e.recordKind}|${e.recordId}`, e]));
    for (const e of records.values()) {
      const kind = e.recordKind as TrackedKind;
      const history = historyOf(conn, kind, e.recordId);
      const broken = firstBrokenLink(kind, history, now);
      if (broken) {
        throw new ChainConflictError(
          `Without entry ${seq}, the later entry ${broken.seq} ("${broken.to}" from ${broken.effectiveAt.toISOString()}) of ${kind} ${e.recordId} could not follow: retract it first`,
          broken,
          [],
        );
      }
      refreshCachedColumns(conn, kind, e.recordId, now, history);
    }
    refuseReopeningRetracted(conn, entries, seq, now);
    const restored = restoreUncovered(conn, entries, now);
    return { retracted: entries.map((e) => entryBySeq(conn, e.seq)!), restored };
  });
}

/**
 * A record whose creation is retracted takes with it the consequences other records' changes set
 * off in it (an extension's successor triggered by its threat's imposition): they cannot stand
 * without it, and may not be retracted alone while their cause stands. Appended to `entries`.
 */
function withConsequencesOfRetractedRecords(conn: Database.Database, entries: HistoryEntry[]): void {
  const taken = new Set(entries.map((e) => e.seq));
  for (let i = 0; i < entries.length; i++) {
    const created = entries[i]!;
    if (!isCreation(created)) continue;
    for (const c of historyOf(conn, created.recordKind, created.recordId)) {
      if (!isConsequence(c) || c.retractedAt || taken.has(c.seq)) continue;
      for (const s of withWhatItSetOff(conn, c.seq)) {
        const e = entryBySeq(conn, s)!;
        if (taken.has(s) || e.retractedAt) continue;
        taken.add(s);
        entries.push(e);
      }
    }
  }
}

/**
 * A deadline or commitment that a retracted status entry had resolved (or whose consequence it had
 * superseded) may be pending again when a standing change of what it belongs to took effect after
 * that entry: that change's consequence for it is recorded now (owedConsequences). Retracting a
 * mistake brings back what the mistake had kept from following.
 */
function restoreUncovered(conn: Database.Database, retracted: readonly HistoryEntry[], now: Date): HistoryEntry[] {
  const uncovered = new Map<string, { kind: "deadline" | "commitment"; id: string; from: Date }>();
  for (const e of retracted) {
    if ((e.recordKind !== "deadline" && e.recordKind !== "commitment") || e.change !== "status") continue;
    const key = `${e.recordKind}|${e.recordId}`;
    const earlier = uncovered.get(key);
    if (!earlier || e.effectiveAt < earlier.from) uncovered.set(key, { kind: e.recordKind, id: e.recordId, from: e.effectiveAt });
  }
  const scope = new WriteScope(conn, now);
  const restored = [...uncovered.values()].flatMap(({ kind, id, from }) => owedConsequences(conn, scope, kind, id, from, now));
  scope.refresh();
  return restored;
}

/**
 * The consequences a deadline or commitment is owed by the standing changes of what it belongs to
 * (a threat imposed or ended, a condition met, an agreement or commitment ended) that took effect
 * from `from` on: each is evaluated at its change's effective time, for this record only, by the
 * same rules and chain checks as when the change was recorded. A record stated back-dated before
 * such a change (created after it was recorded) gets its consequence as the record is created.
 */
function owedConsequences(conn: Database.Database, scope: WriteScope, kind: "deadline" | "commitment", id: string, from: Date, now: Date): HistoryEntry[] {
  const causes = causesFor(conn, kind, id).flatMap((owner) =>
    entriesKnownAt(scope.historyOf(owner.kind, owner.id), now)
      // A lapse by terms sets nothing off when recorded (recordEnd): it owes nothing either, or a deadline stated after the
      // suspension would be triggered at its end and one stated before it would not.
      // Nor does a correction (applyStatusChange).
      .filter((x) => x.change === "status" && !x.byTerms && !x.correction && x.effectiveAt >= from && mayHaveConsequences(owner.kind, x.to ?? ""))
      .map((x) => ({ owner, x })),
  );
  causes.sort((a, b) => a.x.effectiveAt.getTime() - b.x.effectiveAt.getTime() || a.x.seq - b.x.seq);
  const owed: HistoryEntry[] = [];
  // Each as when it was recorded: a change followed by another at the same instant set off its consequences too.
  for (const { owner, x } of causes) {
    owed.push(...applyConsequences(conn, owner.kind, owner.id, x.to!, x, now, scope, null, new Set([id])));
  }
  return owed;
}

/** The records whose status changes may set off a change of this deadline or commitment (consequencesOf). */
function causesFor(conn: Database.Database, kind: "deadline" | "commitment", id: string): { kind: TrackedKind; id: string }[] {
  const st = statements(conn);
  const row = (kind === "deadline" ? st.deadline.get(id) : st.commitment.get(id)) as Record<string, string | null> | undefined;
  if (!row) return [];
  // What it belongs to (a scenario sets nothing off), and for a deadline of no condition, every condition of its threat or agreement (which guards it).
  const causes = OWNER_COLUMNS.filter((o) => o.kind !== "scenario" && typeof row[o.column] === "string").map((o) => ({ kind: o.kind, id: row[o.column]! }));
  if (kind === "deadline" && row.conditionId === null) {
    const guarding = [
      ...(row.threatId ? (st.conditionsOfThreat.all(row.threatId) as { id: string }[]) : []),
      ...(row.agreementId ? (st.conditionsOfAgreement.all(row.agreementId) as { id: string }[]) : []),
    ];
    for (const c of guarding) causes.push({ kind: "condition", id: c.id });
  }
  return causes;
}

/** The records that belong to a record of each kind (they cannot exist without it): their kind, table and link column. */
const BELONGING: Partial<Record<TrackedKind, { kind: TrackedKind; column: string }[]>> = {
  scenario: [
    { kind: "threat", column: "scenarioId" },
    { kind: "deadline", column: "scenarioId" },
    { kind: "event", column: "scenarioId" },
  ],
  threat: [
    { kind: "condition", column: "threatId" },
    { kind: "deadline", column: "threatId" },
  ],
  condition: [{ kind: "deadline", column: "conditionId" }],
  agreement: [
    { kind: "commitment", column: "agreementId" },
    { kind: "condition", column: "agreementId" },
    { kind: "deadline", column: "agreementId" },
  ],
  commitment: [{ kind: "deadline", column: "commitmentId" }],
};

/**
 * A record's creation is retracted only once nothing that belongs to it still exists (as known
 * now, apart from what the same retraction takes with it): otherwise a deadline of a threat that
 * never existed would stay pending. Refused, naming one such record: retract its creation first.
 */
function refuseOrphans(conn: Database.Database, retracting: readonly HistoryEntry[], now: Date): void {
  const going = new Set(retracting.map((e) => e.seq));
  for (const created of retracting.filter(isCreation)) {
    for (const { kind, column } of BELONGING[created.recordKind as TrackedKind] ?? []) {
      // In batches by id: the first one still there ends the search.
      const batch = conn.prepare(`SELECT "id" FROM "${RECORD_KINDS[kind].table}" WHERE "${column}" = ? AND "id" > ? ORDER BY "id" LIMIT 500`).pluck();
      for (let ids = batch.all(created.recordId, "") as string[]; ids.length; ids = batch.all(created.recordId, ids.at(-1)) as string[]) {
        for (const id of ids) {
          const creation = entriesKnownAt(historyOf(conn, kind, id), now).find((e) => isCreation(e) && !going.has(e.seq));
          if (!creation) continue;
          throw new ChainConflictError(
            `${kind} ${id} belongs to ${created.recordKind} ${created.recordId}: retract its creation (entry ${creation.seq}) first`,
            creation,
            [],
          );
        }
      }
    }
  }
}

/**
 * A threat's or an agreement's creation is retracted only once no standing record links to it (as
 * known now, apart from what the same retraction takes with it): a supersession naming it as the
 * successor, a threat re-issuing it, a commitment changing it. Each of those links was refused while
 * it named a record whose creation was retracted; retracting the creation afterwards would leave it
 * naming a record that never existed (a measure "superseded" by one that answers 404). Refused, 409
 * naming the linking entry or creation: retract it first.
 */
function refuseDanglingLinks(conn: Database.Database, retracting: readonly HistoryEntry[], now: Date): void {
  const going = new Set(retracting.map((e) => e.seq));
  const stands = (e: HistoryEntry | null | undefined): e is HistoryEntry => !!e && !e.retractedAt && !going.has(e.seq);
  for (const created of retracting.filter(isCreation)) {
    const kind = created.recordKind;
    if (kind !== "threat" && kind !== "agreement") continue;
    const what = `${kind} ${created.recordId}`;
    // A supersession takes effect once its successor exists (successorOf): read on the kind's effective-time index from then.
    const supersessions = prepared(
      conn,
      `SELECT "seq" FROM "StatusChange" WHERE "recordKind" = ? AND "effectiveAt" >= ? AND "to" = 'superseded' AND json_extract("values", '$.supersededById') = ? ORDER BY "seq"`,
    )
      .pluck()
      .all(kind, toSqlDate(created.effectiveAt), created.recordId) as number[];
    const naming = supersessions.map((seq) => entryBySeq(conn, seq)).find(stands);
    if (naming) {
      throw new ChainConflictError(`Entry ${naming.seq} supersedes ${kind} ${naming.recordId} by ${what}: retract it first`, naming, []);
    }
    if (kind !== "threat") continue;
    const linking = [
      ...(prepared(conn, `SELECT "id" FROM "Threat" WHERE "reissuesId" = ?`).pluck().all(created.recordId) as string[]).map((id) => ({
        kind: "threat",
        id,
        link: "re-issues",
      })),
      ...(prepared(conn, `SELECT "commitmentId" FROM "CommitmentThreat" WHERE "threatId" = ?`).pluck().all(created.recordId) as string[]).map((id) => ({
        kind: "commitment",
        id,
        link: "changes",
      })),
    ];
    for (const l of linking) {
      const creation = entriesKnownAt(historyOf(conn, l.kind, l.id), now).find(isCreation);
      if (!stands(creation)) continue;
      throw new ChainConflictError(`${l.kind} ${l.id} ${l.link} ${what}: retract its creation (entry ${creation.seq}) first`, creation, []);
    }
  }
}

/**
 * An end recorded back-dated before a record that belongs to it was stated would leave that record
 * pending under an ended owner (the end's consequences took the records pending then, and it did not
 * exist yet): refused, naming it, as stating it after the end is (endingThatRefuses, decision 025).
 */
function refuseEndBeforeBelonging(conn: Database.Database, scope: WriteScope, entry: HistoryEntry, now: Date): void {
  const owner = entry.recordKind as TrackedKind;
  // Nothing is stated after now, so an end announced for later is before no creation.
  if (entry.effectiveAt.getTime() >= now.getTime() || allowedNextStatuses(owner, entry.to ?? "").length > 0) return;
  const stated = statedUnderAnEnd(conn, scope, owner, entry.recordId, entry.effectiveAt, false, now);
  if (stated) {
    throw new ChainConflictError(
      `The ${stated.kind} ${stated.id} of this ${owner} was stated on ${stated.at.toISOString()}, after this end: retract its creation (entry ${stated.creation.seq}) first, or date the end after it`,
      stated.creation,
      [],
    );
  }
}

/**
 * Retracting an entry that had re-opened a record (a correction back from an end) puts the end
 * back: a record stated under it since would then stand under an ended owner. Refused as an end
 * back-dated before it is (decision 025), naming that record.
 */
function refuseReopeningRetracted(conn: Database.Database, retracted: readonly HistoryEntry[], seq: number, now: Date): void {
  const scope = new WriteScope(conn, now);
  const earliest = new Map<string, HistoryEntry>();
  for (const e of retracted) {
    const key = `${e.recordKind}|${e.recordId}`;
    const seen = earliest.get(key);
    if (e.change === "status" && (!seen || e.effectiveAt < seen.effectiveAt)) earliest.set(key, e);
  }
  for (const e of earliest.values()) {
    const owner = e.recordKind as TrackedKind;
    const stated = statedUnderAnEnd(conn, scope, owner, e.recordId, e.effectiveAt, true, now);
    if (!stated) continue;
    const ending = stated.ending;
    throw new ChainConflictError(
      `Without entry ${seq}, ${owner} ${e.recordId} is "${ending.to}" from ${ending.effectiveAt.toISOString()}, and the ${stated.kind} ${stated.id} stated under it on ${stated.at.toISOString()} would stand under an ended ${owner}: retract its creation (entry ${stated.creation.seq}) first`,
      stated.creation,
      [],
    );
  }
}

/**
 * The first record belonging to `owner` whose creation stands and takes effect from `from` on
 * (after it when not `inclusive`) at an instant the owner is in a reported end, as known now.
 */
function statedUnderAnEnd(
  conn: Database.Database,
  scope: WriteScope,
  owner: TrackedKind,
  ownerId: string,
  from: Date,
  inclusive: boolean,
  now: Date,
): { kind: TrackedKind; id: string; at: Date; creation: HistoryEntry; ending: HistoryEntry } | null {
  if (!OWNER_COLUMNS.some((o) => o.kind === owner && o.dated)) return null;
  for (const { kind, column } of BELONGING[owner] ?? []) {
    const later = conn
      .prepare(
        `SELECT sc."seq" AS "seq", sc."recordId" AS "id", sc."effectiveAt" AS "at" FROM "${RECORD_KINDS[kind].table}" r
         JOIN "StatusChange" sc ON sc."recordKind" = ? AND sc."recordId" = r."id" AND sc."change" = 'status' AND sc."from" IS NULL
         WHERE r."${column}" = ? AND sc."effectiveAt" ${inclusive ? ">=" : ">"} ? AND NOT EXISTS (SELECT 1 FROM "Retraction" x WHERE x."entrySeq" = sc."seq")
         ORDER BY sc."effectiveAt", sc."seq"`,
      )
      .all(kind, ownerId, toSqlDate(from)) as { seq: number; id: string; at: string }[];
    for (const c of later) {
      const at = fromSqlDate(c.at)!;
      const ending = endingThatRefuses(owner, recordStateAt(scope.historyOf(owner, ownerId), at, now));
      if (ending) return { kind, id: c.id, at, creation: entryBySeq(conn, c.seq)!, ending };
    }
  }
  return null;
}

/**
 * The columns that name the record a new one belongs to, and its kind. `dated`: the new record
 * cannot take effect before it (a deadline is not stated before its threat is made); a scenario
 * is the analyst's grouping, and may gather threats older than itself.
 */
const OWNER_COLUMNS: { column: string; kind: TrackedKind; dated: boolean }[] = [
  { column: "scenarioId", kind: "scenario", dated: false },
  { column: "threatId", kind: "threat", dated: true },
  { column: "conditionId", kind: "condition", dated: true },
  { column: "agreementId", kind: "agreement", dated: true },
  { column: "commitmentId", kind: "commitment", dated: true },
];

/**
 * A record belongs only to records whose creation stands, that exist from its own effective time on,
 * and that had not ended by then, as known now (endingThatRefuses, decision 025).
 */
function checkOwnersExist(conn: Database.Database, req: CreateTrackedRequest, effectiveAt: Date, now: Date): void {
  for (const { column, kind, dated } of OWNER_COLUMNS) {
    const id = req.fields[column];
    if (typeof id !== "string") continue;
    const creation = standingCreation(conn, kind, id);
    if (!creation) throw new ChainConflictError(`The ${kind} ${id} does not exist: its creation was retracted`, null, []);
    if (dated && creation.effectiveAt.getTime() > effectiveAt.getTime()) {
      throw new ChainConflictError(
        `The ${kind} ${id} was first stated on ${creation.effectiveAt.toISOString()}: ${aKind(req.kind)} of it cannot take effect before that`,
        creation,
        [],
      );
    }
    const ending = dated ? endingThatRefuses(kind, recordStateAt(historyOf(conn, kind, id), effectiveAt, now)) : null;
    if (ending) {
      throw new ChainConflictError(
        `The ${kind} ${id} ended ("${ending.to}") on ${ending.effectiveAt.toISOString()} (entry ${ending.seq}): ${aKind(req.kind)} of it cannot be stated from then on; retract that entry first if it was a mistake`,
        ending,
        [],
      );
    }
  }
}

export interface CreateTrackedRequest {
  kind: TrackedKind;
  /** Column values of the new row (status excluded), already validated. */
  fields: Record<string, unknown>;
  status: string;
  topicIds?: string[];
  participantIds?: string[];
  /** An agreement's parties. */
  partyIds?: string[];
  /** The measures a commitment changes. */
  affectsThreatIds?: string[];
  /** A deadline of the record's own, created with it (a commitment's due date, an agreement's expiry). */
  ownDeadline?: { dueAt: Date | null; precision: Precision; wording: string; kind: "stated" | "expiry" };

  /** A threat's targets, part of its first terms. */
  targetIds?: string[];
  evidence?: EvidenceRef[];
  effectiveAt?: Date;
  reason?: string;
  by: string;
}

/** Join tables a creation fills: the request field, the table, the record's column and the other's. */
const JOINS = [
  { field: "participantIds", table: "EventParticipant", own: "eventId", other: "actorId" },
  { field: "partyIds", table: "AgreementParty", own: "agreementId", other: "actorId" },
  { field: "affectsThreatIds", table: "CommitmentThreat", own: "commitmentId", other: "threatId" },
] as const;

/**
 * Creates a tracked record as history: its creation entry at `effectiveAt` (when it was first
 * stated), in its kind's starting status; a record created in another status then moves there
 * by an ordinary status change, with its rules and consequences.
 */
export function createTrackedRecord(db: TrackerDatabase, req: CreateTrackedRequest, at: RecordedAt = () => new Date()): Promise<string> {
  return db.rawTransaction((conn) => {
    const now = recordedAtNow(at);
    const id = `${req.kind}-${randomUUID()}`;
    const effectiveAt = req.effectiveAt ?? now;
    if (!creationMayTakeEffectAt(effectiveAt, now)) {
      throw new InvalidInputError([
        {
          field: "effectiveAt",
          problem: `must not be after now (${now.toISOString()}): a record is created as of when it was first made, stated or announced; what takes effect later is a status change with a later effectiveAt`,
        },
      ]);
    }
    checkOwnersExist(conn, req, effectiveAt, now);
    const starting = startingStatusFor(req.kind, req.status);
    if (req.kind === "threat" && typeof req.fields.reissuesId === "string") checkReissues(conn, req.fields.reissuesId, now);
    checkAffectedExist(conn, req.affectsThreatIds ?? []);
    if (req.ownDeadline && !dueAfter(req.ownDeadline, effectiveAt)) {
      const expiry = req.ownDeadline.kind === "expiry";
      throw new InvalidInputError([
        {
          field: expiry ? "expiresAt" : "dueAt",
          problem: `must end after the ${req.kind} takes effect (${effectiveAt.toISOString()}): ${expiry ? "it would expire before it existed" : "it would be made after its deadline"}`,
        },
      ]);
    }
    insertRow(conn, RECORD_KINDS[req.kind].table, { id, ...req.fields, status: starting, version: 0, createdAt: now, updatedAt: now });
    if (req.topicIds?.length) {
      const table = req.kind === "threat" ? "_ThreatToTopic" : req.kind === "event" ? "_EventToTopic" : "_ScenarioToTopic";
      const link = conn.prepare(`INSERT OR IGNORE INTO "${table}" ("A", "B") VALUES (?, ?)`);
      for (const topicId of req.topicIds) link.run(id, topicId);
    }
    for (const join of JOINS) {
      if (!req[join.field]?.length) continue;
      const link = conn.prepare(`INSERT OR IGNORE INTO "${join.table}" ("${join.own}", "${join.other}") VALUES (?, ?)`);
      for (const other of req[join.field] ?? []) link.run(id, other);
    }
    for (const actorId of new Set(req.targetIds ?? [])) statements(conn).linkTarget.run(id, actorId, 1);
    const evidenceIds = (req.evidence ?? []).map((e, i) => attachEvidence(conn, req.kind, id, e, now, `evidence.${i}`));
    const first = req.evidence?.[0];
    const scope = new WriteScope(conn, now);
    scope.append(
      creationEntry(
        req.kind,
        id,
        starting,
        effectiveAt,
        now,
        req.reason ?? "Recorded",
        req.by,
        null,
        first ? { sourceId: first.sourceId, evidenceId: evidenceIds[0]! } : undefined,
      ),
    );
    scope.touch(req.kind, id);
    if (req.ownDeadline) createOwnDeadline(conn, req.kind, id, req.ownDeadline, effectiveAt, now, req.by, scope);
    if (req.status !== starting) {
      applyStatusChange(
        conn,
        { kind: req.kind, id, to: req.status, reason: req.reason ?? `Recorded as "${req.status}"`, by: req.by, effectiveAt, evidence: first },
        now,
        scope,
      );
    }
    // Stated before a change of its owner already recorded (a threat imposed since): it was moved by it then.
    if (req.kind === "deadline" || req.kind === "commitment") owedConsequences(conn, scope, req.kind, id, effectiveAt, now);
    scope.refresh();
    return id;
  });
}

/** A record's own deadline, pending from the record's creation. */
function createOwnDeadline(
  conn: Database.Database,
  kind: TrackedKind,
  ownerId: string,
  d: NonNullable<CreateTrackedRequest["ownDeadline"]>,
  effectiveAt: Date,
  now: Date,
  by: string,
  scope: WriteScope,
): void {
  const id = `deadline-${randomUUID()}`;
  statements(conn).insertDeadline.run({
    id,
    dueAt: d.dueAt ? toSqlDate(d.dueAt) : null,
    precision: d.precision,
    wording: d.wording,
    threatId: null,
    conditionId: null,
    scenarioId: null,
    agreementId: kind === "agreement" ? ownerId : null,
    commitmentId: kind === "commitment" ? ownerId : null,
    extendsId: null,
    kind: d.kind,
    now: toSqlDate(now),
  });
  scope.append(creationEntry("deadline", id, "pending", effectiveAt, now, `${d.kind === "expiry" ? "Expiry" : "Due date"} of ${kind} ${ownerId}`, by, null));
  scope.touch("deadline", id);
}

/** The measures a commitment changes exist as known now: a link to one whose creation was retracted names nothing (as supersededById). */
function checkAffectedExist(conn: Database.Database, threatIds: readonly string[]): void {
  const problems = threatIds.flatMap((threatId, i) =>
    standingCreation(conn, "threat", threatId)
      ? []
      : [{ field: `affectsThreatIds.${i}`, problem: `the measure "${threatId}" does not exist: its creation was retracted` }],
  );
  if (problems.length) throw new InvalidInputError(problems);
}

/** A measure may re-issue only one that has ended (as known now). */
function checkReissues(conn: Database.Database, reissuesId: string, now: Date): void {
  const state = recordStateAt(historyOf(conn, "threat", reissuesId), now, now);
  if (!state.exists) throw new InvalidInputError([{ field: "reissuesId", problem: `no threat with id "${reissuesId}"` }]);
  if (!isEnding("threat", state.status!)) {
    throw new InvalidInputError([{ field: "reissuesId", problem: `threat "${reissuesId}" is "${state.status}": only an ended measure can be re-issued` }]);
  }
}

export interface TermsChangeRequest {
  id: string;
  /** The terms that change (at least one); the others stay as they were. */
  values: Partial<Terms>;
  effectiveAt: Date;
  reason: string;
  by: string;
  evidence?: EvidenceRef;
  expectedVersion?: ExpectedVersions;
}

/**
 * Records a change of a threat's terms as a dated history entry (back-dated or scheduled like any
 * entry, retractable); its targets join ThreatTarget so filters by actor find the measure.
 */
export function recordTermsChange(
  db: TrackerDatabase,
  req: TermsChangeRequest,
  at: RecordedAt = () => new Date(),
): Promise<{ entry: HistoryEntry; version: number }> {
  return db.rawTransaction((conn) => {
    const now = recordedAtNow(at);
    const st = statements(conn);
    recordAtVersion(conn, "threat", req.id, req.expectedVersion);
    const scope = new WriteScope(conn, now);
    const first = { ...(st.threatFirstTerms.get(req.id) as Omit<Terms, "targetIds">), targetIds: st.firstTargets.all(req.id) as string[] };
    const plan = planTermsChange(scope.historyOf("threat", req.id), first, req.values, req.effectiveAt, now);
    if (!plan.ok && plan.problem === "too-far-ahead") throw tooFarAhead();
    if (!plan.ok && plan.problem === "changes-nothing") {
      const unchanged = plan.unchanged.map(({ term, value }) => ({ field: term, value }));
      throw changesNothing(unchanged, req.effectiveAt, "a terms change must change at least one term");
    }
    if (!plan.ok)
      throw new ChainConflictError(
        `The threat did not exist yet at ${req.effectiveAt.toISOString()}`,
        plan.problem === "not-yet-created" ? plan.created : null,
        [],
      );
    const missing = (req.values.targetIds ?? []).flatMap((actorId, i) =>
      st.actorExists.get(actorId) ? [] : [{ field: `targetIds.${i}`, problem: `no actor with id "${actorId}"` }],
    );
    if (missing.length) throw new InvalidInputError(missing);
    const evidenceId = req.evidence ? attachEvidence(conn, "threat", req.id, req.evidence, now) : null;
    const values = Object.fromEntries(Object.entries(req.values).filter(([, v]) => v !== undefined));
    if (values.targetIds) values.targetIds = [...new Set(values.targetIds as string[])];
    for (const actorId of (values.targetIds as string[] | undefined) ?? []) st.linkTarget.run(req.id, actorId, 0);
    const entry = scope.append(
      valuesEntry("threat", req.id, "terms", values, now, { ...req, causedBySeq: null, sourceId: req.evidence?.sourceId ?? null, evidenceId }),
    );
    scope.touch("threat", req.id);
    scope.refresh();
    return { entry, version: currentVersion(conn, "threat", req.id) };
  });
}

export interface CorrectionRequest {
  kind: CorrectableKind;
  id: string;
  /** The facts (CORRECTABLE_FACTS of the kind) as they are now said to be; those not given stay. */
  values: Record<string, unknown>;
  /** Descriptive text edited in the same request: the current text, not historised. */
  descriptive: Record<string, unknown>;
  reason: string;
  by: string;
  expectedVersion?: ExpectedVersions;
}

/**
 * Corrects facts recorded wrong (src/domain/corrections.ts) as a correction entry, effective from
 * the record's creation, retractable; the row then holds the corrected facts. Facts given with
 * the value they have record nothing; when nothing given changes, the edit is refused (editChangesNothing).
 * Descriptive text given with them is edited in the same write.
 */
export function recordCorrection(
  db: TrackerDatabase,
  req: CorrectionRequest,
  at: RecordedAt = () => new Date(),
): Promise<{ entry: HistoryEntry | null; version: number }> {
  return db.rawTransaction((conn) => {
    const now = recordedAtNow(at);
    const table = RECORD_KINDS[req.kind].table;
    recordAtVersion(conn, req.kind, req.id, req.expectedVersion);
    const actorId = req.values.awaitedActorId;
    if (typeof actorId === "string" && !statements(conn).actorExists.get(actorId)) {
      throw new InvalidInputError([{ field: "awaitedActorId", problem: `no actor with id "${actorId}"` }]);
    }
    const given = { ...req.descriptive, ...req.values };
    const columns = [...new Set([...CORRECTABLE_FACTS[req.kind], ...Object.keys(given)])];
    const current = prepared(conn, `SELECT ${columns.map((f) => `"${f}"`).join(", ")} FROM "${table}" WHERE "id" = ?`).get(req.id) as Record<string, unknown>;
    const scope = new WriteScope(conn, now);
    const plan = planCorrection(scope.historyOf(req.kind, req.id), current, req.values, now);
    if (!plan.ok) throw new ChainConflictError(`The ${req.kind} does not exist as known now: its creation was retracted`, plan.created, []);
    // Facts and text each given as they stand: nothing to record, and the version stays (as a PATCH of text alone).
    const unchanged = editChangesNothing(current, given);
    if (unchanged) throw new InvalidInputError(unchanged);
    const text = Object.entries(req.descriptive).filter(([, v]) => v !== undefined);
    if (text.length > 0) {
      prepared(conn, `UPDATE "${table}" SET ${text.map(([k]) => `"${k}" = @${k}`).join(", ")} WHERE "id" = @id`).run({
        ...Object.fromEntries(text),
        id: req.id,
      });
    }
    const entry = plan.correction
      ? scope.append({
          recordKind: req.kind,
          recordId: req.id,
          change: "correction",
          from: null,
          to: null,
          values: { ...plan.correction },
          effectiveAt: plan.effectiveAt,
          recordedAt: now,
          reason: req.reason,
          by: req.by,
          correction: true,
          byTerms: false,
          causedBySeq: null,
          until: null,
          returnsTo: null,
          sourceId: null,
          evidenceId: null,
        })
      : null;
    // The refresh moves the version on, as every PATCH does, and writes the corrected facts on the row.
    scope.touch(req.kind, req.id);
    scope.refresh();
    return { entry, version: currentVersion(conn, req.kind, req.id) };
  });
}

/** A plain INSERT of one row from column values (dates in the adapter's text form, booleans as 0/1). */
function insertRow(conn: Database.Database, table: string, values: Record<string, unknown>): void {
  const columns = Object.keys(values).filter((k) => values[k] !== undefined);
  const params = columns.map((k) => {
    const v = values[k];
    return v instanceof Date ? toSqlDate(v) : typeof v === "boolean" ? (v ? 1 : 0) : v;
  });
  try {
    conn.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`).run(...params);
  } catch (e) {
    if ((e as { code?: string }).code === "SQLITE_CONSTRAINT_FOREIGNKEY")
      throw new InvalidInputError([{ field: "body", problem: "refers to a record that does not exist" }]);
    throw e;
  }
}

function statusColumns(cache: StatusCache) {
  return {
    status: cache.status,
    statusUntil: sqlDateOrNull(cache.statusUntil),
    statusFrom: sqlDateOrNull(cache.statusFrom),
    statusKnownFrom: sqlDateOrNull(cache.statusKnownFrom),
  };
}

/**
 * Brings the cached status columns of every scenario, threat and condition in line with its
 * history, as of `now`, without a new version (the records did not change): the backfill of the
 * status span (migration 20261130000000) and the benchmark's generator.
 */
export function refreshAllStatusSpans(conn: Database.Database, now = new Date()): void {
  for (const kind of STATUS_SPAN_KINDS as ReadonlySet<TrackedKind>) {
    const table = RECORD_KINDS[kind].table;
    // Its own statement, not the write path's set: a migration run later may add columns that set uses.
    const refresh = conn.prepare(`UPDATE "${table}" SET "status" = COALESCE(@status, "status"), "statusUntil" = @statusUntil${SET_SPAN} WHERE "id" = @id`);
    const ids = (conn.prepare(`SELECT "id" FROM "${table}" ORDER BY "id"`).all() as { id: string }[]).map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      for (const [id, history] of historiesOf(conn, kind, ids.slice(i, i + 500))) refresh.run({ id, ...statusColumns(statusCacheAt(history, now)) });
    }
  }
}
