import type Database from "better-sqlite3";
import { type DeadlineTiming, deadlineTimingAsOf } from "../domain/deadlines.ts";
import { ReadStoppedError } from "../domain/errors.ts";
import { type HistoryEntry, recordStateAt } from "../domain/history.ts";
import type { Precision, STATUSES } from "../domain/statuses.ts";
import { awaitedThenBy } from "./sql/awaited-then.ts";
import { historiesOf } from "./sql/history.ts";
import { PASSED_OVER_PER_BUDGET, passedOverCounter } from "./sql/passed-over.ts";
import { BATCH_AT_MOST, limitBy, perConnection, prepared, preparedRows, type ShapedStatement } from "./sql/prepared.ts";
import { isPresent, type ReadTime, readTimeOf, statusesAt } from "./sql/record-states.ts";
import { inOneSnapshot } from "./sql/snapshot.ts";
import { likePattern } from "./sql/text-search.ts";
import { targetingOf, termsChangedSql } from "./sql/threat-targets.ts";
import { fromSqlDate, isoFromSqlDate, toSqlDate } from "./sql-dates.ts";

export interface DeadlineQuery {
  status?: string;
  /** Effective time the answer is for (default now). */
  asOf?: Date;
  /** Recorded time: what the tracker knew then (default now). */
  knownAt?: Date;
  /** Only deadlines due within this many days of `asOf` (or now). */
  withinDays?: number;
  scenarioId?: string;
  actorId?: string;
  topicId?: string;
  /** Only the deadlines of this threat, condition, agreement or commitment (its own: those a detail embeds). */
  threatId?: string;
  conditionId?: string;
  agreementId?: string;
  commitmentId?: string;
  q?: string;
  limit: number;
  after?: DeadlineCursor;
  /** `performance.now()` past which the walk stops with ReadStoppedError (the request's time limit). */
  stopAt?: number;
}

/** Position in the (undated last, dueAt, id) order. */
export interface DeadlineCursor {
  undated: 0 | 1;
  dueAt: string;
  id: string;
}

export interface ScheduledChange {
  to: string | null;
  /** ISO-8601 (`toISOString`). */
  effectiveAt: string;
  /** Holds by the terms of an earlier entry (a lapse), not reported. */
  byTerms: boolean;
}

/**
 * A deadline as the API shows it, its keys in the answer's order: the list answers with these
 * rows as they are, without building each one again.
 */
export interface DeadlineRow extends DeadlineTiming {
  id: string;
  /** ISO-8601 (`toISOString`). */
  dueAt: string | null;
  precision: Precision;
  wording: string;
  status: (typeof STATUSES.deadline)[number];
  /** The status holds only by the terms of an earlier entry (a lapse), not yet confirmed. */
  unconfirmed: boolean;
  /** Changes known then that take effect after asOf. */
  scheduled: ScheduledChange[];
  /** The current ETag; null in an answer known at a past instant, which must not change later. */
  version: number | null;
  extendsId: string | null;
  kind: string;
  /** What the deadline belongs to, with its status at asOf (null when not yet recorded then). */
  threat: { id: string; summary: string; status: string | null } | null;
  condition: { id: string; description: string; status: string | null } | null;
  scenario: { id: string; title: string; status: string | null } | null;
  /** The agreement it belongs to (directly, or through its commitment or condition), and the commitment whose due date it is. */
  agreementId: string | null;
  commitmentId: string | null;
}

/**
 * How many candidate rows one read may examine. A page is cut short there (its `nextCursor`
 * resumes after the last row examined), so no anonymous read costs more than this, whatever
 * the database holds.
 */
/** The month of the earliest leaving of pending on record: the as-of walks start there at the soonest. */
export const EARLIEST_MONTH_LEFT_PENDING = `SELECT MIN(substr("pendingUntil", 1, 7)) AS "month" FROM "Deadline" WHERE "pendingUntil" IS NOT NULL`;

export const SCAN_BUDGET = 5_000;
const BATCH_AT_LEAST = 16;
/** First batch of a walk over rare rows (uncommon histories, moved dates: about one in fifty pending deadlines): a page reaches one or two. */
const RARE_BATCH = 4;
/** How often (rows examined) a walk looks at the clock. */
const STOP_CHECK_EVERY = 64;

/**
 * The indexes a walk filtered by what its deadlines belong to reads: the owner's deadlines in due
 * order, and its moved ones by their earliest due date (partial, migration 20261204100000).
 */
const OWNER_INDEXES = {
  threatId: { dueOrder: "Deadline_threatId_dueAt_id_idx", moved: "Deadline_threatId_moved_idx" },
  conditionId: { dueOrder: "Deadline_conditionId_dueAt_id_idx", moved: "Deadline_conditionId_moved_idx" },
  agreementId: { dueOrder: "Deadline_agreementId_dueAt_id_idx", moved: "Deadline_agreementId_moved_idx" },
  commitmentId: { dueOrder: "Deadline_commitmentId_dueAt_id_idx", moved: "Deadline_commitmentId_moved_idx" },
} as const;

const LINK_JOINS = `
  LEFT JOIN "Threat" t ON t."id" = d."threatId"
  LEFT JOIN "Condition" c ON c."id" = d."conditionId"
  LEFT JOIN "Commitment" cm ON cm."id" = d."commitmentId"`;

