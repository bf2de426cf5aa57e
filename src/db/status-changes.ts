import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { consequencesOf, mayHaveConsequences } from "../domain/consequences.ts";
import { ConflictError, InvalidInputError, NotFoundError, TransitionNotAllowedError, VersionMismatchError } from "../domain/errors.ts";
import type { EvidenceRequest } from "../domain/evidence.ts";
import { checkTransition, requiresNewDate } from "../domain/lifecycle.ts";
import type { Precision, TrackedKind } from "../domain/statuses.ts";
import type { TrackerDatabase } from "./client.ts";
import { storeEvidenceRaw } from "./evidence.ts";
import type { StatusChange } from "./generated/client.ts";
import { toSqlDate } from "./sql-dates.ts";

/** How far ahead of the server clock an effective time may be (clock skew), in ms. */
const FUTURE_TOLERANCE_MS = 60_000;

const TABLE: Record<TrackedKind, string> = { scenario: "Scenario", threat: "Threat", condition: "Condition", deadline: "Deadline", event: "Event" };

export interface NewDate {
  at: Date;
  precision: Exclude<Precision, "unknown">;
  endsAt?: Date | null;
  wording?: string;
}

export interface StatusChangeRequest {
  kind: TrackedKind;
  id: string;
  to: string;
  reason: string;
  by: string;
  effectiveAt?: Date;
  correction?: boolean;
  /** The version the client last saw (If-Match); absent means "whatever is current". */
  expectedVersion?: number;
  evidence?: EvidenceRequest;
  /** The new due date of an extension, or the new date of a rescheduled event. */
  newDate?: NewDate;
}

export interface StatusChangeResult {
  version: number;
  status: string;
  entry: StatusChange;
  consequences: StatusChange[];
  /** The successor deadline an extension created. */
  successorDeadlineId: string | null;
}

interface HistoryRow {
  seq: number;
  recordKind: string;
  recordId: string;
  from: string | null;
  to: string;
  effectiveAt: string;
  recordedAt: string;
  reason: string;
  by: string;
  correction: number;
  causedBySeq: number | null;
  sourceId: string | null;
  evidenceId: string | null;
}

function toEntry(r: HistoryRow): StatusChange {
  return { ...r, effectiveAt: new Date(r.effectiveAt), recordedAt: new Date(r.recordedAt), correction: r.correction === 1 };
}

/** The statements of this module, prepared once per connection. */
function statementsFor(db: Database.Database) {
  const byKind = <T>(make: (table: string) => T) => Object.fromEntries(Object.entries(TABLE).map(([k, table]) => [k, make(table)])) as Record<TrackedKind, T>;
  return {
    find: byKind((t) => db.prepare(`SELECT "id", "status", "version" FROM "${t}" WHERE "id" = ?`)),
    setStatus: byKind((t) =>
      db.prepare(
        `UPDATE "${t}" SET "status" = @to, "version" = "version" + 1, "updatedAt" = @now${
          t === "Deadline"
            ? // Bounds of when the deadline was pending (see the schema), kept with the history they summarise.
              `, "pendingUntil" = CASE WHEN @to = 'pending' THEN NULL WHEN @from = 'pending' THEN @effectiveAt ELSE "pendingUntil" END,
                 "pendingFrom" = CASE WHEN @to = 'pending' THEN COALESCE("pendingFrom", @effectiveAt) ELSE "pendingFrom" END,
                 "pendingReopened" = CASE WHEN @to = 'pending' AND "pendingFrom" IS NOT NULL THEN 1 ELSE "pendingReopened" END`
            : ""
        } WHERE "id" = @id AND "version" = @version`,
      ),
    ),
    reschedule: db.prepare(`UPDATE "Event" SET "startsAt" = ?, "endsAt" = ?, "precision" = ? WHERE "id" = ?`),
    lastEffective: db.prepare(
      `SELECT "effectiveAt" FROM "StatusChange" WHERE "recordKind" = ? AND "recordId" = ? ORDER BY "effectiveAt" DESC, "seq" DESC LIMIT 1`,
    ),
    insertEntry: db.prepare(
      `INSERT INTO "StatusChange" ("recordKind", "recordId", "from", "to", "effectiveAt", "recordedAt", "reason", "by", "correction", "causedBySeq", "sourceId", "evidenceId")
       VALUES (@recordKind, @recordId, @from, @to, @effectiveAt, @recordedAt, @reason, @by, @correction, @causedBySeq, @sourceId, @evidenceId) RETURNING *`,
    ),
    deadline: db.prepare(`SELECT "wording", "threatId", "conditionId", "scenarioId" FROM "Deadline" WHERE "id" = ?`),
    insertSuccessor: db.prepare(
      `INSERT INTO "Deadline" ("id", "dueAt", "precision", "wording", "threatId", "conditionId", "scenarioId", "extendsId", "status", "version", "pendingFrom", "createdAt", "updatedAt")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?)`,
    ),
    condition: db.prepare(`SELECT "effect", "threatId" FROM "Condition" WHERE "id" = ?`),
    pendingOfCondition: db.prepare(`SELECT "id" FROM "Deadline" WHERE "conditionId" = ? AND "status" = 'pending' ORDER BY "id"`),
    pendingOfThreat: db.prepare(`SELECT "id" FROM "Deadline" WHERE "threatId" = ? AND "status" = 'pending' ORDER BY "id"`),
  };
}

