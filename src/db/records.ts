import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { CORRECTABLE_FACTS, isCorrectableKind } from "../domain/corrections.ts";
import { formatAtPrecision } from "../domain/dates.ts";
import { editChangesNothing } from "../domain/edits.ts";
import {
  ConflictError,
  checkExpectedVersion,
  type ExpectedVersions,
  type FieldProblem,
  InvalidInputError,
  NotFoundError,
  ReadStoppedError,
} from "../domain/errors.ts";
import { type EvidenceRequest, isDisputed, STANCES, sourceProblems } from "../domain/evidence.ts";
import { type HistoryEntry, recordStateAt, type TimelineEntry, timelineContinued } from "../domain/history.ts";
import { nameKey } from "../domain/names.ts";
import { DEADLINE_CACHE_COLUMNS, FILTER_KINDS, RECORD_KINDS, type RecordKind, STATUS_SPAN_COLUMNS, tableOf } from "../domain/record-kinds.ts";
import { isTrackedKind, type TrackedKind } from "../domain/statuses.ts";
import { type Terms, termsThen } from "../domain/terms.ts";
import type { Prisma, TrackerDatabase, Transaction } from "./client.ts";
import { storeEvidence } from "./evidence.ts";
import { Prisma as PrismaNamespace } from "./generated/client.ts";
import { awaitedOnceBy } from "./sql/awaited-then.ts";
import { type PastPages, pastPages } from "./sql/embedded-pages.ts";
import {
  type ChangesQuery,
  type EffectiveKey,
  entriesRecorded,
  isReportedLaterAtSameTime,
  type RecordedKey,
  historyOf as rawHistoryOf,
  termsValuesOf,
  timelineEntries,
} from "./sql/history.ts";
import { PASSED_OVER_PER_BUDGET, passedOverCounter } from "./sql/passed-over.ts";
import { limitBy, prepared } from "./sql/prepared.ts";
import { type CachedRow, type ReadTime, type StatusAt, statusesAt } from "./sql/record-states.ts";
import { inOneSnapshot } from "./sql/snapshot.ts";
import { likePattern } from "./sql/text-search.ts";
import { fromSqlDate, toSqlDate } from "./sql-dates.ts";
import { DETAIL_ADVICE, DETAIL_EMBEDS, deadlinesOfEach, firstOf, PASSED_OVER_AT_MOST, scenarioDeadlines, threatDetail } from "./threat-detail.ts";
import { createTrackedRecord, type RecordedAt, recordCorrection } from "./tracked-writes.ts";

export { type Collection, KIND_OF, type RecordKind } from "../domain/record-kinds.ts";