/**
 * A deadline's status at the read time from its exact bounds (see the schema), or null when it
 * did not exist then; computed in SQL so a walk returns one column, not five. Meaningless for a
 * deadline whose bounds are inexact: those are read from their history.
 */
const STATUS_THEN = `CASE WHEN d."pendingFrom" > @asOf OR d."pendingKnownFrom" > @knownAt THEN NULL
  WHEN d."pendingUntil" IS NOT NULL AND d."pendingUntil" <= @asOf AND d."pendingUntilKnownAt" <= @knownAt THEN d."status" ELSE 'pending' END`;
/** Pending then, with its leaving (exact bounds) known then and taking effect later. */
const LEAVES_LATER = `d."pendingUntil" > @asOf AND d."pendingUntilKnownAt" <= @knownAt AND d."pendingFrom" <= @asOf AND d."pendingKnownFrom" <= @knownAt`;

/**
 * The status at the read time of a record a deadline belongs to, from its cached columns when
 * they answer it (null: read its history): in the present until its next known change, and
 * within its status span (see statusCacheAt in src/domain/history.ts) for any read time.
 */
const linkStatusThen = (a: string) => `CASE WHEN (${a}."statusUntil" IS NULL OR ${a}."statusUntil" > @asOf)
  AND (@present = 1 OR (${a}."statusFrom" <= @asOf AND ${a}."statusKnownFrom" <= @knownAt)) THEN ${a}."status" END`;

/**
 * What a page shows of a deadline and what it belongs to (alias d, with LINK_JOINS and
 * SCENARIO_JOIN), with each link's status then when its cached columns answer it.
 */
const DETAIL_COLUMNS = `d."id", d."dueAt", d."precision", d."wording", d."version", d."extendsId", d."kind", ${STATUS_THEN} AS "statusThen",
         CASE WHEN ${LEAVES_LATER} THEN d."status" END AS "leavesTo", CASE WHEN ${LEAVES_LATER} THEN d."pendingUntil" END AS "leavesAt",
         t."id" AS "threatId", t."summary" AS "threatSummary", c."id" AS "conditionId", c."description" AS "conditionDescription",
         s."id" AS "scenarioId", s."title" AS "scenarioTitle",
         COALESCE(d."agreementId", cm."agreementId", c."agreementId") AS "agreementId", d."commitmentId",
         ${linkStatusThen("t")} AS "threatCachedStatus", ${linkStatusThen("c")} AS "conditionCachedStatus", ${linkStatusThen("s")} AS "scenarioCachedStatus"`;
const SCENARIO_JOIN = `
  LEFT JOIN "Scenario" s ON s."id" = COALESCE(d."scenarioId", t."scenarioId")`;

const DETAILS_SQL = `SELECT ${DETAIL_COLUMNS}
  FROM json_each(@ids) j CROSS JOIN "Deadline" d ON d."id" = j.value${LINK_JOINS}${SCENARIO_JOIN}`;

/** A candidate: its key in the walk order, and its status at the read time once known. */
interface Candidate {
  id: string;
  dueAt: string | null;
  status?: string | null;
  /** Not a row: the lowest key the stream can still yield, standing in until the walk reaches it (see mergeSorted). */
  placeholder?: boolean;
  [column: string]: unknown;
}

/** Days left in a month below which the rest of it is walked day by day rather than as one month. */
const DAY_WALKS_AT_MOST = 10;

/**
 * The buckets of "left pending" to walk for an as-of instant, in order: "YYYY-MM-DD" days for
 * the rest of `from`'s month when few days remain (a month walk would skip most of its rows),
 * then "YYYY-MM" months through the one holding `to` (UTC). With `byDay` false, months only.
 */
export function pendingBucketsFrom(from: Date, to: Date, byDay = true): string[] {
  if (from > to) return [];
  const buckets: string[] = [];
  let y = from.getUTCFullYear();
  let m = from.getUTCMonth();
  const monthKey = () => `${y}-${String(m + 1).padStart(2, "0")}`;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  if (byDay && lastDay - from.getUTCDate() < DAY_WALKS_AT_MOST) {
    const lastWalked = y * 12 + m === to.getUTCFullYear() * 12 + to.getUTCMonth() ? to.getUTCDate() : lastDay;
    for (let d = from.getUTCDate(); d <= lastWalked; d++) buckets.push(`${monthKey()}-${String(d).padStart(2, "0")}`);
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
  }
  const end = to.getUTCFullYear() * 12 + to.getUTCMonth();
  while (y * 12 + m <= end) {
    buckets.push(monthKey());
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
  }
  return buckets;
}

