/** Errors the domain and persistence layers raise; the API maps each to a problem+json status. */
export interface FieldProblem {
  field: string;
  problem: string;
}

export class NotFoundError extends Error {
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`No ${kind} with id "${id}"`);
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
    super(`The record is at version ${actual}, not ${expected}; reload it and retry`);
  }
}

export class ConflictError extends Error {}
