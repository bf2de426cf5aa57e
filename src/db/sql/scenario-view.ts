import type Database from "better-sqlite3";
import { STANCES } from "../../domain/evidence.ts";
import type { HistoryEntry, TimelineEntry } from "../../domain/history.ts";
import { timelineKnownAt } from "../../domain/history.ts";
import { RECORD_KINDS } from "../../domain/record-kinds.ts";
import type { TrackedKind } from "../../domain/statuses.ts";
import { type Terms, termsThen } from "../../domain/terms.ts";
import { fromSqlDate, toSqlDate } from "../sql-dates.ts";
import { historiesOf } from "./history.ts";
import { PASSED_OVER_PER_BUDGET, passedOverCounter, passingOver } from "./passed-over.ts";
import { limitBy, prepared } from "./prepared.ts";
import { isPresent, type ReadTime, type StatusAt, statusesAt } from "./record-states.ts";

/**
 * The scenario page's reads, in raw SQL on the reader: each section is one keyset page in a fixed
 * order, and each query is limited by the page, so the page costs the same whether the scenario
 * holds ten records or ten thousand (docs/RELIABILITY.md, "Bounded anonymous reads").
 */

/** Deadlines, events and timeline entries per page. */
export const SECTION_PAGE = 50;
/** Threats per page: each carries its first conditions and deadlines. */
export const THREATS_PAGE = 20;
/** A threat's conditions and deadlines shown in its card; the rest are a "more" link away. */
export const IN_CARD = 5;
/** Quotes shown per record and side (supporting, disputing). */
export const QUOTES_PER_SIDE = 10;
/** Rows one section page may examine before answering with what it found (records not existing at the read time are skipped). */
export const SECTION_SCAN_BUDGET = 500;
/** A section's count stops here ("more than 1000"): a count of every row grew with the scenario (decision 026). */
export const COUNT_AT_MOST = 1_000;
/** A record's quotes are counted per side up to this many ("… and more than 90 more quotes"). */
export const QUOTES_COUNTED = 100;

/** Where a section resumes: a threat's or condition's id; a deadline's or event's date (undated last) and id; a timeline entry's effective time and seq. */
export type IdKey = string;
export type DatedKey = [sortDate: string, id: string];
export type EntryKey = [effectiveAt: string, seq: number];

/** How many there are: exactly `n`, or more than `n` when `more`. */
export interface Count {
  n: number;
  more: boolean;
}

export interface SectionPage<T, K> {
  items: T[];
  /** Where the next page starts, or null when this is the last. */
  next: K | null;
  /** How many are recorded in all, up to COUNT_AT_MOST: only for the present as known now, where it is one indexed count. */
  total: Count | null;
}

/** Fields of a record that hold at the read time. */
export interface AsThen {
  status: string;
  unconfirmed: boolean;
  scheduled: HistoryEntry[];
  state: StatusAt;
}

/** Undated rows sort after every ISO date. */
const UNDATED = "~";

/** The scenario's deadlines its own are counted among: some of them may be on its threats too (shown there). */
const OWN_COUNT_READS = 2 * (COUNT_AT_MOST + 1);
/** At most COUNT_AT_MOST + 1 rows of a section counted, on its index. */
const capped = (rows: string) => `SELECT COUNT(*) AS "n" FROM (${rows} LIMIT ${COUNT_AT_MOST + 1})`;
/** A deadline of the scenario that is on one of its threats too, shown under that threat. */
const underItsThreat = (owner: string) => `EXISTS (SELECT 1 FROM "Threat" t WHERE t."id" = d."threatId" AND t."scenarioId" = ${owner})`;

/**
 * The records a scenario's timeline is about: the scenario, its threats and their conditions, its
 * own deadlines and its threats', its events; with when each was recorded only where asked (the
 * timeline's own visit reads the indexes alone).
 */
const scenarioRecords = (recorded: boolean) => {
  const at = (alias: string) => (recorded ? `, ${alias}."createdAt"` : "");
  return `"records"("kind", "id"${recorded ? `, "createdAt"` : ""}) AS (
      SELECT 'scenario', s."id"${at("s")} FROM "Scenario" s WHERE s."id" = @owner
      UNION ALL SELECT 'threat', t."id"${at("t")} FROM "Threat" t WHERE t."scenarioId" = @owner
      UNION ALL SELECT 'condition', c."id"${at("c")} FROM "Condition" c JOIN "Threat" t ON t."id" = c."threatId" WHERE t."scenarioId" = @owner
      UNION ALL SELECT 'deadline', d."id"${at("d")} FROM "Deadline" d INDEXED BY "Deadline_scenarioId_dueAt_id_idx" WHERE d."scenarioId" = @owner
      UNION ALL SELECT 'deadline', d."id"${at("d")} FROM "Deadline" d JOIN "Threat" t ON t."id" = d."threatId"
        WHERE t."scenarioId" = @owner AND d."scenarioId" IS NOT @owner
      UNION ALL SELECT 'event', e."id"${at("e")} FROM "Event" e WHERE e."scenarioId" = @owner)`;
};

