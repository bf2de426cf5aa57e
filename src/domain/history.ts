import { allowedNextStatuses, checkTransition, requiresNewDate, requiresSuccessor } from "./lifecycle.ts";
import type { TrackedKind } from "./statuses.ts";

/**
 * The time model. Every history entry has an effective time (when it holds in the world,
 * given by the user) and a recorded time (when the tracker learnt it, the server's clock).
 * Every answer is read at two instants: `asOf` (effective time) and `knownAt` (recorded time).
 * These functions are pure: db/ loads a record's entries and calls them; nothing else decides
 * what held when.
 */

/**
 * What an entry changes: the status (creation included), a record's dates, a threat's terms, or a
 * fact recorded wrong (src/domain/corrections.ts: it holds at every asOf, from its recorded time).
 */
export type ChangeKind = "status" | "dates" | "terms" | "correction";

export interface HistoryEntry {
  seq: number;
  recordKind: string;
  recordId: string;
  change: ChangeKind;
  /** The status in effect when it was recorded (informational: views recompute it). Null for a creation. */
  from: string | null;
  /** The new status (status entries). */
  to: string | null;
  /** The new values of a dates entry (dueAt or startsAt/endsAt, precision, wording). */
  values: Record<string, unknown> | null;
  effectiveAt: Date;
  recordedAt: Date;
  reason: string;
  by: string;
  correction: boolean;
  /** Written by the tracker from the terms of an earlier entry (a suspension's lapse), not a reported fact. */
  byTerms: boolean;
  causedBySeq: number | null;
  /** For a by-terms entry: the effective time of the entry whose terms it follows. */
  causeEffectiveAt: Date | null;
  /** For a status with an end: when it ends, and the status it then returns to. */
  until: Date | null;
  returnsTo: string | null;
  sourceId: string | null;
  evidenceId: string | null;
  /** When the tracker learnt the entry was wrong (its retraction's recorded time), if ever. */
  retractedAt: Date | null;
  retraction: { reason: string; by: string } | null;
}

/** How far ahead a change may be announced. */
export const MAX_SCHEDULE_YEARS = 10;

/** The latest instant a change recorded at `now` may take effect: MAX_SCHEDULE_YEARS ahead. */
export function scheduleHorizon(now: Date): Date {
  const horizon = new Date(now);
  horizon.setUTCFullYear(horizon.getUTCFullYear() + MAX_SCHEDULE_YEARS);
  return horizon;
}

/**
 * Whether a change (a status, its end, a measure's terms, a deadline's or an event's dates) recorded
 * at `now` may take effect at `effectiveAt`: at most MAX_SCHEDULE_YEARS ahead, whichever route records it.
 */
export function isWithinScheduleHorizon(effectiveAt: Date, now: Date): boolean {
  return effectiveAt.getTime() <= scheduleHorizon(now).getTime();
}

export function byEffectiveTime(a: HistoryEntry, b: HistoryEntry): number {
  return a.effectiveAt.getTime() - b.effectiveAt.getTime() || a.seq - b.seq;
}

const isKnown = (e: HistoryEntry, k: number) => e.recordedAt.getTime() <= k;
const isRetracted = (e: HistoryEntry, k: number) => e.retractedAt !== null && e.retractedAt.getTime() <= k;

/**
 * Whether a by-terms entry no longer follows from its terms: something reported about the same
 * record took effect after the terms were set and no later than the entry (a new suspension, an
 * early end, or an entry confirming it).
 */
function isVoided(entry: HistoryEntry, reported: readonly HistoryEntry[]): boolean {
  if (!entry.byTerms) return false;
  const from = entry.causeEffectiveAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const to = entry.effectiveAt.getTime();
  return reported.some((r) => r.change === "status" && r.effectiveAt.getTime() > from && r.effectiveAt.getTime() <= to);
}

/** The entries of one record that hold as known at `knownAt`: recorded by then, not retracted by then, not voided; in effective order. */
export function entriesKnownAt(history: readonly HistoryEntry[], knownAt: Date): HistoryEntry[] {
  const k = knownAt.getTime();
  const live = history.filter((e) => isKnown(e, k) && !isRetracted(e, k));
  const reported = live.filter((e) => !e.byTerms);
  return live.filter((e) => !isVoided(e, reported)).sort(byEffectiveTime);
}

