import type Database from "better-sqlite3";
import { isDisputed, STANCES } from "../domain/evidence.ts";
import { DEADLINE_CACHE_COLUMNS } from "../domain/record-kinds.ts";
import { SCAN_BUDGET } from "./deadline-queries.ts";
import { Prisma } from "./generated/client.ts";
import { PASSED_OVER_PER_BUDGET, type PassedOver, passedOverCounter, passingOver } from "./sql/passed-over.ts";
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

/**
 * Which rows of a list a detail shows: those recorded by knownAt. At the present the filter skips
 * the few a concurrent write may add; at a past knownAt it counts those it skips (passingOver), so
 * a detail passes over at most PASSED_OVER_AT_MOST of them (decision 028).
 */
const knownBy = (past: boolean, createdAt: string, knownAt: string) => (past ? `(${createdAt} <= ${knownAt} OR passed_over())` : `${createdAt} <= ${knownAt}`);

/** Bound values compared with indexed columns are written `+?` (see `prepared` in src/db/sql/prepared.ts). */
function statementsFor(db: Database.Database) {
  const rows = (sql: string) => shaped<Record<string, any>>(db.prepare(sql));
  return {
    threat: rows(`SELECT ${columnsOf(Prisma.ThreatScalarFieldEnum, "t")} FROM "Threat" t WHERE t."id" = ?`),
    scenario: rows(`SELECT "id", "title", "status" FROM "Scenario" WHERE "id" = ?`),
    actor: rows(`SELECT ${columnsOf(Prisma.ActorScalarFieldEnum, "a")} FROM "Actor" a WHERE a."id" = ?`),
    targets: rows(`SELECT "actorId" FROM "ThreatTarget" WHERE "threatId" = +? AND "initial" = 1 ORDER BY "actorId"`),
    topics: rows(
      `SELECT ${columnsOf(Prisma.TopicScalarFieldEnum, "tp")} FROM "Topic" tp JOIN "_ThreatToTopic" tt ON tt."B" = tp."id" WHERE tt."A" = +? ORDER BY tp."id"`,
    ),
    stanceKnown: rows(`SELECT 1 AS "known" FROM "Evidence" WHERE "recordKind" = +? AND "recordId" = +? AND "stance" = +? AND "createdAt" <= ? LIMIT 1`),
  };
}

const statements = perConnection(statementsFor);

/** The lists a detail embeds a page of, each in the order it is shown; at a past knownAt, counting the rows recorded later they skip. */
function listStatementsFor(db: Database.Database, past: boolean) {
  const rows = (sql: string) => shaped<Record<string, any>>(db.prepare(sql));
  const deadline = columnsOf(DEADLINE_COLUMNS_READ, "d");
  return {
    // A page of each list, in the order it is shown, those recorded by knownAt (see firstOf).
    conditions: rows(
      `SELECT ${columnsOf(Prisma.ConditionScalarFieldEnum, "c")}, a."id" AS "a_id", a."name" AS "a_name", a."kind" AS "a_kind" FROM "Condition" c LEFT JOIN "Actor" a ON a."id" = c."awaitedActorId"
       WHERE c."threatId" = +? AND ${knownBy(past, `c."createdAt"`, "?")} ORDER BY c."id" ${limitBy("?")}`,
    ),
    deadlinesOfCondition: rows(
      `SELECT ${deadline} FROM "Deadline" d WHERE d."conditionId" = +? AND ${knownBy(past, `d."createdAt"`, "?")} ORDER BY d."dueAt", d."id" ${limitBy("?")}`,
    ),
    deadlinesOfThreat: rows(
      `SELECT ${deadline} FROM "Deadline" d WHERE d."threatId" = +? AND ${knownBy(past, `d."createdAt"`, "?")} ORDER BY d."dueAt", d."id" ${limitBy("?")}`,
    ),
    deadlinesOfScenario: rows(
      `SELECT ${deadline} FROM "Deadline" d INDEXED BY "Deadline_scenarioId_dueAt_id_idx" WHERE d."scenarioId" = ? AND ${knownBy(past, `d."createdAt"`, "?")} ORDER BY d."dueAt", d."id" LIMIT ?`,
    ),
    deadlinesOfConditions: rows(deadlinesOfEachSql("conditionId", deadline, past)),
    deadlinesOfCommitments: rows(deadlinesOfEachSql("commitmentId", deadline, past)),
  };
}

/**
 * The first deadlines of each of some owners (a JSON array of ids), those recorded by knownAt, in
 * the order shown, in one statement: each owner's page is a walk of its (owner, dueAt, id) index
 * that stops at the limit, whatever the owner holds; the pages come owner by owner.
 */
