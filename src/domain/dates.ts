import * as chrono from "chrono-node";
import type { HistoryEntry } from "./history.ts";
import type { Precision } from "./statuses.ts";

const DAY_MS = 86_400_000;

/** A calendar date at UTC midnight. */
export function utcDay(year: number, monthIndex: number, day: number): Date {
  return new Date(Date.UTC(year, monthIndex, day));
}

/** The first instant of a date's UTC day, in ms: the per-row timing of a list builds no Date with it. */
function startOfUtcDayMs(d: Date): number {
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

function startOfUtcDay(d: Date): Date {
  return new Date(startOfUtcDayMs(d));
}

/** The first instant of the period a date with this precision names (ISO weeks start on Monday). */
export function periodStart(date: Date, precision: Exclude<Precision, "unknown">): Date {
  const day = startOfUtcDay(date);
  if (precision === "year") return utcDay(day.getUTCFullYear(), 0, 1);
  if (precision === "quarter") return utcDay(day.getUTCFullYear(), day.getUTCMonth() - (day.getUTCMonth() % 3), 1);
  if (precision === "month") return utcDay(day.getUTCFullYear(), day.getUTCMonth(), 1);
  if (precision === "week") return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY_MS);
  return day;
}

/** The first instant after the period: a month-precision date is still "on time" all month. */
export function periodEnd(start: Date, precision: Exclude<Precision, "unknown">): Date {
  return new Date(periodEndMs(start, precision));
}

/** `periodEnd` in ms, of the period `date` falls in (a due date given mid-quarter or mid-week still names its whole period). */
function periodEndMs(date: Date, precision: Exclude<Precision, "unknown">): number {
  if (precision === "year") return Date.UTC(date.getUTCFullYear() + 1, 0, 1);
  if (precision === "quarter") return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - (date.getUTCMonth() % 3) + 3, 1);
  if (precision === "month") return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  if (precision === "week") return periodStart(date, "week").getTime() + 7 * DAY_MS;
  return startOfUtcDayMs(date) + DAY_MS;
}

export interface ResolvedDate {
  start: Date;
  /** Set when the phrase names a range ("Oct. 31 to Nov. 1"): the last day it covers. */
  end: Date | null;
  precision: Exclude<Precision, "unknown">;
}

/**
 * Resolves a date phrase ("November", "this week", "next Thursday", "Oct. 31 to Nov. 1")
 * against a reference instant with chrono-node, keeping only as much precision as the
 * phrase gives: a month alone is month precision, a week phrase week precision.
 */
export function resolveDatePhrase(phrase: string, reference: Date): ResolvedDate | null {
  const [hit] = chrono.en.parse(phrase, { instant: reference, timezone: 0 }, { forwardDate: true });
  if (!hit) return null;
  const precision: ResolvedDate["precision"] = /\bweek\b/i.test(hit.text)
    ? "week"
    : hit.start.isCertain("day") || hit.start.isCertain("weekday")
      ? "day"
      : "month";
  const start = periodStart(hit.start.date(), precision);
  const end = hit.end ? periodStart(hit.end.date(), precision) : precision === "week" ? new Date(periodEnd(start, "week").getTime() - DAY_MS) : null;
  return { start, end, precision };
}

/**
 * Whole days from `asOf` to the last day of the period a due date names (negative once that
 * period has passed), by UTC calendar day: "in November" has days remaining until 30 November.
 */
export function daysRemaining(due: Date, precision: Precision, asOf: Date): number {
  const lastDay = precision === "unknown" || precision === "day" ? startOfUtcDayMs(due) : periodEndMs(due, precision) - DAY_MS;
  return Math.round((lastDay - startOfUtcDayMs(asOf)) / DAY_MS);
}

/** A new date's precision: the one stated, else the one the record's date had then (a day for a record that had no date). */
export function precisionOfNewDate(had: Precision, stated: Exclude<Precision, "unknown"> | undefined): Exclude<Precision, "unknown"> {
  return stated ?? (had === "unknown" ? "day" : had);
}

/**
 * Whether a pending date is overdue at `asOf`: only once the whole period its precision
 * allows has passed, so "starting in November" is not overdue on 15 November.
 */
export function isOverdue(due: Date | null, precision: Precision, asOf: Date): boolean {
  if (!due || precision === "unknown") return false;
  return asOf.getTime() >= periodEndMs(due, precision);
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** How a date reads at its precision: "1 November 2025", "week of 20 October 2025", "November 2025", "Q1 2026", "2026". */
export function formatAtPrecision(date: Date | null, precision: Precision): string {
  if (!date || precision === "unknown") return "date unknown";
  // A fixed table, not Intl: this runs for every row of the hottest list.
  if (precision === "year") return String(date.getUTCFullYear());
  if (precision === "quarter") return `Q${Math.floor(date.getUTCMonth() / 3) + 1} ${date.getUTCFullYear()}`;
  const month = MONTHS[date.getUTCMonth()];
  if (precision === "month") return `${month} ${date.getUTCFullYear()}`;
  const day = `${date.getUTCDate()} ${month} ${date.getUTCFullYear()}`;
  if (precision !== "week") return day;
  const monday = periodStart(date, "week");
  return `week of ${monday.getUTCDate()} ${MONTHS[monday.getUTCMonth()]} ${monday.getUTCFullYear()}`;
}

/**
 * The one range every date the tracker reads or writes must fall in, whatever the path (API,
 * desk, CLI): wide enough for any trade history and plan, narrow enough that every date sorts,
 * prints as YYYY-MM-DD and survives the round trip through ISO-8601 text.
 */
export const DATE_RANGE = { firstYear: 1900, lastYear: 2200 } as const;

/** Whether a date falls in DATE_RANGE (an invalid date does not). */
export function isInDateRange(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= DATE_RANGE.firstYear && year <= DATE_RANGE.lastYear;
}

/**
 * Parses an `asOf` value: a calendar date (the end of that day, UTC, so the whole day's news
 * counts) or an ISO instant. Rejects impossible dates such as 2025-02-30, and dates outside DATE_RANGE.
 */
export function parseAsOf(value: string): Date | null {
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (dateOnly) {
    const [y, m, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    const day = utcDay(y, m - 1, d);
    if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d || !isInDateRange(day)) return null;
    return new Date(day.getTime() + DAY_MS - 1);
  }
  return parseInstant(value);
}

/** Parses a strict ISO-8601 date or date-time with offset; null for anything else, an impossible date, or one outside DATE_RANGE. */
export function parseInstant(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = utcDay(y, mo - 1, d);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  if (m[4] && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return null;
  if (m[4] && !m[7]) return null;
  const parsed = new Date(m[4] ? value : `${value}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || !isInDateRange(parsed) ? null : parsed;
}

/**
 * How many times a record's dates have moved, as they read at `asOf`, as known at `knownAt`: its
 * calendar entry's SEQUENCE (RFC 5545), so a subscribed calendar replaces the old time. A dates
 * entry counts once it takes effect; one known retracted counts twice (its move and the move back),
 * whenever it took effect. A later asOf or knownAt never lowers it, and nothing recorded after
 * knownAt changes it (the feed known then does not move).
 */
export function datesMovesAt(history: readonly HistoryEntry[], asOf: Date, knownAt: Date): number {
  const [t, k] = [asOf.getTime(), knownAt.getTime()];
  let moves = 0;
  for (const e of history) {
    if (e.change !== "dates" || e.recordedAt.getTime() > k) continue;
    if (e.retractedAt !== null && e.retractedAt.getTime() <= k) moves += 2;
    else if (e.effectiveAt.getTime() <= t) moves += 1;
  }
  return moves;
}
