import { randomUUID } from "node:crypto";
import { ConflictError, InvalidInputError, NotFoundError, VersionMismatchError } from "../domain/errors.ts";
import { type EvidenceRequest, isDisputed } from "../domain/evidence.ts";
import { isTrackedKind, type TrackedKind } from "../domain/statuses.ts";
import type { Prisma, TrackerDatabase, Transaction } from "./client.ts";
import { storeEvidence } from "./evidence.ts";
import { threatDetail } from "./threat-detail.ts";

/** The record kinds behind the API's collections, in the users' words. */
export const KIND_OF = {
  scenarios: "scenario",
  threats: "threat",
  conditions: "condition",
  deadlines: "deadline",
  events: "event",
  actors: "actor",
  topics: "topic",
  sources: "source",
} as const;
export type Collection = keyof typeof KIND_OF;
export type RecordKind = (typeof KIND_OF)[Collection];

export interface ListFilters {
  status?: string;
  scenarioId?: string;
  actorId?: string;
  topicId?: string;
  q?: string;
}

type AnyDelegate = {
  findMany(args: unknown): Promise<any[]>;
  findUnique(args: unknown): Promise<any | null>;
  create(args: unknown): Promise<any>;
  updateMany(args: unknown): Promise<{ count: number }>;
  update(args: unknown): Promise<any>;
};

function delegateOf(db: Prisma | Transaction, kind: RecordKind): AnyDelegate {
  return (db as unknown as Record<string, AnyDelegate>)[kind]!;
}

const brief = { select: { id: true, name: true, kind: true } } as const;

/** What each kind embeds when read on its own. */
const DETAIL_INCLUDE: Record<RecordKind, Record<string, unknown> | undefined> = {
  scenario: {
    topics: true,
    threats: { include: { issuer: brief, target: brief }, orderBy: { id: "asc" } },
    deadlines: { orderBy: { dueAt: "asc" } },
    events: { orderBy: { startsAt: "asc" } },
  },
  // Read through threatDetail (raw SQL) on the API's hot path; this include defines the same shape.
  threat: {
    scenario: { select: { id: true, title: true, status: true } },
    issuer: true,
    target: true,
    topics: { orderBy: { id: "asc" } },
    conditions: { include: { awaitedActor: brief, deadlines: { orderBy: { id: "asc" } } }, orderBy: { id: "asc" } },
    deadlines: { orderBy: [{ dueAt: "asc" }, { id: "asc" }] },
  },
  condition: { threat: { include: { issuer: brief, target: brief } }, awaitedActor: true, deadlines: true },
  deadline: {
    threat: { select: { id: true, summary: true, status: true } },
    condition: { select: { id: true, description: true, status: true } },
    scenario: { select: { id: true, title: true, status: true } },
    extends: { select: { id: true, dueAt: true, precision: true, status: true } },
    extendedBy: { select: { id: true, dueAt: true, precision: true, status: true } },
  },
  event: { participants: { include: { actor: brief } }, topics: true, scenario: { select: { id: true, title: true, status: true } } },
  actor: { government: brief, members: brief },
  topic: undefined,
  source: { _count: { select: { evidence: true } } },
};

/** What each kind embeds in a list row (kept light). */
const LIST_INCLUDE: Partial<Record<RecordKind, Record<string, unknown>>> = {
  threat: { issuer: brief, target: brief, topics: true },
  event: { participants: { include: { actor: brief } } },
};

/** List rows omit the article text, which can be long; the record itself carries it. */
const LIST_OMIT: Partial<Record<RecordKind, Record<string, boolean>>> = { source: { text: true } };

const TEXT_FIELDS: Record<RecordKind, string[]> = {
  scenario: ["title", "summary"],
  threat: ["summary", "covers"],
  condition: ["description"],
  deadline: ["wording"],
  event: ["title", "place", "wording"],
  actor: ["name", "role"],
  topic: ["name"],
  source: ["title", "publisher"],
};

