import { entriesKnownAt, type HistoryEntry, isCreation, type RecordState, recordStateAt } from "./history.ts";
import { type Terms, termsThen } from "./terms.ts";

/** The measure whose rates add up in the totals (with a rate stated). */
export const TARIFF = "tariff";

/**
 * A rate is stated to at most this many decimals (0.35%, 7.5%), so a total is exact once rounded to
 * them: summed in floating point, 0.1 + 0.2 would read 0.30000000000000004.
 */
export const RATE_DECIMALS = 4;
const RATE_SCALE = 10 ** RATE_DECIMALS;

/**
 * Whether a rate is stated to at most RATE_DECIMALS decimals: it is the number those decimals name
 * (7.5 is 75000 / 10^4, 0.35 is 3500 / 10^4, each division rounded as the literal is), exactly. A
 * tolerance would let through 1e-11 or 5e-324, which no total adds up and every read shows as given.
 */
export const hasRateDecimals = (rate: number): boolean => Number.isFinite(rate) && Math.round(rate * RATE_SCALE) / RATE_SCALE === rate;

/** A sum of rates as the decimals they were stated to add up to. */
export const totalOfRates = (sum: number): number => Math.round(sum * RATE_SCALE) / RATE_SCALE;

/** A measure in force at a read time: its terms then, since when, and its next known status change. */
export interface InForceTerms extends Terms {
  /** When it came into force (the entry that made it "imposed"). */
  since: Date;
  /** The next known status change after the read's asOf (a suspension, an ending), if any. */
  until: Date | null;
  untilStatus: string | null;
}

/**
 * Whether a measure is in force in `state` (read at some asOf and knownAt) and on what terms:
 * "imposed" then, with its first terms and the terms entries in effect then laid over them.
 */
export function inForceTermsAt(first: Terms, state: RecordState): InForceTerms | null {
  if (!state.exists || state.status !== "imposed") return null;
  const next = state.scheduled.find((e) => e.change === "status");
  return Object.assign(termsThen(first, state), { since: state.statusEntry!.effectiveAt, until: next?.effectiveAt ?? null, untilStatus: next?.to ?? null });
}

/** What kind of upcoming change an entry is: a status change, a terms change, or a lapse (a status ending by its own terms). */
export function upcomingKindOf(e: HistoryEntry): "status" | "terms" | "lapse" {
  return e.byTerms ? "lapse" : e.change === "terms" ? "terms" : "status";
}

/** Bounds of a rectangle in (effective time × recorded time); null: open-ended. */
export interface Validity {
  effectiveFrom: Date;
  effectiveUntil: Date | null;
  knownFrom: Date;
  knownUntil: Date | null;
}

/** A stretch in force: the same terms for every asOf in [effectiveFrom, effectiveUntil) and knownAt in [knownFrom, knownUntil). */
export type InForcePeriod = InForceTerms & Validity;

/** An entry as `upcoming` reads it, counted for every knownAt in [knownFrom, knownUntil). */
export interface KnownChange {
  entry: HistoryEntry;
  /** The measure's kind when the change takes effect, as known over the row (a filter by measure reads it). */
  measure: string;
  knownFrom: Date;
  knownUntil: Date | null;
}

export interface InForceProjection {
  periods: InForcePeriod[];
  changes: KnownChange[];
}

const time = (d: Date | null) => (d === null ? "" : String(d.getTime()));

/** What makes two stretches the same: their effective bounds and everything the view shows of them. */
function stretchKey(effectiveFrom: Date, effectiveUntil: Date | null, t: InForceTerms): string {
  return JSON.stringify([
    time(effectiveFrom),
    time(effectiveUntil),
    t.measure,
    t.ratePercent,
    t.authority,
    t.covers,
    t.targetIds,
    time(t.since),
    time(t.until),
    t.untilStatus,
  ]);
}

/**
 * A measure's in-force periods and known changes, from its first terms and whole history, so that
 * for every (asOf, knownAt): the period containing it holds exactly `inForceTermsAt(first,
 * recordStateAt(history, asOf, knownAt))`, and the changes containing knownAt are exactly the
 * entries `recordStateAt` lists as scheduled for some asOf. Recorded time is cut at every
 * recording and retraction (between two such instants the entries known do not change), effective
 * time at every known entry's effective time (between two, the state does not change); equal
 * neighbours are merged. A lapse by terms is an entry with its own effective time, so a
 * suspension's end shows at `until` with no write then.
 */
