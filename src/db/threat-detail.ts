import type Database from "better-sqlite3";
import { isDisputed, STANCES } from "../domain/evidence.ts";
import { DEADLINE_CACHE_COLUMNS } from "../domain/record-kinds.ts";
import { Prisma } from "./generated/client.ts";
import { limitBy, perConnection, shaped } from "./sql/prepared.ts";
import { toSqlDate } from "./sql-dates.ts";

const BOOLEAN_COLUMNS = new Set(["isAdditional", "publishedAtInferred", "correction", "pendingInexact", "datesMoved"]);
const DATE_COLUMNS = new Set([
  "pendingFrom",
  "pendingUntil",
  "pendingKnownFrom",
  "statusUntil",
  "statusFrom",
  "statusKnownFrom",
  "dueAtEarliest",
  "dueAtLatest",
]);
const isDateColumn = (name: string) => name.endsWith("At") || DATE_COLUMNS.has(name);

/** "2025-11-01T00:00:00.000+00:00" (how the adapter stores DateTime) as "2025-11-01T00:00:00.000Z", without parsing. */
function isoDate(v: string): string {
  return v.length === 29 && v.endsWith("+00:00") ? `${v.slice(0, 23)}Z` : new Date(v).toISOString();
}

/**
 * A raw row of a model as the Prisma client would return it, once serialised: dates in ISO form,
 * booleans as booleans. Which columns those are is worked out once per model, not per row.
 */
function asRecordOf(model: Record<string, string>): (row: Record<string, unknown>) => Record<string, unknown> {
  const columns = Object.values(model);
  const dates = columns.filter(isDateColumn);
  const booleans = columns.filter((c) => BOOLEAN_COLUMNS.has(c));
  return (row) => {
    for (const k of dates) {
      const v = row[k];
      if (typeof v === "string") row[k] = isoDate(v);
    }
    for (const k of booleans) row[k] = row[k] === 1;
    return row;
  };
}

const asThreat = asRecordOf(Prisma.ThreatScalarFieldEnum);
const asActor = asRecordOf(Prisma.ActorScalarFieldEnum);
const asCondition = asRecordOf(Prisma.ConditionScalarFieldEnum);
/** The cache columns statusesAt reads from a deadline's row (CachedRow in src/db/sql/record-states.ts). */
const STATUS_COLUMNS: readonly string[] = ["statusUntil", "pendingInexact", "datesMoved"];
/**
 * What a threat's page does not read of its deadlines: the other cache columns (pending bounds,
 * date range), which no answer shows and no status at the read time needs from these rows.
 */
export const DEADLINE_COLUMNS_NOT_READ: readonly string[] = DEADLINE_CACHE_COLUMNS.filter((c) => !STATUS_COLUMNS.includes(c));
const DEADLINE_COLUMNS_READ = Object.fromEntries(Object.entries(Prisma.DeadlineScalarFieldEnum).filter(([, c]) => !DEADLINE_COLUMNS_NOT_READ.includes(c)));
const asDeadline = asRecordOf(DEADLINE_COLUMNS_READ);
const asEvidence = asRecordOf(Prisma.EvidenceScalarFieldEnum);

/** A model's columns as Prisma returns them, named one by one (alias `a`): rows read as arrays need a fixed column list, not `*`. */
function columnsOf(model: Record<string, string>, a: string): string {
  return Object.values(model)
    .map((c) => `${a}."${c}"`)
    .join(", ");
}