/** A small scenario's timeline page: its records' entries before the cursor, those recorded by then (`known`), latest first. */
function visitedTimeline(known: string): string {
  return `WITH ${scenarioRecords(false)}
    SELECT e."seq", e."recordKind", e."recordId", e."effectiveAt" FROM "records" r
      CROSS JOIN "StatusChange" e ON e."recordKind" = r."kind" AND e."recordId" = r."id"
    WHERE (e."effectiveAt", e."seq") < (@afterAt, @afterSeq) AND ${known}
    ORDER BY e."effectiveAt" DESC, e."seq" DESC ${limitBy("@n")}`;
}

/** The scenario page's statements (exported for the tests of their plans). */
export const SQL = {
  scenario: `SELECT "id", "title", "summary" FROM "Scenario" WHERE "id" = ?`,
  scenarioTopics: `SELECT t."name" FROM "_ScenarioToTopic" st JOIN "Topic" t ON t."id" = st."B" WHERE st."A" = ? ORDER BY t."name" LIMIT 100`,
  threats: `SELECT t."id", t."summary", t."measure", t."covers", t."ratePercent", t."authority", t."magnitudeText", a."name" AS "issuerName"
    FROM "Threat" t JOIN "Actor" a ON a."id" = t."issuerId"
    WHERE t."scenarioId" = @owner AND t."id" > @afterId ORDER BY t."id" ${limitBy("@n")}`,
  threatInScenario: `SELECT "id", "summary" FROM "Threat" WHERE "id" = ? AND "scenarioId" = ?`,
  threatsCount: capped(`SELECT 1 FROM "Threat" WHERE "scenarioId" = ?`),
  firstTargets: `SELECT "threatId", "actorId" FROM "ThreatTarget" WHERE "initial" = 1 AND "threatId" IN (SELECT value FROM json_each(?)) ORDER BY "actorId"`,
  threatTopics: `SELECT tt."A" AS "threatId", t."name" FROM "_ThreatToTopic" tt JOIN "Topic" t ON t."id" = tt."B"
    WHERE tt."A" IN (SELECT value FROM json_each(?)) ORDER BY t."name"`,
  actorNames: `SELECT a."id", a."name" FROM json_each(?) j CROSS JOIN "Actor" a ON a."id" = j.value`,
  conditions: `SELECT c."id", c."description", c."effect", c."awaitedActorId", a."name" AS "awaitedActorName"
    FROM "Condition" c LEFT JOIN "Actor" a ON a."id" = c."awaitedActorId"
    WHERE c."threatId" = @owner AND c."id" > @afterId ORDER BY c."id" ${limitBy("@n")}`,
  conditionsCount: capped(`SELECT 1 FROM "Condition" WHERE "threatId" = ?`),
  // Dated rows, then undated ones (a section's order, undated last): two ranges of an index in its
  // order, where one sort on COALESCE(date, '~') read every row of the owner (decision 026).
  threatDeadlinesDated: `SELECT "id", "dueAt", "precision", "wording", "dueAt" AS "sortDate" FROM "Deadline" INDEXED BY "Deadline_threatId_dueAt_id_idx"
    WHERE "threatId" = @owner AND ("dueAt", "id") > (@afterDate, @afterId) ORDER BY "dueAt", "id" ${limitBy("@n")}`,
  threatDeadlinesUndated: `SELECT "id", "dueAt", "precision", "wording", '${UNDATED}' AS "sortDate" FROM "Deadline" INDEXED BY "Deadline_threatId_dueAt_id_idx"
    WHERE "threatId" = @owner AND "dueAt" IS NULL AND "id" > @afterId ORDER BY "id" ${limitBy("@n")}`,
  threatDeadlinesCount: capped(`SELECT 1 FROM "Deadline" WHERE "threatId" = ?`),
  // The scenario's own deadlines: those not shown under one of its threats. Those that are (`elsewhere`)
  // are read and passed over, so every row read counts against the page's budget.
  otherDeadlinesDated: `SELECT d."id", d."dueAt", d."precision", d."wording", d."dueAt" AS "sortDate", ${underItsThreat("@owner")} AS "elsewhere"
    FROM "Deadline" d INDEXED BY "Deadline_scenarioId_dueAt_id_idx"
    WHERE d."scenarioId" = @owner AND (d."dueAt", d."id") > (@afterDate, @afterId) ORDER BY d."dueAt", d."id" ${limitBy("@n")}`,
  otherDeadlinesUndated: `SELECT d."id", d."dueAt", d."precision", d."wording", '${UNDATED}' AS "sortDate", ${underItsThreat("@owner")} AS "elsewhere"
    FROM "Deadline" d INDEXED BY "Deadline_scenarioId_dueAt_id_idx"
    WHERE d."scenarioId" = @owner AND d."dueAt" IS NULL AND d."id" > @afterId ORDER BY d."id" ${limitBy("@n")}`,
  // Of the scenario's first OWN_COUNT_READS deadlines, how many are its own.
  otherDeadlinesCount: `SELECT COUNT(*) AS "read", COUNT(*) - COALESCE(SUM("elsewhere"), 0) AS "n" FROM (
      SELECT ${underItsThreat(`d."scenarioId"`)} AS "elsewhere" FROM "Deadline" d INDEXED BY "Deadline_scenarioId_dueAt_id_idx"
      WHERE d."scenarioId" = ? LIMIT ${OWN_COUNT_READS})`,
  eventsDated: `SELECT "id", "title", "startsAt", "endsAt", "precision", "wording", "place", "startsAt" AS "sortDate" FROM "Event" INDEXED BY "Event_scenarioId_startsAt_id_idx"
    WHERE "scenarioId" = @owner AND ("startsAt", "id") > (@afterDate, @afterId) ORDER BY "startsAt", "id" ${limitBy("@n")}`,
  eventsUndated: `SELECT "id", "title", "startsAt", "endsAt", "precision", "wording", "place", '${UNDATED}' AS "sortDate" FROM "Event" INDEXED BY "Event_scenarioId_startsAt_id_idx"
    WHERE "scenarioId" = @owner AND "startsAt" IS NULL AND "id" > @afterId ORDER BY "id" ${limitBy("@n")}`,
  eventsCount: capped(`SELECT 1 FROM "Event" WHERE "scenarioId" = ?`),
  participants: `SELECT p."eventId", a."name" FROM "EventParticipant" p JOIN "Actor" a ON a."id" = p."actorId"
    WHERE p."eventId" IN (SELECT value FROM json_each(?)) ORDER BY a."name"`,
  // Every entry recorded by then about the scenario's records, latest first. SQLite keeps only the
  // top @n while it walks the scenario's entries by index (light columns only): for a scenario of
  // at most TIMELINE_RECORDS_AT_MOST records (see timelinePage).
  timeline: visitedTimeline(`+e."recordedAt" <= @knownAt`),
  // The same at a past knownAt: each entry recorded later it skips is counted (passed_over(), decision 028).
  timelineCounted: visitedTimeline(`(+e."recordedAt" <= @knownAt OR passed_over())`),
  // The scenario's records, each said to be known then or not (timelinePage counts them as far as it needs).
  timelineRecords: `WITH ${scenarioRecords(true)} SELECT r."createdAt" <= @knownAt AS "known" FROM "records" r`,
  // As known now, all of them: counted on the indexes alone, up to @cap.
  timelineRecordsNow: `WITH ${scenarioRecords(false)} SELECT COUNT(*) AS "n" FROM (SELECT 1 FROM "records" LIMIT @cap)`,
  // A larger scenario's entries: the whole history walked latest first on its (effectiveAt, seq)
  // index, each entry said to be the scenario's or not (a column, so the budget counts it).
  timelineWalk: `SELECT e."seq", e."recordKind", e."recordId", e."effectiveAt", e."recordedAt" <= @knownAt AS "known",
      CASE e."recordKind"
        WHEN 'scenario' THEN e."recordId" = @owner
        WHEN 'threat' THEN EXISTS (SELECT 1 FROM "Threat" t WHERE t."id" = e."recordId" AND t."scenarioId" = @owner)
        WHEN 'condition' THEN EXISTS (SELECT 1 FROM "Condition" c JOIN "Threat" t ON t."id" = c."threatId" WHERE c."id" = e."recordId" AND t."scenarioId" = @owner)
        WHEN 'deadline' THEN EXISTS (SELECT 1 FROM "Deadline" d LEFT JOIN "Threat" t ON t."id" = d."threatId"
          WHERE d."id" = e."recordId" AND (d."scenarioId" = @owner OR t."scenarioId" = @owner))
        WHEN 'event' THEN EXISTS (SELECT 1 FROM "Event" v WHERE v."id" = e."recordId" AND v."scenarioId" = @owner)
        ELSE 0 END AS "mine"
    FROM "StatusChange" e INDEXED BY "StatusChange_effectiveAt_seq_idx"
    WHERE (e."effectiveAt", e."seq") < (@afterAt, @afterSeq)
    ORDER BY e."effectiveAt" DESC, e."seq" DESC ${limitBy("@n")}`,
  threatFirstTerms: `SELECT "id", "measure", "covers", "ratePercent", "authority" FROM "Threat" WHERE "id" IN (SELECT value FROM json_each(?))`,
  // How many quotes each record holds on each side, recorded by then, counted up to QUOTES_COUNTED + 1 on the index.
  quoteCounts: `SELECT j."value" AS "recordId", ${STANCES.map(
    (stance) => `(SELECT COUNT(*) FROM (SELECT 1 FROM "Evidence" x INDEXED BY "Evidence_recordKind_recordId_stance_createdAt_idx"
      WHERE x."recordKind" = @kind AND x."recordId" = j."value" AND x."stance" = '${stance}' AND x."createdAt" <= @knownAt LIMIT ${QUOTES_COUNTED + 1})) AS "${stance}"`,
  ).join(", ")} FROM json_each(@ids) j`,
  // A record's first QUOTES_PER_SIDE quotes on one side recorded by then, in the order shown, on its index.
  quotesOnSide: `SELECT e."id", e."quote", e."stance", e."verification", s."id" AS "sourceId", s."title" AS "sourceTitle", a."id" AS "speakerId", a."name" AS "speakerName"
    FROM "Evidence" e INDEXED BY "Evidence_recordKind_recordId_stance_sourceId_startOffset_id_idx"
      JOIN "Source" s ON s."id" = e."sourceId" LEFT JOIN "Actor" a ON a."id" = e."speakerId"
    WHERE e."recordKind" = @kind AND e."recordId" = @id AND e."stance" = @stance AND e."createdAt" <= @knownAt
    ORDER BY e."sourceId", e."startOffset", e."id" LIMIT ${QUOTES_PER_SIDE}`,
} as const;

