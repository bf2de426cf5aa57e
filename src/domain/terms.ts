import { entriesKnownAt, type HistoryEntry, isCreation, isWithinScheduleHorizon, type RecordState, recordStateAt } from "./history.ts";

/**
 * A measure's terms: what kind of measure it is, its rate, legal basis, scope and targets. Each is
 * a fact about the world that answers depend on (the totals add up tariffs only), so none is edited
 * in place: the terms as first recorded live
 * on the threat; every later change is a terms entry in its history (values: the terms it
 * changes), with an effective time like any entry, so the terms at (asOf, knownAt) are the first
 * ones with the entries in effect then laid over them, in effective order.
 */
export interface Terms {
  /** tariff, export-control, sanction… (MEASURES): a correction of a mis-recorded kind is a terms entry back-dated to the creation. */
  measure: string;
  ratePercent: number | null;
  authority: string | null;
  covers: string;
  targetIds: string[];
}

/** The terms at a read time: the first terms with the changes in effect then (RecordState.terms). */
export function termsThen(first: Terms, state: Pick<RecordState, "terms">): Terms {
  const changed = state.terms;
  return {
    measure: "measure" in changed ? (changed.measure as string) : first.measure,
    ratePercent: "ratePercent" in changed ? (changed.ratePercent as number | null) : first.ratePercent,
    authority: "authority" in changed ? (changed.authority as string | null) : first.authority,
    covers: "covers" in changed ? (changed.covers as string) : first.covers,
    targetIds: targetIdsThen(first.targetIds, state),
  };
}

/** Whom a measure targets at a read time: its first targets, unless a terms entry in effect then named others. */
export function targetIdsThen(first: string[], state: Pick<RecordState, "terms">): string[] {
  return "targetIds" in state.terms ? (state.terms.targetIds as string[]) : first;
}

export type TermsChangePlan =
  | { ok: true }
  | { ok: false; problem: "too-far-ahead" }
  | { ok: false; problem: "not-yet-created"; created: HistoryEntry | null }
  /** Every term given is the one in effect then: each with that value, in the order given. */
  | { ok: false; problem: "changes-nothing"; unchanged: { term: keyof Terms; value: unknown }[] };

/** Targets are a set: the same actors in another order, or named twice, are the same targets. */
function isSameTerm(term: keyof Terms, a: unknown, b: unknown): boolean {
  if (term !== "targetIds") return a === b;
  const [x, y] = [new Set(a as string[]), new Set(b as string[])];
  return x.size === y.size && [...x].every((id) => y.has(id));
}

/**
 * Whether a terms change may take effect at `effectiveAt`: once the measure exists, at most ten
 * years ahead, and changing at least one of the terms in effect then (as known now), which start
 * from `first` (as first recorded): an entry changing none would say nothing, yet show as a change.
 */
export function planTermsChange(history: readonly HistoryEntry[], first: Terms, change: Partial<Terms>, effectiveAt: Date, now: Date): TermsChangePlan {
  if (!isWithinScheduleHorizon(effectiveAt, now)) return { ok: false, problem: "too-far-ahead" };
  const created = entriesKnownAt(history, now).find(isCreation) ?? null;
  if (!created || created.effectiveAt.getTime() > effectiveAt.getTime()) return { ok: false, problem: "not-yet-created", created };
  const then = termsThen(first, recordStateAt(history, effectiveAt, now));
  const given = (Object.keys(change) as (keyof Terms)[]).filter((term) => change[term] !== undefined);
  const unchanged = given.filter((term) => isSameTerm(term, then[term], change[term]));
  if (unchanged.length === given.length) return { ok: false, problem: "changes-nothing", unchanged: unchanged.map((term) => ({ term, value: then[term] })) };
  return { ok: true };
}
