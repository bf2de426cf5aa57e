import { createHash } from "node:crypto";
import { InvalidInputError } from "./errors.ts";

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** What kind of publisher a source is, from the government's own notice to a site that repeats others. */
export const SOURCE_KINDS = ["official", "legal", "wire", "press", "analysis", "aggregator"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** What a quote says of the fact it is attached to. */
/**
 * What is wrong with a source as it would stand (after a POST, or a PATCH merged onto the stored
 * one): a citation (no text) needs the URL it can be checked at, and a copy names another source.
 * `copyChain` is the sources `copyOfId` leads through (its copy of, that one's, …), so a loop is refused.
 */
export function sourceProblems(source: { id?: string; text?: string | null; url?: string | null; copyOfId?: string | null }, copyChain: string[] = []) {
  const problems: { field: string; problem: string }[] = [];
  if (!source.text && !source.url) problems.push({ field: "url", problem: "a citation (a source without text) needs the URL it can be checked at" });
  if (source.id !== undefined && source.copyOfId === source.id) problems.push({ field: "copyOfId", problem: "must name another source, not this one" });
  else if (source.id !== undefined && copyChain.includes(source.id)) {
    problems.push({ field: "copyOfId", problem: `"${source.copyOfId}" is itself a copy of this source (through ${copyChain.join(" → ")})` });
  }
  return problems;
}

export const STANCES = ["supports", "disputes"] as const;
export type Stance = (typeof STANCES)[number];

/** verbatim: found in the source's stored text; unverified: the source is a citation without text. */
export type Verification = "verbatim" | "unverified";

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

/** Evidence as a client gives it, wherever evidence is accepted. */
export interface EvidenceRequest {
  sourceId: string;
  quote: string;
  speakerId?: string | null;
  stance?: Stance;
}

/** An evidence row ready to store. */
export interface EvidenceRow {
  id: string;
  sourceId: string;
  quote: string;
  startOffset: number | null;
  endOffset: number | null;
  verification: Verification;
  speakerId: string | null;
  stance: Stance;
  recordKind: string;
  recordId: string;
}

/** What the store knows about the evidence's references, loaded before the rule is applied. */
export interface EvidenceReferences {
  /** The source, with its text (null for a citation); null when there is no such source. */
  source: { text: string | null } | null;
  /** Whether the speaker, when one is named, is a known actor. */
  speakerKnown: boolean;
}

/**
 * The one rule for attaching a quote to a record, used by every path (creates, status changes,
 * POST …/evidence): a quote of a source with text must be in it verbatim and gets its offsets;
 * a quote of a citation is kept as given, marked unverified. `field` prefixes the field names
 * of any error ("evidence.0" gives "evidence.0.quote").
 */
export function evidenceFor(request: EvidenceRequest, refs: EvidenceReferences, recordKind: string, recordId: string, field: string): EvidenceRow {
  const at = (name: string) => (field ? `${field}.${name}` : name);
  if (!refs.source) throw new InvalidInputError([{ field: at("sourceId"), problem: `no source with id "${request.sourceId}"` }]);
  const speakerId = request.speakerId ?? null;
  if (speakerId && !refs.speakerKnown) throw new InvalidInputError([{ field: at("speakerId"), problem: `no actor with id "${speakerId}"` }]);
  // Blanks quote nothing: found in any text (between two words), they would stand as verbatim evidence of any fact.
  if (request.quote.trim().length === 0) throw new InvalidInputError([{ field: at("quote"), problem: "must not be empty or blank" }]);
  const common = { sourceId: request.sourceId, speakerId, stance: request.stance ?? "supports", recordKind, recordId };
  if (refs.source.text === null) {
    const id = `ev-${sha256Hex(`${recordKind}|${recordId}|${request.sourceId}|${request.quote}`).slice(0, 16)}`;
    return { id, quote: request.quote, startOffset: null, endOffset: null, verification: "unverified", ...common };
  }
  const found = findQuote(refs.source.text, request.quote, recordKind, recordId);
  if (!found) throw new InvalidInputError([{ field: at("quote"), problem: "is not a verbatim quote of the source's text" }]);
  // The source is part of the id: the same offsets in two articles are two quotes.
  const id = `ev-${sha256Hex(`${recordKind}|${recordId}|${request.sourceId}|${found.startOffset}|${found.endOffset}`).slice(0, 16)}`;
  return { id, quote: found.quote, startOffset: found.startOffset, endOffset: found.endOffset, verification: "verbatim", ...common };
}

/** A fact is disputed when its evidence holds quotes on both sides. */
export function isDisputed(evidence: readonly { stance: string }[]): boolean {
  return evidence.some((e) => e.stance === "disputes") && evidence.some((e) => e.stance !== "disputes");
}
