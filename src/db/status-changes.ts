import { randomUUID } from "node:crypto";
import { consequencesOf, mayHaveConsequences } from "../domain/consequences.ts";
import { ConflictError, InvalidInputError, NotFoundError, TransitionNotAllowedError, VersionMismatchError } from "../domain/errors.ts";
import { findQuote } from "../domain/evidence.ts";
import { checkTransition, requiresNewDate } from "../domain/lifecycle.ts";
import type { Precision, TrackedKind } from "../domain/statuses.ts";
import type { Prisma } from "./client.ts";
import type { StatusChange } from "./generated/client.ts";
import { type Transaction, trackedTable } from "./tracked-records.ts";

/** How far ahead of the server clock an effective time may be (clock skew), in ms. */
const FUTURE_TOLERANCE_MS = 60_000;

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
  evidence?: { sourceId: string; quote: string };
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

/** The transaction lock may be held by other writers for a while under load: wait, do not fail. */
export const WRITE_TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 30_000 } as const;

/**
 * Records a status change and every consequence it sets off, in one transaction: the
 * record's new status and version, its history entry, and the consequences' own entries
 * (each naming its cause and taking its effective time).
 */
export async function recordStatusChange(prisma: Prisma, req: StatusChangeRequest, now = new Date()): Promise<StatusChangeResult> {
  return prisma.$transaction(async (tx) => {
    const table = trackedTable(tx, req.kind);
    const current = await table.find(req.id);
    if (!current) throw new NotFoundError(req.kind, req.id);
    if (req.expectedVersion !== undefined && req.expectedVersion !== current.version) {
      throw new VersionMismatchError(req.expectedVersion, current.version);
    }
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
    const last = await tx.statusChange.findFirst({
      where: { recordKind: req.kind, recordId: req.id },
      orderBy: [{ effectiveAt: "desc" }, { seq: "desc" }],
      select: { effectiveAt: true },
    });
    if (last && effectiveAt < last.effectiveAt) {
      throw new InvalidInputError([
        { field: "effectiveAt", problem: `must not be earlier than the record's last status change (${last.effectiveAt.toISOString()})` },
      ]);
    }
    const evidenceId = req.evidence ? await attachEvidence(tx, req.kind, req.id, req.evidence, now) : null;

    const extra: Record<string, unknown> = {};
    if (req.kind === "event" && needsDate && req.newDate) {
      Object.assign(extra, { startsAt: req.newDate.at, endsAt: req.newDate.endsAt ?? req.newDate.at, precision: req.newDate.precision });
    }
    if (!(await table.setStatus(req.id, current.version, { from: current.status, to: req.to, effectiveAt }, now, extra))) {
      throw new ConflictError("The record changed while this change was being applied; retry");
    }
    const entry = await tx.statusChange.create({
      data: {
        recordKind: req.kind,
        recordId: req.id,
        from: current.status,
        to: req.to,
        effectiveAt,
        recordedAt: now,
        reason: req.reason,
        by: req.by,
        correction: req.correction ?? false,
        sourceId: req.evidence?.sourceId ?? null,
        evidenceId,
      },
    });

    const successorDeadlineId = req.kind === "deadline" && needsDate && req.newDate ? await createSuccessorDeadline(tx, req.id, req.newDate, entry, now) : null;
    // Corrections fix the record only: they set nothing else off.
    const consequences = req.correction ? [] : await applyConsequences(tx, req.kind, req.id, req.to, entry, now);
    return { version: current.version + 1, status: req.to, entry, consequences, successorDeadlineId };
  }, WRITE_TRANSACTION_OPTIONS);
}

