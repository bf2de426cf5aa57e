import type Database from "better-sqlite3";
import { recordStateAt } from "../../domain/history.ts";
import { targetIdsThen } from "../../domain/terms.ts";
import { historiesOf } from "./history.ts";
import { prepared } from "./prepared.ts";

/**
 * SQL: whether the threat whose id is `threatIdColumn` has a terms entry, so that its targets may
 * differ from those it was first stated with (only those are read from their history, targetingOf).
 */
export const termsChangedSql = (threatIdColumn: string) =>
  `EXISTS (SELECT 1 FROM "StatusChange" sc WHERE sc."recordKind" = 'threat' AND sc."recordId" = ${threatIdColumn} AND sc."change" = 'terms')`;

/**
 * Whether some threats target `actorId` at an effective time, as known at `knownAt`. ThreatTarget
 * lists every actor a threat's terms ever named (it finds the candidates); whom a threat targets
 * then is its first targets with the terms entries in effect then laid over them, read from its
 * history (read once here, for every time asked). See decision 020.
 */
export function targetingOf(
  reader: Database.Database,
  threatIds: readonly string[],
  actorId: string,
  knownAt: Date,
): (threatId: string, asOf: Date) => boolean {
  const ids = [...new Set(threatIds)];
  const histories = historiesOf(reader, "threat", ids);
  const firstTargeting = new Set(
    prepared(reader, `SELECT "threatId" FROM "ThreatTarget" WHERE "actorId" = +? AND "initial" = 1 AND "threatId" IN (SELECT value FROM json_each(?))`)
      .pluck()
      .all(actorId, JSON.stringify(ids)) as string[],
  );
  // The first targets matter here only as far as this actor is one of them.
  return (threatId, asOf) =>
    targetIdsThen(firstTargeting.has(threatId) ? [actorId] : [], recordStateAt(histories.get(threatId) ?? [], asOf, knownAt)).includes(actorId);
}