/** A record as it stood at `asOf`, as known at `knownAt`. */
export interface RecordState {
  /** False when the record was not yet created then (or not yet known). */
  exists: boolean;
  status: string | null;
  /** The entry whose status holds. */
  statusEntry: HistoryEntry | null;
  /**
   * True when the status holds only by the terms of an earlier entry, not confirmed: nothing
   * reported since, or only a report that says the same at the same time and cites nothing.
   */
  byTerms: boolean;
  /** The record's dates: the values of its last dates entry in effect (empty when none). */
  dates: Record<string, unknown>;
  /** A threat's terms changed since first recorded: the terms entries in effect, merged (empty when none). */
  terms: Record<string, unknown>;
  /** Status and dates entries known then that take effect after `asOf`. */
  scheduled: HistoryEntry[];
  created: HistoryEntry | null;
}

/** The entry that records a record's creation (an extension's successor deadline included). */
export function isCreation(e: HistoryEntry): boolean {
  return e.change === "status" && e.from === null;
}

/**
 * A report that says what a lapse by terms already said, at its time, citing no source: it voids
 * the lapse like any report, but confirms nothing (issue 9: "by its terms, not confirmed" until
 * an entry with evidence confirms it).
 */
function echoesALapse(entry: HistoryEntry, history: readonly HistoryEntry[], knownAt: Date): boolean {
  if (entry.byTerms || entry.sourceId !== null || entry.evidenceId !== null) return false;
  const k = knownAt.getTime();
  const at = entry.effectiveAt.getTime();
  return history.some((l) => l.byTerms && l.to === entry.to && l.effectiveAt.getTime() === at && isKnown(l, k) && !isRetracted(l, k));
}

/**
 * A report citing a source that says what the status before it already said only by terms (a lapse,
 * or a report echoing it citing nothing): it confirms that status rather than repeating it, so it is
 * not refused as a move to the same status (README, example 2).
 */
function confirmsByTerms(previous: HistoryEntry, to: string, citesSource: boolean, history: readonly HistoryEntry[], knownAt: Date): boolean {
  return citesSource && previous.to === to && (previous.byTerms || echoesALapse(previous, history, knownAt));
}

/** Reads one record's history at (`asOf`, `knownAt`). */
export function recordStateAt(history: readonly HistoryEntry[], asOf: Date, knownAt: Date): RecordState {
  const entries = entriesKnownAt(history, knownAt);
  const t = asOf.getTime();
  const created = entries.find(isCreation) ?? null;
  let statusEntry: HistoryEntry | null = null;
  let dates: Record<string, unknown> = {};
  let terms: Record<string, unknown> = {};
  const scheduled: HistoryEntry[] = [];
  for (const e of entries) {
    // A correction says what was always so: it takes effect at no instant, so is never scheduled (correctedKnownAt reads it).
    if (e.change === "correction") continue;
    if (e.effectiveAt.getTime() > t) {
      scheduled.push(e);
      continue;
    }
    if (e.change === "status") statusEntry = e;
    else if (e.change === "terms" && e.values) terms = { ...terms, ...e.values };
    else if (e.values) dates = { ...dates, ...e.values };
  }
  const exists = created !== null && created.effectiveAt.getTime() <= t;
  return {
    exists,
    status: exists ? (statusEntry?.to ?? null) : null,
    statusEntry: exists ? statusEntry : null,
    byTerms: exists && statusEntry !== null && (statusEntry.byTerms || echoesALapse(statusEntry, history, knownAt)),
    dates: exists ? dates : {},
    terms: exists ? terms : {},
    scheduled: created ? scheduled : [],
    created,
  };
}