export interface ListFilters {
  status?: string;
  /** A threat's legal basis at the read time (compared after NFC and case folding). */
  authority?: string;
  scenarioId?: string;
  actorId?: string;
  topicId?: string;
  threatId?: string;
  agreementId?: string;
  governmentId?: string;
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
/** An agreement as a deadline, condition or commitment embeds it. */
const AGREEMENT_BRIEF = { select: { id: true, title: true, status: true } } as const;
/** A threat's targets as first recorded; the targets at a read time come from its terms history. */
const firstTargets = { where: { initial: true }, select: { actorId: true }, orderBy: { actorId: "asc" } } as const;

/** An agreement embeds at most this many commitments, in id order (`GET /api/commitments?agreement=` pages through them all). */
export const AGREEMENT_COMMITMENTS = 100;
const COMMITMENT_EMBEDS = {
  party: brief,
  affects: { select: { threatId: true } },
};

/** The lists each kind's detail embeds a page of (decision 022), and whether each of their rows (conditions) embeds a page of its deadlines; every kind's evidence too. */
const PAGED_LISTS: Partial<Record<RecordKind, { path: string; withDeadlines?: true }[]>> = {
  scenario: [{ path: "threats" }, { path: "events" }],
  threat: [{ path: "conditions", withDeadlines: true }, { path: "deadlines" }],
  condition: [{ path: "deadlines" }],
  agreement: [{ path: "conditions", withDeadlines: true }, { path: "deadlines" }],
  commitment: [{ path: "deadlines" }],
  actor: [{ path: "members" }],
};

/** What each kind embeds when read on its own; the lists of PAGED_LISTS hold those recorded by knownAt (see detailIncludeAt). */
const DETAIL_INCLUDE: Record<RecordKind, Record<string, unknown> | undefined> = {
  scenario: {
    topics: true,
    threats: { include: { issuer: brief, targets: firstTargets }, orderBy: { id: "asc" }, take: DETAIL_EMBEDS + 1 },
    // Its deadlines are read in raw SQL, between threats and events (see getRecord).
    events: { orderBy: [{ startsAt: "asc" }, { id: "asc" }], take: DETAIL_EMBEDS + 1 },
  },
  // Read through threatDetail (raw SQL) on the API's hot path; this include defines the same shape.
  threat: {
    scenario: { select: { id: true, title: true, status: true } },
    issuer: true,
    targets: firstTargets,
    topics: { orderBy: { id: "asc" } },
    // Their deadlines are read in one statement for all of them (see getRecordThroughPrisma).
    conditions: { include: { awaitedActor: brief }, orderBy: { id: "asc" }, take: DETAIL_EMBEDS + 1 },
    deadlines: { orderBy: [{ dueAt: "asc" }, { id: "asc" }], take: DETAIL_EMBEDS + 1 },
  },
  condition: {
    threat: { include: { issuer: brief, targets: firstTargets } },
    agreement: AGREEMENT_BRIEF,
    awaitedActor: true,
    deadlines: { orderBy: [{ dueAt: "asc" }, { id: "asc" }], take: DETAIL_EMBEDS + 1 },
  },
  agreement: {
    parties: { select: { actor: brief }, orderBy: { actorId: "asc" } },
    // Its commitments are read on their own, at most AGREEMENT_COMMITMENTS of them (see getRecord).
    conditions: { include: { awaitedActor: brief }, orderBy: { id: "asc" }, take: DETAIL_EMBEDS + 1 },
    deadlines: { orderBy: [{ dueAt: "asc" }, { id: "asc" }], take: DETAIL_EMBEDS + 1 },
  },
  commitment: {
    agreement: AGREEMENT_BRIEF,
    party: brief,
    affects: { select: { threatId: true } },
    deadlines: { orderBy: [{ dueAt: "asc" }, { id: "asc" }], take: DETAIL_EMBEDS + 1 },
  },
  deadline: {
    threat: { select: { id: true, summary: true, status: true } },
    condition: { select: { id: true, description: true, status: true } },
    scenario: { select: { id: true, title: true, status: true } },
    agreement: AGREEMENT_BRIEF,
    commitment: { select: { id: true, description: true, status: true } },
    extends: { select: { id: true, dueAt: true, precision: true, status: true } },
    // Its successors, in the order recorded: the one that exists at the read time is shown (an extension retracted leaves its own).
    extendedBy: { select: { id: true, dueAt: true, precision: true, status: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
  },
  event: { participants: { include: { actor: brief } }, topics: true, scenario: { select: { id: true, title: true, status: true } } },
  // Actors have no recorded time: a government's first members by id, whenever recorded.
  actor: { government: brief, members: { ...brief, orderBy: { id: "asc" }, take: DETAIL_EMBEDS + 1 } },
  topic: undefined,
  // Its quotes are listed a page at a time on the desk's source page; a count of them all grew with the source and ignored knownAt.
  source: undefined,
};

/** The table of each paged list's rows; their owner column is the record's kind and `Id`. */
const TABLE_OF_LIST: Record<string, string> = { threats: "Threat", events: "Event", conditions: "Condition", deadlines: "Deadline" };

/**
 * A kind's include at `knownAt`: its paged lists hold only the rows recorded by then, so one
 * recorded later does not take a place among the first; at a past knownAt, the page's rows found
 * first by `pages` (counting those recorded later, decision 028).
 */
function detailIncludeAt(kind: RecordKind, id: string, knownAt: Date, pages?: PastPages): Record<string, unknown> | undefined {
  const include = DETAIL_INCLUDE[kind];
  if (!include) return include;
  // Actors have no history: a government's members are those recorded by knownAt (or before recorded times were kept).
  if (kind === "actor") return { ...include, members: { ...(include.members as object), where: recordedBy("actor", knownAt) } };
  const recordedByThen = (path: string) => [
    path,
    {
      ...(include[path] as object),
      where: pages ? { id: { in: pages.ids(TABLE_OF_LIST[path]!, { [`${kind}Id`]: id }) } } : { createdAt: { lte: knownAt } },
    },
  ];
  return { ...include, ...Object.fromEntries((PAGED_LISTS[kind] ?? []).map(({ path }) => recordedByThen(path))) };
}

/** What each kind embeds in a list row (kept light). */
const LIST_INCLUDE: Partial<Record<RecordKind, Record<string, unknown>>> = {
  threat: { issuer: brief, targets: firstTargets, topics: true },
  event: { participants: { include: { actor: brief } } },
  agreement: { parties: { select: { actor: brief }, orderBy: { actorId: "asc" } } },
  commitment: { party: brief, affects: { select: { threatId: true } } },
};

/** List rows omit the article text, which can be long; the record itself carries it. */
const LIST_OMIT: Partial<Record<RecordKind, Record<string, boolean>>> = { source: { text: true } };

const TEXT_FIELDS: Record<RecordKind, string[]> = {
  scenario: ["title", "summary"],
  threat: ["summary", "covers"],
  condition: ["description"],
  deadline: ["wording"],
  event: ["title", "place", "wording"],
  agreement: ["title", "summary"],
  commitment: ["description"],
  actor: ["name", "role"],
  topic: ["name"],
  source: ["title", "publisher"],
};

/** The filters SQL applies; status and authority are as of the read time, checked on each row read (listRecords). */
function filterWhere(kind: RecordKind, f: Omit<ListFilters, "status" | "authority" | "q">, awaitedOnce: string[] = []): Record<string, unknown> {
  const and: Record<string, unknown>[] = [];
  if (f.scenarioId) {
    if (kind === "threat" || kind === "event") and.push({ scenarioId: f.scenarioId });
    if (kind === "condition") and.push({ threat: { scenarioId: f.scenarioId } });
    if (kind === "scenario") and.push({ id: f.scenarioId });
  }
  if (f.actorId) {
    if (kind === "threat") and.push({ OR: [{ issuerId: f.actorId }, { targets: { some: { actorId: f.actorId } } }] });
    if (kind === "condition")
      and.push(awaitedOnce.length ? { OR: [{ awaitedActorId: f.actorId }, { id: { in: awaitedOnce } }] } : { awaitedActorId: f.actorId });
    if (kind === "event") and.push({ participants: { some: { actorId: f.actorId } } });
    if (kind === "agreement") and.push({ parties: { some: { actorId: f.actorId } } });
    if (kind === "commitment") and.push({ partyId: f.actorId });
  }
  if (f.agreementId && (kind === "commitment" || kind === "condition")) and.push({ agreementId: f.agreementId });
  if (f.threatId && kind === "condition") and.push({ threatId: f.threatId });
  if (f.governmentId && kind === "actor") and.push({ governmentId: f.governmentId });
  if (f.topicId && (kind === "threat" || kind === "event" || kind === "scenario")) and.push({ topics: { some: { id: f.topicId } } });
  return and.length ? { AND: and } : {};
}

/** How many rows one list read may examine before it answers with what it found (its cursor resumes there). */
export const LIST_SCAN_BUDGET = 5_000;
/** A list read's batches grow up to this many rows (or its page), so a page of one costs tens of queries, not thousands. */
const LIST_BATCH_AT_MOST = 1_000;

/**
 * One page in id order as things stood at the read time; `afterId` is the last id of the
 * previous page (keyset: no gaps, no repeats). For tracked kinds the status filter and a record's
 * existence are evaluated at the read time, batch by batch, so the work stops at the page or at
 * LIST_SCAN_BUDGET rows examined, whatever the database holds. A text search (`q`) uses no index,
 * so SQLite would examine every row to fill a page: its filters apply only up to the id as many
 * rows on as the budget has left, and the rows SQLite passed over count as examined.
 */
export async function listRecords(
  db: TrackerDatabase,
  kind: RecordKind,
  filters: ListFilters,
  limit: number,
  time: ReadTime,
  afterId?: string,
  /** `performance.now()` past which the walk stops with ReadStoppedError (the request's time limit). */
  stopAt?: number,
) {
  const { status, authority, q, ...rest } = filters;
  // As known at a past instant, a condition may have waited on the actor before a correction said otherwise: those are candidates too.
  const pastKnowledge = time.knownAt.getTime() < time.now.getTime();
  const awaitedOnce = kind === "condition" && rest.actorId && pastKnowledge ? awaitedOnceBy(db.reader, rest.actorId) : [];
  const where = filterWhere(kind, rest, awaitedOnce);
  const tracked = isTrackedKind(kind);
  const delegate = delegateOf(db.prisma, kind);
  const items: Record<string, unknown>[] = [];
  let cursor = afterId;
  let examined = 0;
  let exhausted = false;
  let batch = limit + 1;
  // At a past knownAt the budget counts only records recorded by then (decision 028).
  const past = tracked && time.knownAt.getTime() < time.now.getTime();
  // Successive windows may cross the same rows recorded later: each counts once against the ceiling.
  const passed = { counter: passedOverCounter(RECORD_KINDS[kind].collection, PASSED_OVER_PER_BUDGET * LIST_SCAN_BUDGET), through: "" };
  while (items.length <= limit && examined < LIST_SCAN_BUDGET) {
    if (stopAt !== undefined && performance.now() > stopAt) {
      throw new ReadStoppedError("This read ran past the time limit and was stopped; ask for a smaller page, narrower filters, or retry.");
    }
    const batchSize = Math.min(batch, LIST_SCAN_BUDGET - examined);
    // Each batch costs a query: one that leaves the page short (rows not there then or not in that status) makes the next one larger.
    batch = Math.min(batch * 2, Math.max(limit + 1, LIST_BATCH_AT_MOST));
    const after = cursor ? { id: { gt: cursor } } : {};
    // Filters without an index of their own (a text search, an actor, a topic) are bounded to the
    // rest of the budget in id order (none: fewer rows remain), decision 016.
    const windowEnd = q || rest.actorId || rest.topicId ? idAfter(db, kind, cursor, LIST_SCAN_BUDGET - examined, past ? { time, passed } : null) : undefined;
    const text = q ? textMatchesIn(db, kind, q, cursor, windowEnd ?? null, batchSize) : null;
    // A text search capped short of the window reads up to its last match this time.
    const end = text?.through ?? windowEnd;
    const rows = await delegate.findMany({
      where: { AND: [where, recordedBy(kind, time.knownAt), text ? { id: { in: text.ids } } : {}, after, end ? { id: { lte: end } } : {}] },
      orderBy: { id: "asc" },
      take: batchSize,
      ...(LIST_INCLUDE[kind] ? { include: LIST_INCLUDE[kind] } : {}),
      ...(LIST_OMIT[kind] ? { omit: LIST_OMIT[kind] } : {}),
    });
    const full = rows.length === batchSize;
    if (windowEnd === undefined) {
      const recordedLater = past ? rows.filter((r) => (r.createdAt as Date).getTime() > time.knownAt.getTime()).length : 0;
      for (let i = 0; i < recordedLater; i++) passed.counter.passOver();
      examined += rows.length - recordedLater;
    }
    // A full batch ends inside the window, which was examined up to its last row; else all of it was.
    else if (full) examined += rowsBetween(db, kind, cursor, rows.at(-1)!.id as string, past ? time : null);
    else if (text?.through) examined += rowsBetween(db, kind, cursor, text.through, past ? time : null);
    else examined = LIST_SCAN_BUDGET;
    const states = tracked
      ? statusesAt(
          db.reader,
          kind,
          rows.map((r) => r.id as string),
          time,
        )
      : null;
    for (const row of rows) {
      cursor = row.id as string;
      if (states) {
        const state = states.get(row.id as string);
        if (!state?.exists || (status && state.status !== status)) continue;
        Object.assign(row, stateFields(kind, state, row));
        if (kind === "agreement") row.supersededById = state.status === "superseded" ? supersededByAt(db.reader, row.id as string, time) : null;
        if (authority !== undefined && !sameAuthority(row.authority, authority)) continue;
        // The awaited actor then, once corrections recorded later are laid back over the row.
        if (kind === "condition" && rest.actorId && row.awaitedActorId !== rest.actorId) continue;
        // ThreatTarget holds every actor a threat's terms ever named: the terms then say whom it targets.
        if (kind === "threat" && rest.actorId && row.issuerId !== rest.actorId && !(row.targetIds as string[]).includes(rest.actorId)) continue;
      }
      withJoinIds(kind, row);
      withoutCaches(row, time.knownAt.getTime() < time.now.getTime());
      items.push(row);
      if (items.length > limit) break;
    }
    if (!full && text?.through) {
      cursor = text.through;
      continue;
    }
    if (!full) {
      if (windowEnd) cursor = windowEnd;
      else exhausted = true;
      break;
    }
  }
  const page = items.slice(0, limit);
  // A full page continues after its last row; a page cut short by the scan budget continues after the last row examined.
  const nextId =
    items.length > limit
      ? (page.at(-1)?.id as string)
      : exhausted
        ? null
        : past && cursor
          ? lastKnownThrough(db, kind, afterId, cursor, time)
          : (cursor ?? null);
  return { items: page, nextId };
}

/**
 * Records without a history (sources, actors, topics) exist as known from when they were recorded:
 * at an earlier knownAt a list leaves them out and their GET is a 404. The seed's actors and topics,
 * and those recorded before recorded times were kept, have none, and are read at every knownAt.
 */
function recordedBy(kind: RecordKind, knownAt: Date): Record<string, unknown> {
  if (kind === "source") return { createdAt: { lte: knownAt } };
  if (kind === "actor" || kind === "topic") return { OR: [{ createdAt: null }, { createdAt: { lte: knownAt } }] };
  return {};
}

/** Whether a record without a history was recorded after `knownAt` (see recordedBy). */
const recordedAfter = (record: Record<string, any>, knownAt: Date): boolean =>
  record.createdAt instanceof Date && record.createdAt.getTime() > knownAt.getTime();

/**
 * The filters among `filters` whose id names no record of the kind the filter takes (FILTER_KINDS)
 * as known at the read's knownAt, each as its problem: their list would be empty, read as "nothing
 * matches". Known then as a GET by id judges it (atReadTime): a tracked record by its creation
 * entry live at knownAt (at any asOf: one that exists only from a later asOf is known, its list
 * empty), one without a history by recordedAfter. One indexed read per filter given.
 */
export function unknownFilterIds(reader: Database.Database, filters: Partial<Record<string, unknown>>, time: ReadTime): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const then = time.knownAt.getTime() < time.now.getTime() ? ` as known at ${time.knownAt.toISOString()}` : "";
  for (const [filter, kind] of Object.entries(FILTER_KINDS)) {
    const id = filters[filter];
    if (typeof id !== "string" || id === "" || isKnownAt(reader, kind, id, time.knownAt)) continue;
    problems.push({ field: filter, problem: `no ${kind} "${id}"${then}` });
  }
  return problems;
}

function isKnownAt(reader: Database.Database, kind: RecordKind, id: string, knownAt: Date): boolean {
  if (isTrackedKind(kind)) return recordStateAt(rawHistoryOf(reader, kind, id), knownAt, knownAt).created !== null;
  const row = prepared(reader, `SELECT "createdAt" FROM "${tableOf(kind)}" WHERE "id" = ?`).get(id) as { createdAt: string | null } | undefined;
  return row !== undefined && !recordedAfter({ createdAt: fromSqlDate(row.createdAt) }, knownAt);
}

/** The most text matches one list query passes to Prisma as ids: under SQLite's 999 bound values, which Prisma cannot split with take. */
const TEXT_MATCHES_AT_MOST = 500;

/**
 * The ids after `afterId` up to `windowEnd` (to the end when null) whose text holds `q` literally,
 * in id order: raw SQL with an escaped LIKE, since Prisma's `contains` passes `%` and `_` on as
 * wildcards. At most `atMost` (the batch: the rows one query of the list takes, and never more
 * than TEXT_MATCHES_AT_MOST): `through` is then the last of them, where this read of the window
 * stops (null when the whole window was read). Reading on to the end of the window found matches
 * the batch then dropped: text search (bench case e) ran at a third of its speed.
 */
function textMatchesIn(
  db: TrackerDatabase,
  kind: RecordKind,
  q: string,
  afterId: string | undefined,
  windowEnd: string | null,
  atMost: number,
): { ids: string[]; through: string | null } {
  const matches = TEXT_FIELDS[kind].map((field) => `"${field}" LIKE @q ESCAPE '\\'`).join(" OR ");
  const sql = `SELECT "id" FROM "${tableOf(kind)}" WHERE "id" > @after AND (@end IS NULL OR "id" <= @end) AND (${matches}) ORDER BY "id" ${limitBy("@n")}`;
  const ids = prepared(db.reader, sql)
    .pluck()
    .all({ q: likePattern(q), after: afterId ?? "", end: windowEnd, n: Math.min(atMost, TEXT_MATCHES_AT_MOST) }) as string[];
  return { ids, through: ids.length === Math.min(atMost, TEXT_MATCHES_AT_MOST) ? ids.at(-1)! : null };
}

/** The id `n` rows after `afterId` in id order (the last row a window of n examines), or null when fewer remain. */
function idAfter(
  db: TrackerDatabase,
  kind: RecordKind,
  afterId: string | undefined,
  n: number,
  /** At a past knownAt: the n-th record recorded by then, those recorded later passed over. */
  past: { time: ReadTime; passed: { counter: ReturnType<typeof passedOverCounter>; through: string } } | null,
): string | null {
  if (past) {
    const walk = `SELECT "id", "createdAt" > ? AS "later" FROM "${tableOf(kind)}" WHERE "id" > ? ORDER BY "id"`;
    let known = 0;
    for (const r of prepared(db.reader, walk).iterate(toSqlDate(past.time.knownAt), afterId ?? "") as Iterable<{ id: string; later: number }>) {
      if (!r.later) {
        if (++known === n) return r.id;
      } else if (r.id > past.passed.through) {
        past.passed.counter.passOver();
        past.passed.through = r.id;
      }
    }
    return null;
  }
  const sql = `SELECT "id" FROM "${tableOf(kind)}" WHERE "id" > ? ORDER BY "id" LIMIT 1 OFFSET (SELECT ?)`;
  return (
    (prepared(db.reader, sql)
      .pluck()
      .get(afterId ?? "", n - 1) as string | undefined) ?? null
  );
}

/** How many rows lie after `afterId`, up to `lastId`, in id order. */
function rowsBetween(db: TrackerDatabase, kind: RecordKind, afterId: string | undefined, lastId: string, past: ReadTime | null): number {
  // At a past knownAt only those recorded by then count (those recorded later were passed over by idAfter).
  if (past) {
    const known = `SELECT count(*) FROM "${tableOf(kind)}" WHERE "id" > ? AND "id" <= ? AND "createdAt" <= ?`;
    return prepared(db.reader, known)
      .pluck()
      .get(afterId ?? "", lastId, toSqlDate(past.knownAt)) as number;
  }
  const sql = `SELECT count(*) FROM "${tableOf(kind)}" WHERE "id" > ? AND "id" <= ?`;
  return prepared(db.reader, sql)
    .pluck()
    .get(afterId ?? "", lastId) as number;
}

/**
 * Where a page cut short at a past knownAt resumes: its last record examined that was recorded by
 * then (the walk may have stopped on one recorded later, whose id the page known then cannot name).
 */
function lastKnownThrough(db: TrackerDatabase, kind: RecordKind, afterId: string | undefined, through: string, time: ReadTime): string {
  const sql = `SELECT "id" FROM "${tableOf(kind)}" WHERE "id" > ? AND "id" <= ? AND "createdAt" <= ? ORDER BY "id" DESC LIMIT 1`;
  return (
    (prepared(db.reader, sql)
      .pluck()
      .get(afterId ?? "", through, toSqlDate(time.knownAt)) as string | undefined) ?? through
  );
}

/**
 * The fields of a record that depend on the read time: its status then, whether that holds only by
 * terms, what is scheduled, its dates then; a threat's terms then (its first terms, `row`'s
 * columns and first targets, with the changes in effect laid over them) and what superseded it.
 */
function stateFields(kind: RecordKind, state: StatusAt, row: Record<string, any>): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    status: state.status,
    unconfirmed: state.byTerms,
    scheduled: state.scheduled.map(scheduledToWire),
  };
  // Facts corrected since (the row holds them as known now), as known at the read's knownAt; a brief of the record shows none.
  for (const [k, v] of Object.entries(state.corrected)) if (k in row) fields[k] = v;
  if ((kind === "deadline" || kind === "event") && Object.keys(state.dates).length > 0) Object.assign(fields, datesOf(kind, state.dates));
  if (kind === "threat" && Array.isArray(row.targets)) {
    Object.assign(fields, termsThen(firstTermsOf(row), state), { supersededById: (state.statusValues?.supersededById as string | undefined) ?? null });
    delete row.targets;
  }
  return fields;
}

