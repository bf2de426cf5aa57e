import type { TrackerDatabase } from "../db/client.ts";
import { unknownFilterIds } from "../db/records.ts";
import type { ReadTime } from "../db/sql/record-states.ts";
import { InvalidInputError } from "../domain/errors.ts";

/**
 * Refuses a list read (JSON or CSV) with a filter whose id names no record of its kind as known at
 * the read's knownAt: 422 naming each such parameter (`query.actor: no actor "gov-nope"`), before
 * the list's walk. The lists, the in-force view and the calendar feed call it with their query.
 */
export function refuseUnknownFilterIds(db: TrackerDatabase, query: Record<string, unknown>, time: ReadTime): void {
  const problems = unknownFilterIds(db.reader, query, time);
  if (problems.length > 0) throw new InvalidInputError(problems.map((p) => ({ field: `query.${p.field}`, problem: p.problem })));
}