const statement = (db: Database.Database, name: keyof typeof SQL): Database.Statement => prepared(db, SQL[name]);

function countOf(db: Database.Database, name: keyof typeof SQL, owner: string): Count {
  const { n } = statement(db, name).get(owner) as { n: number };
  return n > COUNT_AT_MOST ? { n: COUNT_AT_MOST, more: true } : { n, more: false };
}

/**
 * The scenario's own deadlines, counted among its first OWN_COUNT_READS deadlines: exact when it has
 * no more; else more than COUNT_AT_MOST, or (most of them on its threats too) more than were found
 * less one (null: none found).
 */
function ownDeadlinesCount(db: Database.Database, scenarioId: string): Count | null {
  const { read, n } = statement(db, "otherDeadlinesCount").get(scenarioId) as { read: number; n: number };
  if (n > COUNT_AT_MOST) return { n: COUNT_AT_MOST, more: true };
  if (read < OWN_COUNT_READS) return { n, more: false };
  return n === 0 ? null : { n: n - 1, more: true };
}

/**
 * Up to `n` rows of a section in date order, undated last, after `after`: the dated rows after the
 * key, then the undated ones, each a range of the owner's (owner, date, id) index.
 */
function datedThenUndated<Row>(
  db: Database.Database,
  [dated, undated]: [keyof typeof SQL, keyof typeof SQL],
  owner: string,
  after: DatedKey | null,
  n: number,
): Row[] {
  const rows = after?.[0] === UNDATED ? [] : (statement(db, dated).all({ owner, afterDate: after?.[0] ?? "", afterId: after?.[1] ?? "", n }) as Row[]);
  // After a dated key every undated row follows; after an undated one, those after its id; after a key past '~', none.
  const undatedAfter = after === null || after[0] < UNDATED ? "" : after[0] === UNDATED ? after[1] : null;
  if (rows.length < n && undatedAfter !== null) rows.push(...(statement(db, undated).all({ owner, afterId: undatedAfter, n: n - rows.length }) as Row[]));
  return rows;
}

