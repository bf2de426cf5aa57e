import type { HistoryEntry } from "./history.ts";

/** Errors the domain and persistence layers raise; the API maps each to a problem+json status. */
export interface FieldProblem {
  field: string;
  problem: string;
}

export class NotFoundError extends Error {
  constructor(
    readonly kind: string,
    readonly id: string,
    /** Why it is not there, when it exists at other times ("at that time"). */
    readonly when?: string,
  ) {
    super(when ? `No ${kind} with id "${id}" ${when}: it was not yet recorded as existing then` : `No ${kind} with id "${id}"`);
  }
}

export class InvalidInputError extends Error {
  constructor(readonly errors: FieldProblem[]) {
    super(errors.map((e) => `${e.field}: ${e.problem}`).join("; "));
  }
}

export class TransitionNotAllowedError extends Error {
  constructor(
    readonly kind: string,
    readonly from: string,
    readonly to: string,
    readonly allowed: readonly string[],
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * The versions a write's If-Match accepts (RFC 9110 §13.1.1), under strong comparison: those its
 * strong entity tags name ("3"; in a list, any of them). `weak`: it held weak tags (W/"3"), which
 * never match; `malformed`: it was no list of entity tags. No If-Match, or `*`: any version.
 */
export interface ExpectedVersions {
  versions: readonly number[];
  weak: boolean;
  malformed: boolean;
}

/** Refuses a write to a record at `actual` unless the client's If-Match accepts that version. */
export function checkExpectedVersion(expected: ExpectedVersions | undefined, actual: number): void {
  if (expected !== undefined && !expected.versions.includes(actual)) throw new VersionMismatchError(expected, actual);
}

export class VersionMismatchError extends Error {
  constructor(
    readonly expected: ExpectedVersions,
    readonly actual: number,
  ) {
    const send = `send the ETag a GET answers, "${actual}", or *`;
    // An If-Match that is no ETag of ours (`"1e2"`, `abc`, `"1" "2"`) names no version: say so.
    super(
      expected.versions.length > 0
        ? `The record is at version ${actual}, not ${expected.versions.join(" or ")}; reload it and retry`
        : expected.weak && !expected.malformed
          ? `The record is at version ${actual}; If-Match compares strongly, so a weak tag (W/"…") never matches: ${send}`
          : `The record is at version ${actual}; If-Match names no version of it (${send}); reload it and retry`,
    );
  }
}

export class ConflictError extends Error {
  constructor(
    message: string,
    /** The input field the conflict is about, when one is (an account's `name`). */
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * A change that would break a record's history in effective-time order: it would take effect
 * before the record existed, or a later entry could no longer follow it.
 */
export class ChainConflictError extends Error {
  constructor(
    message: string,
    readonly conflictsWith: HistoryEntry | null,
    readonly allowed: readonly string[],
  ) {
    super(message);
  }
}

/** A read that ran past the request's time limit: stopped between two batches, so the server is free again. */
export class ReadStoppedError extends Error {}
