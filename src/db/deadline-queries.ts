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
  threat: { id: string; summary: string; status: string } | null;
  condition: { id: string; description: string; status: string } | null;
  scenario: { id: string; title: string; status: string } | null;
}

/** The status of a record as of @asOf: the `to` of its last history entry effective by then. */
function statusAsOfSql(kind: string, idColumn: string): string {
  return `(SELECT sc."to" FROM "StatusChange" sc WHERE sc."recordKind" = '${kind}' AND sc."recordId" = ${idColumn} AND sc."effectiveAt" <= @asOf ORDER BY sc."effectiveAt" DESC, sc."seq" DESC LIMIT 1)`;
}

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

function compareKeys(a: Record<string, any>, b: Record<string, any>): number {
  const undated = Number(a.dueAt === null) - Number(b.dueAt === null);
  if (undated !== 0) return undated;
  if (a.dueAt !== b.dueAt) return a.dueAt < b.dueAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Deadlines in due order (undated last), with what they belong to, as they stand now or as
 * they stood at `asOf`. Raw SQL on the read connection: this is the hottest read path.
 *
 * Each query walks an index in due order and stops at the page size: dated and undated
 * deadlines are read separately, and "pending as of" reads two disjoint candidate sets
 * (pending now and pending since before asOf; left pending after asOf) through the
 * `pendingFrom`/`pendingUntil` bounds, then checks each candidate against the history.
 */
export function listDeadlines(reader: Database.Database, query: DeadlineQuery, now = new Date()): { rows: DeadlineRow[]; next: DeadlineCursor | null } {
  const historical = query.asOf !== undefined;
  const asOf = query.asOf ?? now;
  const status = (kind: string, alias: string, idCol: string) => (historical ? statusAsOfSql(kind, idCol) : `${alias}."status"`);
  const where: string[] = [];
  const params: Record<string, unknown> = { asOf: toSqlDate(asOf), limit: query.limit + 1 };
  if (historical) where.push(`${statusAsOfSql("deadline", 'd."id"')} ${query.status ? "= @status" : "IS NOT NULL"}`);
  else if (query.status) where.push(`d."status" = @status`);
  if (query.status) params.status = query.status;
  if (query.withinDays !== undefined) {
    where.push(`d."dueAt" <= @withinEnd`);
    params.withinEnd = toSqlDate(new Date(asOf.getTime() + query.withinDays * 86_400_000));
  }
  if (query.scenarioId) {
    where.push(`(d."scenarioId" = @scenarioId OR t."scenarioId" = @scenarioId)`);
    params.scenarioId = query.scenarioId;
  }
  if (query.actorId) {
    where.push(`(t."issuerId" = @actorId OR t."targetId" = @actorId OR c."awaitedActorId" = @actorId)`);
    params.actorId = query.actorId;
  }
  if (query.topicId) {
    where.push(
      `(EXISTS (SELECT 1 FROM "_ThreatToTopic" tt WHERE tt."A" = t."id" AND tt."B" = @topicId) OR EXISTS (SELECT 1 FROM "_ScenarioToTopic" st WHERE st."A" = COALESCE(d."scenarioId", t."scenarioId") AND st."B" = @topicId))`,
    );
    params.topicId = query.topicId;
  }
  if (query.q) {
    where.push(`(d."wording" LIKE @q ESCAPE '\\' OR t."summary" LIKE @q ESCAPE '\\' OR c."description" LIKE @q ESCAPE '\\')`);
    params.q = likePattern(query.q);
  }
  // Candidate sets: the exact status test above is applied to each.
  const branches =
    historical && query.status === "pending"
      ? [`d."status" = 'pending' AND d."pendingFrom" <= @asOf`, `d."pendingUntil" > @asOf AND d."pendingFrom" <= @asOf`]
      : ["1"];
  const after = query.after;
  const segments: { dated: boolean; keyset: string }[] = [];
  if (!after || after.undated === 0) {
    segments.push({ dated: true, keyset: after ? `(d."dueAt" > @afterDue OR (d."dueAt" = @afterDue AND d."id" > @afterId))` : "1" });
  }
  if (query.withinDays === undefined) segments.push({ dated: false, keyset: after?.undated === 1 ? `d."id" > @afterId` : "1" });
  if (after) Object.assign(params, { afterDue: after.dueAt, afterId: after.id });

  let raw: Record<string, any>[] = [];
  for (const segment of segments) {
    for (const branch of branches) {
      const sql = `
        SELECT d."id", d."dueAt", d."precision", d."wording", d."version", d."extendsId",
               ${status("deadline", "d", 'd."id"')} AS "status",
               t."id" AS "threatId", t."summary" AS "threatSummary", ${status("threat", "t", 't."id"')} AS "threatStatus",
               c."id" AS "conditionId", c."description" AS "conditionDescription", ${status("condition", "c", 'c."id"')} AS "conditionStatus",
               s."id" AS "scenarioId", s."title" AS "scenarioTitle", ${status("scenario", "s", 's."id"')} AS "scenarioStatus"
        FROM "Deadline" d
        LEFT JOIN "Threat" t ON t."id" = d."threatId"
        LEFT JOIN "Condition" c ON c."id" = d."conditionId"
        LEFT JOIN "Scenario" s ON s."id" = COALESCE(d."scenarioId", t."scenarioId")
        WHERE d."dueAt" IS ${segment.dated ? "NOT NULL" : "NULL"} AND ${segment.keyset} AND ${branch}${where.length ? ` AND ${where.join(" AND ")}` : ""}
        ORDER BY ${segment.dated ? `d."dueAt", ` : ""}d."id"
        LIMIT @limit`;
      raw.push(...(prepared(reader, sql).all(params) as Record<string, any>[]));
    }
    if (raw.length > query.limit) break; // the dated part fills the page: undated ones come later
  }
  raw = raw.sort(compareKeys).slice(0, query.limit + 1);
  const page = raw.slice(0, query.limit);
  const rows = page.map((r): DeadlineRow => {
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
  const last = page.at(-1);
  const next = raw.length > query.limit && last ? { undated: (last.dueAt === null ? 1 : 0) as 0 | 1, dueAt: last.dueAt ?? "", id: last.id } : null;
  return { rows, next };
}
