import type Database from "better-sqlite3";
import { targetIdsThen } from "../../domain/terms.ts";
import { prepared } from "./prepared.ts";
import { type ReadTime, statusesAt } from "./record-states.ts";

/**
 * Which of some threats target `actorId` at a read time. ThreatTarget lists every actor a
 * threat's terms ever named (it finds the candidates); whom a threat targets then is its first
 * targets with the terms entries in effect then laid over them, read from its history.
 */
export function threatsTargetingAt(reader: Database.Database, threatIds: readonly string[], actorId: string, time: ReadTime): Set<string> {
  const ids = [...new Set(threatIds)];
  const states = statusesAt(reader, "threat", ids, time);
  const firstTargeting = new Set(
    prepared(reader, `SELECT "threatId" FROM "ThreatTarget" WHERE "actorId" = +? AND "initial" = 1 AND "threatId" IN (SELECT value FROM json_each(?))`)
      .pluck()
      .all(actorId, JSON.stringify(ids)) as string[],
  );
  // The first targets matter here only as far as this actor is one of them.
  return new Set(ids.filter((id) => targetIdsThen(firstTargeting.has(id) ? [actorId] : [], states.get(id) ?? { terms: {} }).includes(actorId)));
}
