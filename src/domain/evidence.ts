import { createHash } from "node:crypto";

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export interface LocatedQuote {
  id: string;
  recordKind: string;
  recordId: string;
  quote: string;
  /** UTF-16 code-unit offsets into the source text: text.slice(startOffset, endOffset) === quote. */
  startOffset: number;
  endOffset: number;
}

/** Where a quote stands in a source text (first occurrence), or null when it is not there verbatim. */
export function findQuote(text: string, quote: string, recordKind: string, recordId: string): LocatedQuote | null {
  if (quote.length === 0) return null;
  const start = text.indexOf(quote);
  if (start < 0) return null;
  const end = start + quote.length;
  // Stable id: the same quote for the same record is one evidence row, however often it is cited.
  const id = `ev-${sha256Hex(`${recordKind}|${recordId}|${start}|${end}`).slice(0, 16)}`;
  return { id, recordKind, recordId, quote, startOffset: start, endOffset: end };
}