/** The agreement that superseded this one, as named by its status entry in effect at the read time. */
function supersededByAt(conn: Database.Database, id: string, time: ReadTime): string | null {
  const entry = recordStateAt(rawHistoryOf(conn, "agreement", id), time.asOf, time.knownAt).statusEntry;
  return (entry?.values?.supersededById as string | undefined) ?? null;
}

/** An agreement's parties and a commitment's measures as the id lists the API takes, beside the parties themselves. */
function withJoinIds(kind: RecordKind, row: Record<string, any>): void {
  if (kind === "agreement" && Array.isArray(row.parties)) {
    row.parties = row.parties.map((p: { actor: unknown }) => p.actor);
    row.partyIds = row.parties.map((a: { id: string }) => a.id);
  }
  const commitments = kind === "commitment" ? [row] : kind === "agreement" ? (row.commitments ?? []) : [];
  for (const c of commitments) {
    if (!Array.isArray(c.affects)) continue;
    c.affectsThreatIds = c.affects.map((a: { threatId: string }) => a.threatId);
    delete c.affects;
  }
}

/** A threat row's terms as first recorded: its columns and its first targets. */
export function firstTermsOf(row: {
  measure?: string;
  ratePercent?: number | null;
  authority?: string | null;
  covers?: string;
  targets?: { actorId: string }[];
}): Terms {
  return {
    measure: row.measure ?? "",
    ratePercent: row.ratePercent ?? null,
    authority: row.authority ?? null,
    covers: row.covers ?? "",
    targetIds: (row.targets ?? []).map((t) => t.actorId),
  };
}