/** Bound values compared with indexed columns are written `+?` (see `prepared` in src/db/sql/prepared.ts). */
function statementsFor(db: Database.Database) {
  const rows = (sql: string) => shaped<Record<string, any>>(db.prepare(sql));
  const deadline = columnsOf(DEADLINE_COLUMNS_READ, "d");
  return {
    threat: rows(`SELECT ${columnsOf(Prisma.ThreatScalarFieldEnum, "t")} FROM "Threat" t WHERE t."id" = ?`),
    scenario: rows(`SELECT "id", "title", "status" FROM "Scenario" WHERE "id" = ?`),
    actor: rows(`SELECT ${columnsOf(Prisma.ActorScalarFieldEnum, "a")} FROM "Actor" a WHERE a."id" = ?`),
    targets: rows(`SELECT "actorId" FROM "ThreatTarget" WHERE "threatId" = +? AND "initial" = 1 ORDER BY "actorId"`),
    topics: rows(
      `SELECT ${columnsOf(Prisma.TopicScalarFieldEnum, "tp")} FROM "Topic" tp JOIN "_ThreatToTopic" tt ON tt."B" = tp."id" WHERE tt."A" = +? ORDER BY tp."id"`,
    ),
    // A page of each list, in the order it is shown, those recorded by knownAt (see firstOf).
    conditions: rows(
      `SELECT ${columnsOf(Prisma.ConditionScalarFieldEnum, "c")}, a."id" AS "a_id", a."name" AS "a_name", a."kind" AS "a_kind" FROM "Condition" c LEFT JOIN "Actor" a ON a."id" = c."awaitedActorId"
       WHERE c."threatId" = +? AND c."createdAt" <= ? ORDER BY c."id" ${limitBy("?")}`,
    ),
    deadlinesOfCondition: rows(
      `SELECT ${deadline} FROM "Deadline" d WHERE d."conditionId" = +? AND d."createdAt" <= ? ORDER BY d."dueAt", d."id" ${limitBy("?")}`,
    ),
    deadlinesOfThreat: rows(`SELECT ${deadline} FROM "Deadline" d WHERE d."threatId" = +? AND d."createdAt" <= ? ORDER BY d."dueAt", d."id" ${limitBy("?")}`),
    deadlinesOfScenario: rows(
      `SELECT ${deadline} FROM "Deadline" d INDEXED BY "Deadline_scenarioId_dueAt_id_idx" WHERE d."scenarioId" = ? AND d."createdAt" <= ? ORDER BY d."dueAt", d."id" LIMIT ?`,
    ),
    stanceKnown: rows(`SELECT 1 AS "known" FROM "Evidence" WHERE "recordKind" = +? AND "recordId" = +? AND "stance" = +? AND "createdAt" <= ? LIMIT 1`),
  };
}

const statements = perConnection(statementsFor);

/** Where a record's quotes go on, in their order: the last one's source, offset (null: unverified) and id. */
export type EvidenceKey = [sourceId: string, startOffset: number | null, id: string];

const EVIDENCE_SELECT = `SELECT ${columnsOf(Prisma.EvidenceScalarFieldEnum, "e")}, s."id" AS "s_id", s."title" AS "s_title", s."publisher" AS "s_publisher", s."url" AS "s_url", s."publishedAt" AS "s_publishedAt", s."kind" AS "s_kind", sp."name" AS "sp_name"
  FROM "Evidence" e JOIN "Source" s ON s."id" = e."sourceId" LEFT JOIN "Actor" sp ON sp."id" = e."speakerId"
  WHERE e."recordKind" = +@kind AND e."recordId" = +@id AND e."createdAt" <= @knownAt`;
const EVIDENCE_ORDER = `ORDER BY e."sourceId", e."startOffset", e."id" ${limitBy("@n")}`;
/**
 * The ranges after a key, in order, each one read on the (recordKind, recordId, sourceId,
 * startOffset, id) index: the rest of the key's offset, the rest of its source, the sources after.
 */
const EVIDENCE_AFTER = {
  first: ["1"],
  afterUnverified: [
    `e."sourceId" = @sourceId AND e."startOffset" IS NULL AND e."id" > @afterId`,
    `e."sourceId" = @sourceId AND e."startOffset" IS NOT NULL`,
    `e."sourceId" > @sourceId`,
  ],
  afterVerbatim: [
    `e."sourceId" = @sourceId AND e."startOffset" = @startOffset AND e."id" > @afterId`,
    `e."sourceId" = @sourceId AND e."startOffset" > @startOffset`,
    `e."sourceId" > @sourceId`,
  ],
};
const evidenceStatements = perConnection((db) =>
  Object.fromEntries(
    Object.entries(EVIDENCE_AFTER).map(([k, ranges]) => [
      k,
      ranges.map((r) => shaped<Record<string, any>>(db.prepare(`${EVIDENCE_SELECT} AND ${r} ${EVIDENCE_ORDER}`))),
    ]),
  ),
);

/**
 * Up to `n` of a record's quotes recorded by `knownAt`, after `after`, by source, offset
 * (unverified first) and id, with their source and speaker as `getRecordThroughPrisma` gives them:
 * a detail's first quotes, and the pages of `GET /api/{collection}/{id}/evidence`.
 */
export function evidencePage(reader: Database.Database, kind: string, id: string, knownAt: Date, after: EvidenceKey | null, n: number) {
  const ranges = evidenceStatements(reader)[after === null ? "first" : after[1] === null ? "afterUnverified" : "afterVerbatim"]!;
  const params = { kind, id, knownAt: toSqlDate(knownAt), sourceId: after?.[0], startOffset: after?.[1], afterId: after?.[2] };
  const rows: Record<string, any>[] = [];
  for (const range of ranges) {
    rows.push(...range.all({ ...params, n: n - rows.length }));
    if (rows.length === n) break;
  }
  return rows.map(({ s_id, s_title, s_publisher, s_url, s_publishedAt, s_kind, sp_name, ...e }) => ({
    ...(asEvidence(e) as { id: string; sourceId: string; startOffset: number | null; stance: string }),
    source: { id: s_id, title: s_title, publisher: s_publisher, url: s_url, publishedAt: isoDate(s_publishedAt), kind: s_kind },
    speaker: e.speakerId ? { id: e.speakerId, name: sp_name } : null,
  }));
}

