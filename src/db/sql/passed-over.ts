import type Database from "better-sqlite3";
import { InvalidInputError } from "../../domain/errors.ts";

/**
 * At a past knownAt, a scan budget counts only rows recorded by then: rows recorded after it are
 * passed over without counting, so a page and its cursor are a function of the history as known
 * then (issue 9's promise). Passing over still costs reads, so it has a ceiling of its own, ten
 * budgets: past it the read answers 422 naming knownAt rather than another page (decision 028).
 */
export const PASSED_OVER_PER_BUDGET = 10;

const ADVICE = "ask with a later knownAt or narrower filters";

/** Counts the rows a read passes over; throws once more than `atMost` (`what`: "deadlines", "events"…; `advice`: what to ask instead). */
export function passedOverCounter(what: string, atMost: number, advice = ADVICE): { readonly count: number; passOver(): void } {
  let count = 0;
  return {
    get count() {
      return count;
    },
    passOver() {
      count += 1;
      if (count > atMost) throw tooMuchRecordedSince(what, atMost, advice);
    },
  };
}

/** The answer of a read at a past knownAt that cannot give the page known then within its cost. */
export function tooMuchRecordedSince(what: string, atMost: number, advice = ADVICE): InvalidInputError {
  return new InvalidInputError([
    {
      field: "query.knownAt",
      problem: `more than ${atMost.toLocaleString("en")} ${what} recorded after this instant lie in this page's way; ${advice}`,
    },
  ]);
}

/** A read's count of the rows it passed over, against its ceiling. */
export type PassedOver = ReturnType<typeof passedOverCounter>;
/** The counter `passed_over()` counts on: set for one synchronous read by `passingOver`. */
let counting: PassedOver | null = null;
const registered = new WeakSet<Database.Database>();

/**
 * Runs `read` with SQL's `passed_over()` counting on `passed`, registered on `db` first (prepare
 * statements that call it inside `read`, or after a first call). A statement writes its knownAt
 * filter `(x."createdAt" <= @knownAt OR passed_over())`: SQLite still skips a row recorded later
 * inside the walk, at its own cost, but counts it, and the walk stops with the 422 past the
 * ceiling. Only rows recorded later call into JavaScript (SQLite evaluates the OR's right side only
 * when its left is false).
 */
export function passingOver<T>(db: Database.Database, passed: PassedOver, read: () => T): T {
  if (!registered.has(db)) {
    db.function("passed_over", { deterministic: false }, () => {
      if (!counting) throw new Error("passed_over() called outside passingOver");
      counting.passOver();
      return 0;
    });
    registered.add(db);
  }
  const outer = counting;
  counting = passed;
  try {
    return read();
  } finally {
    counting = outer;
  }
}
