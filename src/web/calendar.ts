import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import { periodEnd, periodStart } from "../domain/dates.ts";
import type { HistoryEntry } from "../domain/history.ts";
import type { Precision } from "../domain/statuses.ts";
import { changeWording } from "./change-wording.ts";

type Scheduled = Pick<HistoryEntry, "change" | "to" | "effectiveAt" | "byTerms">;

/** "Scheduled: → triggered from 2025-11-10 (by its terms)." */
function scheduledNote(scheduled: Scheduled[] | undefined): string {
  if (!scheduled?.length) return "";
  const items = scheduled.map((s) => `${changeWording(s)} from ${s.effectiveAt.toISOString().slice(0, 10)}${s.byTerms ? " (by its terms)" : ""}`);
  return ` Scheduled: ${items.join("; ")}.`;
}

export interface CalendarDeadline {
  id: string;
  dueAt: Date | null;
  precision: string;
  wording: string;
  status: string;
  title: string;
  scenarioTitle: string | null;
  scheduled?: Scheduled[];
  /** How many times its dates have moved (the entry's SEQUENCE). */
  datesMoves: number;
}

export interface CalendarEvent {
  id: string;
  title: string;
  startsAt: Date | null;
  endsAt: Date | null;
  precision: string;
  wording: string;
  place: string | null;
  status: string;
  scheduled?: Scheduled[];
  /** How many times its dates have moved (the entry's SEQUENCE). */
  datesMoves: number;
}

/** Statuses that take an entry off the calendar; it stays in the feed, marked, so subscribers see why. */
const CANCELLING = new Set(["averted", "cancelled", "extended"]);

function allDaySpan(start: Date, precision: Precision): { start: Date; end: Date } {
  // An all-day entry over the whole period the precision names (a month, a week, a day).
  const exact = precision as Exclude<Precision, "unknown">;
  return { start: periodStart(start, exact), end: periodEnd(start, exact) };
}

/** Control characters other than line breaks (which ical-generator escapes) have no place in a feed. */
function plain(text: string): string {
  return text.replace(/[^\P{Cc}\r\n]/gu, " ");
}

/** RFC 5545 TEXT on one line, for the calendar's name, which ical-generator writes unescaped. */
function escapedLine(text: string): string {
  return plain(text)
    .replace(/[\\;,]/g, (ch) => `\\${ch}`)
    .replace(/\r\n|\r|\n/g, "\\n");
}

/**
 * The RFC 5545 feed: dated deadlines and events, all-day over their precision, with stable UIDs
 * and a SEQUENCE that grows as their dates move, and each change scheduled to take effect later as
 * an all-day entry on its day.
 */
export function calendarFeed(deadlines: CalendarDeadline[], events: CalendarEvent[], upcoming: { entry: HistoryEntry; label: string }[], name: string): string {
  const cal = ical({
    name: escapedLine(name),
    prodId: { company: "Tradewatch", product: "desk", language: "EN" },
    method: ICalCalendarMethod.PUBLISH,
    timezone: "UTC",
  });
  for (const d of deadlines) {
    if (!d.dueAt || d.precision === "unknown") continue;
    const span = allDaySpan(d.dueAt, d.precision as Precision);
    const marked = d.status === "pending" ? "" : `[${d.status}] `;
    cal.createEvent({
      id: `deadline-${d.id}@tradewatch`,
      sequence: d.datesMoves,
      start: span.start,
      end: span.end,
      allDay: true,
      summary: plain(`${marked}Deadline: ${d.title}`),
      description: plain(
        `“${d.wording}” (${d.precision} precision). Status: ${d.status}.${d.scenarioTitle ? ` Scenario: ${d.scenarioTitle}.` : ""}${scheduledNote(d.scheduled)}`,
      ),
      status: CANCELLING.has(d.status) ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  for (const e of events) {
    if (!e.startsAt || e.precision === "unknown") continue;
    const start = allDaySpan(e.startsAt, e.precision as Precision);
    const last = e.endsAt && e.precision === "day" ? allDaySpan(e.endsAt, "day").end : start.end;
    const marked = e.status === "scheduled" ? "" : `[${e.status}] `;
    cal.createEvent({
      id: `event-${e.id}@tradewatch`,
      sequence: e.datesMoves,
      start: start.start,
      end: last,
      allDay: true,
      summary: plain(`${marked}${e.title}`),
      description: plain(`“${e.wording}” (${e.precision} precision). Status: ${e.status}.${scheduledNote(e.scheduled)}`),
      location: e.place ? plain(e.place) : undefined,
      status: e.status === "cancelled" ? ICalEventStatus.CANCELLED : e.status === "postponed" ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
    });
  }
  for (const { entry, label } of upcoming) {
    const day = allDaySpan(periodStart(entry.effectiveAt, "day"), "day");
    cal.createEvent({
      id: `change-${entry.seq}@tradewatch`,
      start: day.start,
      end: day.end,
      allDay: true,
      summary: plain(`Takes effect: ${label} ${changeWording(entry)}`),
      description: plain(`${entry.reason}${entry.byTerms ? " (by its terms, not a report)" : ""}. Recorded ${entry.recordedAt.toISOString().slice(0, 10)}.`),
      status: ICalEventStatus.TENTATIVE,
    });
  }
  // RFC 5545 ends every content line with CRLF, the last one too; ical-generator leaves it off.
  return `${cal.toString()}\r\n`;
}