const sameAuthority = (a: unknown, b: string) => typeof a === "string" && nameKey(a) === nameKey(b);

function datesOf(kind: "deadline" | "event", dates: Record<string, unknown>): Record<string, unknown> {
  const keys = kind === "deadline" ? ["dueAt", "precision", "wording"] : ["startsAt", "endsAt", "precision", "wording"];
  return Object.fromEntries(keys.filter((k) => k in dates).map((k) => [k, dates[k]]));
}

export function scheduledToWire(e: HistoryEntry) {
  return {
    seq: e.seq,
    change: e.change,
    to: e.to,
    values: e.values,
    effectiveAt: e.effectiveAt.toISOString(),
    byTerms: e.byTerms,
    reason: e.reason,
  };
}

/** Columns that cache the history for fast reads: never part of an answer. */
const CACHE_COLUMNS = [...DEADLINE_CACHE_COLUMNS, ...STATUS_SPAN_COLUMNS];
/** Columns about the record's current row (its ETag, its last edit): left out of answers known at a past instant, which must not change later. */
const CURRENT_ROW_COLUMNS = ["version", "updatedAt"];

/** Drops cache columns (and, for a read known at a past instant, current-row columns) throughout a record and its links. */
function withoutCaches(value: unknown, past: boolean): void {
  if (Array.isArray(value)) {
    for (const v of value) withoutCaches(v, past);
    return;
  }
  if (!value || typeof value !== "object" || value instanceof Date) return;
  const record = value as Record<string, unknown>;
  // Set to undefined rather than deleted: JSON leaves them out all the same, and the rows keep
  // their fixed shape (deleting turns each into a slow dictionary: a fifth of a threat's GET).
  for (const k of CACHE_COLUMNS) if (k in record) record[k] = undefined;
  if (past) for (const k of CURRENT_ROW_COLUMNS) if (k in record) record[k] = undefined;
  for (const k in record) {
    const v = record[k];
    if (v !== null && typeof v === "object") withoutCaches(v, past);
  }
}