export function inForceProjectionOf(first: Terms, history: readonly HistoryEntry[]): InForceProjection {
  const cuts = [...new Set(history.flatMap((e) => [e.recordedAt.getTime(), ...(e.retractedAt ? [e.retractedAt.getTime()] : [])]))].sort((a, b) => a - b);
  const periods: InForcePeriod[] = [];
  const changes: KnownChange[] = [];
  let openPeriods = new Map<string, InForcePeriod>();
  let openChanges = new Map<string, KnownChange>();
  for (const [i, cut] of cuts.entries()) {
    const knownFrom = new Date(cut);
    const knownUntil = i + 1 < cuts.length ? new Date(cuts[i + 1]!) : null;
    const entries = entriesKnownAt(history, knownFrom);
    const nextPeriods = new Map<string, InForcePeriod>();
    for (const stretch of stretchesOf(first, entries, knownFrom)) {
      const key = stretchKey(stretch.effectiveFrom, stretch.effectiveUntil, stretch.terms);
      const open = openPeriods.get(key);
      if (open) {
        open.knownUntil = knownUntil;
        nextPeriods.set(key, open);
      } else {
        const period = { ...stretch.terms, effectiveFrom: stretch.effectiveFrom, effectiveUntil: stretch.effectiveUntil, knownFrom, knownUntil };
        periods.push(period);
        nextPeriods.set(key, period);
      }
    }
    openPeriods = nextPeriods;
    const nextChanges = new Map<string, KnownChange>();
    // Scheduled changes count only once the creation is known (RecordState.scheduled).
    const counted = entries.some(isCreation) ? entries : [];
    for (const entry of counted) {
      // A correction of the measure's kind recorded later starts a new row: the earlier one held until then.
      const measure = measureWhen(first, entries, entry, knownFrom);
      const key = `${entry.seq}|${measure}`;
      const open = openChanges.get(key);
      if (open) open.knownUntil = knownUntil;
      const change = open ?? { entry, measure, knownFrom, knownUntil };
      if (!open) changes.push(change);
      nextChanges.set(key, change);
    }
    openChanges = nextChanges;
  }
  return { periods, changes };
}

/** How the projection's open rows (valid until further notice) change when the history gains entries or retractions recorded at `now`. */
export interface ProjectionStep {
  closedPeriods: InForcePeriod[];
  addedPeriods: InForcePeriod[];
  closedSeqs: number[];
  addedChanges: KnownChange[];
}

/**
 * The projection carried forward to a new last cut `now`, from its open rows: every earlier cut
 * is unchanged (history is append-only and recorded at the clock's time), so only the state
 * known at `now` is evaluated, once, where `inForceProjectionOf` evaluates every cut. Open
 * periods that still hold stay open; the others close at `now`; new ones open at `now`. Valid
 * only when nothing in `history` is recorded or retracted after `now`.
 */
export function inForceProjectionStep(
  first: Terms,
  history: readonly HistoryEntry[],
  open: { periods: readonly InForcePeriod[]; seqs: readonly number[] },
  now: Date,
): ProjectionStep {
  const entries = entriesKnownAt(history, now);
  const stretches = new Map(stretchesOf(first, entries, now).map((s) => [stretchKey(s.effectiveFrom, s.effectiveUntil, s.terms), s]));
  const openKeys = new Set(open.periods.map((p) => stretchKey(p.effectiveFrom, p.effectiveUntil, p)));
  const counted = entries.some(isCreation) ? entries : [];
  const countedSeqs = new Set(counted.map((e) => e.seq));
  const openSeqs = new Set(open.seqs);
  return {
    closedPeriods: open.periods.filter((p) => !stretches.has(stretchKey(p.effectiveFrom, p.effectiveUntil, p))),
    addedPeriods: [...stretches.entries()]
      .filter(([key]) => !openKeys.has(key))
      .map(([, s]) => ({ ...s.terms, effectiveFrom: s.effectiveFrom, effectiveUntil: s.effectiveUntil, knownFrom: now, knownUntil: null })),
    closedSeqs: open.seqs.filter((seq) => !countedSeqs.has(seq)),
    addedChanges: counted
      .filter((e) => !openSeqs.has(e.seq))
      .map((entry) => ({ entry, measure: measureWhen(first, entries, entry, now), knownFrom: now, knownUntil: null })),
  };
}