function compareKeys(a: Candidate, b: Candidate): number {
  const undated = Number(a.dueAt === null) - Number(b.dueAt === null);
  if (undated !== 0) return undated;
  if (a.dueAt !== b.dueAt) return (a.dueAt ?? "") < (b.dueAt ?? "") ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A walk's two statements (see candidateStream). */
interface WalkStatements {
  first: ShapedStatement<Candidate>;
  next: ShapedStatement<Candidate>;
}

/**
 * The walks' statements by the parts their SQL text is made of (see streamOf in listDeadlines):
 * found by a key a tenth of the text's length, a read neither builds nor hashes the whole text
 * of its walks (about 20 KB a read).
 */
const walkStatements = perConnection(() => new Map<string, WalkStatements>());

/** Rows of one index walk, fetched in growing batches as the reader pulls them (keyset on due order), each batch decided before it is yielded. */
function* candidateStream(
  /** The walk from its start, and the walk resumed after a key (@keyDue, @keyId). */
  statements: WalkStatements,
  params: Record<string, unknown>,
  batch: number,
  decide: (rows: Candidate[]) => void,
): Generator<Candidate> {
  let after = params;
  for (let size = batch; ; size = Math.min(size * 2, BATCH_AT_MOST)) {
    const rows = (after === params ? statements.first : statements.next).all({ ...after, batch: size });
    decide(rows);
    yield* rows;
    if (rows.length < size) return;
    const last = rows.at(-1)!;
    after = { ...params, keyDue: last.dueAt ?? "", keyId: last.id };
  }
}

/**
 * The streams' rows, each stream's after the one before. A module-level generator, not one
 * written inside the read: V8 gives every new generator function its own hidden class, made in
 * the old generation and pointing at the read's young objects, so everything the read allocated
 * survived the next scavenge and was promoted (a quarter of case a's allocations; docs/PERFORMANCE.md).
 */
function* oneAfterAnother(parts: readonly Generator<Candidate>[]): Generator<Candidate> {
  for (const part of parts) yield* part;
}

/**
 * Merges sorted streams into one sorted stream, advancing a stream only when its next row is
 * wanted. A placeholder that is reached is worked out (its stream advanced) while `mayGoOn()`;
 * otherwise it is yielded itself, to say the walk stops there.
 */
function* mergeSorted(streams: Iterator<Candidate>[], mayGoOn: () => boolean): Generator<Candidate> {
  const heads = streams.map((s) => s.next());
  let taken = -1;
  for (;;) {
    if (taken >= 0) heads[taken] = streams[taken]!.next();
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      if (!h.done && (best < 0 || compareKeys(h.value, (heads[best] as IteratorYieldResult<Candidate>).value) < 0)) best = i;
    }
    if (best < 0) return;
    const head = (heads[best] as IteratorYieldResult<Candidate>).value;
    if (head.placeholder) {
      if (!mayGoOn()) {
        yield head;
        return;
      }
      // A lower bound of what the stream holds next: the stream works out its next row only now that the walk has reached it.
      heads[best] = streams[best]!.next();
      taken = -1;
      continue;
    }
    taken = best;
    yield head;
  }
}

interface Branch {
  /** Conditions on top of the filters; SQL text over alias d. */
  where: string;
  /** Rows final once read (exact bounds): the walk reads the page's details with them, as one query. */
  detailed?: boolean;
  params?: Record<string, unknown>;
  /** Its first batch, when not the page's size. */
  batch?: number;
  /** The columns the JS check needs besides the key. */
  columns: string;
  /** Decides the status at the read time of each candidate of a batch (null: leave it out). */
  decide: (batch: Candidate[]) => void;
}

/**
 * A branch's decision, with the rows the filters did not match left out (and not read from their
 * history); `narrow` first unmatches those the SQL matched only by a superset (see targetedThen).
 */
const onlyMatched = (decide: Branch["decide"], narrow?: (batch: Candidate[]) => void) => (batch: Candidate[]) => {
  narrow?.(batch);
  decide(batch);
  for (const c of batch) {
    if (c.matched) continue;
    c.status = null;
    c.fromHistory = false;
  }
};

/** A branch whose candidates are decided one by one from their columns. */
const eachBy = (statusOf: (c: Candidate) => string | null) => (batch: Candidate[]) => {
  for (const c of batch) c.status = statusOf(c);
};

/**
 * Deadlines in due order (undated last), with what they belong to, as they stood at `asOf` as
 * known at `knownAt` (both default now). Raw SQL on the read connection: this is the hottest read.
 *
 * Deadlines whose history is the common one (created pending, at most one entry leaving it)
 * are answered from their exact pending bounds, walked on indexes in due order and pulled only
 * as far as the page needs; the rest (`pendingInexact`) are walked the same way, only those whose
 * hull holds the read time when the status asked is "pending", and each one the page reaches is
 * read from its history by the domain's evaluator; those whose dates moved (`datesMoved`) are
 * walked by their earliest due date (see movedDeadlines). Every walk stops at the page or at
 * SCAN_BUDGET rows examined.
 */
export function listDeadlines(reader: Database.Database, query: DeadlineQuery, now = new Date()): { rows: DeadlineRow[]; next: DeadlineCursor | null } {
  return inOneSnapshot(reader, () => listDeadlinesIn(reader, query, now));
}