/**
 * One page of records of one kind in key order, keeping only those that existed at the read time:
 * batch by batch, until the page is full or ten times its length (at most SECTION_SCAN_BUDGET)
 * rows were examined. A page cut short by the budget resumes after the last row examined. At a
 * past knownAt, rows recorded after it are passed over without counting (decision 028), at most
 * PASSED_OVER_PER_BUDGET budgets of them, and read in growing batches.
 */
function pageAtReadTime<Row extends { id: string; elsewhere?: number }, K>(
  db: Database.Database,
  kind: TrackedKind,
  fetch: (after: K | null, n: number) => Row[],
  keyOf: (row: Row) => K,
  after: K | null,
  limit: number,
  time: ReadTime,
): { items: (Row & { asThen: AsThen })[]; next: K | null } {
  const kept: (Row & { asThen: AsThen })[] = [];
  let cursor = after;
  let examined = 0;
  let exhausted = false;
  const budget = Math.min(SECTION_SCAN_BUDGET, limit * 10);
  const passed = passedOverCounter(RECORD_KINDS[kind].collection, PASSED_OVER_PER_BUDGET * budget);
  let spread = 1;
  while (kept.length <= limit && examined < budget) {
    const n = Math.min(limit + 1, budget - examined) * spread;
    const rows = fetch(cursor, n);
    const recordedLater = recordedAfter(db, kind, rows, time);
    if (recordedLater.size > 0) spread = Math.min(spread * 2, 16);
    // The rows this batch may examine: up to the budget, those recorded later not counted.
    let room = budget - examined;
    const counted = rows.filter((r) => !recordedLater.has(r.id) && room-- > 0);
    // A row shown in another section (`elsewhere`) is examined, not kept.
    const states = statusesAt(
      db,
      kind,
      counted.filter((r) => !r.elsewhere).map((r) => r.id),
      time,
    );
    let consumed = 0;
    for (const row of rows) {
      if (examined >= budget || kept.length > limit) break;
      consumed += 1;
      cursor = keyOf(row);
      if (recordedLater.has(row.id)) {
        passed.passOver();
        continue;
      }
      examined += 1;
      const state = states.get(row.id);
      if (!state?.exists) continue;
      kept.push({ ...row, asThen: { status: state.status!, unconfirmed: state.byTerms, scheduled: state.scheduled, state } });
    }
    if (rows.length < n) {
      exhausted = consumed === rows.length;
      break;
    }
  }
  const items = kept.slice(0, limit);
  const next = kept.length > limit ? keyOf(items.at(-1)!) : exhausted ? null : cursor;
  return { items, next };
}