function filterWhere(kind: RecordKind, f: ListFilters): Record<string, unknown> {
  const and: Record<string, unknown>[] = [];
  if (f.status) and.push({ status: f.status });
  if (f.q) and.push({ OR: TEXT_FIELDS[kind].map((field) => ({ [field]: { contains: f.q } })) });
  if (f.scenarioId) {
    if (kind === "threat" || kind === "event") and.push({ scenarioId: f.scenarioId });
    if (kind === "condition") and.push({ threat: { scenarioId: f.scenarioId } });
    if (kind === "scenario") and.push({ id: f.scenarioId });
  }
  if (f.actorId) {
    if (kind === "threat") and.push({ OR: [{ issuerId: f.actorId }, { targetId: f.actorId }] });
    if (kind === "condition") and.push({ awaitedActorId: f.actorId });
    if (kind === "event") and.push({ participants: { some: { actorId: f.actorId } } });
  }
  if (f.topicId && (kind === "threat" || kind === "event" || kind === "scenario")) and.push({ topics: { some: { id: f.topicId } } });
  return and.length ? { AND: and } : {};
}

/** One page in id order; `afterId` is the last id of the previous page (keyset: no gaps, no repeats). */
export async function listRecords(prisma: Prisma, kind: RecordKind, filters: ListFilters, limit: number, afterId?: string) {
  const where = filterWhere(kind, filters);
  const rows = await delegateOf(prisma, kind).findMany({
    where: afterId ? { AND: [where, { id: { gt: afterId } }] } : where,
    orderBy: { id: "asc" },
    take: limit + 1,
    ...(LIST_INCLUDE[kind] ? { include: LIST_INCLUDE[kind] } : {}),
    ...(LIST_OMIT[kind] ? { omit: LIST_OMIT[kind] } : {}),
  });
  const page = rows.slice(0, limit);
  return { items: page, nextId: rows.length > limit ? (page.at(-1)?.id as string) : null };
}

/** A record with its links and the evidence quotes that support it (threats through the raw fast path). */
export async function getRecord(db: TrackerDatabase, kind: RecordKind, id: string): Promise<Record<string, unknown>> {
  if (kind === "threat") {
    const threat = threatDetail(db.reader, id);
    if (!threat) throw new NotFoundError(kind, id);
    return threat;
  }
  return getRecordThroughPrisma(db.prisma, kind, id);
}

/** The same, through Prisma's includes. */
export async function getRecordThroughPrisma(prisma: Prisma, kind: RecordKind, id: string) {
  const include = DETAIL_INCLUDE[kind];
  const record = await delegateOf(prisma, kind).findUnique({ where: { id }, ...(include ? { include } : {}) });
  if (!record) throw new NotFoundError(kind, id);
  const evidence = await prisma.evidence.findMany({
    where: { recordKind: kind, recordId: id },
    orderBy: [{ sourceId: "asc" }, { startOffset: "asc" }],
    include: {
      source: { select: { id: true, title: true, publisher: true, url: true, publishedAt: true, kind: true } },
      speaker: { select: { id: true, name: true } },
    },
  });
  return { ...record, evidence, disputed: isDisputed(evidence) };
}

/** The current version of a tracked record (its ETag), or NotFound. */
export async function currentVersion(prisma: Prisma | Transaction, kind: RecordKind, id: string): Promise<number | null> {
  const row = await delegateOf(prisma, kind).findUnique({ where: { id }, select: { id: true, ...(isTrackedKind(kind) ? { version: true } : {}) } });
  if (!row) throw new NotFoundError(kind, id);
  return isTrackedKind(kind) ? Number(row.version) : null;
}

const connectIds = (ids?: string[]) => (ids ? { connect: ids.map((id) => ({ id })) } : undefined);
const setIds = (ids?: string[]) => (ids ? { set: ids.map((id) => ({ id })) } : undefined);

/** Turns API input into Prisma data for a create; references are checked by foreign keys and by `checkReferences`. */
function createData(kind: RecordKind, input: Record<string, any>, id: string, now: Date): Record<string, unknown> {
  const { evidence: _evidence, topicIds, participantIds, ...fields } = input;
  const stamps = ["scenario", "threat", "condition", "deadline", "event"].includes(kind) ? { createdAt: now, updatedAt: now } : {};
  const data: Record<string, unknown> = { id, ...fields, ...stamps };
  if (topicIds) data.topics = connectIds(topicIds);
  if (participantIds) data.participants = { create: (participantIds as string[]).map((actorId) => ({ actorId })) };
  if (kind === "event" && fields.startsAt && !fields.endsAt) data.endsAt = fields.startsAt;
  if (kind === "deadline" && fields.status === "pending") data.pendingFrom = now;
  return data;
}

/** Which referenced ids must exist, by input field, so a bad id is a 422 naming the field. */
const REFERENCES: Record<string, RecordKind> = {
  scenarioId: "scenario",
  issuerId: "actor",
  targetId: "actor",
  threatId: "threat",
  conditionId: "condition",
  awaitedActorId: "actor",
  governmentId: "actor",
  copyOfId: "source",
};