function listDeadlinesIn(reader: Database.Database, query: DeadlineQuery, now: Date): { rows: DeadlineRow[]; next: DeadlineCursor | null } {
  const time = readTimeOf(query.asOf, query.knownAt, now);
  const asOf = toSqlDate(time.asOf);
  const knownAt = toSqlDate(time.knownAt);
  const pastKnowledge = time.knownAt.getTime() < now.getTime();
  const filters: string[] = [];
  const params: Record<string, unknown> = { asOf, knownAt, present: isPresent(time) ? 1 : 0 };
  let withinEnd: string | null = null;
  if (query.withinDays !== undefined) {
    withinEnd = toSqlDate(new Date(time.asOf.getTime() + query.withinDays * 86_400_000));
    params.withinEnd = withinEnd;
  }
  if (query.scenarioId) {
    filters.push(`(d."scenarioId" = @scenarioId OR t."scenarioId" = @scenarioId)`);
    params.scenarioId = query.scenarioId;
  }
  /**
   * With an actor: 1 when what the deadline belongs to names it for good (a threat's issuer, a
   * condition's awaited actor, a commitment's party, a target of a threat whose terms never
   * changed); the threat's id when a threat whose terms changed once targeted it (see targetedThen); else 0.
   */
  let byActor: string | null = null;
  if (query.actorId) {
    const everTargeted = `EXISTS (SELECT 1 FROM "ThreatTarget" tt WHERE tt."threatId" = t."id" AND tt."actorId" = @actorId)`;
    const termsChanged = termsChangedSql(`t."id"`);
    // As known at a past instant, a condition's awaited actor is its row's unless a correction recorded since says otherwise.
    const awaited = pastKnowledge ? awaitedThenBy(reader, query.actorId, time.knownAt) : { gained: [], lost: [] };
    const awaitedNow = awaited.lost.length
      ? `(c."awaitedActorId" = @actorId AND c."id" NOT IN (SELECT value FROM json_each(@awaitedLost)))`
      : `c."awaitedActorId" = @actorId`;
    const awaitedThen = awaited.gained.length ? `${awaitedNow} OR c."id" IN (SELECT value FROM json_each(@awaitedGained))` : awaitedNow;
    if (awaited.lost.length) params.awaitedLost = JSON.stringify(awaited.lost);
    if (awaited.gained.length) params.awaitedGained = JSON.stringify(awaited.gained);
    byActor = `CASE WHEN t."issuerId" = @actorId OR ${awaitedThen} OR cm."partyId" = @actorId THEN 1
      WHEN ${everTargeted} THEN (CASE WHEN ${termsChanged} THEN t."id" ELSE 1 END) ELSE 0 END`;
    params.actorId = query.actorId;
  }
  if (query.topicId) {
    filters.push(
      `(EXISTS (SELECT 1 FROM "_ThreatToTopic" tt WHERE tt."A" = t."id" AND tt."B" = @topicId) OR EXISTS (SELECT 1 FROM "_ScenarioToTopic" st WHERE st."A" = COALESCE(d."scenarioId", t."scenarioId") AND st."B" = @topicId))`,
    );
    params.topicId = query.topicId;
  }
  if (query.q) {
    filters.push(`(d."wording" LIKE @q ESCAPE '\\' OR t."summary" LIKE @q ESCAPE '\\' OR c."description" LIKE @q ESCAPE '\\')`);
    params.q = likePattern(query.q);
  }
  // What the deadlines belong to narrows the walks themselves: they read the owner's deadlines on
  // its indexes, never the others (a filter in `matched` would examine them all).
  let owner = "";
  let ownerIndexes: (typeof OWNER_INDEXES)[keyof typeof OWNER_INDEXES] | undefined;
  for (const column of ["threatId", "conditionId", "agreementId", "commitmentId"] as const) {
    const value = query[column];
    if (value === undefined) continue;
    owner += ` AND d."${column}" = @${column}`;
    params[column] = value;
    ownerIndexes ??= OWNER_INDEXES[column];
  }
  const joins = query.scenarioId || query.actorId || query.topicId || query.q ? LINK_JOINS : "";
  // The filters are a column, not a condition: every row a walk reads counts against SCAN_BUDGET,
  // matched or not, so a filter that matches nothing costs the budget, not the whole table.
  const others = filters.join(" AND ");
  const matchedBy = byActor === null ? others : others ? `CASE WHEN ${others} THEN ${byActor} ELSE 0 END` : byActor;
  const matched = matchedBy ? `, ${matchedBy} AS "matched"` : "";
  const fromBounds = eachBy((c) => c.statusThen as string | null);
  // At a past knownAt every walk says which rows were recorded after it: those are passed over
  // and not counted (decision 028), so the page and its cursor are those known then.
  const later = pastKnowledge ? `, d."createdAt" > @knownAt AS "later"` : "";
  const exact = `d."pendingInexact" = 0`;
  // A walk reads the page's details with its rows when most rows it reads are shown; a filtered
  // walk may read up to SCAN_BUDGET rows to show a few, so it reads keys, and details after.
  const details = (shown: boolean) => (shown && !matched ? { columns: "", detailed: true } : { columns: `, ${STATUS_THEN} AS "statusThen"` });
  const branches: Branch[] = [];
  if (ownerIndexes) {
    // An owner's deadlines are few next to the table: one walk over them in due order, each one
    // decided from its bounds or, when uncommon, from its history; the status asked is checked after.
    branches.push({
      where: `d."datesMoved" = 0`,
      columns: `, ${STATUS_THEN} AS "statusThen", d."pendingInexact" AS "inexact", d."precision", d."wording"`,
      decide: (batch) => {
        for (const c of batch) {
          if (c.inexact) c.fromHistory = true;
          else c.status = c.statusThen as string | null;
        }
      },
    });
  } else if (query.status === "pending") {
    // Pending then: still pending (as far as anyone knows), or left pending after asOf, or left
    // by asOf but recorded only after knownAt — three disjoint walks, each in due order.
    // From now on, an exact deadline still pending has status "pending" (its leaving, if known, is
    // at most a clock skew ahead): one walk. For a past asOf, the ones that left after it too.
    const present = time.asOf.getTime() >= now.getTime();
    branches.push({
      where: `d."status" = 'pending' AND ${exact} AND ${present ? `(d."pendingUntil" IS NULL OR d."pendingUntil" > @asOf)` : `d."pendingUntil" IS NULL`}`,
      ...details(true),
      decide: fromBounds,
    });
    if (!present) {
      // No deadline left pending before the earliest month on record: the walks start there at the soonest.
      // The WHERE lets SQLite read the first entry of the month index, which holds only those that left.
      const earliest = prepared(reader, EARLIEST_MONTH_LEFT_PENDING).get() as { month: string | null };
      const walkFrom = earliest.month && `${earliest.month}-01` > asOf.slice(0, 10) ? new Date(`${earliest.month}-01T00:00:00Z`) : time.asOf;
      // An exact leaving took effect by the time it was recorded (later ones are inexact), so by now:
      // a minute's margin covers a write recorded just after this read's clock, at a month's end.
      for (const bucket of pendingBucketsFrom(walkFrom, new Date(now.getTime() + 60_000))) {
        branches.push({
          where: `substr(d."pendingUntil", 1, ${bucket.length}) = +@bucket AND d."pendingUntil" > @asOf AND d."pendingFrom" <= @asOf AND ${exact}`,
          params: { bucket },
          // A part of the page at most: its first batch is small, the next ones double as the page needs them.
          batch: RARE_BATCH,
          columns: "",
          decide: eachBy(() => "pending"),
        });
      }
    }
    if (pastKnowledge) {
      for (const bucket of pendingBucketsFrom(time.knownAt, now, false)) {
        branches.push({
          where: `substr(d."pendingUntilKnownAt", 1, 7) = +@bucket AND d."pendingUntilKnownAt" > @knownAt AND d."pendingUntil" <= @asOf AND d."pendingFrom" <= @asOf AND ${exact}`,
          params: { bucket },
          // A part of the page at most: its first batch is small, the next ones double as the page needs them.
          batch: RARE_BATCH,
          columns: "",
          decide: eachBy(() => "pending"),
        });
      }
    }
  } else if (query.status) {
    // Any other status is final for an exact deadline: the one it left pending for.
    params.status = query.status;
    // Before it took effect a final status is not yet held: a past asOf may examine many rows to
    // find few (a hostile read examines SCAN_BUDGET), so those are walked by key and the page's
    // details read after.
    const held = time.asOf.getTime() >= now.getTime();
    branches.push({ where: `d."status" = +@status AND ${exact}`, ...details(held), decide: fromBounds });
  } else {
    branches.push({ where: exact, ...details(true), decide: fromBounds });
  }

  const after = query.after;
  if (after) Object.assign(params, { afterDue: after.dueAt, afterId: after.id });
  // ThreatTarget lists every actor a threat's terms ever named: a row matched by such a target
  // (its threat's id) is matched only if the threat targets the actor at the read time (its terms then).
  // Each threat is read once a walk: its deadlines come in many batches.
  const actorId = query.actorId;
  const targets = new Map<string, boolean>();
  const targetedThen = !actorId
    ? undefined
    : (rows: Record<string, unknown>[]) => {
        const unread = rows.flatMap((r) => (typeof r.matched === "string" && !targets.has(r.matched) ? [r.matched] : []));
        if (unread.length > 0) {
          const targeting = targetingOf(reader, unread, actorId, time.knownAt);
          for (const id of unread) targets.set(id, targeting(id, time.asOf));
        }
        for (const r of rows) if (typeof r.matched === "string") r.matched = targets.get(r.matched) ? 1 : 0;
      };
  const cache = walkStatements(reader);
  const streamOf = (branch: Branch): Iterator<Candidate> => {
    const parts: Generator<Candidate>[] = [];
    const segments: { dated: boolean; keyset: string }[] = [];
    if (!after || after.undated === 0) {
      segments.push({ dated: true, keyset: after ? `(d."dueAt" > +@afterDue OR (d."dueAt" = +@afterDue AND d."id" > +@afterId))` : "1" });
    }
    if (withinEnd === null) segments.push({ dated: false, keyset: after?.undated === 1 ? `d."id" > +@afterId` : "1" });
    for (const segment of segments) {
      // Everything the SQL text below is made of, and nothing else.
      const shape = [
        branch.detailed ? "detailed" : joins ? "joined" : "",
        branch.columns,
        later,
        segment.dated ? "dated" : "",
        segment.keyset,
        branch.where,
        owner,
        matched,
        withinEnd === null ? "" : "within",
      ].join("\u0000");
      let statements = cache.get(shape);
      if (!statements) {
        const resume = segment.dated ? `(d."dueAt" > +@keyDue OR (d."dueAt" = +@keyDue AND d."id" > +@keyId))` : `d."id" > +@keyId`;
        const select = branch.detailed
          ? `${DETAIL_COLUMNS}${branch.columns}${matched}${later}, 1 AS "detailed" FROM "Deadline" d${LINK_JOINS}${SCENARIO_JOIN}`
          : `d."id", d."dueAt"${branch.columns}${matched}${later} FROM "Deadline" d${ownerIndexes ? ` INDEXED BY "${ownerIndexes.dueOrder}"` : ""}${joins}`;
        const sql = (resumed: boolean) => `SELECT ${select}
        WHERE d."dueAt" IS ${segment.dated ? "NOT NULL" : "NULL"} AND ${segment.keyset} AND ${resumed ? resume : "1"} AND ${branch.where}${owner}${withinEnd === null ? "" : ` AND d."dueAt" <= +@withinEnd`}
        ORDER BY ${segment.dated ? `d."dueAt", ` : ""}d."id" ${limitBy("@batch")}`;
        statements = { first: preparedRows<Candidate>(reader, sql(false)), next: preparedRows<Candidate>(reader, sql(true)) };
        cache.set(shape, statements);
      }
      // Batches of at least 16: a page of one must not cost one query per row examined.
      // Uncommon histories are few on any page: small batches, pulled only as the page needs them.
      const batch = branch.batch ?? (branch.detailed ? Math.max(query.limit + 1, BATCH_AT_LEAST) : BATCH_AT_LEAST);
      parts.push(candidateStream(statements, { ...params, ...branch.params }, batch, matched ? onlyMatched(branch.decide, targetedThen) : branch.decide));
    }
    return oneAfterAnother(parts);
  };
  // Deadlines with an uncommon history: walked in due order like the rest (for "pending", only
  // those whose hull holds the read time), each one the page reaches read from its history.
  const hull = `d."pendingFrom" <= @asOf AND d."pendingKnownFrom" <= @knownAt AND (d."pendingUntil" IS NULL OR d."pendingUntil" > @asOf OR d."pendingUntilKnownAt" > @knownAt)`;
  const mayBePending = query.status === "pending" ? ` AND ${hull}` : "";
  const evaluated = new Map<string, InexactCandidate>();
  // (An owner's walk above holds its uncommon ones.)
  if (!ownerIndexes)
    branches.push({
      where: `d."pendingInexact" = 1 AND d."datesMoved" = 0${mayBePending}`,
      batch: RARE_BATCH,
      columns: `, d."precision", d."wording"`,
      // Evaluated only when the walk reaches it (see below): most reads reach few of these.
      decide: (batch) => {
        for (const c of batch) c.fromHistory = true;
      },
    });
  const evaluate = (c: Candidate) => {
    const then = candidateFromHistory(c as Parameters<typeof candidateFromHistory>[0], historiesOf(reader, "deadline", [c.id]).get(c.id)!, time);
    c.status = then?.status ?? null;
    if (then) evaluated.set(c.id, then);
  };
  const streams = branches.map(streamOf);
  // Rows examined, those of the moved walk included (each read from its history, shown or not);
  // rows recorded after a past knownAt are passed over, counted apart (see passOver).
  const scan = { examined: 0 };
  const passedOver = passedOverCounter("deadlines", PASSED_OVER_PER_BUDGET * SCAN_BUDGET);
  const passOver = () => {
    passedOver.passOver();
    if (query.stopAt !== undefined && passedOver.count % STOP_CHECK_EVERY === 0 && performance.now() > query.stopAt) {
      throw new ReadStoppedError("This read ran past the time limit and was stopped; ask for a smaller page, narrower filters, or retry.");
    }
  };
  streams.push(
    movedDeadlines(
      reader,
      time,
      { joins, matched, later, narrow: targetedThen, where: `${mayBePending}${owner}`, index: ownerIndexes?.moved, params, withinEnd, after },
      evaluated,
      scan,
      passOver,
    ),
  );
  const wanted = query.limit + 1;
  const page: Candidate[] = [];
  let lastExamined: Candidate | null = null;
  /** Where the moved walk was stopped by the budget: nothing before it is left unexamined. */
  let stoppedBefore: Candidate | null = null;
  for (const candidate of mergeSorted(streams, () => scan.examined < SCAN_BUDGET)) {
    if (candidate.placeholder) {
      stoppedBefore = candidate;
      break;
    }
    if (candidate.later) {
      passOver();
      continue;
    }
    if (candidate.fromHistory) evaluate(candidate);
    const examined = ++scan.examined;
    lastExamined = candidate;
    if (candidate.status !== null && candidate.status !== undefined && (!query.status || candidate.status === query.status)) {
      page.push(candidate);
      if (page.length === wanted) break;
    }
    if (examined >= SCAN_BUDGET) break;
    if (query.stopAt !== undefined && examined % STOP_CHECK_EVERY === 0 && performance.now() > query.stopAt) {
      throw new ReadStoppedError("This read ran past the time limit and was stopped; ask for a smaller page, narrower filters, or retry.");
    }
  }
  const shown = page.slice(0, query.limit);
  const rows = pageDetails(reader, shown, evaluated, time);
  let last: Candidate | undefined;
  if (page.length > query.limit) last = shown.at(-1);
  else if (stoppedBefore) {
    // Resume after everything examined and before the moved deadline not yet read: its earliest due date, any id.
    const before = { id: "", dueAt: stoppedBefore.dueAt };
    last = lastExamined && compareKeys(lastExamined, before) > 0 ? lastExamined : before;
  } else if (scan.examined >= SCAN_BUDGET && lastExamined) last = lastExamined;
  const next = last ? { undated: (last.dueAt === null ? 1 : 0) as 0 | 1, dueAt: last.dueAt ?? "", id: last.id } : null;
  return { rows, next };
}

