import { stringify } from "csv-stringify/sync";
import type { Context } from "hono";
import { correctionOf } from "../domain/corrections.ts";
import type { ExpectedVersions } from "../domain/errors.ts";
import type { HistoryEntry, TimelineEntry } from "../domain/history.ts";

const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;

/** Dates inside a dates entry's values, as ISO strings. */
function valuesToWire(values: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!values) return null;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}

/** A history entry as the API shows it; `from` is the status just before it (as known at the read's knownAt when given). */
export function historyEntryToWire(e: HistoryEntry, from: string | null = e.from) {
  return {
    seq: e.seq,
    recordKind: e.recordKind,
    recordId: e.recordId,
    change: e.change,
    from,
    to: e.to,
    // A correction keeps the facts it replaced beside the new ones: its values are the new ones (a timeline's `before`, the old).
    values: e.change === "correction" ? correctionOf(e).to : valuesToWire(e.values),
    effectiveAt: e.effectiveAt.toISOString(),
    recordedAt: e.recordedAt.toISOString(),
    reason: e.reason,
    by: e.by,
    correction: e.correction,
    byTerms: e.byTerms,
    until: isoOrNull(e.until),
    // biome-ignore lint/suspicious/noThenProperty: the API's word for the status a suspension returns to; plain data, never awaited
    then: e.returnsTo,
    causedBy: e.causedBySeq,
    sourceId: e.sourceId,
    evidenceId: e.evidenceId,
    retracted: e.retractedAt && e.retraction ? { at: e.retractedAt.toISOString(), reason: e.retraction.reason, by: e.retraction.by } : null,
  };
}

/** A timeline entry: the entry, the status it moved from then, and whether a later report superseded it. */
export function timelineEntryToWire(t: TimelineEntry) {
  const wire = historyEntryToWire(t.entry, t.from);
  // A retraction recorded after the read's knownAt was not known then.
  if (!t.retracted) wire.retracted = null;
  return { ...wire, superseded: t.superseded, before: t.before };
}

/** One element of an If-Match list: an entity tag, weak or strong, and the comma or end after it (RFC 9110 §8.8.3). */
const ENTITY_TAG = /^[\s,]*(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*(?:,|$)/;

/**
 * The versions a client's If-Match accepts (ExpectedVersions), undefined when it sends none or `*`
 * (any existing record: a missing one is 404 all the same). A list matches when any member does;
 * a weak tag never does (strong comparison); a tag other than ours ("1e2") names no version.
 */
export function expectedVersionFrom(c: Context): ExpectedVersions | undefined {
  const header = c.req.header("If-Match");
  if (header === undefined || header.trim() === "*") return undefined;
  const versions: number[] = [];
  let weak = false;
  let rest = header;
  while (rest.replace(/^[\s,]+/, "") !== "") {
    const m = ENTITY_TAG.exec(rest);
    if (!m) return { versions: [], weak, malformed: true };
    if (m[1]) weak = true;
    else if (/^\d{1,9}$/.test(m[2]!)) versions.push(Number(m[2]));
    rest = rest.slice(m[0].length);
  }
  return { versions, weak, malformed: versions.length === 0 && !weak };
}

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Whether the client asked for CSV (?format=csv or Accept: text/csv). */
export function wantsCsv(c: Context, format: string | undefined): boolean {
  if (format) return format === "csv";
  return (c.req.header("Accept") ?? "").includes("text/csv");
}

function cell(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v)) return v.map((x) => (typeof x === "object" && x ? ((x as any).id ?? (x as any).actorId ?? JSON.stringify(x)) : String(x))).join("; ");
    return (v.id as string) ?? JSON.stringify(v);
  }
  return value as string | number | boolean;
}

/**
 * List rows as CSV: one column per top-level field, links shown by id, RFC 4180 quoting. A CSV is
 * one page, as the JSON is: when more follow, `Link: <…&cursor=…>; rel="next"` (RFC 8288) is the
 * same request for the next page, so an export is never cut short without a word.
 */
export function csvResponse(c: Context, rows: Record<string, unknown>[], filename: string, nextCursor: string | null): Response {
  // Fields left undefined are not part of the record (as in its JSON).
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => r[k] !== undefined)))];
  const body = stringify(
    rows.map((r) => columns.map((k) => cell(r[k]))),
    // escape_formulas: a cell starting with = + - @ tab or CR gets a leading quote, so a spreadsheet shows it as text instead of running it.
    { header: true, columns, cast: { boolean: (b) => String(b) }, escape_formulas: true },
  );
  const headers: Record<string, string> = { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}.csv"` };
  if (nextCursor) {
    const next = new URL(c.req.url);
    next.searchParams.set("cursor", nextCursor);
    // The next page in CSV however this one was asked for (an Accept header does not travel with a link).
    next.searchParams.set("format", "csv");
    headers.Link = `<${next.pathname}${next.search}>; rel="next"`;
  }
  return c.body(body, 200, headers);
}
