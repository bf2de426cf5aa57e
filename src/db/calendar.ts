import type Database from "better-sqlite3";
import { limitBy, prepared } from "./sql/prepared.ts";
import { toSqlDate } from "./sql-dates.ts";

/** A scenario's deadlines: its own, and those of its threats (each once). */
const SCENARIO_DEADLINES = `SELECT d."id", d."dueAt" FROM "Deadline" d INDEXED BY "Deadline_scenarioId_id_idx" WHERE d."scenarioId" = @scenario
  UNION ALL SELECT d."id", d."dueAt" FROM "Deadline" d JOIN "Threat" t ON t."id" = d."threatId" WHERE t."scenarioId" = @scenario AND d."scenarioId" IS NOT @scenario`;

/**
 * The ids of the `limit` deadlines first due nearest to `at` on one side of it (`after`: at or
 * after it), nearest first, of one scenario when given. Of a scenario, its deadlines are read by
 * its links and sorted: walked by the date index, a small scenario's filter rejected nearly every
 * row of a large database (0.6–3.2 s a side at 1M deadlines).
 */
export function deadlinesDueNearest(reader: Database.Database, at: Date, after: boolean, scenarioId: string | null, limit: number): string[] {
  const side = after ? `"dueAt" >= +@at ORDER BY "dueAt", "id"` : `"dueAt" < +@at ORDER BY "dueAt" DESC, "id"`;
  const sql =
    scenarioId === null
      ? `SELECT "id" FROM "Deadline" WHERE ${side} ${limitBy("@limit")}`
      : `WITH "linked"("id", "dueAt") AS (${SCENARIO_DEADLINES}) SELECT "id" FROM "linked" WHERE ${side} ${limitBy("@limit")}`;
  const params = { at: toSqlDate(at), limit, ...(scenarioId === null ? {} : { scenario: scenarioId }) };
  return (prepared(reader, sql).all(params) as { id: string }[]).map((r) => r.id);
}

/**
 * Events a dates entry moved or dated (the row keeps the dates first recorded), by id, at most
 * `limit`; of one scenario when given. The calendar feed weighs them at their dates then.
 */
export function eventsWithMovedDates(reader: Database.Database, scenarioId: string | null, limit: number): string[] {
  const sql = `SELECT e."id" FROM "Event" e WHERE e."id" IN (SELECT "recordId" FROM "StatusChange" WHERE "recordKind" = 'event' AND "change" = 'dates')${
    scenarioId === null ? "" : ` AND e."scenarioId" = ?`
  } ORDER BY e."id" ${limitBy("?")}`;
  return (prepared(reader, sql).all(...(scenarioId === null ? [] : [scenarioId]), limit) as { id: string }[]).map((r) => r.id);
}