function deadlinesOfEachSql(owner: "conditionId" | "commitmentId", columns: string, past: boolean): string {
  return `SELECT ${columns} FROM json_each(?) o CROSS JOIN "Deadline" d ON d."id" IN (
      SELECT y."id" FROM "Deadline" y WHERE y."${owner}" = o."value" AND ${knownBy(past, `y."createdAt"`, "?")} ORDER BY y."dueAt", y."id" ${limitBy("?")})
    ORDER BY o."key", d."dueAt", d."id"`;
}
const presentLists = perConnection((db) => listStatementsFor(db, false));
/** Prepared at the first read at a past knownAt only, inside passingOver (which registers passed_over()): the present reads nothing about later rows. */
const pastLists = perConnection((db) => listStatementsFor(db, true));

/** Where a record's quotes go on, in their order: the last one's source, offset (null: unverified) and id. */
export type EvidenceKey = [sourceId: string, startOffset: number | null, id: string];

const EVIDENCE_COLUMNS = `${columnsOf(Prisma.EvidenceScalarFieldEnum, "e")}, s."id" AS "s_id", s."title" AS "s_title", s."publisher" AS "s_publisher", s."url" AS "s_url", s."publishedAt" AS "s_publishedAt", s."kind" AS "s_kind", sp."name" AS "sp_name"`;
function evidenceSelect(past: boolean): string {
  return `SELECT ${EVIDENCE_COLUMNS} FROM "Evidence" e JOIN "Source" s ON s."id" = e."sourceId" LEFT JOIN "Actor" sp ON sp."id" = e."speakerId"
  WHERE e."recordKind" = +@kind AND e."recordId" = +@id AND ${knownBy(past, `e."createdAt"`, "@knownAt")}`;
}
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
const evidenceStatementsFor = (db: Database.Database, past: boolean) =>
  Object.fromEntries(
    Object.entries(EVIDENCE_AFTER).map(([k, ranges]) => [
      k,
      ranges.map((r) => shaped<Record<string, any>>(db.prepare(`${evidenceSelect(past)} AND ${r} ${EVIDENCE_ORDER}`))),
    ]),
  );
const presentEvidence = perConnection((db) => evidenceStatementsFor(db, false));
const pastEvidence = perConnection((db) => evidenceStatementsFor(db, true));

/**
 * Up to `n` of a record's quotes recorded by knownAt, after `after`, by source, offset
 * (unverified first) and id, with their source and speaker as `getRecordThroughPrisma` gives them:
 * a detail's first quotes, and the pages of `GET /api/{collection}/{id}/evidence`. At a past
 * knownAt the quotes recorded later it skips count against a ceiling (decision 028).
 */
export function evidencePage(reader: Database.Database, kind: string, id: string, time: DetailTime, after: EvidenceKey | null, n: number) {
  if (!isPast(time)) return evidenceOn(presentEvidence(reader), kind, id, time.knownAt, after, n);
  return passingOver(reader, passedOverCounter("quotes", PASSED_OVER_AT_MOST), () => evidenceOn(pastEvidence(reader), kind, id, time.knownAt, after, n));
}

