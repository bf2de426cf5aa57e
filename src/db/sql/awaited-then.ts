import type Database from "better-sqlite3";
import { correctedKnownAt } from "../../domain/corrections.ts";
import { historiesOf } from "./history.ts";
import { prepared } from "./prepared.ts";

/**
 * The conditions a correction of `awaitedActorId` moved from or to `actorId`, read on the partial
 * index of corrections (migration 20261205200000), which holds only the few corrections: as known
 * before such a correction, the condition may have waited on the actor its row no longer names.
 */
export function awaitedOnceBy(reader: Database.Database, actorId: string): string[] {
  const sql = `SELECT DISTINCT "recordId" FROM "StatusChange" WHERE "change" = 'correction' AND "recordKind" = 'condition'
    AND (json_extract("values", '$.from.awaitedActorId') = @actorId OR json_extract("values", '$.to.awaitedActorId') = @actorId)`;
  return prepared(reader, sql).pluck().all({ actorId }) as string[];
}

/**
 * Where the awaited actor as known at `knownAt` and the row's (as known now) disagree about
 * `actorId`: the conditions that waited on it then and whose row names another (`gained`), and
 * those whose row names it and that waited on another then (`lost`). Both empty without
 * corrections of it, which is what a filter in the present reads.
 */
export function awaitedThenBy(reader: Database.Database, actorId: string, knownAt: Date): { gained: string[]; lost: string[] } {
  const ids = awaitedOnceBy(reader, actorId);
  const gained: string[] = [];
  const lost: string[] = [];
  if (ids.length === 0) return { gained, lost };
  const rows = prepared(reader, `SELECT "id", "awaitedActorId" FROM "Condition" WHERE "id" IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as {
    id: string;
    awaitedActorId: string | null;
  }[];
  const histories = historiesOf(reader, "condition", ids);
  for (const row of rows) {
    const corrected = correctedKnownAt(histories.get(row.id) ?? [], knownAt);
    const then = "awaitedActorId" in corrected ? corrected.awaitedActorId : row.awaitedActorId;
    if (then === actorId && row.awaitedActorId !== actorId) gained.push(row.id);
    if (then !== actorId && row.awaitedActorId === actorId) lost.push(row.id);
  }
  return { gained, lost };
}
