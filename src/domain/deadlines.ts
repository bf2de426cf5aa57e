import { daysRemaining, formatAtPrecision, isOverdue, periodEnd, precisionOfNewDate } from "./dates.ts";
import type { Precision } from "./statuses.ts";

export interface DeadlineFacts {
  dueAt: Date | null;
  precision: Precision;
  status: string;
}

export interface DeadlineTiming {
  dueLabel: string;
  daysRemaining: number | null;
  overdue: boolean;
}

/** How a deadline stands at `asOf`: the one definition of "overdue" every face uses. */
export function deadlineTimingAsOf(d: DeadlineFacts, asOf: Date): DeadlineTiming {
  return {
    dueLabel: formatAtPrecision(d.dueAt, d.precision),
    daysRemaining: d.dueAt ? daysRemaining(d.dueAt, d.precision, asOf) : null,
    overdue: d.status === "pending" && isOverdue(d.dueAt, d.precision, asOf),
  };
}

type DatedPrecision = Exclude<Precision, "unknown">;

/**
 * The wordings the tracker writes itself, a phrase then the date at the deadline's precision: an
 * agreement's expiry ("Expires 10 November 2026", src/db/records.ts) and a status's end
 * ("Suspended until 10 November 2026", recordEnd in src/db/tracked-writes.ts).
 */
const GENERATED_WORDING = /^(Expires|[A-Z][a-z-]* until) (.+)$/;

/**
 * An extended deadline's successor, from what the extension gives (a new due date; its precision
 * and wording if stated) and the deadline as it stood. Unstated, the precision is the old one. A
 * wording the tracker wrote ("Expires 10 November 2026") is written again for the new date; an
 * analyst's (a source's words) described the old date only, so the successor gets the new date as
 * it reads at its precision ("February 2026").
 */
export function successorDueDate(
  old: { dueAt: Date | null; precision: Precision; wording: string },
  given: { at: Date; precision?: DatedPrecision; wording?: string },
): { at: Date; precision: DatedPrecision; wording: string } {
  const precision = precisionOfNewDate(old.precision, given.precision);
  if (given.wording !== undefined) return { at: given.at, precision, wording: given.wording };
  const generated = GENERATED_WORDING.exec(old.wording);
  const newDate = formatAtPrecision(given.at, precision);
  const wording = generated && generated[2] === formatAtPrecision(old.dueAt, old.precision) ? `${generated[1]} ${newDate}` : newDate;
  return { at: given.at, precision, wording };
}

/** Whether an extension's new due date ends after the old one, each read at its precision ("November 2026" ends with the month); an undated deadline may move to any date. */
/**
 * Whether a record's own deadline, stated with it (an agreement's expiry, a commitment's due date),
 * ends after the record takes effect, read at its precision (an expiry "2025" of a deal of 10
 * November 2025 runs to the end of the year; a commitment due "10 November" made that day is due
 * until its end): one that had passed would have the deal expire before it existed, or the
 * commitment made after its deadline, overdue from its first instant.
 */
export function dueAfter(own: { dueAt: Date | null; precision: Precision }, effectiveAt: Date): boolean {
  if (!own.dueAt || own.precision === "unknown") return true;
  return periodEnd(own.dueAt, own.precision).getTime() > effectiveAt.getTime();
}

export function extendsLater(old: { dueAt: Date | null; precision: Precision }, next: { at: Date; precision: DatedPrecision }): boolean {
  if (!old.dueAt || old.precision === "unknown") return true;
  return periodEnd(next.at, next.precision).getTime() > periodEnd(old.dueAt, old.precision).getTime();
}