async function checkReferences(tx: Transaction, input: Record<string, any>): Promise<void> {
  const problems: { field: string; problem: string }[] = [];
  for (const [field, kind] of Object.entries(REFERENCES)) {
    const value = input[field];
    if (typeof value === "string" && !(await delegateOf(tx, kind).findUnique({ where: { id: value }, select: { id: true } }))) {
      problems.push({ field, problem: `no ${kind} with id "${value}"` });
    }
  }
  for (const [field, kind] of [
    ["topicIds", "topic"],
    ["participantIds", "actor"],
  ] as const) {
    const ids: unknown = input[field];
    if (!Array.isArray(ids)) continue;
    for (const [i, value] of ids.entries()) {
      if (!(await delegateOf(tx, kind).findUnique({ where: { id: value }, select: { id: true } }))) {
        problems.push({ field: `${field}.${i}`, problem: `no ${kind} with id "${value}"` });
      }
    }
  }
  if (problems.length) throw new InvalidInputError(problems);
}

async function attachEvidenceList(tx: Transaction, kind: RecordKind, id: string, evidence: EvidenceRequest[] | undefined, now: Date) {
  for (const [i, e] of (evidence ?? []).entries()) await storeEvidence(tx, kind, id, e, `evidence.${i}`, now);
}

/** Unique-constraint failures become a 409 naming what already exists. */
async function withUniqueness<T>(kind: RecordKind, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if ((e as { code?: string }).code === "P2002") throw new ConflictError(`A ${kind} with the same ${uniqueFieldOf(kind)} already exists`);
    throw e;
  }
}

function uniqueFieldOf(kind: RecordKind): string {
  return kind === "source" ? "text (SHA-256)" : kind === "scenario" ? "title" : "name";
}

/** Creates a record (and, for a tracked kind, its first history entry) in one transaction. */
export async function createRecord(db: TrackerDatabase, kind: RecordKind, input: Record<string, any>, by: string, now = new Date()): Promise<string> {
  const id = `${kind}-${randomUUID()}`;
  return withUniqueness(kind, () =>
    db.prismaTransaction(async (tx) => {
      await checkReferences(tx, input);
      await delegateOf(tx, kind).create({ data: createData(kind, input, id, now) });
      await attachEvidenceList(tx, kind, id, input.evidence, now);
      if (isTrackedKind(kind)) {
        await tx.statusChange.create({
          data: { recordKind: kind, recordId: id, from: null, to: input.status, effectiveAt: now, recordedAt: now, reason: "Recorded", by },
        });
      }
      return id;
    }),
  );
}

/** Edits descriptive fields; a tracked record's version moves on, and If-Match is honoured. */
export async function patchRecord(db: TrackerDatabase, kind: RecordKind, id: string, input: Record<string, any>, expectedVersion?: number, now = new Date()) {
  const tracked = isTrackedKind(kind);
  return withUniqueness(kind, () =>
    db.prismaTransaction(async (tx) => {
      const table = delegateOf(tx, kind);
      const current = await table.findUnique({ where: { id }, select: { id: true, ...(tracked ? { version: true } : {}) } });
      if (!current) throw new NotFoundError(kind, id);
      if (tracked && expectedVersion !== undefined && expectedVersion !== current.version) throw new VersionMismatchError(expectedVersion, current.version);
      await checkReferences(tx, input);
      const { topicIds, ...fields } = input;
      const data: Record<string, unknown> = { ...fields };
      if (topicIds) data.topics = setIds(topicIds);
      if (tracked) Object.assign(data, { version: { increment: 1 }, updatedAt: now });
      await table.update({ where: { id }, data });
    }),
  );
}

/** The history of one record, oldest first. */
export function historyOf(prisma: Prisma, kind: TrackedKind, id: string) {
  return prisma.statusChange.findMany({ where: { recordKind: kind, recordId: id }, orderBy: [{ effectiveAt: "asc" }, { seq: "asc" }] });
}

/** History across all records recorded since an instant, in recording order. */
export function changesSince(prisma: Prisma, since: Date | undefined, limit: number, afterSeq?: number) {
  return prisma.statusChange.findMany({
    where: { ...(since ? { recordedAt: { gte: since } } : {}), ...(afterSeq !== undefined ? { seq: { gt: afterSeq } } : {}) },
    orderBy: { seq: "asc" },
    take: limit + 1,
  });
}
