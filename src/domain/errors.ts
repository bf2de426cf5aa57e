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

export class VersionMismatchError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    // An If-Match that is no ETag of ours (NaN: `"1e2"`, `abc`, a list) names no version: say so, not "not NaN".
    super(
      Number.isNaN(expected)
        ? `The record is at version ${actual}; If-Match names no version of it (send the ETag a GET answers, "${actual}", or *); reload it and retry`
        : `The record is at version ${actual}, not ${expected}; reload it and retry`,
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
