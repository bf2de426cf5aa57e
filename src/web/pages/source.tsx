import type { SourceQuote as Quote, SourceShown } from "../../db/sql/source-quotes.ts";
import { Layout, PageLinks } from "../layout.tsx";

interface Located {
  startOffset: number;
  endOffset: number;
}

/** Cuts the text at every quote boundary; each piece knows the quotes that cover it. */
export function highlightSegments<Q extends Located>(text: string, quotes: Q[]): { text: string; quotes: Q[] }[] {
  const cuts = [...new Set([0, text.length, ...quotes.flatMap((q) => [q.startOffset, q.endOffset])])].sort((a, b) => a - b);
  const segments: { text: string; quotes: Q[] }[] = [];
  for (let i = 0; i < cuts.length - 1; i++) {
    const [from, to] = [cuts[i]!, cuts[i + 1]!];
    if (from === to) continue;
    segments.push({ text: text.slice(from, to), quotes: quotes.filter((q) => q.startOffset <= from && q.endOffset >= to) });
  }
  return segments;
}

const isLocated = <Q extends Quote>(q: Q): q is Q & Located => q.startOffset !== null && q.endOffset !== null;

/**
 * The stretch of a text a page of quotes is shown in: from the start (the first page) or the
 * page's first quote, to where the next page's first quote starts (the end of the text on the
 * last page), taking in each of the page's quotes whole.
 */
export function textStretch(text: string, quotes: Quote[], next: Quote | null, later: boolean): { from: number; to: number } {
  const placed = quotes.filter(isLocated);
  const from = later ? Math.min(placed[0]?.startOffset ?? text.length, text.length) : 0;
  if (next?.startOffset == null) return { from, to: text.length };
  return { from, to: Math.min(text.length, Math.max(next.startOffset, ...placed.map((q) => q.endOffset))) };
}

/**
 * The article, verbatim, with a page of its evidence quotes highlighted, each linked to the record
 * it supports: the whole text when they all fit on one page, else the stretch they lie in. A
 * citation's quotes are listed as given.
 */
export function SourcePage({
  source,
  quotes,
  stretch,
  links,
  scenarioOf,
}: {
  source: SourceShown;
  quotes: Quote[];
  /** The part of the text shown (null for a citation). */
  stretch: { from: number; to: number } | null;
  /** The next page, when there is one, and the first, when this is a later one. */
  links: { more: string | null; first: string | null };
  scenarioOf: (kind: string, id: string) => string | null;
}) {
  const link = (q: Quote) => {
    const scenario = scenarioOf(q.recordKind, q.recordId);
    return scenario
      ? `/scenarios/${scenario}#${q.recordId}`
      : `/api/${q.recordKind === "actor" ? "actors" : q.recordKind === "topic" ? "topics" : `${q.recordKind}s`}/${q.recordId}`;
  };
  const paged = links.more !== null || links.first !== null;
  const whole = stretch === null || (stretch.from === 0 && stretch.to === source.text?.length);
  return (
    <Layout title={source.title}>
      <h1>{source.title}</h1>
      <p class="muted">
        {source.publisher} ({source.kind}) · {source.publishedAt.toISOString().slice(0, 10)}
        {source.publishedAtInferred ? " (date inferred)" : ""} · {quotes.length} evidence quotes {source.text === null ? "listed" : "highlighted"}
        {paged ? " on this page" : ""}
        {whole || !stretch ? null : (
          <>
            {" "}
            · characters {stretch.from.toLocaleString("en")} to {stretch.to.toLocaleString("en")} of {source.text!.length.toLocaleString("en")}
          </>
        )}
        {source.url && /^https?:\/\//i.test(source.url) ? (
          <>
            {" "}
            · <a href={source.url}>original</a>
          </>
        ) : null}
      </p>
      {source.copyOfId ? (
        <p>
          A copy of <a href={`/sources/${source.copyOfId}`}>another source</a>.
        </p>
      ) : null}
      {source.text === null || stretch === null ? (
        <>
          <p>A citation: no text is stored, so its quotes are kept as given and marked unverified.</p>
          {quotes.map((q) => (
            <blockquote class="quote" id={q.id}>
              “{q.quote}” <span class="badge unverified">unverified</span> — <a href={link(q)}>{q.recordId}</a>
              {q.stance === "disputes" ? " (disputes it)" : ""}
            </blockquote>
          ))}
        </>
      ) : (
        <div class="article">
          {highlightSegments(
            source.text.slice(stretch.from, stretch.to),
            quotes.filter(isLocated).map((q) => ({ ...q, startOffset: q.startOffset - stretch.from, endOffset: q.endOffset - stretch.from })),
          ).map((s) =>
            s.quotes.length ? (
              <mark id={s.quotes[0]!.id} title={s.quotes.map((q) => `${q.recordKind}: ${q.recordId}`).join("\n")}>
                <a href={link(s.quotes[0]!)}>{s.text}</a>
              </mark>
            ) : (
              s.text
            ),
          )}
        </div>
      )}
      {paged ? <PageLinks first={links.first} more={links.more} what="quotes" /> : null}
    </Layout>
  );
}
