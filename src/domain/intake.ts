import * as chrono from "chrono-node";
import { isInDateRange, periodStart } from "./dates.ts";
import type { Precision } from "./statuses.ts";

/**
 * Article intake: what a reader would likely record from an article, each proposal with its
 * exact quote and offsets (UTF-16 code units, like evidence). Nothing here is recorded: the
 * analyst confirms each proposal as a record, a status change or evidence.
 */

interface Span {
  quote: string;
  startOffset: number;
  endOffset: number;
}

type DatePrecision = Exclude<Precision, "unknown">;

export type Proposal =
  | (Span & { kind: "date"; dueAt: Date; endsAt: Date | null; precision: DatePrecision })
  | (Span & { kind: "percentage"; percent: number; additional: boolean })
  | (Span & { kind: "amount"; amount: number; currency: string })
  | (Span & { kind: "actor"; actorId: string; name: string })
  | (Span & { kind: "threat" | "condition"; cue: string });

export interface KnownActor {
  id: string;
  name: string;
  /** Other names separated by semicolons, as the Actor table keeps them. */
  aliases: string | null;
}

export interface IntakeContext {
  /** The publication date: relative phrases ("next week", "in November") are read against it. */
  publishedAt: Date;
  actors: readonly KnownActor[];
}

/** Where a proposal stands in reading order: start, longer first, kind, then the actor (two actors may share a name). */
export type ProposalKey = [startOffset: number, endOffset: number, kind: string, actorId: string];

export function keyOf(p: Proposal): ProposalKey {
  return [p.startOffset, p.endOffset, p.kind, p.kind === "actor" ? p.actorId : ""];
}

/** Reading order over keys: negative when `a` comes first. */
export function compareKeys(a: ProposalKey, b: ProposalKey): number {
  return a[0] - b[0] || b[1] - a[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0) || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
}

/** Every proposal in the text, in reading order. */
export function proposalsFrom(text: string, context: IntakeContext): Proposal[] {
  const proposals: Proposal[] = [
    ...dateProposals(text, context.publishedAt),
    ...percentageProposals(text),
    ...amountProposals(text),
    ...actorProposals(text, context.actors),
    ...cueProposals(text),
  ];
  return proposals.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
}

// Blocks -------------------------------------------------------------------------------------

/**
 * Longest stretch of text the intake reads at once. The intake reads a text block by block, so a
 * page of proposals costs the blocks it reads, not the whole text (decision 023); an article of
 * up to this size is one block, read exactly as a whole.
 */
export const BLOCK_CHARS = 4_000;