interface InexactCandidate extends Candidate {
  state: ReturnType<typeof recordStateAt>;
  dates: { dueAt: Date | null; precision: Precision; wording: string };
}

/** Moved deadlines are few: they are read in small batches. */
const MOVED_BATCH = RARE_BATCH;

/**
 * Deadlines whose dates moved, in the walk's order of their due date at the read time. They are
 * walked in order of the earliest due date each has had (a lower bound of its due date then),
 * each read from its history when the walk reaches it, and held back until no later row of the walk can come
 * before them: a page reads only the moved deadlines it reaches.
 */
function* movedDeadlines(
  reader: Database.Database,
  time: ReadTime,
  o: {
    joins: string;
    matched: string;
    /** The column saying a row was recorded after a past knownAt (see listDeadlines), or "". */
    later: string;
    /** Unmatches rows the SQL matched only by a superset (see onlyMatched). */
    narrow?: (rows: Record<string, unknown>[]) => void;
    where: string;
    /** The index to walk (an owner's moved deadlines), when not the one of all moved deadlines. */
    index?: string;
    params: Record<string, unknown>;
    withinEnd: string | null;
    after?: DeadlineCursor;
  },
  evaluated: Map<string, InexactCandidate>,
  scan: { examined: number },
  passOver: () => void,
): Generator<Candidate> {
  // A deadline comes after the cursor only if its latest due date does (null latest: undated at some point, last).
  const resume = !o.after ? "" : o.after.undated ? ` AND d."dueAtLatest" IS NULL` : ` AND (d."dueAtLatest" IS NULL OR d."dueAtLatest" >= +@afterDue)`;
  const within = o.withinEnd === null ? "" : ` AND d."dueAtEarliest" <= +@withinEnd`;
  const held: InexactCandidate[] = [];
  const segments = [
    {
      where: `d."dueAtEarliest" IS NOT NULL`,
      order: `d."dueAtEarliest", d."id"`,
      keyset: `(d."dueAtEarliest" > +@keyDue OR (d."dueAtEarliest" = +@keyDue AND d."id" > +@keyId))`,
    },
    ...(o.withinEnd === null ? [{ where: `d."dueAtEarliest" IS NULL`, order: `d."id"`, keyset: `d."id" > +@keyId` }] : []),
  ];
  for (const segment of segments) {
    const statement = preparedRows<{
      id: string;
      dueAt: string | null;
      dueAtEarliest: string | null;
      precision: string;
      wording: string;
      matched?: number | string;
      later?: number;
    }>(
      reader,
      `SELECT d."id", d."dueAt", d."dueAtEarliest", d."precision", d."wording"${o.matched}${o.later} FROM "Deadline" d${o.index ? ` INDEXED BY "${o.index}"` : ""}${o.joins}
       WHERE d."datesMoved" = 1 AND ${segment.where} AND (@keyed = 0 OR ${segment.keyset})${resume}${within}${o.where}
       ORDER BY ${segment.order} ${limitBy("@batch")}`,
    );
    let key: Record<string, unknown> = { keyed: 0, keyDue: "", keyId: "" };
    for (;;) {
      const rows = statement.all({ ...o.params, ...key, batch: MOVED_BATCH });
      o.narrow?.(rows);
      for (const r of rows) {
        // Nothing still to come sorts before this row's earliest due date: what is held before it is final.
        // Recorded after a past knownAt: not there then, so neither read nor counted.
        if (r.later) {
          passOver();
          continue;
        }
        const bound = { id: r.id, dueAt: r.dueAtEarliest };
        while (held.length > 0 && compareKeys(held[0]!, bound) < 0) yield held.shift()!;
        // Read only once the walk gets here: a page usually stops before most moved deadlines.
        yield { ...bound, placeholder: true };
        scan.examined += 1;
        // Not matched (0, or NULL when a filter's text is missing; narrowed above): examined, and left out.
        if (o.matched && !r.matched) continue;
        const c = candidateFromHistory(r, historiesOf(reader, "deadline", [r.id]).get(r.id)!, time);
        if (!c) continue;
        if (o.withinEnd !== null && (c.dueAt === null || c.dueAt > o.withinEnd)) continue;
        if (o.after && compareKeys(c, { id: o.after.id, dueAt: o.after.undated ? null : o.after.dueAt }) <= 0) continue;
        evaluated.set(c.id, c);
        held.splice(sortedIndex(held, c), 0, c);
      }
      if (rows.length < MOVED_BATCH) break;
      const last = rows.at(-1)!;
      key = { keyed: 1, keyDue: last.dueAtEarliest ?? "", keyId: last.id };
    }
  }
  yield* held;
}