/** Whether a record is disputed as known at `knownAt` (isDisputed over all its quotes then), by one probe per stance. */
export function disputedAt(reader: Database.Database, kind: string, id: string, knownAt: Date): boolean {
  const probe = statements(reader).stanceKnown;
  const known = toSqlDate(knownAt);
  return isDisputed(STANCES.filter((stance) => probe.get(kind, id, stance, known) !== undefined).map((stance) => ({ stance })));
}

/**
 * The first `limit` deadlines a scenario holds itself (not through a threat), in due order, as
 * `GET /api/scenarios/{id}` embeds them. The index is named: with statistics where few deadlines
 * have a scenario, SQLite preferred walking every deadline in due order (213 ms warm, 13 s cold
 * at 1M) to sorting a scenario's few.
 */
export function scenarioDeadlines(reader: Database.Database, scenarioId: string, limit: number, knownAt: Date): Record<string, unknown>[] {
  return statements(reader).deadlinesOfScenario.all(scenarioId, toSqlDate(knownAt), limit).map(asDeadline);
}

/**
 * A detail embeds at most this many of each of its lists (a threat's deadlines and conditions,
 * each condition's deadlines), the first recorded by knownAt in the order it shows them, and says
 * when more follow (decision 022): the lists filtered by the owner page through them all.
 */
export const DETAIL_EMBEDS = 100;

/**
 * The first DETAIL_EMBEDS of `rows` (read one more than that), and whether more follow: set on
 * `owner` as `list` and `listTruncated`, so the raw read and Prisma's give the same shape.
 */
export function firstOf(owner: Record<string, unknown>, list: string, rows: unknown[]): void {
  owner[list] = rows.slice(0, DETAIL_EMBEDS);
  owner[`${list}Truncated`] = rows.length > DETAIL_EMBEDS;
}

/**
 * A threat with its links and evidence, in exactly the shape `getRecordThroughPrisma` gives
 * (a test holds the two equal), read with prepared statements: the hottest detail read. Its
 * lists are those recorded by `knownAt`, so a later record does not change a past answer.
 */
export function threatDetail(reader: Database.Database, id: string, knownAt: Date): Record<string, unknown> | null {
  const st = statements(reader);
  const threat = st.threat.get(id);
  if (!threat) return null;
  const known = toSqlDate(knownAt);
  const actor = (actorId: string | null) => (actorId ? asActor(st.actor.get(actorId)!) : null);
  const scenario = st.scenario.get(threat.scenarioId);
  const issuer = actor(threat.issuerId);
  const targets = st.targets.all(id);
  const topics = st.topics.all(id);
  const conditionRows = st.conditions.all(id, known, DETAIL_EMBEDS + 1);
  const conditions = conditionRows.slice(0, DETAIL_EMBEDS).map(({ a_id, a_name, a_kind, ...c }: Record<string, any>) => {
    const deadlines = st.deadlinesOfCondition.all(c.id, known, DETAIL_EMBEDS + 1).map(asDeadline);
    return Object.assign(asCondition(c), {
      awaitedActor: a_id ? { id: a_id, name: a_name, kind: a_kind } : null,
      deadlines: deadlines.slice(0, DETAIL_EMBEDS),
      deadlinesTruncated: deadlines.length > DETAIL_EMBEDS,
    });
  });
  const deadlines = st.deadlinesOfThreat.all(id, known, DETAIL_EMBEDS + 1).map(asDeadline);
  const evidence = evidencePage(reader, "threat", id, knownAt, null, DETAIL_EMBEDS + 1);
  // The row given fixed keys by Object.assign, not copied by `{ ...row, more }`: V8 let a quarter
  // of what such copies allocate survive into the old generation (docs/PERFORMANCE.md, session 12).
  return Object.assign(asThreat(threat), {
    scenario,
    issuer,
    targets,
    topics,
    conditions,
    conditionsTruncated: conditionRows.length > DETAIL_EMBEDS,
    deadlines: deadlines.slice(0, DETAIL_EMBEDS),
    deadlinesTruncated: deadlines.length > DETAIL_EMBEDS,
    evidence: evidence.slice(0, DETAIL_EMBEDS),
    evidenceTruncated: evidence.length > DETAIL_EMBEDS,
    disputed: disputedAt(reader, "threat", id, knownAt),
  });
}