/** The same on `ranges` (at a past knownAt, inside passingOver: a detail counts its quotes with its other lists). */
function evidenceOn(ranges: ReturnType<typeof evidenceStatementsFor>, kind: string, id: string, knownAt: Date, after: EvidenceKey | null, n: number) {
  const from = after === null ? "first" : after[1] === null ? "afterUnverified" : "afterVerbatim";
  const params = { kind, id, knownAt: toSqlDate(knownAt), sourceId: after?.[0], startOffset: after?.[1], afterId: after?.[2] };
  const rows: Record<string, any>[] = [];
  for (const range of ranges[from]!) {
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
 * at 1M) to sorting a scenario's few. At a past knownAt they count on `passed`, the scenario
 * detail's one ceiling (decision 028).
 */
export function scenarioDeadlines(
  reader: Database.Database,
  scenarioId: string,
  limit: number,
  time: DetailTime,
  passed?: PassedOver,
): Record<string, unknown>[] {
  const known = toSqlDate(time.knownAt);
  return listsAt(reader, time, passed, (lists) => lists.deadlinesOfScenario.all(scenarioId, known, limit)).map(asDeadline);
}

/**
 * The first `limit` deadlines (recorded by knownAt, in due order) of each of some conditions or
 * commitments, by owner, as `GET /api/agreements/{id}` embeds them: one statement for them all,
 * where reading them through Prisma took one query an owner (decision 022).
 */
export function deadlinesOfEach(
  reader: Database.Database,
  owner: "conditionId" | "commitmentId",
  ids: string[],
  limit: number,
  time: DetailTime,
  passed?: PassedOver,
): Map<string, Record<string, unknown>[]> {
  const byOwner = new Map<string, Record<string, unknown>[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byOwner;
  const known = toSqlDate(time.knownAt);
  const rows = listsAt(reader, time, passed, (lists) =>
    (owner === "conditionId" ? lists.deadlinesOfConditions : lists.deadlinesOfCommitments).all(JSON.stringify(ids), known, limit),
  );
  for (const row of rows) byOwner.get(row[owner])?.push(asDeadline(row));
  return byOwner;
}

/**
 * Runs `read` on the list statements of the read time: at a past knownAt, those that count the
 * rows recorded later they skip, on `passed` (the detail's one ceiling, decision 028) or, for a
 * list read on its own, a ceiling of its own.
 */
function listsAt<T>(reader: Database.Database, time: DetailTime, passed: PassedOver | undefined, read: (lists: ReturnType<typeof listStatementsFor>) => T): T {
  if (!isPast(time)) return read(presentLists(reader));
  return passingOver(reader, passed ?? passedOverCounter("deadlines", PASSED_OVER_AT_MOST, DETAIL_ADVICE), () => read(pastLists(reader)));
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

/** When a detail is read: at a past knownAt (before now) its lists count the rows recorded later they skip. */
export interface DetailTime {
  knownAt: Date;
  now: Date;
}
const isPast = (time: DetailTime) => time.knownAt.getTime() < time.now.getTime();

/**
 * How many rows recorded after a past knownAt one detail skips, all its lists together, before it
 * answers 422 naming knownAt (decision 028): what the deadline list it points to passes over for a
 * page (ten of its budgets), so a detail costs at most that more whatever the number of its lists.
 */
export const PASSED_OVER_AT_MOST = PASSED_OVER_PER_BUDGET * SCAN_BUDGET;
export const DETAIL_ADVICE = "ask with a later knownAt, or page through the lists filtered by this record";

/**
 * A threat with its links and evidence, in exactly the shape `getRecordThroughPrisma` gives
 * (a test holds the two equal), read with prepared statements: the hottest detail read. Its
 * lists are those recorded by knownAt, so a later record does not change a past answer; at a past
 * knownAt, those it skips count against one ceiling for the whole detail (decision 028).
 */
export function threatDetail(reader: Database.Database, id: string, time: DetailTime): Record<string, unknown> | null {
  if (!isPast(time)) return threatDetailOn(reader, id, time, false);
  return passingOver(reader, passedOverCounter("deadlines, conditions and quotes", PASSED_OVER_AT_MOST, DETAIL_ADVICE), () =>
    threatDetailOn(reader, id, time, true),
  );
}

function threatDetailOn(reader: Database.Database, id: string, time: DetailTime, past: boolean): Record<string, unknown> | null {
  const st = statements(reader);
  const threat = st.threat.get(id);
  if (!threat) return null;
  const known = toSqlDate(time.knownAt);
  const actor = (actorId: string | null) => (actorId ? asActor(st.actor.get(actorId)!) : null);
  const scenario = st.scenario.get(threat.scenarioId);
  const issuer = actor(threat.issuerId);
  const targets = st.targets.all(id);
  const topics = st.topics.all(id);
  const lists = past ? pastLists(reader) : presentLists(reader);
  const deadlines = lists.deadlinesOfThreat.all(id, known, DETAIL_EMBEDS + 1).map(asDeadline);
  // A condition's deadlines are its threat's too (the write path and a migration hold that), in
  // the same order: when the threat's list is whole, each condition's is a part of it, the same
  // rows, and reading them again cost a sixth of this read at 1M (their pages, scattered over
  // the table, each a read of the file). Past the embed limit, each condition reads its own.
  const whole = deadlines.length <= DETAIL_EMBEDS;
  const conditionRows = lists.conditions.all(id, known, DETAIL_EMBEDS + 1);
  const conditions = conditionRows.slice(0, DETAIL_EMBEDS).map(({ a_id, a_name, a_kind, ...c }: Record<string, any>) => {
    const own = whole ? deadlines.filter((d) => d.conditionId === c.id) : lists.deadlinesOfCondition.all(c.id, known, DETAIL_EMBEDS + 1).map(asDeadline);
    return Object.assign(asCondition(c), {
      awaitedActor: a_id ? { id: a_id, name: a_name, kind: a_kind } : null,
      deadlines: own.slice(0, DETAIL_EMBEDS),
      deadlinesTruncated: own.length > DETAIL_EMBEDS,
    });
  });
  // At a past knownAt, inside the detail's passingOver: its quotes count against the same ceiling.
  const evidence = evidenceOn(past ? pastEvidence(reader) : presentEvidence(reader), "threat", id, time.knownAt, null, DETAIL_EMBEDS + 1);
  // The row given fixed keys by Object.assign, not copied by `{ ...row, more }`: V8 kept such copies
  // past a scavenge (254 → 7 KB promoted a scavenge for this read; decision 033).
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
    disputed: disputedAt(reader, "threat", id, time.knownAt),
  });
}