async function attachEvidence(tx: Transaction, kind: string, id: string, evidence: { sourceId: string; quote: string }, now: Date): Promise<string> {
  const source = await tx.source.findUnique({ where: { id: evidence.sourceId }, select: { text: true } });
  if (!source) throw new InvalidInputError([{ field: "evidence.sourceId", problem: `no source with id "${evidence.sourceId}"` }]);
  const found = findQuote(source.text, evidence.quote, kind, id);
  if (!found) throw new InvalidInputError([{ field: "evidence.quote", problem: "is not a verbatim quote of the source's text" }]);
  await tx.evidence.upsert({ where: { id: found.id }, update: {}, create: { ...found, sourceId: evidence.sourceId, createdAt: now } });
  return found.id;
}

async function createSuccessorDeadline(tx: Transaction, oldId: string, newDate: NewDate, cause: StatusChange, now: Date): Promise<string> {
  const old = await tx.deadline.findUniqueOrThrow({ where: { id: oldId } });
  const id = `deadline-${randomUUID()}`;
  await tx.deadline.create({
    data: {
      id,
      dueAt: newDate.at,
      precision: newDate.precision,
      wording: newDate.wording ?? old.wording,
      threatId: old.threatId,
      conditionId: old.conditionId,
      scenarioId: old.scenarioId,
      extendsId: old.id,
      status: "pending",
      pendingFrom: cause.effectiveAt,
      createdAt: now,
      updatedAt: now,
    },
  });
  await tx.statusChange.create({
    data: {
      recordKind: "deadline",
      recordId: id,
      from: null,
      to: "pending",
      effectiveAt: cause.effectiveAt,
      recordedAt: now,
      reason: `Extension of deadline ${old.id}: ${cause.reason}`,
      by: cause.by,
      causedBySeq: cause.seq,
      sourceId: cause.sourceId,
      evidenceId: cause.evidenceId,
    },
  });
  return id;
}

async function applyConsequences(tx: Transaction, kind: TrackedKind, id: string, to: string, cause: StatusChange, now: Date): Promise<StatusChange[]> {
  if (!mayHaveConsequences(kind, to)) return [];
  const pending = { status: "pending" };
  const select = { id: true } as const;
  let context: Parameters<typeof consequencesOf>[2];
  if (kind === "condition") {
    const condition = await tx.condition.findUniqueOrThrow({ where: { id }, select: { effect: true, threatId: true } });
    context = {
      conditionEffect: condition.effect as "averts" | "triggers",
      ownPendingDeadlines: await tx.deadline.findMany({ where: { conditionId: id, ...pending }, select }),
      guardedThreatPendingDeadlines: await tx.deadline.findMany({ where: { threatId: condition.threatId, ...pending }, select }),
    };
  } else {
    context = { ownPendingDeadlines: await tx.deadline.findMany({ where: { threatId: id, ...pending }, select }) };
  }
  const entries: StatusChange[] = [];
  for (const c of consequencesOf(kind, to, context)) {
    const table = trackedTable(tx, c.kind);
    const target = await table.find(c.id);
    if (!target || !checkTransition(c.kind, target.status, c.to).ok) continue;
    // A consequence takes its cause's effective time, but never goes before the target's own last entry.
    const targetLast = await tx.statusChange.findFirst({
      where: { recordKind: c.kind, recordId: c.id },
      orderBy: [{ effectiveAt: "desc" }, { seq: "desc" }],
      select: { effectiveAt: true },
    });
    const effectiveAt = targetLast && targetLast.effectiveAt > cause.effectiveAt ? targetLast.effectiveAt : cause.effectiveAt;
    await table.setStatus(c.id, target.version, { from: target.status, to: c.to, effectiveAt }, now);
    entries.push(
      await tx.statusChange.create({
        data: {
          recordKind: c.kind,
          recordId: c.id,
          from: target.status,
          to: c.to,
          effectiveAt,
          recordedAt: now,
          reason: `Consequence: ${c.rule} (${kind} ${id} became "${to}")`,
          by: cause.by,
          causedBySeq: cause.seq,
          sourceId: cause.sourceId,
          evidenceId: cause.evidenceId,
        },
      }),
    );
  }
  return entries;
}
