import { DATE_RANGE, parseAsOf } from "./dates.ts";
import type { FieldProblem } from "./errors.ts";

/**
 * The one rule for the two instants every read takes, used by the API, the desk and the CLI:
 * `asOf` (effective time) and `knownAt` (recorded time), each a calendar date (its end, UTC, so
 * the whole day counts) or an ISO-8601 instant with offset, within the tracker's one date range
 * (the same as for every date written). A `knownAt` later than now reads as now.
 */
export function parseReadInstant(value: string, field: string): Date | FieldProblem {
  const parsed = value.length <= 40 ? parseAsOf(value) : null;
  if (!parsed) {
    return {
      field,
      problem: `must be a date (YYYY-MM-DD, a real one) or an ISO-8601 date-time with offset, in the years ${DATE_RANGE.firstYear} to ${DATE_RANGE.lastYear}`,
    };
  }
  return parsed;
}

export interface ReadInstants {
  asOf?: Date;
  knownAt?: Date;
}

/** Both instants from raw strings (absent or empty: now), or the problems, each naming its field. */
export function parseReadInstants(raw: { asOf?: string | null; knownAt?: string | null }): ReadInstants | FieldProblem[] {
  const problems: FieldProblem[] = [];
  const result: ReadInstants = {};
  for (const field of ["asOf", "knownAt"] as const) {
    const value = raw[field];
    if (!value) continue;
    const parsed = parseReadInstant(value, field);
    if (parsed instanceof Date) result[field] = parsed;
    else problems.push(parsed);
  }
  return problems.length ? problems : result;
}