/** The rows recorded after a past knownAt (none at the present knowledge: nothing is recorded after now). */
function recordedAfter(db: Database.Database, kind: TrackedKind, rows: { id: string }[], time: ReadTime): Set<string> {
  if (rows.length === 0 || time.knownAt.getTime() >= time.now.getTime()) return new Set();
  const sql = `SELECT x."id" FROM json_each(?) j CROSS JOIN "${RECORD_KINDS[kind].table}" x ON x."id" = j.value WHERE x."createdAt" > ?`;
  const later = prepared(db, sql).all(JSON.stringify(rows.map((r) => r.id)), toSqlDate(time.knownAt)) as { id: string }[];
  return new Set(later.map((r) => r.id));
}

/** The scenario itself as it stood at the read time, or null when it did not exist then. */
export function scenarioAtReadTime(db: Database.Database, id: string, time: ReadTime) {
  const row = statement(db, "scenario").get(id) as { id: string; title: string; summary: string } | undefined;
  if (!row) return null;
  const state = statusesAt(db, "scenario", [id], time).get(id);
  if (!state?.exists) return null;
  const topics = (statement(db, "scenarioTopics").all(id) as { name: string }[]).map((t) => t.name);
  return { ...row, topics, asThen: { status: state.status!, unconfirmed: state.byTerms, scheduled: state.scheduled, state } satisfies AsThen };
}

/** A threat of this scenario (for a page of its conditions or deadlines), or null. */
export function threatOfScenario(db: Database.Database, scenarioId: string, threatId: string): { id: string; summary: string } | null {
  return (statement(db, "threatInScenario").get(threatId, scenarioId) as { id: string; summary: string } | undefined) ?? null;
}

type DeadlineRow = { id: string; dueAt: string | null; precision: string; wording: string; sortDate: string; elsewhere?: number };
export interface DeadlineCard {
  id: string;
  dueAt: Date | null;
  precision: string;
  wording: string;
  asThen: AsThen;
}

/** A deadline's dates then: its row, with the dates entries in effect laid over it. */
function deadlineCard(r: DeadlineRow & { asThen: AsThen }): DeadlineCard {
  const dates = r.asThen.state.dates;
  return {
    id: r.id,
    dueAt: "dueAt" in dates ? (dates.dueAt as Date | null) : fromSqlDate(r.dueAt),
    precision: (dates.precision as string | undefined) ?? r.precision,
    wording: (dates.wording as string | undefined) ?? r.wording,
    asThen: r.asThen,
  };
}

/** Deadlines by due date (undated last): a threat's, or the scenario's own (those on none of its threats). */
export function deadlinesPage(
  db: Database.Database,
  owner: { threatId: string } | { scenarioId: string },
  after: DatedKey | null,
  limit: number,
  time: ReadTime,
): SectionPage<DeadlineCard, DatedKey> {
  const ofThreat = "threatId" in owner;
  const id = ofThreat ? owner.threatId : owner.scenarioId;
  const ranges = ofThreat ? (["threatDeadlinesDated", "threatDeadlinesUndated"] as const) : (["otherDeadlinesDated", "otherDeadlinesUndated"] as const);
  const page = pageAtReadTime(
    db,
    "deadline",
    (a: DatedKey | null, n) => datedThenUndated<DeadlineRow>(db, [...ranges], id, a, n),
    (r) => [r.sortDate, r.id] as DatedKey,
    after,
    limit,
    time,
  );
  const total = !isPresent(time) ? null : ofThreat ? countOf(db, "threatDeadlinesCount", id) : ownDeadlinesCount(db, id);
  return { items: page.items.map(deadlineCard), next: page.next, total };
}

export interface ConditionCard {
  id: string;
  description: string;
  effect: string;
  awaitedActorId: string | null;
  awaitedActorName: string | null;
  asThen: AsThen;
}