/** Where each kind embeds other tracked records, so a read at a past time shows them as they were then. */
const LINKS: Partial<Record<RecordKind, { path: string; kind: TrackedKind; many: boolean; nested?: { path: string; kind: TrackedKind } }[]>> = {
  scenario: [
    { path: "threats", kind: "threat", many: true },
    { path: "deadlines", kind: "deadline", many: true },
    { path: "events", kind: "event", many: true },
  ],
  threat: [
    { path: "scenario", kind: "scenario", many: false },
    { path: "conditions", kind: "condition", many: true, nested: { path: "deadlines", kind: "deadline" } },
    { path: "deadlines", kind: "deadline", many: true },
  ],
  condition: [
    { path: "threat", kind: "threat", many: false },
    { path: "agreement", kind: "agreement", many: false },
    { path: "deadlines", kind: "deadline", many: true },
  ],
  agreement: [
    { path: "commitments", kind: "commitment", many: true, nested: { path: "deadlines", kind: "deadline" } },
    { path: "conditions", kind: "condition", many: true, nested: { path: "deadlines", kind: "deadline" } },
    { path: "deadlines", kind: "deadline", many: true },
  ],
  commitment: [
    { path: "agreement", kind: "agreement", many: false },
    { path: "deadlines", kind: "deadline", many: true },
  ],
  deadline: [
    { path: "threat", kind: "threat", many: false },
    { path: "condition", kind: "condition", many: false },
    { path: "scenario", kind: "scenario", many: false },
    { path: "agreement", kind: "agreement", many: false },
    { path: "commitment", kind: "commitment", many: false },
    { path: "extends", kind: "deadline", many: false },
    { path: "extendedBy", kind: "deadline", many: true },
  ],
  event: [{ path: "scenario", kind: "scenario", many: false }],
};

/**
 * A record with its links as they stood at the read time: its own status, dates and schedule
 * then, linked records that did not exist yet left out, the others with their status then (the
 * lists and evidence were read as recorded by knownAt). NotFound when the record itself did not exist then.
 */
function atReadTime(conn: Database.Database, kind: RecordKind, record: Record<string, any>, time: ReadTime): Record<string, unknown> {
  if (isTrackedKind(kind)) {
    const state = statusesAt(conn, kind, [record.id], time, false, new Map([[record.id, record as CachedRow]])).get(record.id);
    if (!state?.exists) throw new NotFoundError(kind, record.id, "at that time");
    Object.assign(record, stateFields(kind, state, record));
    if (kind === "agreement") record.supersededById = state.status === "superseded" ? supersededByAt(conn, record.id, time) : null;
  } else if ((kind === "source" || kind === "actor" || kind === "topic") && recordedAfter(record, time.knownAt)) {
    throw new NotFoundError(kind, record.id, "at that time");
  }
  withJoinIds(kind, record);
  const wanted = new Map<TrackedKind, string[]>();
  const want = (k: TrackedKind, v: any) => {
    if (!v || typeof v.id !== "string") return;
    const ids = wanted.get(k);
    if (ids) ids.push(v.id);
    else wanted.set(k, [v.id]);
  };
  const links = LINKS[kind] ?? [];
  for (const link of links) {
    const value = record[link.path];
    for (const v of link.many ? (value ?? []) : [value]) {
      want(link.kind, v);
      if (link.nested) for (const n of v?.[link.nested.path] ?? []) want(link.nested.kind, n);
    }
  }
  // The linked rows carry their cache columns: the present is answered from them without reading them again.
  const rowsOf = new Map<TrackedKind, Map<string, CachedRow>>();
  const keep = (k: TrackedKind, v: any) => {
    if (v && typeof v.id === "string" && "statusUntil" in v) rowsOf.set(k, (rowsOf.get(k) ?? new Map()).set(v.id, v));
  };
  for (const link of links) {
    const value = record[link.path];
    for (const v of link.many ? (value ?? []) : [value]) {
      keep(link.kind, v);
      if (link.nested) for (const n of v?.[link.nested.path] ?? []) keep(link.nested.kind, n);
    }
  }
  const states = new Map<TrackedKind, Map<string, StatusAt>>();
  for (const [k, ids] of wanted) states.set(k, statusesAt(conn, k, ids, time, false, rowsOf.get(k)));
  const apply = (k: TrackedKind, v: any): boolean => {
    const state = states.get(k)?.get(v.id);
    if (!state?.exists) return false;
    if ("status" in v) Object.assign(v, stateFields(k, state, v));
    return true;
  };
  for (const link of links) {
    const value = record[link.path];
    if (link.many) {
      record[link.path] = (value ?? []).filter((v: any) => apply(link.kind, v));
      if (link.nested) for (const v of record[link.path]) v[link.nested.path] = (v[link.nested.path] ?? []).filter((n: any) => apply(link.nested!.kind, n));
    } else if (value && !apply(link.kind, value)) record[link.path] = null;
  }
  if (kind === "condition") awaitedActorsThen(conn, [record], true);
  if (kind === "threat" || kind === "agreement") awaitedActorsThen(conn, record.conditions ?? [], false);
  withoutCaches(record, time.knownAt.getTime() < time.now.getTime());
  return record;
}

/**
 * The awaited actor embedded with each condition, for those whose awaited actor then (a correction
 * recorded later laid back) is not the row's: the whole actor (`full`, a condition's own detail) or its brief.
 */