const cache = new WeakMap<Database.Database, ReturnType<typeof statementsFor>>();
function statements(db: Database.Database) {
  let s = cache.get(db);
  if (!s) {
    s = statementsFor(db);
    cache.set(db, s);
  }
  return s;
}

/**
 * Records a status change and every consequence it sets off, in one transaction: the
 * record's new status and version, its history entry, and the consequences' own entries
 * (each naming its cause and taking its effective time). Raw SQL on the writer connection:
 * this is the hottest write path, and it runs synchronously inside the process's write lock.
 */
export function recordStatusChange(db: TrackerDatabase, req: StatusChangeRequest, now = new Date()): Promise<StatusChangeResult> {
  return db.rawTransaction((conn) => applyStatusChange(conn, req, now));
}

function applyStatusChange(conn: Database.Database, req: StatusChangeRequest, now: Date): StatusChangeResult {
  const st = statements(conn);
  const current = st.find[req.kind].get(req.id) as { id: string; status: string; version: number } | undefined;
  if (!current) throw new NotFoundError(req.kind, req.id);
  if (req.expectedVersion !== undefined && req.expectedVersion !== current.version) throw new VersionMismatchError(req.expectedVersion, current.version);
  const verdict = checkTransition(req.kind, current.status, req.to, req.correction);
  if (!verdict.ok) {
    const why =
      verdict.problem === "same-status"
        ? `The ${req.kind} is already "${current.status}"`
        : verdict.problem === "unknown-status"
          ? `"${req.to}" is not a status of a ${req.kind}`
          : `A ${req.kind} cannot move from "${current.status}" to "${req.to}"`;
    throw new TransitionNotAllowedError(req.kind, current.status, req.to, verdict.allowed, why);
  }
  const needsDate = !req.correction && requiresNewDate(req.kind, current.status, req.to);
  if (needsDate && !req.newDate) {
    const field = req.kind === "deadline" ? "newDueAt" : "newStartsAt";
    throw new InvalidInputError([{ field, problem: `required when a ${req.kind} moves from "${current.status}" to "${req.to}"` }]);
  }
  const effectiveAt = req.effectiveAt ?? now;
  if (effectiveAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw new InvalidInputError([{ field: "effectiveAt", problem: "must not be in the future: record a change once it has happened" }]);
  }
  const last = st.lastEffective.get(req.kind, req.id) as { effectiveAt: string } | undefined;
  if (last && effectiveAt < new Date(last.effectiveAt)) {
    throw new InvalidInputError([
      { field: "effectiveAt", problem: `must not be earlier than the record's last status change (${new Date(last.effectiveAt).toISOString()})` },
    ]);
  }
  const evidenceId = req.evidence ? attachEvidence(conn, req.kind, req.id, req.evidence, now) : null;

  const moved = st.setStatus[req.kind].run({
    id: req.id,
    version: current.version,
    to: req.to,
    from: current.status,
    effectiveAt: toSqlDate(effectiveAt),
    now: toSqlDate(now),
  });
  if (moved.changes !== 1) throw new ConflictError("The record changed while this change was being applied; retry");
  if (req.kind === "event" && needsDate && req.newDate) {
    st.reschedule.run(toSqlDate(req.newDate.at), toSqlDate(req.newDate.endsAt ?? req.newDate.at), req.newDate.precision, req.id);
  }
  const entry = insertEntry(conn, {
    recordKind: req.kind,
    recordId: req.id,
    from: current.status,
    to: req.to,
    effectiveAt,
    now,
    reason: req.reason,
    by: req.by,
    correction: req.correction ?? false,
    causedBySeq: null,
    sourceId: req.evidence?.sourceId ?? null,
    evidenceId,
  });
  const successorDeadlineId = req.kind === "deadline" && needsDate && req.newDate ? createSuccessorDeadline(conn, req.id, req.newDate, entry, now) : null;
  // Corrections fix the record only: they set nothing else off.
  const consequences = req.correction ? [] : applyConsequences(conn, req.kind, req.id, req.to, entry, now);
  return { version: current.version + 1, status: req.to, entry, consequences, successorDeadlineId };
}