/** A condition's effect and awaited actor then: its row (as known now), with the corrections recorded after the read's knownAt laid back. */
function conditionCards(db: Database.Database, items: ConditionCard[]): ConditionCard[] {
  const cards = items.map((c) => ({ ...c, ...(c.asThen.state.corrected as Partial<ConditionCard>) }));
  const stale = cards.filter((c) => "awaitedActorId" in c.asThen.state.corrected && c.awaitedActorId !== null);
  if (stale.length === 0) return cards;
  const names = new Map(
    (statement(db, "actorNames").all(JSON.stringify(stale.map((c) => c.awaitedActorId))) as { id: string; name: string }[]).map((a) => [a.id, a.name]),
  );
  return cards.map((c) =>
    "awaitedActorId" in c.asThen.state.corrected ? { ...c, awaitedActorName: c.awaitedActorId ? (names.get(c.awaitedActorId) ?? null) : null } : c,
  );
}

/** A threat's conditions, in id order. */
export function conditionsPage(db: Database.Database, threatId: string, after: IdKey | null, limit: number, time: ReadTime): SectionPage<ConditionCard, IdKey> {
  const page = pageAtReadTime(
    db,
    "condition",
    (a: IdKey | null, n) => statement(db, "conditions").all({ owner: threatId, afterId: a ?? "", n }) as Omit<ConditionCard, "asThen">[],
    (r) => r.id,
    after,
    limit,
    time,
  );
  return { ...page, items: conditionCards(db, page.items), total: isPresent(time) ? countOf(db, "conditionsCount", threatId) : null };
}

type ThreatRow = {
  id: string;
  summary: string;
  measure: string;
  covers: string;
  ratePercent: number | null;
  authority: string | null;
  magnitudeText: string | null;
  issuerName: string;
};
export interface ThreatCard extends Omit<ThreatRow, "measure" | "covers" | "ratePercent" | "authority"> {
  asThen: AsThen;
  termsThen: Terms;
  targetNames: string[];
  topics: string[];
  conditions: SectionPage<ConditionCard, IdKey>;
  deadlines: SectionPage<DeadlineCard, DatedKey>;
}

/** Threats in id order, each with its terms then and its first IN_CARD conditions and deadlines. */
export function threatsPage(db: Database.Database, scenarioId: string, after: IdKey | null, limit: number, time: ReadTime): SectionPage<ThreatCard, IdKey> {
  const page = pageAtReadTime(
    db,
    "threat",
    (a: IdKey | null, n) => statement(db, "threats").all({ owner: scenarioId, afterId: a ?? "", n }) as ThreatRow[],
    (r) => r.id,
    after,
    limit,
    time,
  );
  const ids = JSON.stringify(page.items.map((t) => t.id));
  const targets = groupBy(statement(db, "firstTargets").all(ids) as { threatId: string; actorId: string }[], "threatId");
  const topics = groupBy(statement(db, "threatTopics").all(ids) as { threatId: string; name: string }[], "threatId");
  const terms = page.items.map((t) =>
    termsThen(
      { measure: t.measure, ratePercent: t.ratePercent, authority: t.authority, covers: t.covers, targetIds: (targets.get(t.id) ?? []).map((x) => x.actorId) },
      t.asThen.state,
    ),
  );
  // A later terms entry may name actors not linked at first: names for every target then.
  const names = new Map(
    (statement(db, "actorNames").all(JSON.stringify([...new Set(terms.flatMap((x) => x.targetIds))])) as { id: string; name: string }[]).map((a) => [
      a.id,
      a.name,
    ]),
  );
  const items = page.items.map(({ measure: _m, covers: _c, ratePercent: _r, authority: _a, ...t }, i) => ({
    ...t,
    termsThen: terms[i]!,
    targetNames: terms[i]!.targetIds.map((id) => names.get(id) ?? id),
    topics: (topics.get(t.id) ?? []).map((x) => x.name),
    conditions: conditionsPage(db, t.id, null, IN_CARD, time),
    deadlines: deadlinesPage(db, { threatId: t.id }, null, IN_CARD, time),
  }));
  return { items, next: page.next, total: isPresent(time) ? countOf(db, "threatsCount", scenarioId) : null };
}

export interface EventCard {
  id: string;
  title: string;
  startsAt: Date | null;
  endsAt: Date | null;
  precision: string;
  wording: string;
  place: string | null;
  participants: string[];
  asThen: AsThen;
}

/** Events by start (undated last), with their dates then and their participants. */
export function eventsPage(db: Database.Database, scenarioId: string, after: DatedKey | null, limit: number, time: ReadTime): SectionPage<EventCard, DatedKey> {
  type Row = {
    id: string;
    title: string;
    startsAt: string | null;
    endsAt: string | null;
    precision: string;
    wording: string;
    place: string | null;
    sortDate: string;
  };
  const page = pageAtReadTime(
    db,
    "event",
    (a: DatedKey | null, n) => datedThenUndated<Row>(db, ["eventsDated", "eventsUndated"], scenarioId, a, n),
    (r) => [r.sortDate, r.id] as DatedKey,
    after,
    limit,
    time,
  );
  const participants = groupBy(
    statement(db, "participants").all(JSON.stringify(page.items.map((e) => e.id))) as { eventId: string; name: string }[],
    "eventId",
  );
  const items = page.items.map((e) => {
    const dates = e.asThen.state.dates;
    return {
      id: e.id,
      title: e.title,
      startsAt: "startsAt" in dates ? (dates.startsAt as Date | null) : fromSqlDate(e.startsAt),
      endsAt: "endsAt" in dates ? (dates.endsAt as Date | null) : fromSqlDate(e.endsAt),
      precision: (dates.precision as string | undefined) ?? e.precision,
      wording: (dates.wording as string | undefined) ?? e.wording,
      place: e.place,
      participants: (participants.get(e.id) ?? []).map((p) => p.name),
      asThen: e.asThen,
    };
  });
  return { items, next: page.next, total: isPresent(time) ? countOf(db, "eventsCount", scenarioId) : null };
}