function awaitedActorsThen(conn: Database.Database, conditions: Record<string, any>[], full: boolean): void {
  const stale = conditions.filter((c) => "awaitedActor" in c && (c.awaitedActor?.id ?? null) !== c.awaitedActorId);
  if (stale.length === 0) return;
  // In the order Prisma reads them (its scalar fields, not the table's columns, which later migrations appended to):
  // the same condition read before the correction was recorded gave its actor in that order, and a past answer never changes.
  const columns = full
    ? Object.values(PrismaNamespace.ActorScalarFieldEnum)
        .map((c) => `"${c}"`)
        .join(", ")
    : `"id", "name", "kind"`;
  const ids = stale.flatMap((c) => (c.awaitedActorId ? [c.awaitedActorId as string] : []));
  const actors = prepared(conn, `SELECT ${columns} FROM "Actor" WHERE "id" IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as {
    id: string;
    createdAt?: string | Date | null;
  }[];
  // As Prisma reads it: the recorded time a Date (SQLite's text would print in another form).
  for (const a of actors) if (typeof a.createdAt === "string") a.createdAt = fromSqlDate(a.createdAt);
  const byId = new Map(actors.map((a) => [a.id, a]));
  for (const c of stale) c.awaitedActor = c.awaitedActorId ? (byId.get(c.awaitedActorId) ?? null) : null;
}

/** A record with its links and the evidence quotes that support it (threats through the raw fast path), at the read time. */
export async function getRecord(db: TrackerDatabase, kind: RecordKind, id: string, time: ReadTime): Promise<Record<string, unknown>> {
  if (kind === "threat") return threatAt(db.reader, id, time);
  // At a past knownAt, each list's page is found in raw SQL, counting the rows recorded later it skips.
  const pages =
    time.knownAt.getTime() < time.now.getTime() ? pastPages(db.reader, time.knownAt, DETAIL_EMBEDS + 1, PASSED_OVER_AT_MOST, DETAIL_ADVICE) : undefined;
  if (kind === "scenario") {
    const { events, eventsTruncated, evidence, evidenceTruncated, disputed, ...scenario } = await getRecordThroughPrisma(db, kind, id, time, pages);
    // Its own deadlines count on the detail's one ceiling, with its threats, events and quotes.
    firstOf(scenario, "deadlines", scenarioDeadlines(db.reader, id, DETAIL_EMBEDS + 1, time, pages?.passed));
    return atReadTime(db.reader, kind, { ...scenario, events, eventsTruncated, evidence, evidenceTruncated, disputed }, time);
  }
  if (kind === "agreement") {
    const agreement = await getRecordThroughPrisma(db, kind, id, time, pages);
    // One more than it embeds, to say whether more follow (on the (agreementId, id) index: the rows of the page only).
    // Those recorded by knownAt only: one recorded later would take a place among the first, and change a past answer.
    const commitments = await db.prisma.commitment.findMany({
      where: pages ? { id: { in: pages.ids("Commitment", { agreementId: id }) } } : { agreementId: id, createdAt: { lte: time.knownAt } },
      orderBy: { id: "asc" },
      take: AGREEMENT_COMMITMENTS + 1,
      include: COMMITMENT_EMBEDS,
    });
    // A page of each one's deadlines, all in one statement: for a nested include Prisma reads every row and applies `take` in memory.
    const shown = commitments.slice(0, AGREEMENT_COMMITMENTS);
    const deadlines = deadlinesOfEach(
      db.reader,
      "commitmentId",
      shown.map((c) => c.id),
      DETAIL_EMBEDS + 1,
      time,
      pages?.passed,
    );
    for (const commitment of shown) firstOf(commitment, "deadlines", underAgreement(deadlines.get(commitment.id)!, id));
    const embedded = {
      ...agreement,
      commitments: shown,
      commitmentsTruncated: commitments.length > AGREEMENT_COMMITMENTS,
    };
    return atReadTime(db.reader, kind, embedded, time);
  }
  if (kind === "deadline") {
    const deadline = await getRecordThroughPrisma(db, kind, id, time, pages);
    // A commitment's deadline, or an agreement's condition's, comes under that agreement, as the deadline list, its CSV and
    // every embed say; and it embeds the agreement its agreementId names, as a deadline of the agreement itself does.
    if (deadline.agreementId == null) {
      const owner =
        typeof deadline.commitmentId === "string"
          ? await db.prisma.commitment.findUnique({ where: { id: deadline.commitmentId }, select: { agreement: AGREEMENT_BRIEF } })
          : // With a threat, its condition is that threat's (checkReferences): only a deadline without one may be an agreement's.
            typeof deadline.conditionId === "string" && deadline.threatId == null
            ? await db.prisma.condition.findUnique({ where: { id: deadline.conditionId }, select: { agreement: AGREEMENT_BRIEF } })
            : null;
      deadline.agreementId = owner?.agreement?.id ?? null;
      deadline.agreement = owner?.agreement ?? null;
    }
    const answer = atReadTime(db.reader, kind, deadline, time);
    // One successor at a time exists (a new extension needs the deadline pending, so the one before was retracted): shown as one, or null.
    answer.extendedBy = (answer.extendedBy as unknown[]).at(-1) ?? null;
    return answer;
  }
  return atReadTime(db.reader, kind, await getRecordThroughPrisma(db, kind, id, time, pages), time);
}

/**
 * A threat with its links at the read time, read on `conn`: the reader, or the writer inside a
 * write that answers with the threat it changed. The writer's page cache is warm with what it
 * just wrote; the reader's is emptied by every commit (SQLite resets a connection's cache when
 * the file changed since its last read), which made the answer to a status change cost three
 * times its reads (decision 019).
 */
export function threatAt(conn: Database.Database, id: string, time: ReadTime): Record<string, unknown> {
  return inOneSnapshot(conn, () => {
    const threat = threatDetail(conn, id, time);
    if (!threat) throw new NotFoundError("threat", id);
    return atReadTime(conn, "threat", threat, time);
  });
}

/** Deadlines of a commitment or of an agreement's condition carry the agreement they come under, as the deadline list says. */
function underAgreement<T extends { agreementId?: string | null }>(deadlines: T[], agreementId: unknown): T[] {
  if (typeof agreementId !== "string") return deadlines;
  return deadlines.map((d) => (d.agreementId ? d : { ...d, agreementId }));
}

/**
 * The same, through Prisma's includes, with the lists recorded by `knownAt` (at a past one, their
 * pages found by `pages`); its conditions' deadlines read in raw SQL on the reader.
 */
export async function getRecordThroughPrisma(db: Pick<TrackerDatabase, "prisma" | "reader">, kind: RecordKind, id: string, time: ReadTime, pages?: PastPages) {
  const { prisma } = db;
  const knownAt = time.knownAt;
  const include = detailIncludeAt(kind, id, knownAt, pages);
  const record = await delegateOf(prisma, kind).findUnique({ where: { id }, ...(include ? { include } : {}) });
  if (!record) throw new NotFoundError(kind, id);
  for (const { path, withDeadlines } of PAGED_LISTS[kind] ?? []) {
    // A commitment's or an agreement's condition's deadlines are the agreement's (as in the deadline list).
    firstOf(record, path, path === "deadlines" ? underAgreement(record[path], record.agreementId) : record[path]);
    if (!withDeadlines) continue;
    // All the conditions' pages in one statement: for a nested include Prisma reads every row and applies `take` in memory,
    // and a query a condition cost an agreement of 100 conditions 100 queries (120–160 ms).
    const deadlines = deadlinesOfEach(
      db.reader,
      "conditionId",
      record[path].map((row: { id: string }) => row.id),
      DETAIL_EMBEDS + 1,
      time,
      pages?.passed,
    );
    for (const row of record[path]) firstOf(row, "deadlines", underAgreement(deadlines.get(row.id)!, row.agreementId));
  }
  const evidence = await prisma.evidence.findMany({
    where: pages ? { id: { in: pages.ids("Evidence", { recordKind: kind, recordId: id }) } } : { recordKind: kind, recordId: id, createdAt: { lte: knownAt } },
    orderBy: [{ sourceId: "asc" }, { startOffset: "asc" }, { id: "asc" }],
    take: DETAIL_EMBEDS + 1,
    include: {
      source: { select: { id: true, title: true, publisher: true, url: true, publishedAt: true, kind: true } },
      speaker: { select: { id: true, name: true } },
    },
  });
  firstOf(record, "evidence", evidence);
  // Disputed by all its quotes known then, not only those embedded: one probe per stance.
  const stances = await Promise.all(
    STANCES.map((stance) =>
      prisma.evidence.findFirst({ where: { recordKind: kind, recordId: id, stance, createdAt: { lte: knownAt } }, select: { stance: true } }),
    ),
  );
  return { ...record, disputed: isDisputed(stances.filter((s) => s !== null)) };
}

/** The current version of a record (its ETag), or NotFound. */
export async function currentVersion(prisma: Prisma | Transaction, kind: RecordKind, id: string): Promise<number> {
  const row = await delegateOf(prisma, kind).findUnique({ where: { id }, select: { id: true, version: true } });
  if (!row) throw new NotFoundError(kind, id);
  return Number(row.version);
}

/**
 * A tracked record whose creation was retracted does not exist as known now: nothing is written to it
 * (a quote, an edit), 409 naming it, as its GET answers 404. Records without history pass.
 */
export async function refuseRetractedCreation(tx: Transaction, kind: RecordKind, id: string): Promise<void> {
  if (!isTrackedKind(kind)) return;
  const creations = await tx.statusChange.count({ where: { recordKind: kind, recordId: id, change: "status", from: null } });
  const standing = await tx.statusChange.count({ where: { recordKind: kind, recordId: id, change: "status", from: null, retraction: null } });
  if (creations > 0 && standing === 0) throw new ConflictError(`The ${kind} ${id} does not exist as known now: its creation was retracted`);
}

const connectIds = (ids?: string[]) => (ids ? { connect: ids.map((id) => ({ id })) } : undefined);
const setIds = (ids?: string[]) => (ids ? { set: ids.map((id) => ({ id })) } : undefined);

/** Turns API input into Prisma data for a create; references are checked by foreign keys and by `checkReferences`. */
function createData(kind: RecordKind, input: Record<string, any>, id: string, now: Date): Record<string, unknown> {
  const { evidence: _evidence, topicIds, participantIds, ...fields } = input;
  const stamps = ["scenario", "threat", "condition", "deadline", "event"].includes(kind)
    ? { createdAt: now, updatedAt: now }
    : kind === "actor" || kind === "topic"
      ? { createdAt: now }
      : {};
  const data: Record<string, unknown> = { id, ...fields, ...stamps };
  if (topicIds) data.topics = connectIds(topicIds);
  if (participantIds) data.participants = { create: (participantIds as string[]).map((actorId) => ({ actorId })) };
  if (kind === "event" && fields.startsAt && !fields.endsAt) data.endsAt = fields.startsAt;
  return data;
}

/** Which referenced ids must exist, by input field, so a bad id is a 422 naming the field. */
const REFERENCES: Record<string, RecordKind> = {
  scenarioId: "scenario",
  issuerId: "actor",
  threatId: "threat",
  reissuesId: "threat",
  conditionId: "condition",
  agreementId: "agreement",
  commitmentId: "commitment",
  partyId: "actor",
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
    ["partyIds", "actor"],
    ["affectsThreatIds", "threat"],
    ["targetIds", "actor"],
  ] as const) {
    const ids: unknown = input[field];
    if (!Array.isArray(ids)) continue;
    for (const [i, value] of ids.entries()) {
      if (!(await delegateOf(tx, kind).findUnique({ where: { id: value }, select: { id: true } }))) {
        problems.push({ field: `${field}.${i}`, problem: `no ${kind} with id "${value}"` });
      }
    }
  }
  // A deadline of a condition belongs to that condition's threat or agreement, not to another:
  // the condition's consequences reach the deadlines of its own owner only.
  if (typeof input.conditionId === "string" && (typeof input.threatId === "string" || typeof input.agreementId === "string")) {
    const condition = await tx.condition.findUnique({ where: { id: input.conditionId }, select: { threatId: true, agreementId: true } });
    if (condition) {
      const owner = condition.threatId ? `threat "${condition.threatId}"` : `agreement "${condition.agreementId}"`;
      if (typeof input.threatId === "string" && condition.threatId !== input.threatId) {
        problems.push({ field: "conditionId", problem: `belongs to ${owner}, not to threat "${input.threatId}"` });
      }
      if (typeof input.agreementId === "string" && condition.agreementId !== input.agreementId) {
        problems.push({ field: "conditionId", problem: `belongs to ${owner}, not to agreement "${input.agreementId}"` });
      }
    }
  }
  // A commitment's deadline comes under the commitment's agreement (the list gives it that agreementId): not under another.
  if (typeof input.commitmentId === "string" && typeof input.agreementId === "string") {
    const commitment = await tx.commitment.findUnique({ where: { id: input.commitmentId }, select: { agreementId: true } });
    if (commitment && commitment.agreementId !== input.agreementId) {
      problems.push({ field: "commitmentId", problem: `belongs to agreement "${commitment.agreementId}", not to agreement "${input.agreementId}"` });
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
    const code = (e as { code?: string }).code;
    if (code === "P2002" || code === "SQLITE_CONSTRAINT_UNIQUE") throw new ConflictError(`A ${kind} with the same ${uniqueFieldOf(kind)} already exists`);
    throw e;
  }
}

function uniqueFieldOf(kind: RecordKind): string {
  return kind === "source" ? "text (SHA-256)" : kind === "scenario" ? "title" : "name";
}

/**
 * Creates a record. A tracked one is created as history, as of `effectiveAt` (when it was first
 * stated; default now), through the same rules as a status change; the others through Prisma.
 */
export async function createRecord(
  db: TrackerDatabase,
  kind: RecordKind,
  input: Record<string, any>,
  by: string,
  at: RecordedAt = () => new Date(),
): Promise<string> {
  if (isTrackedKind(kind)) {
    const { evidence, topicIds, participantIds, partyIds, affectsThreatIds, targetIds, status, effectiveAt, reason, ...rest } = input;
    const { ownDeadline, fields } = ownDeadlineOf(kind, rest);
    await withUniqueness(kind, () =>
      db.prismaTransaction(async (tx) => {
        await checkReferences(tx, input);
        if (kind === "commitment") await checkOwedByAParty(tx, input.agreementId, input.partyId);
        // A condition's deadline belongs to the condition's threat (or agreement) too: that owner's end reaches it, and the pending view shows its status.
        if (kind === "deadline" && typeof fields.conditionId === "string" && fields.threatId == null && fields.agreementId == null) {
          const condition = await tx.condition.findUnique({ where: { id: fields.conditionId }, select: { threatId: true, agreementId: true } });
          if (condition) Object.assign(fields, condition);
        }
      }),
    );
    if (kind === "event" && fields.startsAt && !fields.endsAt) fields.endsAt = fields.startsAt;
    // The raw path writes the uniqueness key Prisma's extension writes elsewhere (see db/client.ts).
    if (kind === "scenario") fields.titleKey = nameKey(fields.title);
    return withUniqueness(kind, () =>
      createTrackedRecord(
        db,
        { kind, fields, status, topicIds, participantIds, partyIds, affectsThreatIds, targetIds, ownDeadline, evidence, effectiveAt, reason, by },
        at,
      ),
    );
  }
  const id = `${kind}-${randomUUID()}`;
  const now = typeof at === "function" ? at() : at;
  return withUniqueness(kind, () =>
    db.prismaTransaction(async (tx) => {
      await checkReferences(tx, input);
      await delegateOf(tx, kind).create({ data: createData(kind, input, id, now) });
      await attachEvidenceList(tx, kind, id, input.evidence, now);
      return id;
    }),
  );
}

/** A commitment's due date (dueAt/precision/wording) or an agreement's expiry (expiresAt/expiryPrecision/expiryWording), apart from the record's own columns. */
function ownDeadlineOf(kind: RecordKind, input: Record<string, any>) {
  if (kind === "commitment") {
    const { dueAt, precision, wording, ...fields } = input;
    if (dueAt == null && wording === undefined) return { fields, ownDeadline: undefined };
    return { fields, ownDeadline: { dueAt: dueAt ?? null, precision: precision ?? (dueAt ? "day" : "unknown"), wording, kind: "stated" as const } };
  }
  if (kind === "agreement") {
    const { expiresAt, expiryPrecision, expiryWording, ...fields } = input;
    if (!expiresAt) return { fields, ownDeadline: undefined };
    const precision = expiryPrecision ?? "day";
    return {
      fields,
      ownDeadline: { dueAt: expiresAt, precision, wording: expiryWording ?? `Expires ${formatAtPrecision(expiresAt, precision)}`, kind: "expiry" as const },
    };
  }
  return { fields: input, ownDeadline: undefined };
}

/** A commitment is owed by one of its agreement's parties. */
async function checkOwedByAParty(tx: Transaction, agreementId: string, partyId: string): Promise<void> {
  const party = await tx.agreementParty.findUnique({ where: { agreementId_actorId: { agreementId, actorId: partyId } } });
  if (!party) throw new InvalidInputError([{ field: "partyId", problem: `is not a party to agreement "${agreementId}"` }]);
}

/**
 * Edits descriptive fields; a tracked record's version moves on, and If-Match is honoured. Facts
 * given (a condition's effect or awaited actor, a commitment's kind) are corrected as history
 * (recordCorrection), with the descriptive fields in the same write.
 */
export async function patchRecord(
  db: TrackerDatabase,
  kind: RecordKind,
  id: string,
  patch: Record<string, any>,
  expectedVersion: ExpectedVersions | undefined,
  by: string,
  now = new Date(),
) {
  const { reason, ...input } = patch;
  if (isCorrectableKind(kind)) {
    const facts: readonly string[] = CORRECTABLE_FACTS[kind];
    const values = Object.fromEntries(Object.entries(input).filter(([k, v]) => facts.includes(k) && v !== undefined));
    if (Object.keys(values).length > 0) {
      const descriptive = Object.fromEntries(Object.entries(input).filter(([k]) => !facts.includes(k)));
      await recordCorrection(db, { kind, id, values, descriptive, reason: reason ?? "Corrected by PATCH", by, expectedVersion }, now);
      return;
    }
  }
  const tracked = isTrackedKind(kind);
  return withUniqueness(kind, () =>
    db.prismaTransaction(async (tx) => {
      const table = delegateOf(tx, kind);
      // Every kind has a version (actors, topics and sources since migration 20261205800000): If-Match holds for each.
      const given = Object.keys(input).filter((k) => input[k] !== undefined);
      const select = Object.fromEntries(given.map((k) => (k === "topicIds" ? ["topics", { select: { id: true } }] : [k, true])));
      const current = await table.findUnique({ where: { id }, select: { id: true, version: true, ...select } });
      if (!current) throw new NotFoundError(kind, id);
      checkExpectedVersion(expectedVersion, current.version);
      // Edited and then answered 404, the edit would still show in every answer known before the retraction.
      await refuseRetractedCreation(tx, kind, id);
      const held = { ...current, topicIds: current.topics?.map((t: { id: string }) => t.id) };
      const unchanged = editChangesNothing(held, input);
      if (unchanged) throw new InvalidInputError(unchanged);
      await checkReferences(tx, input);
      if (kind === "source") await checkSourceAsPatched(tx, id, input);
      const { topicIds, ...fields } = input;
      const data: Record<string, unknown> = { ...fields };
      if (topicIds) data.topics = setIds(topicIds);
      data.version = { increment: 1 };
      if (tracked) data.updatedAt = now;
      await table.update({ where: { id }, data });
    }),
  );
}

/** The most copies one source's `copyOfId` chain is followed through (a wire story republished by a few outlets). */
const COPY_CHAIN_AT_MOST = 100;

/** A source PATCH is held to the rules of a new one, on the source as it would then stand (domain/evidence.ts). */
async function checkSourceAsPatched(tx: Transaction, id: string, input: Record<string, any>): Promise<void> {
  const stored = await tx.source.findUniqueOrThrow({ where: { id }, select: { text: true, url: true, copyOfId: true } });
  const merged = { id, text: stored.text, url: "url" in input ? input.url : stored.url, copyOfId: "copyOfId" in input ? input.copyOfId : stored.copyOfId };
  const chain: string[] = [];
  for (let next = merged.copyOfId; next && next !== id && chain.length < COPY_CHAIN_AT_MOST; ) {
    const copy = await tx.source.findUnique({ where: { id: next }, select: { copyOfId: true } });
    next = copy?.copyOfId ?? null;
    if (next) chain.push(next);
  }
  const problems = sourceProblems(merged, chain);
  if (problems.length) throw new InvalidInputError(problems);
}

/** Where a record's timeline read in pages goes on: the last entry looked at, and what the entries before carry to the next page. */
export interface TimelinePosition {
  after: EffectiveKey;
  previous: string | null;
  lastReportAt: Date | null;
  termsSetBy: Record<string, number>;
}

/**
 * One page of a record's timeline as known at `knownAt`: up to `limit` entries recorded by then, in
 * effective order after `from`, with their retractions (a threat's terms entries with the terms
 * before them), as timelineKnownAt says over the whole history. Reads the page's entries, the
 * entries that last set each term (at most one per term) and, for a lapse by terms, whether a
 * report follows it at the same instant: never the history before or after the page.
 */
export async function historyPage(
  db: TrackerDatabase,
  kind: TrackedKind,
  id: string,
  knownAt: Date,
  from: TimelinePosition | null,
  limit: number,
): Promise<{ items: TimelineEntry[]; next: TimelinePosition | null }> {
  await currentVersion(db.prisma, kind, id);
  const terms: Record<string, unknown> = kind === "threat" ? { ...(await firstTermsOfThreat(db.prisma, id)) } : {};
  const termsSetBy = from?.termsSetBy ?? {};
  const values = termsValuesOf(db.reader, kind, id, Object.values(termsSetBy));
  for (const [key, seq] of Object.entries(termsSetBy)) {
    const set = values.get(seq);
    if (set && key in set) terms[key] = set[key];
  }
  const { entries, next } = timelineEntries(db.reader, kind, id, knownAt, from?.after ?? null, limit);
  const carried = { previous: from?.previous ?? null, lastReportAt: from?.lastReportAt ?? null, terms, termsSetBy };
  const { items, carry } = timelineContinued(entries, knownAt, carried, (e) => isReportedLaterAtSameTime(db.reader, e, knownAt));
  return { items, next: next && { after: next, previous: carry.previous, lastReportAt: carry.lastReportAt, termsSetBy: carry.termsSetBy } };
}

/** A threat's terms as first recorded, read through Prisma. */
export async function firstTermsOfThreat(prisma: Prisma, id: string): Promise<Terms> {
  const row = await prisma.threat.findUniqueOrThrow({
    where: { id },
    select: { measure: true, ratePercent: true, authority: true, covers: true, targets: firstTargets },
  });
  return firstTermsOf(row);
}

/** History across all records, in recording order, with each entry's retraction as known at `knownAt` (see entriesRecorded). */
export function changesRecorded(db: TrackerDatabase, q: ChangesQuery): { entries: HistoryEntry[]; next: RecordedKey | null } {
  const k = q.knownAt.getTime();
  const { entries, next } = entriesRecorded(db.reader, q);
  return { entries: entries.map((e) => (e.retractedAt && e.retractedAt.getTime() > k ? { ...e, retractedAt: null, retraction: null } : e)), next };
}