interface NewEntry {
  recordKind: string;
  recordId: string;
  from: string | null;
  to: string;
  effectiveAt: Date;
  now: Date;
  reason: string;
  by: string;
  correction: boolean;
  causedBySeq: number | null;
  sourceId: string | null;
  evidenceId: string | null;
}

function insertEntry(conn: Database.Database, e: NewEntry): StatusChange {
  const { now, ...fields } = e;
  const row = statements(conn).insertEntry.get({
    ...fields,
    effectiveAt: toSqlDate(e.effectiveAt),
    recordedAt: toSqlDate(now),
    correction: e.correction ? 1 : 0,
  }) as HistoryRow;
  return toEntry(row);
}

function attachEvidence(conn: Database.Database, kind: string, id: string, evidence: EvidenceRequest, now: Date): string {
  return storeEvidenceRaw(conn, kind, id, evidence, "evidence", now);
}

function createSuccessorDeadline(conn: Database.Database, oldId: string, newDate: NewDate, cause: StatusChange, now: Date): string {
  const st = statements(conn);
  const old = st.deadline.get(oldId) as { wording: string; threatId: string | null; conditionId: string | null; scenarioId: string | null };
  const id = `deadline-${randomUUID()}`;
  const stamp = toSqlDate(now);
  st.insertSuccessor.run(
    id,
    toSqlDate(newDate.at),
    newDate.precision,
    newDate.wording ?? old.wording,
    old.threatId,
    old.conditionId,
    old.scenarioId,
    oldId,
    toSqlDate(cause.effectiveAt),
    stamp,
    stamp,
  );
  insertEntry(conn, {
    recordKind: "deadline",
    recordId: id,
    from: null,
    to: "pending",
    effectiveAt: cause.effectiveAt,
    now,
    reason: `Extension of deadline ${oldId}: ${cause.reason}`,
    by: cause.by,
    correction: false,
    causedBySeq: cause.seq,
    sourceId: cause.sourceId,
    evidenceId: cause.evidenceId,
  });
  return id;
}

function applyConsequences(conn: Database.Database, kind: TrackedKind, id: string, to: string, cause: StatusChange, now: Date): StatusChange[] {
  if (!mayHaveConsequences(kind, to)) return [];
  const st = statements(conn);
  let context: Parameters<typeof consequencesOf>[2];
  if (kind === "condition") {
    const condition = st.condition.get(id) as { effect: "averts" | "triggers"; threatId: string };
    context = {
      conditionEffect: condition.effect,
      ownPendingDeadlines: st.pendingOfCondition.all(id) as { id: string }[],
      guardedThreatPendingDeadlines: st.pendingOfThreat.all(condition.threatId) as { id: string }[],
    };
  } else {
    context = { ownPendingDeadlines: st.pendingOfThreat.all(id) as { id: string }[] };
  }
  const entries: StatusChange[] = [];
  for (const c of consequencesOf(kind, to, context)) {
    const target = st.find[c.kind].get(c.id) as { status: string; version: number } | undefined;
    if (!target || !checkTransition(c.kind, target.status, c.to).ok) continue;
    // A consequence takes its cause's effective time, but never goes before the target's own last entry.
    const last = st.lastEffective.get(c.kind, c.id) as { effectiveAt: string } | undefined;
    const effectiveAt = last && new Date(last.effectiveAt) > cause.effectiveAt ? new Date(last.effectiveAt) : cause.effectiveAt;
    st.setStatus[c.kind].run({ id: c.id, version: target.version, to: c.to, from: target.status, effectiveAt: toSqlDate(effectiveAt), now: toSqlDate(now) });
    entries.push(
      insertEntry(conn, {
        recordKind: c.kind,
        recordId: c.id,
        from: target.status,
        to: c.to,
        effectiveAt,
        now,
        reason: `Consequence: ${c.rule} (${kind} ${id} became "${to}")`,
        by: cause.by,
        correction: false,
        causedBySeq: cause.seq,
        sourceId: cause.sourceId,
        evidenceId: cause.evidenceId,
      }),
    );
  }
  return entries;
}