const SENTENCE_END = /[.!?]["'”’)\]]*\s+/g;

/**
 * Where the block starting at `start` ends: after the last whole line that fits in BLOCK_CHARS;
 * a longer line ends its block at its last sentence end (or blank) before that, so a phrase is
 * cut only where a reader would pause. Found from `start` alone, so a page can resume at any
 * block it was given.
 */
export function blockEnd(text: string, start: number): number {
  const limit = start + BLOCK_CHARS;
  if (limit >= text.length) return text.length;
  const lastBreak = text.lastIndexOf("\n", limit - 1);
  if (lastBreak >= start) return lastBreak + 1;
  const window = text.slice(start, limit);
  let end = -1;
  for (const m of window.matchAll(SENTENCE_END)) end = m.index + m[0].length;
  if (end <= 0) end = window.search(/\s\S*$/) + 1;
  if (end <= 0) end = BLOCK_CHARS - (/[\uD800-\uDBFF]/.test(window.at(-1)!) ? 1 : 0);
  return start + end;
}

/** The proposals of one block, with offsets in the whole text. */
export function blockProposals(text: string, start: number, end: number, context: IntakeContext): Proposal[] {
  return proposalsFrom(text.slice(start, end), context).map((p) => ({
    ...p,
    startOffset: p.startOffset + start,
    endOffset: p.endOffset + start,
  }));
}

function span(text: string, startOffset: number, endOffset: number): Span {
  return { quote: text.slice(startOffset, endOffset), startOffset, endOffset };
}

// Dates ------------------------------------------------------------------------------------

const QUARTER_TAG = "tradewatch/quarter";
const YEAR_TAG = "tradewatch/year";
const ORDINAL_QUARTER: Record<string, number> = { first: 1, "1st": 1, second: 2, "2nd": 2, third: 3, "3rd": 3, fourth: 4, "4th": 4 };

/** chrono-node's English parser, taught the periods trade news uses that it lacks: quarters and bare years. */
const parser = (() => {
  const c = chrono.en.casual.clone();
  c.parsers.push(
    {
      pattern: () => /\b(?:(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+of\s+((?:19|20)\d{2}))?|Q([1-4])\s*((?:19|20)\d{2}))\b/i,
      extract: (context, match) => {
        const quarter = match[1] ? ORDINAL_QUARTER[match[1].toLowerCase()]! : Number(match[3]);
        const explicitYear = match[2] ?? match[4];
        const ref = context.refDate;
        // Without a year, the next such quarter (news speaks of what lies ahead).
        const year = explicitYear ? Number(explicitYear) : ref.getUTCFullYear() + (quarter * 3 < ref.getUTCMonth() + 1 ? 1 : 0);
        return context.createParsingResult(match.index!, match[0], { year, month: quarter * 3 - 2, day: 1 }).addTag(QUARTER_TAG);
      },
    },
    {
      // The preposition is part of the phrase: chrono drops a result that is a bare number.
      pattern: () => /\b(?:in|by|until|before|during|through|throughout|from|since)\s+((?:19|20)\d{2})\b(?!\s*(?:%|percent))/i,
      extract: (context, match) => context.createParsingResult(match.index!, match[0], { year: Number(match[1]), month: 1, day: 1 }).addTag(YEAR_TAG),
    },
  );
  return c;
})();

/** Words before a date that belong to the phrase a deadline is worded with ("starting in November", "by the end of"). */
const DATE_LEAD_IN =
  /\b(?:starting(?:\s+(?:in|on|from))?|beginning(?:\s+(?:in|on))?|effective(?:\s+(?:from|on))?|no\s+later\s+than|from|(?:by|until|before)(?:\s+the)?|after|in|on)\s+$/i;

function precisionOf(hit: chrono.ParsedResult): DatePrecision | null {
  const tags = hit.tags();
  if (tags.has(QUARTER_TAG)) return "quarter";
  if (tags.has(YEAR_TAG)) return "year";
  if (/\bweek\b/i.test(hit.text)) return "week";
  if (tags.has("refiner/ENEndOfPeriodRefiner")) return /\byear\b/i.test(hit.text) ? "year" : "month";
  const s = hit.start;
  if (s.isCertain("day") || s.isCertain("weekday")) return "day";
  if (s.isCertain("month")) return "month";
  if (s.isCertain("year")) return "year";
  return null;
}

/**
 * Dates and periods, resolved against the publication date and kept at the precision the phrase
 * gives: "in November" is a month, "by the end of February" a month, "within a year" a year.
 */
export function dateProposals(text: string, publishedAt: Date): Proposal[] {
  // Noon on the publication day, so "this week" and weekday phrases fall in the article's week.
  const reference = new Date(Date.UTC(publishedAt.getUTCFullYear(), publishedAt.getUTCMonth(), publishedAt.getUTCDate(), 12));
  const proposals: Proposal[] = [];
  for (const hit of parser.parse(text, { instant: reference, timezone: 0 }, { forwardDate: true })) {
    const precision = precisionOf(hit);
    if (!precision) continue;
    const leadIn = DATE_LEAD_IN.exec(text.slice(Math.max(0, hit.index - 40), hit.index));
    const start = hit.index - (leadIn ? leadIn[0].length : 0);
    const phrase = hit.text.replace(/[\s,;:.]+$/, "");
    const dueAt = periodStart(hit.start.date(), precision);
    const endsAt = hit.end ? periodStart(hit.end.date(), precision) : null;
    // A date the tracker would refuse (outside DATE_RANGE: "December 31, 9999") is no proposal: confirmed, it would be a 422.
    if (!isInDateRange(dueAt) || (endsAt && !isInDateRange(endsAt))) continue;
    proposals.push({ kind: "date", ...span(text, start, hit.index + phrase.length), dueAt, endsAt, precision });
  }
  return proposals;
}

// Figures ------------------------------------------------------------------------------------

const PERCENT = /(\badditional\s+)?\b(\d{1,4}(?:\.\d+)?)\s?(?:%|per\s?cent\b|percent\b)/gi;

/** Percentages ("an additional 100%", "25 percent"); `additional` when the text says so. */
export function percentageProposals(text: string): Proposal[] {
  return [...text.matchAll(PERCENT)].map((m) => {
    const start = m.index + (m[1]?.length ?? 0);
    return { kind: "percentage", ...span(text, start, m.index + m[0].length), percent: Number(m[2]), additional: Boolean(m[1]) };
  });
}

const CURRENCY_SYMBOL: Record<string, string> = { $: "USD", US$: "USD", "€": "EUR", "£": "GBP", "¥": "CNY" };
const CURRENCY_WORD: Record<string, string> = { dollars: "USD", euros: "EUR", pounds: "GBP", yuan: "CNY", yen: "JPY" };
const SCALE: Record<string, number> = { trillion: 1e12, billion: 1e9, bn: 1e9, million: 1e6, mn: 1e6, m: 1e6 };
const AMOUNT =
  /(US\$|\$|€|£|¥)\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s?(trillion|billion|million|bn|mn|m)\b)?|\b(\d+(?:\.\d+)?)\s(trillion|billion|million)\s(dollars|euros|pounds|yuan|yen)\b/gi;

/** Sums of money ("$50 billion", "€1.2bn", "300 million yuan"), in units of their currency. */
export function amountProposals(text: string): Proposal[] {
  return [...text.matchAll(AMOUNT)].map((m) => {
    const [symbol, digits, scale] = m[1] ? [m[1], m[2]!, m[3]] : [undefined, m[4]!, m[5]];
    const currency = symbol ? CURRENCY_SYMBOL[symbol.toUpperCase()]! : CURRENCY_WORD[m[6]!.toLowerCase()]!;
    const amount = Number(digits.replaceAll(",", "")) * (scale ? SCALE[scale.toLowerCase()]! : 1);
    return { kind: "amount", ...span(text, m.index, m.index + m[0].length), amount, currency };
  });
}