/** One entry as a timeline shows it at `knownAt`: with the status it moved from then, and whether it still counts. */
export interface TimelineEntry {
  entry: HistoryEntry;
  /** The status just before it in effective order, as known at `knownAt`. */
  from: string | null;
  /** Retracted (as known at knownAt): shown, but no longer counted. */
  retracted: boolean;
  /** A lapse by terms that no longer follows from them (superseded by a later report). */
  superseded: boolean;
  /** For a terms entry: the values of the terms it changes just before it, as known at `knownAt`; for a correction, the values it replaced when recorded. */
  before: Record<string, unknown> | null;
}

/**
 * Every entry recorded by `knownAt`, in effective order, with its retraction and the status it
 * moved from then; a terms entry with the terms it changed as they stood before it (starting
 * from `firstTerms`, a threat's terms as first recorded).
 */
export function timelineKnownAt(history: readonly HistoryEntry[], knownAt: Date, firstTerms: Record<string, unknown> = {}): TimelineEntry[] {
  const k = knownAt.getTime();
  const known = history.filter((e) => isKnown(e, k)).sort(byEffectiveTime);
  const reports = known.filter((e) => isCountedReport(e, k));
  const reportedLaterAtSameTime = (e: HistoryEntry) => reports.some((r) => r.effectiveAt.getTime() === e.effectiveAt.getTime() && r.seq > e.seq);
  return timelineContinued(known, knownAt, timelineStart(firstTerms), reportedLaterAtSameTime).items;
}

/**
 * What a timeline read in pages carries from the entries before a page to it: enough for the page
 * to say what timelineKnownAt over the whole history says of its entries.
 */
export interface TimelineCarry {
  /** The status of the last status entry counted so far: what the next one moved from. */
  previous: string | null;
  /** The effective time of the last report counted so far (a lapse by terms set before it no longer follows). */
  lastReportAt: Date | null;
  /** The terms so far: the first terms with the terms entries counted so far laid over them. */
  terms: Record<string, unknown>;
  /** For each term changed so far, the seq of the entry that last set it (so a page's reader can load the terms again). */
  termsSetBy: Record<string, number>;
}

export function timelineStart(firstTerms: Record<string, unknown> = {}): TimelineCarry {
  return { previous: null, lastReportAt: null, terms: firstTerms, termsSetBy: {} };
}

/** A status entry reported (not by terms), known and not retracted at `k`: it voids a lapse by terms set before it. */
const isCountedReport = (e: HistoryEntry, k: number) => e.change === "status" && !e.byTerms && !isRetracted(e, k);

/**
 * The timeline of `entries` (recorded by `knownAt`, in effective order, following the entries
 * `carry` was made from) and what it carries to the entries after them. A lapse by terms is
 * voided by a report between its terms and it: the reports before it are in `carry`, and
 * `reportedLaterAtSameTime` says whether one follows it at the same effective time.
 */
export function timelineContinued(
  entries: readonly HistoryEntry[],
  knownAt: Date,
  carry: TimelineCarry,
  reportedLaterAtSameTime: (e: HistoryEntry) => boolean,
): { items: TimelineEntry[]; carry: TimelineCarry } {
  const k = knownAt.getTime();
  let { previous, lastReportAt, terms } = carry;
  const termsSetBy = { ...carry.termsSetBy };
  const items = entries.map((entry) => {
    const retracted = isRetracted(entry, k);
    const at = entry.effectiveAt.getTime();
    const termsSetAt = entry.causeEffectiveAt?.getTime() ?? Number.NEGATIVE_INFINITY;
    const voided =
      !retracted && entry.byTerms && ((lastReportAt !== null && lastReportAt.getTime() > termsSetAt) || (at > termsSetAt && reportedLaterAtSameTime(entry)));
    const counts = !retracted && !voided;
    const changed = entry.change === "terms" && entry.values ? Object.keys(entry.values) : null;
    const item: TimelineEntry = {
      entry,
      from: entry.change === "status" ? (isCreation(entry) ? null : previous) : null,
      retracted,
      superseded: voided,
      before: changed
        ? Object.fromEntries(changed.map((key) => [key, terms[key] ?? null]))
        : entry.change === "correction"
          ? ((entry.values?.from as Record<string, unknown> | undefined) ?? null)
          : null,
    };
    if (counts && entry.change === "status") previous = entry.to;
    if (counts && isCountedReport(entry, k)) lastReportAt = entry.effectiveAt;
    if (counts && changed) {
      terms = { ...terms, ...entry.values };
      for (const key of changed) termsSetBy[key] = entry.seq;
    }
    return item;
  });
  return { items, carry: { previous, lastReportAt, terms, termsSetBy } };
}

