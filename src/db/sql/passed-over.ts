import { InvalidInputError } from "../../domain/errors.ts";

/**
 * At a past knownAt, a scan budget counts only rows recorded by then: rows recorded after it are
 * passed over without counting, so a page and its cursor are a function of the history as known
 * then (issue 9's promise). Passing over still costs reads, so it has a ceiling of its own, ten
 * budgets: past it the read answers 422 naming knownAt rather than another page (decision 028).
 */
export const PASSED_OVER_PER_BUDGET = 10;

/** Counts the rows a read passes over; throws once more than `atMost` (`what`: "deadlines", "events"…). */
export function passedOverCounter(what: string, atMost: number): { readonly count: number; passOver(): void } {
  let count = 0;
  return {
    get count() {
      return count;
    },
    passOver() {
      count += 1;
      if (count > atMost) throw tooMuchRecordedSince(what, atMost);
    },
  };
}

/** The answer of a read at a past knownAt that cannot give the page known then within its cost. */
export function tooMuchRecordedSince(what: string, atMost: number): InvalidInputError {
  return new InvalidInputError([
    {
      field: "query.knownAt",
      problem: `more than ${atMost.toLocaleString("en")} ${what} recorded after this instant lie in this page's way; ask with a later knownAt or narrower filters`,
    },
  ]);
}
