import { Layout } from "../layout.tsx";

interface Located {
  startOffset: number;
  endOffset: number;
}

interface Quote {
  id: string;
  quote: string;
  startOffset: number | null;
  endOffset: number | null;
  recordKind: string;
  recordId: string;
  stance: string;
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

/** The article, verbatim, with every evidence quote highlighted and linked to the record it supports. */
export function SourcePage({
  source,
  quotes,
  scenarioOf,
}: {
  source: {
    id: string;
    title: string;
    publisher: string;
    kind: string;
    url: string | null;
    publishedAt: Date;
    publishedAtInferred: boolean;
    text: string | null;
    copyOfId: string | null;
  };
  quotes: Quote[];
  scenarioOf: (kind: string, id: string) => string | null;
}) {
  const link = (q: Quote) => {
    const scenario = scenarioOf(q.recordKind, q.recordId);
    return scenario
      ? `/scenarios/${scenario}#${q.recordId}`
      : `/api/${q.recordKind === "actor" ? "actors" : q.recordKind === "topic" ? "topics" : `${q.recordKind}s`}/${q.recordId}`;
  };
  return (
    <Layout title={source.title}>
      <h1>{source.title}</h1>
      <p class="muted">
        {source.publisher} ({source.kind}) · {source.publishedAt.toISOString().slice(0, 10)}
        {source.publishedAtInferred ? " (date inferred)" : ""} · {quotes.length} evidence quotes highlighted
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
      {source.text === null ? (
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
            source.text,
            quotes.filter((q): q is Quote & Located => q.startOffset !== null && q.endOffset !== null),
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
    </Layout>
  );
}