/** The measure's kind when `entry` takes effect, from the entries known at `knownAt`. */
function measureWhen(first: Terms, entries: readonly HistoryEntry[], entry: HistoryEntry, knownAt: Date): string {
  return termsThen(first, recordStateAt(entries, entry.effectiveAt, knownAt)).measure;
}

/**
 * Whether a write recorded (or retracted) at `now` changed a measure's kind as known: the open
 * upcoming rows carry the kind then, so the projection is then rewritten, not carried forward.
 */
export function changesMeasureKind(history: readonly HistoryEntry[], now: Date): boolean {
  const at = now.getTime();
  return history.some(
    (e) => e.change === "terms" && e.values !== null && "measure" in e.values && (e.recordedAt.getTime() === at || e.retractedAt?.getTime() === at),
  );
}

/** At one knownAt: the effective stretches in force, each with its terms, adjacent equal ones merged. */
function stretchesOf(
  first: Terms,
  entries: readonly HistoryEntry[],
  knownAt: Date,
): { effectiveFrom: Date; effectiveUntil: Date | null; terms: InForceTerms }[] {
  const instants = [...new Set(entries.map((e) => e.effectiveAt.getTime()))].sort((a, b) => a - b);
  const stretches: { effectiveFrom: Date; effectiveUntil: Date | null; terms: InForceTerms }[] = [];
  let last: { effectiveFrom: Date; effectiveUntil: Date | null; terms: InForceTerms; key: string } | null = null;
  for (const [j, at] of instants.entries()) {
    const effectiveUntil = j + 1 < instants.length ? new Date(instants[j + 1]!) : null;
    // `entries` are those known at knownAt already: reading them again at knownAt changes nothing.
    const terms = inForceTermsAt(first, recordStateAt(entries, new Date(at), knownAt));
    if (!terms) {
      last = null;
      continue;
    }
    const key = JSON.stringify(terms);
    if (last && last.key === key) {
      last.effectiveUntil = effectiveUntil;
      continue;
    }
    last = { effectiveFrom: new Date(at), effectiveUntil, terms, key };
    stretches.push(last);
  }
  return stretches.map(({ effectiveFrom, effectiveUntil, terms }) => ({ effectiveFrom, effectiveUntil, terms }));
}

/** One row of the in-force view's items. */
export interface InForceItem extends Terms {
  threatId: string;
  issuerId: string;
  measure: string;
  summary: string;
  since: string;
  until: string | null;
  untilStatus: string | null;
  /** In force only by the terms of an earlier entry (a suspension's end), not confirmed by a report with evidence. */
  unconfirmed: boolean;
}

export interface RateComponent {
  threatId: string;
  /** Who issued the measure: the pair's issuer, or a person speaking for it. */
  issuerId: string;
  ratePercent: number;
  authority: string | null;
}

/**
 * The side a measure's tariff counts for in the totals: a person who speaks for a government
 * (a president, a minister) issues on that government's behalf, so "US → China" adds up the
 * measures of the US government and of its people; anyone else issues for themselves.
 */
export const issuingSideOf = (issuer: { id: string; governmentId: string | null }): string => issuer.governmentId ?? issuer.id;

export interface PairTotal {
  /** The issuing side (see issuingSideOf): a government, counting its people's measures. */
  issuerId: string;
  targetId: string;
  ratePercent: number;
  /** How many measures make up the total; `components` lists at most COMPONENTS_PER_PAIR of them. */
  componentCount: number;
  components: RateComponent[];
}

/** A pair's total lists this many of its measures at most (the highest rates first); its sum and count cover all. */
export const COMPONENTS_PER_PAIR = 20;

export interface UpcomingChange {
  threatId: string;
  summary: string;
  /** status, terms, or lapse (a status ending by its own terms, e.g. a suspension's end). */
  change: "status" | "terms" | "lapse";
  to: string | null;
  values: Record<string, unknown> | null;
  effectiveAt: string;
  reason: string;
}

export interface InForceView {
  items: InForceItem[];
  totals: PairTotal[];
  upcoming: UpcomingChange[];
}