/** A requested status change, in the domain's terms. */
export interface StatusChangePlanRequest {
  kind: TrackedKind;
  to: string;
  effectiveAt: Date;
  correction: boolean;
  /** A status with an end: it lasts until `until`, then the record returns to `then`. */
  until?: Date;
  returnsTo?: string;
  /** True when the request carries the new date an extension or a rescheduling needs. */
  hasNewDate: boolean;
  /** True when the request cites a source (evidence): a report that may confirm a status holding only by terms. */
  citesSource?: boolean;
}

export type PlanProblem =
  | { problem: "not-yet-created"; conflictsWith: HistoryEntry | null }
  | { problem: "too-far-ahead" }
  | { problem: "unknown-status"; allowed: readonly string[] }
  | { problem: "same-status"; from: string; allowed: readonly string[] }
  | { problem: "not-allowed"; from: string; allowed: readonly string[] }
  | { problem: "breaks-later-entry"; from: string; conflictsWith: HistoryEntry; allowed: readonly string[] }
  | { problem: "needs-new-date"; from: string }
  | { problem: "bad-terms"; field: "until" | "then"; message: string }
  /**
   * A status with an end given again at the very instant a standing entry already set one: its
   * lapse and expiry follow from terms set then, and only a report taking effect after that instant
   * supersedes them. `repeats`: the same end and the same return (the same entry posted twice).
   */
  | { problem: "end-already-set-then"; conflictsWith: HistoryEntry; repeats: boolean };

/**
 * `supersedes`: consequences recorded earlier that take effect after the new entry and no longer
 * follow once it holds (a commitment lapsed by an agreement's end announced for later, when the
 * commitment is now known to have been fulfilled before): to be retracted with the write.
 */
export type StatusChangePlan = { ok: true; from: string; extendsEnd: boolean; supersedes: HistoryEntry[] } | ({ ok: false } & PlanProblem);

/** An outcome a consequence rule sets (src/domain/consequences.ts); an extension set off by a suspension's new end is not one. */
const CONSEQUENCE_OUTCOMES: readonly string[] = ["averted", "triggered", "cancelled", "lapsed"];

/** A status change another entry's rule set off (not a creation, not a lapse by terms). */
export function isConsequence(e: HistoryEntry): boolean {
  return e.causedBySeq !== null && !e.byTerms && !isCreation(e) && CONSEQUENCE_OUTCOMES.includes(e.to ?? "");
}

/** Statuses that may carry an end (`until`/`then`), by kind. */
export const STATUSES_WITH_AN_END: Partial<Record<TrackedKind, readonly string[]>> = { threat: ["suspended"] };

/**
 * What a status with an end may become at its end, by its terms (`then`), by kind: a return to a
 * status the measure had before (threatened, announced, imposed) or its lapse. A lapse by terms is
 * no reported fact, so it is never an act or a ruling: a withdrawal announced for the end is a
 * status change dated ahead, a court's ruling is recorded when it is made, and a supersession
 * names what replaces the measure (supersededById).
 */
export const ENDS_BY_TERMS: Partial<Record<TrackedKind, readonly string[]>> = { threat: ["threatened", "announced", "imposed", "lapsed"] };

/** Which moves may have an end, in words: "only a threat moving to "suspended" may have an end (until, then)". */
export const ONLY_WITH_AN_END = `only ${Object.entries(STATUSES_WITH_AN_END)
  .map(([kind, statuses]) => `${aKind(kind)} moving to ${statuses.map((s) => `"${s}"`).join(" or ")}`)
  .join(" or ")} may have an end (until, then)`;

/** A record kind with its article, for messages: "a threat", "an event", "an agreement". */
export function aKind(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;
}

