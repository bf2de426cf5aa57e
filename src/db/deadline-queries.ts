import type Database from "better-sqlite3";
import { type DeadlineTiming, deadlineTimingAsOf } from "../domain/deadlines.ts";
import type { Precision } from "../domain/statuses.ts";
import { fromSqlDate, toSqlDate } from "./sql-dates.ts";

export interface DeadlineQuery {
  status?: string;
  /** Evaluate statuses from history as they stood at this instant; absent means the current state. */
  asOf?: Date;
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

export interface DeadlineRow extends DeadlineTiming {
  id: string;
  dueAt: Date | null;
  precision: Precision;
  wording: string;
  status: string;
  version: number;
  extendsId: string | null;
  /** What the deadline belongs to; a status is null when that record was not yet recorded at asOf. */
  threat: { id: string; summary: string; status: string | null } | null;
  condition: { id: string; description: string; status: string | null } | null;
  scenario: { id: string; title: string; status: string | null } | null;
}

const LINK_JOINS = `
  LEFT JOIN "Threat" t ON t."id" = d."threatId"
  LEFT JOIN "Condition" c ON c."id" = d."conditionId"`;

/** The status a record had at @asOf: the `to` of its last history entry effective by then. */
function statusAsOfSql(kind: string, idColumn: string): string {
  return `(SELECT sc."to" FROM "StatusChange" sc WHERE sc."recordKind" = '${kind}' AND sc."recordId" = ${idColumn} AND sc."effectiveAt" <= @asOf ORDER BY sc."effectiveAt" DESC, sc."seq" DESC LIMIT 1)`;
}

/** A deadline with what it belongs to, with current or as-of statuses (columns and joins). */
function detailColumns(historical: boolean): { columns: string; joins: string } {
  const status = (kind: string, alias: string) => (historical ? statusAsOfSql(kind, `${alias}."id"`) : `${alias}."status"`);
  return {
    columns: `d."id", d."dueAt", d."precision", d."wording", d."version", d."extendsId", d."status",
         t."id" AS "threatId", t."summary" AS "threatSummary", ${status("threat", "t")} AS "threatStatus",
         c."id" AS "conditionId", c."description" AS "conditionDescription", ${status("condition", "c")} AS "conditionStatus",
         s."id" AS "scenarioId", s."title" AS "scenarioTitle", ${status("scenario", "s")} AS "scenarioStatus"`,
    joins: `${LINK_JOINS}
  LEFT JOIN "Scenario" s ON s."id" = COALESCE(d."scenarioId", t."scenarioId")`,
  };
}

/** One deadline's status at @asOf (the same history read as the correlated form above). */
const DEADLINE_STATUS_AS_OF_SQL = `SELECT ${statusAsOfSql("deadline", "@id")} AS "to"`;

/** The page's deadlines (ids in a JSON array) with their details as of @asOf. */
const DETAILS_AS_OF_SQL = `SELECT ${detailColumns(true).columns} FROM json_each(@ids) j CROSS JOIN "Deadline" d ON d."id" = j.value${detailColumns(true).joins}`;
const CURRENT_DETAILS = detailColumns(false);

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

type Candidate = Record<string, any>;

/** Days left in a month below which the rest of it is walked day by day rather than as one month. */
const DAY_WALKS_AT_MOST = 10;

/**
 * The buckets of "left pending" to walk for an as-of instant, in order: "YYYY-MM-DD" days for
 * the rest of `from`'s month when few days remain (a month walk would skip most of its rows),
 * then "YYYY-MM" months through the one holding `to` (UTC).
 */
export function pendingBucketsFrom(from: Date, to: Date): string[] {
  if (from > to) return [];
  const buckets: string[] = [];
  let y = from.getUTCFullYear();
  let m = from.getUTCMonth();
  const monthKey = () => `${y}-${String(m + 1).padStart(2, "0")}`;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  if (lastDay - from.getUTCDate() < DAY_WALKS_AT_MOST) {
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
  if (a.dueAt !== b.dueAt) return a.dueAt < b.dueAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Rows of one index walk, fetched in batches as the reader pulls them (keyset on due order). */
function* candidateStream(statement: Database.Statement, params: Record<string, unknown>, batch: number): Generator<Candidate> {
  let after = params;
  for (;;) {
    const rows = statement.all({ ...after, batch }) as Candidate[];
    yield* rows;
    if (rows.length < batch) return;
    const last = rows.at(-1)!;
    after = { ...params, keyDue: last.dueAt ?? "", keyId: last.id, keyed: 1 };
  }
}

/** Merges sorted streams into one sorted stream, advancing a stream only when its next row is wanted. */
function* mergeSorted(streams: Generator<Candidate>[]): Generator<Candidate> {
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

/**
 * Deadlines in due order (undated last), with what they belong to, as they stand now or as
 * they stood at `asOf`. Raw SQL on the read connection: this is the hottest read path.
 *
 * Every query walks an index in due order and is pulled only as far as the page needs.
 * "As of" reads statuses from the history; "pending as of" draws its candidates from two
 * disjoint sets bounded by `pendingFrom`/`pendingUntil` (pending now, and left pending after
 * asOf) and checks each against the history, so the bounds only ever narrow the search.
 */
export function listDeadlines(reader: Database.Database, query: DeadlineQuery, now = new Date()): { rows: DeadlineRow[]; next: DeadlineCursor | null } {
  const historical = query.asOf !== undefined;
  const asOf = query.asOf ?? now;
  const asOfSql = toSqlDate(asOf);
  const filters: string[] = [];
  const params: Record<string, unknown> = { asOf: asOfSql, keyed: 0, keyDue: "", keyId: "" };
  if (!historical && query.status) {
    filters.push(`d."status" = @status`);
    params.status = query.status;
  }
  if (query.withinDays !== undefined) {
    filters.push(`d."dueAt" <= @withinEnd`);
    params.withinEnd = toSqlDate(new Date(asOf.getTime() + query.withinDays * 86_400_000));
  }
  if (query.scenarioId) {
    filters.push(`(d."scenarioId" = @scenarioId OR t."scenarioId" = @scenarioId)`);
    params.scenarioId = query.scenarioId;
  }
  if (query.actorId) {
    filters.push(`(t."issuerId" = @actorId OR t."targetId" = @actorId OR c."awaitedActorId" = @actorId)`);
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
  const needsLinks = Boolean(query.scenarioId || query.actorId || query.topicId || query.q);
  // Candidate sets, each walked in due order. Pending as of T: pending now (and since before T),
  // or left pending after T — one walk per month it left pending in, on the month index.
  const pendingAsOf = historical && query.status === "pending";
  const statusAt = prepared(reader, DEADLINE_STATUS_AS_OF_SQL);
  const branches: { where: string; bucket?: string }[] = pendingAsOf
    ? [
        { where: `d."status" = 'pending' AND d."pendingFrom" <= @asOf` },
        // A change may take effect up to a minute ahead of the clock: walk through tomorrow.
        ...pendingBucketsFrom(asOf, new Date(now.getTime() + 86_400_000)).map((bucket) => ({
          where: `substr(d."pendingUntil", 1, ${bucket.length}) = @bucket AND d."pendingUntil" > @asOf AND d."pendingFrom" <= @asOf`,
          bucket,
        })),
      ]
    : [{ where: "1" }];
  const after = query.after;
  const segments: { dated: boolean; keyset: string }[] = [];
  if (!after || after.undated === 0) {
    segments.push({ dated: true, keyset: after ? `(d."dueAt" > @afterDue OR (d."dueAt" = @afterDue AND d."id" > @afterId))` : "1" });
  }
  if (query.withinDays === undefined) segments.push({ dated: false, keyset: after?.undated === 1 ? `d."id" > @afterId` : "1" });
  if (after) Object.assign(params, { afterDue: after.dueAt, afterId: after.id });

  const wanted = query.limit + 1;
  const page: Candidate[] = [];
  for (const segment of segments) {
    // Within one batch the keyset restarts the walk just after the last row seen.
    const resume = segment.dated ? `(@keyed = 0 OR d."dueAt" > @keyDue OR (d."dueAt" = @keyDue AND d."id" > @keyId))` : `(@keyed = 0 OR d."id" > @keyId)`;
    const streams = branches.map((branch) => {
      // Candidates carry only their sort key (and current status), so month walks stay inside their covering index.
      const order = `${segment.dated ? `"dueAt", ` : ""}"id"`;
      // Now, one walk reads the rows whole; as of a past instant, only keys (then details for the page).
      const inner = `
        SELECT ${historical ? `d."id", d."dueAt"` : CURRENT_DETAILS.columns}
        FROM "Deadline" d${historical ? (needsLinks ? LINK_JOINS : "") : CURRENT_DETAILS.joins}
        WHERE d."dueAt" IS ${segment.dated ? "NOT NULL" : "NULL"} AND ${segment.keyset} AND ${resume} AND ${branch.where}${filters.length ? ` AND ${filters.join(" AND ")}` : ""}
        ORDER BY ${order.replace(/"(\w+)"/g, 'd."$1"')}
        LIMIT @batch`;
      // As of a past instant: for "pending", a deadline never reopened was pending exactly
      // between its bounds, so only reopened ones need their history read; for other statuses
      // the history is read for the rows of each batch, after the walk and its limit.
      const sql = !historical
        ? inner
        : pendingAsOf
          ? inner.replace(`SELECT d."id", d."dueAt"`, `SELECT d."id", d."dueAt", d."pendingReopened"`)
          : `SELECT x."id", x."dueAt", ${statusAsOfSql("deadline", 'x."id"')} AS "status" FROM (${inner}) x ORDER BY ${order.replace(/"(\w+)"/g, 'x."$1"')}`;
      return candidateStream(prepared(reader, sql), branch.bucket ? { ...params, bucket: branch.bucket } : params, wanted);
    });
    for (const candidate of mergeSorted(streams)) {
      if (pendingAsOf)
        candidate.status = candidate.pendingReopened ? (statusAt.get({ id: candidate.id, asOf: asOfSql }) as { to: string | null }).to : "pending";
      if (historical && (candidate.status === null || (query.status && candidate.status !== query.status))) continue;
      page.push(candidate);
      if (page.length === wanted) break;
    }
    if (page.length === wanted) break; // the dated part fills the page: undated ones come later
  }
  const raw = page;
  const shown = raw.slice(0, query.limit);
  const details = historical
    ? new Map((prepared(reader, DETAILS_AS_OF_SQL).all({ asOf: asOfSql, ids: JSON.stringify(shown.map((c) => c.id)) }) as Candidate[]).map((r) => [r.id, r]))
    : null;
  const rows = shown.map((candidate): DeadlineRow => {
    const r: Candidate = details ? { ...details.get(candidate.id), status: candidate.status } : candidate;
    const dueAt = fromSqlDate(r.dueAt);
    const base = { dueAt, precision: r.precision as Precision, status: r.status as string };
    return {
      id: r.id,
      ...base,
      wording: r.wording,
      version: Number(r.version),
      extendsId: r.extendsId,
      ...deadlineTimingAsOf(base, asOf),
      threat: r.threatId ? { id: r.threatId, summary: r.threatSummary, status: r.threatStatus } : null,
      condition: r.conditionId ? { id: r.conditionId, description: r.conditionDescription, status: r.conditionStatus } : null,
      scenario: r.scenarioId ? { id: r.scenarioId, title: r.scenarioTitle, status: r.scenarioStatus } : null,
    };
  });
  const last = shown.at(-1);
  const next = raw.length > query.limit && last ? { undated: (last.dueAt === null ? 1 : 0) as 0 | 1, dueAt: last.dueAt ?? "", id: last.id } : null;
  return { rows, next };
}