/**
 * A scenario of at most this many records (as known then) has its timeline read from its records'
 * own entries, all of them visited (a few milliseconds at this size); a larger one walks the whole
 * history latest first instead, examining at most TIMELINE_SCAN_BUDGET entries a page (decision 031).
 */
export const TIMELINE_RECORDS_AT_MOST = 2_000;
/** Entries a large scenario's timeline page examines (recorded by then, the scenario's or not) before answering with what it found. */
export const TIMELINE_SCAN_BUDGET = 5_000;
/** Entries the walk reads at a time. */
const TIMELINE_BATCH = 500;

type EntryRow = { seq: number; recordKind: string; recordId: string; effectiveAt: string };

/**
 * The timeline, latest first: entries about the scenario's records recorded by then (retracted ones
 * shown). Only the histories of the records on the page are read, to say what each entry changed from.
 */
export function timelinePage(
  db: Database.Database,
  scenarioId: string,
  after: EntryKey | null,
  limit: number,
  time: ReadTime,
): SectionPage<TimelineEntry, EntryKey> {
  const at = { owner: scenarioId, knownAt: toSqlDate(time.knownAt) };
  const from: EntryKey = after ?? [UNDATED, 0];
  const { rows, next } = hasFewRecords(db, at, time) ? visitedPage(db, at, from, limit, time) : walkedPage(db, at, from, limit);
  const wanted = new Set(rows.map((r) => r.seq));
  const byEntry = new Map<number, TimelineEntry>();
  for (const [kind, ofKind] of groupBy(rows, "recordKind")) {
    const ids = [...new Set(ofKind.map((r) => r.recordId))];
    const firstTerms = kind === "threat" ? threatFirstTerms(db, ids) : new Map<string, Terms>();
    for (const [recordId, history] of historiesOf(db, kind, ids)) {
      for (const item of timelineKnownAt(history, time.knownAt, { ...firstTerms.get(recordId) })) {
        if (wanted.has(item.entry.seq)) byEntry.set(item.entry.seq, item);
      }
    }
  }
  return { items: rows.map((r) => byEntry.get(r.seq)!), next, total: null };
}

/**
 * Whether the scenario has at most TIMELINE_RECORDS_AT_MOST records known then: counted only as far
 * as that, records recorded later passed over (decision 028), so the answer at a past knownAt does
 * not change with what is recorded since. Past the ceiling of those it is taken as large (a walk).
 */
function hasFewRecords(db: Database.Database, at: { owner: string; knownAt: string }, time: ReadTime): boolean {
  // As known now every record counts: no need to read when each was recorded.
  if (time.knownAt.getTime() >= time.now.getTime()) {
    const { n } = statement(db, "timelineRecordsNow").get({ owner: at.owner, cap: TIMELINE_RECORDS_AT_MOST + 1 }) as { n: number };
    return n <= TIMELINE_RECORDS_AT_MOST;
  }
  let known = 0;
  let passed = 0;
  for (const r of statement(db, "timelineRecords").iterate(at) as Iterable<{ known: number }>) {
    if (!r.known) {
      if (++passed > PASSED_OVER_PER_BUDGET * TIMELINE_RECORDS_AT_MOST) return false;
    } else if (++known > TIMELINE_RECORDS_AT_MOST) return false;
  }
  return true;
}

/** The entries recorded after a past knownAt a timeline page may pass over: ten of the walk's budgets (decision 028). */
const timelinePassedOver = () => passedOverCounter("history entries", PASSED_OVER_PER_BUDGET * TIMELINE_SCAN_BUDGET);

/**
 * A small scenario's page: its records' entries visited, the latest kept. At a past knownAt the
 * entries recorded later are counted as they are skipped, against the walk's ceiling: the visit
 * reads every one of them, so past it the page is refused, naming knownAt.
 */
function visitedPage(
  db: Database.Database,
  at: { owner: string; knownAt: string },
  from: EntryKey,
  limit: number,
  time: ReadTime,
): { rows: EntryRow[]; next: EntryKey | null } {
  const params = { ...at, afterAt: from[0], afterSeq: from[1], n: limit + 1 };
  const rows = (
    time.knownAt.getTime() < time.now.getTime()
      ? passingOver(db, timelinePassedOver(), () => statement(db, "timelineCounted").all(params))
      : statement(db, "timeline").all(params)
  ) as EntryRow[];
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last ? [last.effectiveAt, last.seq] : null };
}