/**
 * Whether a record may be created as of `effectiveAt`: when it was first made, stated or
 * announced, which has happened by the time it is recorded. A creation dated ahead would be a
 * record that does not exist when it is written (and answers "not found" to its own write); what
 * takes effect later is a status change dated ahead.
 */
export function creationMayTakeEffectAt(effectiveAt: Date, now: Date): boolean {
  return effectiveAt.getTime() <= now.getTime();
}

export type DatesChangePlan =
  | { ok: true }
  | { ok: false; problem: "too-far-ahead" }
  | { ok: false; problem: "not-yet-created"; created: HistoryEntry | null }
  /** Every date given is the one in effect then: each with that value, in the order given. */
  | { ok: false; problem: "changes-nothing"; unchanged: { field: string; value: unknown }[] };

const sameDateValue = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : (a ?? null) === (b ?? null));

/**
 * Whether a deadline's or an event's dates may be moved as of `effectiveAt`: once the record exists
 * (its creation standing, as known now), at most MAX_SCHEDULE_YEARS ahead, as any change dated ahead,
 * and changing at least one of the dates in effect then (as known now), which start from `first`
 * (the record's dates as first recorded): an entry changing none would say nothing, yet show as a
 * move (and count as one in its calendar entry's SEQUENCE), as a terms change changing nothing would.
 */
export function planDatesChange(
  history: readonly HistoryEntry[],
  first: Record<string, unknown>,
  change: Record<string, unknown>,
  effectiveAt: Date,
  now: Date,
): DatesChangePlan {
  if (!isWithinScheduleHorizon(effectiveAt, now)) return { ok: false, problem: "too-far-ahead" };
  const created = entriesKnownAt(history, now).find(isCreation) ?? null;
  if (!created || created.effectiveAt.getTime() > effectiveAt.getTime()) return { ok: false, problem: "not-yet-created", created };
  const then = { ...first, ...recordStateAt(history, effectiveAt, now).dates };
  const given = Object.keys(change).filter((field) => change[field] !== undefined);
  const unchanged = given.filter((field) => sameDateValue(then[field], change[field]));
  if (unchanged.length === given.length) return { ok: false, problem: "changes-nothing", unchanged: unchanged.map((field) => ({ field, value: then[field] })) };
  return { ok: true };
}

/**
 * Whether a status change may be recorded at its effective time, given everything known now.
 * The move must be allowed from the status in effect at that instant, and the next later entry
 * must still be allowed from the new status, so every record's history stays one legal chain in
 * effective-time order however late the news arrives. Lapses by terms that the new entry would
 * supersede are left out of both checks.
 */