/** A deadline read from its history at the read time, keyed by its due date then (null when it did not exist then). */
function candidateFromHistory(
  r: { id: string; dueAt: string | null; precision: string; wording: string },
  history: HistoryEntry[],
  time: ReadTime,
): InexactCandidate | null {
  const state = recordStateAt(history, time.asOf, time.knownAt);
  if (!state.exists) return null;
  const dueAt = "dueAt" in state.dates ? (state.dates.dueAt as Date | null) : fromSqlDate(r.dueAt);
  const dates = {
    dueAt,
    precision: ((state.dates.precision as Precision | undefined) ?? r.precision) as Precision,
    wording: (state.dates.wording as string | undefined) ?? r.wording,
  };
  return { id: r.id, dueAt: dueAt ? toSqlDate(dueAt) : null, status: state.status, state, dates };
}

function sortedIndex(list: Candidate[], c: Candidate): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(list[mid]!, c) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The page's rows with their details, and the statuses then of what they belong to. */
function pageDetails(reader: Database.Database, shown: Candidate[], evaluatedRows: Map<string, InexactCandidate>, time: ReadTime): DeadlineRow[] {
  if (shown.length === 0) return [];
  // Rows of a detailed walk carry their details; the others (few: uncommon histories) are read here.
  const read = new Map<string, Record<string, any>>();
  const missing = shown.filter((c) => !c.detailed).map((c) => c.id);
  if (missing.length > 0) {
    for (const r of preparedRows<Record<string, any>>(reader, DETAILS_SQL).all({
      ids: JSON.stringify(missing),
      asOf: toSqlDate(time.asOf),
      knownAt: toSqlDate(time.knownAt),
      present: isPresent(time) ? 1 : 0,
    }))
      read.set(r.id, r);
  }
  const details = shown.map((c): Record<string, any> => (c.detailed ? c : read.get(c.id)!));
  // A link whose cached columns answer the read time is answered from them (read with the details); the others from their history.
  const fromHistory = (link: "threat" | "condition" | "scenario", idColumn: string, cachedColumn: string) => {
    const others: string[] = [];
    for (const r of details) if (r[idColumn] !== null && r[cachedColumn] === null) others.push(r[idColumn]);
    const known = new Map<string, string>();
    if (others.length > 0) for (const [id, s] of statusesAt(reader, link, others, time, true)) if (s.exists) known.set(id, s.status!);
    return known;
  };
  const threats = fromHistory("threat", "threatId", "threatCachedStatus");
  const conditions = fromHistory("condition", "conditionId", "conditionCachedStatus");
  const scenarios = fromHistory("scenario", "scenarioId", "scenarioCachedStatus");
  const versioned = time.knownAt.getTime() >= time.now.getTime();
  return shown.map((candidate, i): DeadlineRow => {
    const r = details[i]!;
    const evaluated = evaluatedRows.get(candidate.id);
    const due = evaluated ? evaluated.dates.dueAt : fromSqlDate(r.dueAt);
    const precision = (evaluated ? evaluated.dates.precision : r.precision) as Precision;
    const status = candidate.status as DeadlineRow["status"];
    const timing = deadlineTimingAsOf({ dueAt: due, precision, status }, time.asOf);
    return {
      id: r.id,
      dueAt: evaluated ? (due ? due.toISOString() : null) : r.dueAt === null ? null : isoFromSqlDate(r.dueAt),
      precision,
      status,
      wording: evaluated ? evaluated.dates.wording : r.wording,
      unconfirmed: evaluated?.state.byTerms ?? false,
      scheduled: evaluated
        ? evaluated.state.scheduled
            .filter((e) => e.change === "status")
            .map((e) => ({ to: e.to, effectiveAt: e.effectiveAt.toISOString(), byTerms: e.byTerms }))
        : scheduledFromBounds(r),
      version: versioned ? Number(r.version) : null,
      extendsId: r.extendsId,
      kind: r.kind,
      dueLabel: timing.dueLabel,
      daysRemaining: timing.daysRemaining,
      overdue: timing.overdue,
      threat: r.threatId ? { id: r.threatId, summary: r.threatSummary, status: r.threatCachedStatus ?? threats.get(r.threatId) ?? null } : null,
      condition: r.conditionId
        ? { id: r.conditionId, description: r.conditionDescription, status: r.conditionCachedStatus ?? conditions.get(r.conditionId) ?? null }
        : null,
      scenario: r.scenarioId ? { id: r.scenarioId, title: r.scenarioTitle, status: r.scenarioCachedStatus ?? scenarios.get(r.scenarioId) ?? null } : null,
      agreementId: r.agreementId,
      commitmentId: r.commitmentId,
    };
  });
}

/** For an exact deadline pending at asOf: its leaving entry, when known then and taking effect later. */
function scheduledFromBounds(r: Record<string, any>): ScheduledChange[] {
  return r.leavesTo === null ? [] : [{ to: r.leavesTo, effectiveAt: isoFromSqlDate(r.leavesAt), byTerms: false }];
}
