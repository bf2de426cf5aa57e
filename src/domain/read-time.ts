import { parseAsOf } from "./dates.ts";
import type { FieldProblem } from "./errors.ts";
import { MAX_SCHEDULE_YEARS } from "./history.ts";

/**
 * The one rule for the two instants every read takes, used by the API, the desk and the CLI:
 * `asOf` (effective time) and `knownAt` (recorded time), each a calendar date (its end, UTC, so
 * the whole day counts) or an ISO-8601 instant with offset, between 1900 and ten years ahead
 * (the furthest a change may be announced). A `knownAt` later than now reads as now.
 */
export const EARLIEST_READ_YEAR = 1900;

export function parseReadInstant(value: string, field: string, now = new Date()): Date | FieldProblem {
  const parsed = value.length <= 40 ? parseAsOf(value) : null;
  if (!parsed) return { field, problem: "must be a date (YYYY-MM-DD, a real one) or an ISO-8601 date-time with offset" };
  const latest = now.getUTCFullYear() + MAX_SCHEDULE_YEARS;
  const year = parsed.getUTCFullYear();
  if (year < EARLIEST_READ_YEAR || year > latest) return { field, problem: `must fall between ${EARLIEST_READ_YEAR} and ${latest}` };
  return parsed;
}

export interface ReadInstants {
  asOf?: Date;
  knownAt?: Date;
}

/** Both instants from raw strings (absent or empty: now), or the problems, each naming its field. */
export function parseReadInstants(raw: { asOf?: string | null; knownAt?: string | null }, now = new Date()): ReadInstants | FieldProblem[] {
  const problems: FieldProblem[] = [];
  const result: ReadInstants = {};
  for (const field of ["asOf", "knownAt"] as const) {
    const value = raw[field];
    if (!value) continue;
    const parsed = parseReadInstant(value, field, now);
    if (parsed instanceof Date) result[field] = parsed;
    else problems.push(parsed);
  }
  return problems.length ? problems : result;
}