export function planStatusChange(history: readonly HistoryEntry[], req: StatusChangePlanRequest, now: Date): StatusChangePlan {
  const t = req.effectiveAt.getTime();
  const horizon = scheduleHorizon(now);
  if (t > horizon.getTime()) return { ok: false, problem: "too-far-ahead" };
  const entries = entriesKnownAt(history, now).filter((e) => e.change === "status");
  // A by-terms entry at or after t whose terms began before t is superseded by this report.
  const stands = (e: HistoryEntry) => !(e.byTerms && (e.causeEffectiveAt?.getTime() ?? Number.NEGATIVE_INFINITY) < t && e.effectiveAt.getTime() >= t);
  const chain = entries.filter(stands);
  const created = chain.find(isCreation) ?? null;
  if (!created || created.effectiveAt.getTime() > t) return { ok: false, problem: "not-yet-created", conflictsWith: created };
  const before = chain.filter((e) => e.effectiveAt.getTime() <= t);
  const after = chain.filter((e) => e.effectiveAt.getTime() > t);
  const from = before.at(-1)!.to!;
  const withAnEnd = STATUSES_WITH_AN_END[req.kind]?.includes(req.to) ?? false;
  // Terms set at this very instant (a suspension with an end) hold until a report taking effect
  // after it (decision 007): a second end at the same instant could supersede neither the lapse nor
  // the expiry they wrote. It is a new suspension from a later instant, or a retraction and the entry again.
  // Terms that are not valid are 422 naming the field first, as anywhere.
  const last = before.at(-1)!;
  const sameInstant = last.to === req.to && last.until !== null && last.effectiveAt.getTime() === t;
  if (withAnEnd && sameInstant && req.until !== undefined && req.returnsTo !== undefined && checkTerms(req, horizon) === null) {
    const repeats = req.until.getTime() === last.until!.getTime() && req.returnsTo === last.returnsTo;
    return { ok: false, problem: "end-already-set-then", conflictsWith: last, repeats };
  }
  // A new end to a status that has one extends it (a suspension prolonged), rather than repeating it.
  const extendsEnd = withAnEnd && from === req.to && req.until !== undefined && !req.correction;
  if (!extendsEnd && !confirmsByTerms(before.at(-1)!, req.to, req.citesSource ?? false, history, now)) {
    const verdict = checkTransition(req.kind, from, req.to, req.correction);
    if (!verdict.ok) {
      if (verdict.problem === "unknown-status") return { ok: false, problem: "unknown-status", allowed: verdict.allowed };
      return { ok: false, problem: verdict.problem, from, allowed: verdict.allowed };
    }
  }
  if (req.until !== undefined || req.returnsTo !== undefined) {
    const problem = checkTerms(req, horizon);
    if (problem) return { ok: false, ...problem };
  }
  if (!req.correction && requiresNewDate(req.kind, from, req.to) && !req.hasNewDate) return { ok: false, problem: "needs-new-date", from };
  // A report at or before `until` supersedes the lapse; one after it follows the lapse.
  const statusBefore = (e: HistoryEntry) => (req.until !== undefined && req.until.getTime() < e.effectiveAt.getTime() ? req.returnsTo! : req.to);
  const follows = (e: HistoryEntry) => {
    const nextFrom = statusBefore(e);
    return checkTransition(req.kind, nextFrom, e.to!, false).ok || (nextFrom === e.to && e.until !== null);
  };
  // A consequence evaluated when the record was pending then (as known at the time) no longer follows if it no longer was.
  const supersedes: HistoryEntry[] = [];
  let i = 0;
  while (i < after.length && isConsequence(after[i]!) && !follows(after[i]!)) supersedes.push(after[i++]!);
  const next = after[i];
  // A correction may follow anything, so it constrains nothing before it.
  if (next && !next.correction && !follows(next)) {
    return { ok: false, problem: "breaks-later-entry", from, conflictsWith: next, allowed: allowedNextStatuses(req.kind, statusBefore(next)) };
  }
  return { ok: true, from, extendsEnd, supersedes };
}

function checkTerms(req: StatusChangePlanRequest, horizon: Date): { problem: "bad-terms"; field: "until" | "then"; message: string } | null {
  const withEnd = STATUSES_WITH_AN_END[req.kind] ?? [];
  if (!withEnd.includes(req.to)) {
    return {
      problem: "bad-terms",
      field: "until",
      message: ONLY_WITH_AN_END,
    };
  }
  if (req.until === undefined) return { problem: "bad-terms", field: "until", message: "required with then" };
  if (req.until.getTime() <= req.effectiveAt.getTime()) return { problem: "bad-terms", field: "until", message: "must be after effectiveAt" };
  // The end is written as a change dated ahead (the lapse), so it has the same horizon.
  if (req.until.getTime() > horizon.getTime()) return { problem: "bad-terms", field: "until", message: `must be at most ${MAX_SCHEDULE_YEARS} years ahead` };
  if (req.returnsTo === undefined) return { problem: "bad-terms", field: "then", message: "required with until: the status the record returns to" };
  const back = checkTransition(req.kind, req.to, req.returnsTo, false);
  if (!back.ok)
    return { problem: "bad-terms", field: "then", message: `must be a status ${aKind(req.kind)} may move to from "${req.to}": ${back.allowed.join(", ")}` };
  // A lapse by terms names no successor, and a move to it needs one (supersededById): record it when it happens.
  if (requiresSuccessor(req.kind, req.returnsTo))
    return {
      problem: "bad-terms",
      field: "then",
      message: `cannot be "${req.returnsTo}": that move names what replaces the ${req.kind === "threat" ? "measure" : req.kind} (supersededById), which an end by terms cannot; record it when it happens`,
    };
  const byTerms = ENDS_BY_TERMS[req.kind] ?? [];
  if (!byTerms.includes(req.returnsTo))
    return {
      problem: "bad-terms",
      field: "then",
      message: `cannot be "${req.returnsTo}": an end by its terms returns ${aKind(req.kind)} to ${byTerms.join(", ").replace(/, (?=[^,]*$)/, " or ")}; a withdrawal announced for then is a status change dated ahead, a ruling is recorded when it is made`,
    };
  return null;
}

