import type Database from "better-sqlite3";
import { isDisputed } from "../domain/evidence.ts";
import { perConnection } from "./sql/prepared.ts";

const BOOLEAN_COLUMNS = new Set(["isAdditional", "publishedAtInferred", "correction", "pendingInexact", "datesMoved"]);
const DATE_COLUMNS = new Set(["pendingFrom", "pendingUntil", "pendingKnownFrom", "statusUntil", "dueAtEarliest", "dueAtLatest"]);
const isDateColumn = (name: string) => name.endsWith("At") || DATE_COLUMNS.has(name);

/** "2025-11-01T00:00:00.000+00:00" (how the adapter stores DateTime) as "2025-11-01T00:00:00.000Z", without parsing. */
function isoDate(v: string): string {
  return v.length === 29 && v.endsWith("+00:00") ? `${v.slice(0, 23)}Z` : new Date(v).toISOString();
}

/** A raw row as the Prisma client would return it, once serialised: dates in ISO form, booleans as booleans. */
function asRecord(row: Record<string, unknown>): Record<string, unknown> {
  for (const k in row) {
    const v = row[k];
    if (typeof v === "string" && isDateColumn(k)) row[k] = isoDate(v);
    else if (BOOLEAN_COLUMNS.has(k)) row[k] = v === 1;
  }
  return row;
}

function statementsFor(db: Database.Database) {
  return {
    threat: db.prepare(`SELECT * FROM "Threat" WHERE "id" = ?`),
    scenario: db.prepare(`SELECT "id", "title", "status" FROM "Scenario" WHERE "id" = ?`),
    actor: db.prepare(`SELECT * FROM "Actor" WHERE "id" = ?`),
    targets: db.prepare(`SELECT "actorId" FROM "ThreatTarget" WHERE "threatId" = ? AND "initial" = 1 ORDER BY "actorId"`),
    topics: db.prepare(`SELECT tp.* FROM "Topic" tp JOIN "_ThreatToTopic" tt ON tt."B" = tp."id" WHERE tt."A" = ? ORDER BY tp."id"`),
    conditions: db.prepare(
      `SELECT c.*, a."id" AS "a_id", a."name" AS "a_name", a."kind" AS "a_kind" FROM "Condition" c LEFT JOIN "Actor" a ON a."id" = c."awaitedActorId" WHERE c."threatId" = ? ORDER BY c."id"`,
    ),
    deadlinesOfCondition: db.prepare(`SELECT * FROM "Deadline" WHERE "conditionId" = ? ORDER BY "id"`),
    deadlinesOfThreat: db.prepare(`SELECT * FROM "Deadline" WHERE "threatId" = ? ORDER BY "dueAt", "id"`),
    evidence: db.prepare(
      `SELECT e.*, s."id" AS "s_id", s."title" AS "s_title", s."publisher" AS "s_publisher", s."url" AS "s_url", s."publishedAt" AS "s_publishedAt", s."kind" AS "s_kind", sp."name" AS "sp_name"
       FROM "Evidence" e JOIN "Source" s ON s."id" = e."sourceId" LEFT JOIN "Actor" sp ON sp."id" = e."speakerId" WHERE e."recordKind" = 'threat' AND e."recordId" = ? ORDER BY e."sourceId", e."startOffset"`,
    ),
  };
}

const statements = perConnection(statementsFor);

/**
 * A threat with its links and evidence, in exactly the shape `getRecord` gives through
 * Prisma (a test holds the two equal), read with prepared statements: the hottest detail read.
 */
export function threatDetail(reader: Database.Database, id: string): Record<string, unknown> | null {
  const st = statements(reader);
  const threat = st.threat.get(id) as Record<string, any> | undefined;
  if (!threat) return null;
  const actor = (actorId: string | null) => (actorId ? asRecord(st.actor.get(actorId) as Record<string, unknown>) : null);
  const conditions = (st.conditions.all(id) as Record<string, any>[]).map(({ a_id, a_name, a_kind, ...c }) => ({
    ...asRecord(c),
    awaitedActor: a_id ? { id: a_id, name: a_name, kind: a_kind } : null,
    deadlines: (st.deadlinesOfCondition.all(c.id) as Record<string, unknown>[]).map(asRecord),
  }));
  const evidence = (st.evidence.all(id) as Record<string, any>[]).map(({ s_id, s_title, s_publisher, s_url, s_publishedAt, s_kind, sp_name, ...e }) => ({
    ...(asRecord(e) as { stance: string }),
    source: { id: s_id, title: s_title, publisher: s_publisher, url: s_url, publishedAt: isoDate(s_publishedAt), kind: s_kind },
    speaker: e.speakerId ? { id: e.speakerId, name: sp_name } : null,
  }));
  return {
    ...asRecord(threat),
    scenario: st.scenario.get(threat.scenarioId),
    issuer: actor(threat.issuerId),
    targets: st.targets.all(id),
    topics: st.topics.all(id),
    conditions,
    deadlines: (st.deadlinesOfThreat.all(id) as Record<string, unknown>[]).map(asRecord),
    evidence,
    disputed: isDisputed(evidence),
  };
}