/**
 * A large scenario's page: the whole history walked latest first, up to TIMELINE_SCAN_BUDGET entries
 * recorded by then examined (those recorded later passed over, decision 028). A page cut short by
 * the budget resumes after the last entry examined.
 */
function walkedPage(db: Database.Database, at: { owner: string; knownAt: string }, from: EntryKey, limit: number): { rows: EntryRow[]; next: EntryKey | null } {
  const walk = statement(db, "timelineWalk");
  const passed = timelinePassedOver();
  const rows: EntryRow[] = [];
  let key = from;
  let examined = 0;
  for (;;) {
    const batch = walk.all({ ...at, afterAt: key[0], afterSeq: key[1], n: TIMELINE_BATCH }) as (EntryRow & { known: number; mine: number })[];
    for (const r of batch) {
      if (!r.known) {
        passed.passOver();
        key = [r.effectiveAt, r.seq];
        continue;
      }
      if (r.mine) {
        if (rows.length === limit) return { rows, next: key };
        rows.push(r);
      }
      key = [r.effectiveAt, r.seq];
      if (++examined === TIMELINE_SCAN_BUDGET) return { rows, next: key };
    }
    if (batch.length < TIMELINE_BATCH) return { rows, next: null };
  }
}

function threatFirstTerms(db: Database.Database, ids: string[]): Map<string, Terms> {
  const json = JSON.stringify(ids);
  const targets = groupBy(statement(db, "firstTargets").all(json) as { threatId: string; actorId: string }[], "threatId");
  const rows = statement(db, "threatFirstTerms").all(json) as {
    id: string;
    measure: string;
    covers: string;
    ratePercent: number | null;
    authority: string | null;
  }[];
  return new Map(
    rows.map((r) => [
      r.id,
      { measure: r.measure, ratePercent: r.ratePercent, authority: r.authority, covers: r.covers, targetIds: (targets.get(r.id) ?? []).map((t) => t.actorId) },
    ]),
  );
}

export interface Quote {
  id: string;
  quote: string;
  /** supports | disputes */
  stance: string;
  /** verbatim | unverified */
  verification: string;
  source: { id: string; title: string };
  speaker: { id: string; name: string } | null;
}

/** A record's quotes recorded by then: up to QUOTES_PER_SIDE on each side, and how many more the sides hold (counted up to QUOTES_COUNTED a side). */
export interface RecordQuotes {
  supports: Quote[];
  disputes: Quote[];
  notShown: Count;
}

/**
 * The quotes of the records on a page, by `kind|id`: each side of each record counted on its index,
 * then the first QUOTES_PER_SIDE of each side that holds any, read in the order shown.
 */
export function quotesOf(db: Database.Database, records: { kind: TrackedKind; id: string }[], time: ReadTime): Map<string, RecordQuotes> {
  type Row = {
    id: string;
    quote: string;
    stance: string;
    verification: string;
    sourceId: string;
    sourceTitle: string;
    speakerId: string | null;
    speakerName: string | null;
  };
  const knownAt = toSqlDate(time.knownAt);
  const result = new Map<string, RecordQuotes>();
  for (const [kind, ofKind] of groupBy(records, "kind")) {
    const counts = statement(db, "quoteCounts").all({ kind, ids: JSON.stringify([...new Set(ofKind.map((r) => r.id))]), knownAt }) as ({
      recordId: string;
    } & Record<(typeof STANCES)[number], number>)[];
    for (const count of counts) {
      if (STANCES.every((stance) => count[stance] === 0)) continue;
      const quotes: RecordQuotes = { supports: [], disputes: [], notShown: { n: 0, more: false } };
      for (const stance of STANCES) {
        if (count[stance] === 0) continue;
        const rows = statement(db, "quotesOnSide").all({ kind, id: count.recordId, stance, knownAt }) as Row[];
        quotes[stance].push(
          ...rows.map((r) => ({
            id: r.id,
            quote: r.quote,
            stance: r.stance,
            verification: r.verification,
            source: { id: r.sourceId, title: r.sourceTitle },
            speaker: r.speakerId ? { id: r.speakerId, name: r.speakerName! } : null,
          })),
        );
        quotes.notShown.n += Math.min(count[stance], QUOTES_COUNTED) - rows.length;
        if (count[stance] > QUOTES_COUNTED) quotes.notShown.more = true;
      }
      result.set(`${kind}|${count.recordId}`, quotes);
    }
  }
  return result;
}

function groupBy<T, K extends keyof T>(rows: T[], key: K): Map<T[K], T[]> {
  const groups = new Map<T[K], T[]>();
  for (const r of rows) {
    const g = groups.get(r[key]);
    if (g) g.push(r);
    else groups.set(r[key], [r]);
  }
  return groups;
}