/** What the tables keep of a record's history for fast reads "now" (see the schema): derived, never authoritative. */
export interface StatusCache {
  status: string | null;
  /** The effective time of the next known change after `now` (status or dates): until then the cache is current. */
  statusUntil: Date | null;
  /**
   * Where else the cached status answers: at every `asOf` from `statusFrom` until `statusUntil`,
   * as known at any `knownAt` from `statusKnownFrom` on. Null when only the history can say
   * (a status that holds by terms, a record that does not exist now).
   */
  statusFrom: Date | null;
  statusKnownFrom: Date | null;
  dates: Record<string, unknown>;
}

export function statusCacheAt(history: readonly HistoryEntry[], now: Date): StatusCache {
  const state = recordStateAt(history, now, now);
  // A record that does not exist now (its creation retracted) is never answered from the cache.
  if (!state.exists) return { status: null, statusUntil: now, statusFrom: null, statusKnownFrom: null, dates: {} };
  return { status: state.status, statusUntil: state.scheduled[0]?.effectiveAt ?? null, ...statusSpanOf(history, state), dates: state.dates };
}

/**
 * Why the span holds: the status at (asOf, knownAt) comes from the last status entry in effect at
 * asOf among those live at knownAt. Past the entry E that holds now (reported, not by terms),
 * every entry taking effect from E on, and its retraction, was recorded by `statusKnownFrom`, so
 * each is live at such a knownAt exactly as now; a lapse among them whose terms began before E is
 * voided by E then as now; entries before E cannot come after it. So until the next scheduled
 * change, E holds.
 */
function statusSpanOf(history: readonly HistoryEntry[], now: RecordState): Pick<StatusCache, "statusFrom" | "statusKnownFrom"> {
  const held = now.statusEntry;
  if (!held || held.byTerms || !now.created) return { statusFrom: null, statusKnownFrom: null };
  const from = held.effectiveAt.getTime();
  let knownFrom = Math.max(held.recordedAt.getTime(), now.created.recordedAt.getTime());
  for (const e of history) {
    // A correction changes no status (it is dated at the creation, so would narrow the span for nothing).
    if (e.effectiveAt.getTime() < from || e.change === "correction") continue;
    knownFrom = Math.max(knownFrom, e.recordedAt.getTime(), e.retractedAt?.getTime() ?? 0);
  }
  return { statusFrom: held.effectiveAt, statusKnownFrom: new Date(knownFrom) };
}

/**
 * A deadline's pending stretch, for the pending-as-of walks. Exact for the common history:
 * created pending, then at most one reported entry leaving pending that had taken effect when it
 * was recorded (so the cached status is its final one). For anything else (a correction, a retraction, a lapse, a moved date, a scheduled
 * change) `pendingInexact` is true and the same columns hold a hull instead: outside it the
 * deadline is pending at no read time, inside it readers evaluate the history.
 */
export interface PendingBounds {
  pendingFrom: Date | null;
  pendingKnownFrom: Date | null;
  pendingUntil: Date | null;
  pendingUntilKnownAt: Date | null;
  pendingInexact: boolean;
}

/** Later than any effective time the tracker accepts (see DATE_RANGE in dates.ts). */
const END_OF_TIME = new Date(Date.UTC(2201, 0, 1));

