import { entriesKnownAt, type HistoryEntry, isCreation } from "./history.ts";
import type { TrackedKind } from "./statuses.ts";

/**
 * Facts about a record that have no effective time of their own but are not descriptive text:
 * what a condition does to its threat (the consequence rules read it) and whose action it waits
 * on (the `actor` filters read it), what kind of commitment a commitment is. Recorded wrong, such
 * a fact is corrected, never edited in place: the correction is an entry of the record's history
 * (change "correction", values `{ from, to }`), effective from the record's creation (it corrects
 * what was stated) and recorded now, so an answer known before it keeps the value known then.
 *
 * The record's row holds the value as known now (a cache, refreshed with the other cached
 * columns), so reads in the present need no history; a read at a past `knownAt` lays the history
 * back over it (`correctedKnownAt`).
 */
export const CORRECTABLE_FACTS = { condition: ["effect", "awaitedActorId"], commitment: ["kind"] } as const satisfies Partial<
  Record<TrackedKind, readonly string[]>
>;

export type CorrectableKind = keyof typeof CORRECTABLE_FACTS;

export function isCorrectableKind(kind: string): kind is CorrectableKind {
  return kind in CORRECTABLE_FACTS;
}

/** A correction entry's values: the facts as they stood when it was recorded, and what they are now said to be. */
export interface Correction {
  from: Record<string, unknown>;
  to: Record<string, unknown>;
}

export function correctionOf(e: HistoryEntry): Correction {
  const values = (e.values ?? {}) as Partial<Correction>;
  return { from: values.from ?? {}, to: values.to ?? {} };
}

export type CorrectionPlan =
  | { ok: true; correction: Correction | null; effectiveAt: Date }
  | { ok: false; problem: "not-yet-created"; created: HistoryEntry | null };

/**
 * What a request to correct `requested` records, given the facts as they stand now (`current`,
 * the row): the facts that change, old and new (null when none does: nothing to record), effective
 * from the record's creation as known now.
 */
export function planCorrection(
  history: readonly HistoryEntry[],
  current: Record<string, unknown>,
  requested: Record<string, unknown>,
  now: Date,
): CorrectionPlan {
  const created = entriesKnownAt(history, now).find(isCreation) ?? null;
  if (!created) return { ok: false, problem: "not-yet-created", created: history.find(isCreation) ?? null };
  const changed = Object.keys(requested).filter((k) => requested[k] !== undefined && requested[k] !== current[k]);
  if (changed.length === 0) return { ok: true, correction: null, effectiveAt: created.effectiveAt };
  return {
    ok: true,
    correction: { from: Object.fromEntries(changed.map((k) => [k, current[k] ?? null])), to: Object.fromEntries(changed.map((k) => [k, requested[k]])) },
    effectiveAt: created.effectiveAt,
  };
}

const isLiveAt = (e: HistoryEntry, k: number) => e.recordedAt.getTime() <= k && !(e.retractedAt !== null && e.retractedAt.getTime() <= k);

/**
 * The corrected facts as known at `knownAt`, for each fact some correction names (the others are
 * the row's): the last correction (in recording order) known and not retracted then, or, when
 * none, the value the first correction of that fact replaced, which is the value as first stated.
 */
export function correctedKnownAt(history: readonly HistoryEntry[], knownAt: Date): Record<string, unknown> {
  const k = knownAt.getTime();
  const values: Record<string, unknown> = {};
  const corrections = history.filter((e) => e.change === "correction").sort((a, b) => a.seq - b.seq);
  for (const e of corrections) {
    const { from, to } = correctionOf(e);
    for (const key of Object.keys(to)) {
      if (!(key in values)) values[key] = from[key] ?? null;
      if (isLiveAt(e, k)) values[key] = to[key];
    }
  }
  return values;
}