// Actors ------------------------------------------------------------------------------------

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Mentions of known actors by name or alias, matched as whole words and case as written; the longest mention wins. */
export function actorProposals(text: string, actors: readonly KnownActor[]): Proposal[] {
  const matcher = actorMatcher(actors);
  if (!matcher) return [];
  const { byName, pattern } = matcher;
  return [...text.matchAll(pattern)].flatMap((m) =>
    byName.get(m[0])!.map((actor) => ({ kind: "actor" as const, ...span(text, m.index, m.index + m[0].length), actorId: actor.id, name: actor.name })),
  );
}

interface ActorMatcher {
  byName: Map<string, KnownActor[]>;
  pattern: RegExp;
}

/** One matcher per list of actors: a page reading several blocks builds its pattern once. */
const matchers = new WeakMap<readonly KnownActor[], ActorMatcher | null>();

function actorMatcher(actors: readonly KnownActor[]): ActorMatcher | null {
  const known = matchers.get(actors);
  if (known !== undefined) return known;
  const byName = new Map<string, KnownActor[]>();
  for (const actor of actors) {
    const names = new Set([actor.name, ...(actor.aliases ?? "").split(";")].map((n) => n.trim()).filter((n) => n.length > 1));
    for (const name of names) byName.set(name, [...(byName.get(name) ?? []), actor]);
  }
  // One pass over the text for all names, longest first so "Donald Trump" is not read as "Trump".
  const alternatives = [...byName.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const matcher = byName.size ? { byName, pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join("|")})(?![\\p{L}\\p{N}])`, "gu") } : null;
  matchers.set(actors, matcher);
  return matcher;
}

// Threats and conditions -----------------------------------------------------------------------

const THREAT_CUES =
  /\b(?:will|would|could|may|to)\s+impose\b|\bimpos(?:e|es|ed|ing)\b|\bthreat(?:en|ens|ened|ening)?\b|\bconsidering\b|\bwarn(?:s|ed)?\b|\bsuspend(?:s|ed|ing)?\b|\bretaliat\w*|\bsanctions?\b|\btighten(?:s|ed|ing)?\b|\bexport\s+controls?\b|\brestrictions?\s+on\b/i;
const CONDITION_CUES =
  /\bunless\b|\bif\b(?=[^.;]*?\b(?:does|do|did|will|would)\s+not\b|[^.;]*?\b(?:doesn['’]t|don['’]t|fails?\s+to)\b)|\buntil\b|\bprovided\s+that\b|\bas\s+long\s+as\b/i;

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });

/**
 * Sentences with their offsets, surrounding blanks trimmed. Line by line: a line break ends a
 * sentence for ICU anyway, and segmenting one large string at once is far slower (2.9 s against
 * 37 ms for 250 kB, measured).
 */
function sentences(text: string): Span[] {
  const out: Span[] = [];
  for (const line of text.matchAll(/[^\n]+/g)) {
    // ICU ends a sentence at "Nov." before "10, 2026": an abbreviation carries on into the next segment.
    let from: number | null = null;
    for (const s of segmenter.segment(line[0])) {
      const lead = s.segment.length - s.segment.trimStart().length;
      const body = s.segment.trim();
      if (!body) continue;
      const start: number = from ?? line.index + s.index + lead;
      if (ABBREVIATION_AT_END.test(body)) {
        from = start;
        continue;
      }
      from = null;
      out.push(span(text, start, line.index + s.index + lead + body.length));
    }
    if (from !== null) out.push(span(text, from, line.index + line[0].trimEnd().length));
  }
  return out;
}

/** Abbreviations that end no sentence in the press's dates and references ("until Nov. 10", "No. 61", "Sec. 301"). */
const ABBREVIATION_AT_END = /\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|No|Nos|Art|Sec|Secs|Mr|Mrs|Ms|Dr|St|vs)\.$/;

/**
 * Sentences with a threat cue ("will impose", "threatened", "considering", "suspend", …) as
 * threat proposals, and condition clauses ("unless …", "if … does not …", "until …") from the
 * cue to the end of their sentence as condition proposals.
 */
export function cueProposals(text: string): Proposal[] {
  const out: Proposal[] = [];
  for (const s of sentences(text)) {
    const threat = THREAT_CUES.exec(s.quote);
    if (threat) out.push({ kind: "threat", ...s, cue: threat[0] });
    const condition = CONDITION_CUES.exec(s.quote);
    if (condition) {
      const clause = s.quote.slice(condition.index).replace(/[\s.;:!?,”"]+$/u, "");
      const start = s.startOffset + condition.index;
      out.push({ kind: "condition", ...span(text, start, start + clause.length), cue: condition[0] });
    }
  }
  return out;
}
