import type Database from "better-sqlite3";
import { type DeadlineTiming, deadlineTimingAsOf } from "../domain/deadlines.ts";
import { recordStateAt } from "../domain/history.ts";
import type { Precision } from "../domain/statuses.ts";
import { historiesOf } from "./sql/history.ts";
import { type ReadTime, readTimeOf, statusesAt } from "./sql/record-states.ts";
import { fromSqlDate, toSqlDate } from "./sql-dates.ts";

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
  q?: string;
  limit: number;
  after?: DeadlineCursor;
}

/** Position in the (undated last, dueAt, id) order. */
export interface DeadlineCursor {
  undated: 0 | 1;
  dueAt: string;
  id: string;
}

export interface ScheduledChange {
  to: string | null;
  effectiveAt: Date;
  /** Holds by the terms of an earlier entry (a lapse), not reported. */
  byTerms: boolean;
}

export interface DeadlineRow extends DeadlineTiming {
  id: string;
  dueAt: Date | null;
  precision: Precision;
  wording: string;
  status: string;
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
export const SCAN_BUDGET = 5_000;
const BATCH_AT_LEAST = 16;

const LINK_JOINS = `
  LEFT JOIN "Threat" t ON t."id" = d."threatId"
  LEFT JOIN "Condition" c ON c."id" = d."conditionId"
  LEFT JOIN "Commitment" cm ON cm."id" = d."commitmentId"`;

const DETAILS_SQL = `
  SELECT d."id", d."dueAt", d."precision", d."wording", d."version", d."extendsId", d."kind", d."status", d."pendingUntil", d."pendingUntilKnownAt",
         t."id" AS "threatId", t."summary" AS "threatSummary", c."id" AS "conditionId", c."description" AS "conditionDescription",
         s."id" AS "scenarioId", s."title" AS "scenarioTitle",
         COALESCE(d."agreementId", cm."agreementId", c."agreementId") AS "agreementId", d."commitmentId"
  FROM json_each(@ids) j CROSS JOIN "Deadline" d ON d."id" = j.value${LINK_JOINS}
  LEFT JOIN "Scenario" s ON s."id" = COALESCE(d."scenarioId", t."scenarioId")`;

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** Prepared once per connection and SQL text: the query shapes are few and hot. */
function prepared(reader: Database.Database, sql: string): Database.Statement {
  let cache = statementCache.get(reader);
  if (!cache) {
    cache = new Map();
    statementCache.set(reader, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = reader.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/** A candidate: its key in the walk order, and its status at the read time once known. */
interface Candidate {
  id: string;
  dueAt: string | null;
  status?: string | null;
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

/** Rows of one index walk, fetched in batches as the reader pulls them (keyset on due order), each batch decided before it is yielded. */
function* candidateStream(
  statement: Database.Statement,
  params: Record<string, unknown>,
  batch: number,
  decide: (rows: Candidate[]) => void,
): Generator<Candidate> {
  let after = params;
  for (;;) {
    const rows = statement.all({ ...after, batch }) as Candidate[];
    decide(rows);
    yield* rows;
    if (rows.length < batch) return;
    const last = rows.at(-1)!;
    after = { ...params, keyDue: last.dueAt ?? "", keyId: last.id, keyed: 1 };
  }
}

/** Merges sorted streams into one sorted stream, advancing a stream only when its next row is wanted. */
function* mergeSorted(streams: Iterator<Candidate>[]): Generator<Candidate> {
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
    taken = best;
    yield (heads[best] as IteratorYieldResult<Candidate>).value;
  }
}

/** A deadline's status at the read time from its exact bounds (see the schema), or null when it did not exist then. */
function statusFromBounds(c: Candidate, asOf: string, knownAt: string): string | null {
  if ((c.pendingFrom as string) > asOf || (c.pendingKnownFrom as string) > knownAt) return null;
  const left = c.pendingUntil !== null && (c.pendingUntil as string) <= asOf && (c.pendingUntilKnownAt as string) <= knownAt;
  return left ? (c.status as string) : "pending";
}

interface Branch {
  /** Conditions on top of the filters; SQL text over alias d. */
  where: string;
  params?: Record<string, unknown>;
  /** The columns the JS check needs besides the key. */
  columns: string;
  /** Decides the status at the read time of each candidate of a batch (null: leave it out). */
  decide: (batch: Candidate[]) => void;
}

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
 * as far as the page needs; the rest (`pendingInexact`) are walked the same way and read from
 * their history by the domain's evaluator, batch by batch, except those whose dates moved
 * (`datesMoved`), which are read whole and ordered by their due date then. Every walk stops at the page or at SCAN_BUDGET rows examined.
 */
export function listDeadlines(reader: Database.Database, query: DeadlineQuery, now = new Date()): { rows: DeadlineRow[]; next: DeadlineCursor | null } {
  const time = readTimeOf(query.asOf, query.knownAt, now);
  const asOf = toSqlDate(time.asOf);
  const knownAt = toSqlDate(time.knownAt);
  const pastKnowledge = time.knownAt.getTime() < now.getTime();
  const filters: string[] = [];
  const params: Record<string, unknown> = { asOf, knownAt, keyed: 0, keyDue: "", keyId: "" };
  let withinEnd: string | null = null;
  if (query.withinDays !== undefined) {
    withinEnd = toSqlDate(new Date(time.asOf.getTime() + query.withinDays * 86_400_000));
    params.withinEnd = withinEnd;
  }
  if (query.scenarioId) {
    filters.push(`(d."scenarioId" = @scenarioId OR t."scenarioId" = @scenarioId)`);
    params.scenarioId = query.scenarioId;
  }
  if (query.actorId) {
    filters.push(
      `(t."issuerId" = @actorId OR EXISTS (SELECT 1 FROM "ThreatTarget" tt WHERE tt."threatId" = t."id" AND tt."actorId" = @actorId) OR c."awaitedActorId" = @actorId OR cm."partyId" = @actorId)`,
    );
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
  const joins = query.scenarioId || query.actorId || query.topicId || query.q ? LINK_JOINS : "";
  const bounds = `, d."status", d."pendingFrom", d."pendingKnownFrom", d."pendingUntil", d."pendingUntilKnownAt"`;
  const knownFrom = pastKnowledge ? ` AND d."pendingKnownFrom" <= @knownAt` : "";
  const exact = `d."pendingInexact" = 0`;
  const branches: Branch[] = [];
  if (query.status === "pending") {
    // Pending then: still pending (as far as anyone knows), or left pending after asOf, or left
    // by asOf but recorded only after knownAt — three disjoint walks, each in due order.
    // From now on, an exact deadline still pending has status "pending" (its leaving, if known, is
    // at most a clock skew ahead): one walk. For a past asOf, the ones that left after it too.
    const present = time.asOf.getTime() >= now.getTime();
    branches.push({
      where: `d."status" = 'pending' AND ${exact} AND ${present ? `(d."pendingUntil" IS NULL OR d."pendingUntil" > @asOf)` : `d."pendingUntil" IS NULL`}`,
      columns: bounds,
      decide: eachBy((c) => statusFromBounds(c, asOf, knownAt)),
    });
    if (!present) {
      // No deadline left pending before the earliest month on record: the walks start there at the soonest.
      const earliest = prepared(reader, `SELECT MIN(substr("pendingUntil", 1, 7)) AS "month" FROM "Deadline"`).get() as { month: string | null };
      const walkFrom = earliest.month && `${earliest.month}-01` > asOf.slice(0, 10) ? new Date(`${earliest.month}-01T00:00:00Z`) : time.asOf;
      for (const bucket of pendingBucketsFrom(walkFrom, new Date(now.getTime() + 86_400_000))) {
        branches.push({
          where: `substr(d."pendingUntil", 1, ${bucket.length}) = @bucket AND d."pendingUntil" > @asOf AND d."pendingFrom" <= @asOf AND ${exact}${knownFrom}`,
          params: { bucket },
          columns: "",
          decide: eachBy(() => "pending"),
        });
      }
    }
    if (pastKnowledge) {
      for (const bucket of pendingBucketsFrom(time.knownAt, now, false)) {
        branches.push({
          where: `substr(d."pendingUntilKnownAt", 1, 7) = @bucket AND d."pendingUntilKnownAt" > @knownAt AND d."pendingUntil" <= @asOf AND d."pendingFrom" <= @asOf AND ${exact}${knownFrom}`,
          params: { bucket },
          columns: "",
          decide: eachBy(() => "pending"),
        });
      }
    }
  } else if (query.status) {
    // Any other status is final for an exact deadline: the one it left pending for.
    params.status = query.status;
    branches.push({ where: `d."status" = @status AND ${exact}`, columns: bounds, decide: eachBy((c) => statusFromBounds(c, asOf, knownAt)) });
  } else {
    branches.push({ where: exact, columns: bounds, decide: eachBy((c) => statusFromBounds(c, asOf, knownAt)) });
  }

  const after = query.after;
  if (after) Object.assign(params, { afterDue: after.dueAt, afterId: after.id });
  const filterSql = filters.length ? ` AND ${filters.join(" AND ")}` : "";
  const streamOf = (branch: Branch): Iterator<Candidate> => {
    const parts: Generator<Candidate>[] = [];
    const segments: { dated: boolean; keyset: string }[] = [];
    if (!after || after.undated === 0) {
      segments.push({ dated: true, keyset: after ? `(d."dueAt" > @afterDue OR (d."dueAt" = @afterDue AND d."id" > @afterId))` : "1" });
    }
    if (withinEnd === null) segments.push({ dated: false, keyset: after?.undated === 1 ? `d."id" > @afterId` : "1" });
    for (const segment of segments) {
      const resume = segment.dated ? `(@keyed = 0 OR d."dueAt" > @keyDue OR (d."dueAt" = @keyDue AND d."id" > @keyId))` : `(@keyed = 0 OR d."id" > @keyId)`;
      const sql = `SELECT d."id", d."dueAt"${branch.columns} FROM "Deadline" d${joins}
        WHERE d."dueAt" IS ${segment.dated ? "NOT NULL" : "NULL"} AND ${segment.keyset} AND ${resume} AND ${branch.where}${filterSql}${withinEnd === null ? "" : ` AND d."dueAt" <= @withinEnd`}
        ORDER BY ${segment.dated ? `d."dueAt", ` : ""}d."id" LIMIT @batch`;
      // Batches of at least 16: a page of one must not cost one query per row examined.
      parts.push(candidateStream(prepared(reader, sql), { ...params, ...branch.params }, Math.max(query.limit + 1, BATCH_AT_LEAST), branch.decide));
    }
    return (function* () {
      for (const part of parts) yield* part;
    })();
  };
  // Deadlines whose bounds are not exact but whose dates never moved: walked in due order like
  // the rest, each batch's histories read and evaluated.
  const evaluated = new Map<string, InexactCandidate>();
  branches.push({
    where: `d."pendingInexact" = 1 AND d."datesMoved" = 0`,
    columns: `, d."precision", d."wording"`,
    // Evaluated only when the walk reaches it (see below): most reads reach few of these.
    decide: (batch) => {
      for (const c of batch) c.fromHistory = true;
    },
  });
  const evaluate = (c: Candidate) => {
    const state = recordStateAt(historiesOf(reader, "deadline", [c.id]).get(c.id)!, time.asOf, time.knownAt);
    c.status = state.exists ? state.status : null;
    evaluated.set(c.id, { ...c, state, dates: { dueAt: fromSqlDate(c.dueAt), precision: c.precision as Precision, wording: c.wording as string } });
  };
  const streams = branches.map(streamOf);
  // Deadlines whose dates moved: their due date then may differ from the column, so all of them are read and ordered by it.
  const moved = datesMovedCandidates(reader, time, { joins, filterSql, params, withinEnd, after });
  for (const [id, c] of moved) evaluated.set(id, c);
  streams.push(moved.values()[Symbol.iterator]());

  const wanted = query.limit + 1;
  const page: Candidate[] = [];
  let examined = 0;
  let lastExamined: Candidate | null = null;
  for (const candidate of mergeSorted(streams)) {
    if (candidate.fromHistory) evaluate(candidate);
    examined += 1;
    lastExamined = candidate;
    if (candidate.status !== null && candidate.status !== undefined && (!query.status || candidate.status === query.status)) {
      page.push(candidate);
      if (page.length === wanted) break;
    }
    if (examined >= SCAN_BUDGET) break;
  }
  const shown = page.slice(0, query.limit);
  const rows = pageDetails(reader, shown, evaluated, time);
  const cutShort = page.length < wanted && examined >= SCAN_BUDGET && lastExamined !== null;
  const last = cutShort ? lastExamined : page.length > query.limit ? shown.at(-1) : undefined;
  const next = last ? { undated: (last.dueAt === null ? 1 : 0) as 0 | 1, dueAt: last.dueAt ?? "", id: last.id } : null;
  return { rows, next };
}

interface InexactCandidate extends Candidate {
  state: ReturnType<typeof recordStateAt>;
  dates: { dueAt: Date | null; precision: Precision; wording: string };
}

/**
 * Deadlines whose dates moved, read whole and evaluated at the read time (their dates too), in
 * the walk's order. Their number, not the database's size, bounds this read.
 */
function datesMovedCandidates(
  reader: Database.Database,
  time: ReadTime,
  o: { joins: string; filterSql: string; params: Record<string, unknown>; withinEnd: string | null; after?: DeadlineCursor },
): Map<string, InexactCandidate> {
  // The due-date window applies to the evaluated date, not the column: it is checked below.
  const rows = prepared(
    reader,
    `SELECT d."id", d."dueAt", d."precision", d."wording" FROM "Deadline" d${o.joins} WHERE d."datesMoved" = 1${o.filterSql} ORDER BY d."id"`,
  ).all(o.params) as { id: string; dueAt: string | null; precision: string; wording: string }[];
  const histories = historiesOf(
    reader,
    "deadline",
    rows.map((r) => r.id),
  );
  const result: InexactCandidate[] = [];
  for (const r of rows) {
    const state = recordStateAt(histories.get(r.id)!, time.asOf, time.knownAt);
    if (!state.exists) continue;
    const dueAt = "dueAt" in state.dates ? (state.dates.dueAt as Date | null) : fromSqlDate(r.dueAt);
    const dates = {
      dueAt,
      precision: ((state.dates.precision as Precision | undefined) ?? r.precision) as Precision,
      wording: (state.dates.wording as string | undefined) ?? r.wording,
    };
    const key = dueAt ? toSqlDate(dueAt) : null;
    if (o.withinEnd !== null && (key === null || key > o.withinEnd)) continue;
    const c: InexactCandidate = { id: r.id, dueAt: key, status: state.status, state, dates };
    if (o.after && compareKeys(c, { id: o.after.id, dueAt: o.after.undated ? null : o.after.dueAt }) <= 0) continue;
    result.push(c);
  }
  result.sort(compareKeys);
  return new Map(result.map((c) => [c.id, c]));
}

/** The page's rows with their details, and the statuses then of what they belong to. */
function pageDetails(reader: Database.Database, shown: Candidate[], evaluatedRows: Map<string, InexactCandidate>, time: ReadTime): DeadlineRow[] {
  if (shown.length === 0) return [];
  const details = new Map(
    (prepared(reader, DETAILS_SQL).all({ ids: JSON.stringify(shown.map((c) => c.id)) }) as Record<string, any>[]).map((r) => [r.id as string, r]),
  );
  const idsOf = (key: string) => [...details.values()].map((r) => r[key] as string | null).filter((v): v is string => v !== null);
  const threats = statusesAt(reader, "threat", idsOf("threatId"), time, true);
  const conditions = statusesAt(reader, "condition", idsOf("conditionId"), time, true);
  const scenarios = statusesAt(reader, "scenario", idsOf("scenarioId"), time, true);
  const statusOf = (m: Map<string, { exists: boolean; status: string | null }>, id: string) => {
    const s = m.get(id);
    return s?.exists ? s.status : null;
  };
  return shown.map((candidate): DeadlineRow => {
    const r = details.get(candidate.id)!;
    const evaluated = evaluatedRows.get(candidate.id);
    const dueAt = evaluated ? evaluated.dates.dueAt : fromSqlDate(r.dueAt);
    const precision = (evaluated ? evaluated.dates.precision : r.precision) as Precision;
    const base = { dueAt, precision, status: candidate.status as string };
    const scheduled: ScheduledChange[] = evaluated
      ? evaluated.state.scheduled.filter((e) => e.change === "status").map((e) => ({ to: e.to, effectiveAt: e.effectiveAt, byTerms: e.byTerms }))
      : scheduledFromBounds(candidate.status as string, r, time);
    return {
      id: r.id,
      ...base,
      wording: evaluated ? evaluated.dates.wording : r.wording,
      unconfirmed: evaluated?.state.byTerms ?? false,
      scheduled,
      version: time.knownAt.getTime() < time.now.getTime() ? null : Number(r.version),
      extendsId: r.extendsId,
      kind: r.kind,
      ...deadlineTimingAsOf(base, time.asOf),
      threat: r.threatId ? { id: r.threatId, summary: r.threatSummary, status: statusOf(threats, r.threatId) } : null,
      condition: r.conditionId ? { id: r.conditionId, description: r.conditionDescription, status: statusOf(conditions, r.conditionId) } : null,
      scenario: r.scenarioId ? { id: r.scenarioId, title: r.scenarioTitle, status: statusOf(scenarios, r.scenarioId) } : null,
      agreementId: r.agreementId,
      commitmentId: r.commitmentId,
    };
  });
}

/** For an exact deadline pending at asOf: its leaving entry, when known then and taking effect later. */
function scheduledFromBounds(statusThen: string, r: Record<string, any>, time: ReadTime): ScheduledChange[] {
  if (statusThen !== "pending" || r.pendingUntil === null || r.pendingUntilKnownAt > toSqlDate(time.knownAt)) return [];
  return [{ to: r.status, effectiveAt: new Date(r.pendingUntil), byTerms: false }];
}