export function pendingBoundsOf(history: readonly HistoryEntry[]): PendingBounds {
  const [created, left, ...rest] = [...history].sort(byEffectiveTime);
  if (!created || rest.length > 0 || !isCreation(created) || created.to !== "pending" || created.retractedAt || created.byTerms) return pendingHullOf(history);
  if (left) {
    const simple =
      left.change === "status" &&
      !left.retractedAt &&
      !left.byTerms &&
      !left.correction &&
      left.to !== "pending" &&
      left.effectiveAt.getTime() <= left.recordedAt.getTime() &&
      left.effectiveAt.getTime() >= created.effectiveAt.getTime();
    if (!simple) return pendingHullOf(history);
  }
  return {
    pendingFrom: created.effectiveAt,
    pendingKnownFrom: created.recordedAt,
    pendingUntil: left?.effectiveAt ?? null,
    pendingUntilKnownAt: left?.recordedAt ?? null,
    pendingInexact: false,
  };
}

const latest = (dates: Date[]) => new Date(Math.max(...dates.map((d) => d.getTime())));
const earliest = (dates: Date[]) => new Date(Math.min(...dates.map((d) => d.getTime())));

/**
 * Where a deadline with an uncommon history can be pending, whatever the read time. Only an entry
 * to "pending" makes it pending, so not before the first such entry took effect, nor before it
 * was recorded (`pendingFrom`, `pendingKnownFrom`; both null: never pending). Once every entry has
 * taken effect and every entry and retraction is known (`pendingUntil`, `pendingUntilKnownAt`),
 * it stays in its final status, so the hull ends there unless that status is pending (null).
 */
export function pendingHullOf(history: readonly HistoryEntry[]): PendingBounds {
  const setters = history.filter((e) => e.change === "status" && e.to === "pending");
  if (setters.length === 0) return { pendingFrom: null, pendingKnownFrom: null, pendingUntil: null, pendingUntilKnownAt: null, pendingInexact: true };
  const final = recordStateAt(history, END_OF_TIME, END_OF_TIME);
  const endsPending = final.exists && final.status === "pending";
  return {
    pendingFrom: earliest(setters.map((e) => e.effectiveAt)),
    pendingKnownFrom: earliest(setters.map((e) => e.recordedAt)),
    pendingUntil: endsPending ? null : latest(history.flatMap((e) => (e.until ? [e.effectiveAt, e.until] : [e.effectiveAt]))),
    pendingUntilKnownAt: endsPending ? null : latest(history.flatMap((e) => (e.retractedAt ? [e.recordedAt, e.retractedAt] : [e.recordedAt]))),
    pendingInexact: true,
  };
}

/**
 * The earliest and latest due dates a deadline has had in any entry (the column's first date
 * included): its due date at any read time lies between them. `latest` is null when it was
 * undated at some point (undated sorts last).
 */
export function dueDateRangeOf(history: readonly HistoryEntry[], firstDueAt: Date | null): { earliest: Date | null; latest: Date | null } {
  const dues: (Date | null)[] = [firstDueAt];
  for (const e of history) if (e.change === "dates" && e.values && "dueAt" in e.values) dues.push((e.values.dueAt as Date | null) ?? null);
  const dated = dues.filter((d): d is Date => d !== null);
  return { earliest: dated.length ? earliest(dated) : null, latest: dated.length === dues.length ? latest(dated) : null };
}

/**
 * Whether the history stays one legal chain once some entries are retracted: each status entry
 * must still be a move its lifecycle allows from the one before it (corrections may follow
 * anything). Returns the first entry that would break, if any.
 */
export function firstBrokenLink(kind: TrackedKind, history: readonly HistoryEntry[], now: Date): HistoryEntry | null {
  const chain = entriesKnownAt(history, now).filter((e) => e.change === "status");
  let previous: HistoryEntry | null = null;
  for (const e of chain) {
    if (isCreation(e)) {
      previous = e;
      continue;
    }
    if (!previous) return e;
    const extendsEnd = previous.to === e.to && e.until !== null;
    const confirms = confirmsByTerms(previous, e.to!, e.sourceId !== null || e.evidenceId !== null, history, now);
    if (!e.correction && !extendsEnd && !confirms && !checkTransition(kind, previous.to!, e.to!, false).ok) return e;
    previous = e;
  }
  return null;
}
