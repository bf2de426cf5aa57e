import { formatAtPrecision } from "../../domain/dates.ts";
import { SOURCE_KINDS, STANCES } from "../../domain/evidence.ts";
import type { Proposal } from "../../domain/intake.ts";
import { CONDITION_EFFECTS, PRECISIONS, STATUSES } from "../../domain/statuses.ts";
import { Layout, PageLinks } from "../layout.tsx";
import { highlightSegments } from "./source.tsx";

/** A record a proposal can become evidence for or a status change of: "threats/<id>" with a readable label. */
export interface Target {
  value: string;
  label: string;
}

export interface IntakeTargets {
  /** Records a new deadline may belong to, valued "threatId:<id>", "conditionId:<id>" or "scenarioId:<id>". */
  owners: Target[];
  /** Threats a new condition may guard, valued by id. */
  threats: Target[];
  /** Tracked records (for a status change), valued "<collection>/<id>". */
  tracked: Target[];
  /** Every record evidence may be attached to, valued "<collection>/<id>". */
  all: Target[];
  actors: Target[];
}

/** "Add an article": paste the text and its details; the API stores it and the next page shows the proposals. */
export function IntakeFormPage() {
  return (
    <Layout title="Add an article">
      <h1>Add an article</h1>
      <p>
        Paste the article and its details. The tracker stores it verbatim and proposes what to record from it; nothing is recorded until you confirm a proposal.
        The API token (in the header) is needed.
      </p>
      <form id="intake-form" class="intake intake-source">
        <label for="intake-title">Title</label>
        <input id="intake-title" name="title" required />
        <label for="intake-publisher">Publisher</label>
        <input id="intake-publisher" name="publisher" required />
        <label for="intake-kind">Kind of source</label>
        <select id="intake-kind" name="kind">
          {SOURCE_KINDS.map((k) => (
            <option value={k} selected={k === "press"}>
              {k}
            </option>
          ))}
        </select>
        <label for="intake-url">URL (optional)</label>
        <input id="intake-url" name="url" type="url" />
        <label for="intake-published">Published on</label>
        <input id="intake-published" name="publishedAt" type="date" required />
        <label for="intake-text">Text, verbatim</label>
        <textarea id="intake-text" name="text" rows={14} required />
        <button type="submit">Store and propose</button>
        <p data-role="result" role="status" aria-live="polite" />
      </form>
      <script src="/assets/intake.js" defer />
    </Layout>
  );
}

function describe(p: Proposal): string {
  switch (p.kind) {
    case "date":
      return `Date: ${formatAtPrecision(p.dueAt, p.precision)}${p.endsAt ? ` to ${formatAtPrecision(p.endsAt, p.precision)}` : ""} (${p.precision} precision)`;
    case "percentage":
      return `Percentage: ${p.percent}%${p.additional ? " (additional)" : ""}`;
    case "amount":
      return `Amount: ${p.amount.toLocaleString("en")} ${p.currency}`;
    case "actor":
      return `Actor: ${p.name}`;
    case "threat":
      return `Threat cue “${p.cue}”`;
    case "condition":
      return `Condition cue “${p.cue}”`;
  }
}

/** The records a field offers, by the list they are in; one datalist per page, whatever the number of proposals. */
type TargetList = keyof IntakeTargets;

/**
 * A record field: the page's first records of the list as suggestions, and (intake.js) a search
 * of the API as the analyst types; an id can be typed as is (intake.js finds which of the
 * list's kinds has it).
 */
function Pick({ id, name, label, list, optional }: { id: string; name: string; label: string; list: TargetList; optional?: boolean }) {
  return (
    <>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        list={`intake-${list}`}
        data-search={list}
        required={!optional}
        autocomplete="off"
        placeholder={optional ? "nobody in particular, or type to search" : "type to search"}
      />
    </>
  );
}

/**
 * When what a form records took effect (the API's effectiveAt): by default the article's date, so
 * that a deadline read from an article of 27 November exists as of December, whenever it is recorded.
 */
function EffectiveAt({ id, publishedOn }: { id: string; publishedOn: string }) {
  return (
    <>
      <label for={id}>In effect from (the article's date unless it says otherwise; ISO date or date-time; empty: now)</label>
      <input id={id} name="effectiveAt" value={publishedOn} />
    </>
  );
}

function Hidden({ sourceId, quote }: { sourceId: string; quote: string }) {
  return (
    <>
      <input type="hidden" name="sourceId" value={sourceId} />
      <input type="hidden" name="quote" value={quote} />
    </>
  );
}

/** The ways to confirm one proposal: a new deadline (dates), a status change or evidence, each with the quote as evidence. */
function ProposalActions({ p, n, sourceId, publishedOn }: { p: Proposal; n: number; sourceId: string; publishedOn: string }) {
  const f = `proposal-${n}`;
  return (
    <>
      {p.kind === "date" ? (
        <details>
          <summary>Record as a new deadline</summary>
          <form class="intake" data-action="deadline">
            <Hidden sourceId={sourceId} quote={p.quote} />
            <Pick id={`${f}-owner`} name="owner" label="Deadline of" list="owners" />
            <label for={`${f}-wording`}>Wording</label>
            <input id={`${f}-wording`} name="wording" value={p.quote} required />
            <label for={`${f}-due`}>Due (start of the period)</label>
            <input id={`${f}-due`} name="dueAt" value={p.dueAt.toISOString().slice(0, 10)} required />
            <label for={`${f}-precision`}>Precision</label>
            <select id={`${f}-precision`} name="precision">
              {PRECISIONS.filter((x) => x !== "unknown").map((x) => (
                <option value={x} selected={x === p.precision}>
                  {x}
                </option>
              ))}
            </select>
            <EffectiveAt id={`${f}-deadline-at`} publishedOn={publishedOn} />
            <button type="submit">Record deadline</button>
            <p data-role="result" role="status" aria-live="polite" />
          </form>
        </details>
      ) : null}
      {p.kind === "condition" ? (
        <details>
          <summary>Record as a new condition</summary>
          <form class="intake" data-action="condition">
            <Hidden sourceId={sourceId} quote={p.quote} />
            <Pick id={`${f}-threat`} name="threatId" label="Condition of the threat" list="threats" />
            <label for={`${f}-description`}>Description</label>
            <input id={`${f}-description`} name="description" value={p.quote} required />
            <label for={`${f}-effect`}>Meeting it</label>
            <select id={`${f}-effect`} name="effect">
              {CONDITION_EFFECTS.map((e) => (
                <option value={e} selected={e === "averts"}>
                  {e} the threat
                </option>
              ))}
            </select>
            <Pick id={`${f}-awaited`} name="awaitedActorId" label="Waits on (optional)" list="actors" optional />
            <EffectiveAt id={`${f}-condition-at`} publishedOn={publishedOn} />
            <button type="submit">Record condition</button>
            <p data-role="result" role="status" aria-live="polite" />
          </form>
        </details>
      ) : null}
      {p.kind === "actor" ? null : (
        <details>
          <summary>Record a status change with this quote</summary>
          <form class="intake" data-action="status">
            <Hidden sourceId={sourceId} quote={p.quote} />
            <Pick id={`${f}-record`} name="record" label="Record" list="tracked" />
            <label for={`${f}-status`}>New status</label>
            <select id={`${f}-status`} name="status" required>
              {Object.entries(STATUSES).map(([kind, statuses]) => (
                <optgroup label={kind}>
                  {statuses.map((s) => (
                    <option value={s}>{s}</option>
                  ))}
                </optgroup>
              ))}
            </select>
            <label for={`${f}-reason`}>Reason</label>
            <textarea id={`${f}-reason`} name="reason" rows={2} required />
            <EffectiveAt id={`${f}-status-at`} publishedOn={publishedOn} />
            <button type="submit">Record change</button>
            <p data-role="result" role="status" aria-live="polite" />
          </form>
        </details>
      )}
      <details>
        <summary>Attach as evidence</summary>
        <form class="intake" data-action="evidence">
          <Hidden sourceId={sourceId} quote={p.quote} />
          <Pick id={`${f}-target`} name="record" label="Record" list="all" />
          <label for={`${f}-stance`}>The quote</label>
          <select id={`${f}-stance`} name="stance">
            {STANCES.map((s) => (
              <option value={s}>{s} it</option>
            ))}
          </select>
          <Pick id={`${f}-speaker`} name="speakerId" label="Whose words (optional)" list="actors" optional />
          <button type="submit">Attach</button>
          <p data-role="result" role="status" aria-live="polite" />
        </form>
      </details>
    </>
  );
}

/** A stored article's stretch of text read for one page of proposals, highlighted, each proposal with the forms that confirm it. */
export function IntakeProposalsPage({
  source,
  page,
  targets,
  links,
}: {
  source: { id: string; title: string; publisher: string; publishedAt: Date; text: string };
  page: { items: Proposal[]; from: number; to: number };
  targets: IntakeTargets;
  /** The next page, when there may be one, and the first, when this is a later one. */
  links: { more: string | null; first: string | null };
}) {
  const { from, to } = page;
  const numbered = page.items.map((p, n) => ({ ...p, n, startOffset: p.startOffset - from, endOffset: p.endOffset - from }));
  const whole = from === 0 && to === source.text.length;
  // The day alone when the source gives no time of day.
  const publishedOn = source.publishedAt.toISOString().replace(/T00:00:00\.000Z$/, "");
  return (
    <Layout title={`Proposals: ${source.title}`}>
      <h1>{source.title}</h1>
      <p class="muted">
        {source.publisher} · {source.publishedAt.toISOString().slice(0, 10)} · <a href={`/sources/${source.id}`}>the source</a>
        {whole ? null : (
          <>
            {" "}
            · characters {from.toLocaleString("en")} to {to.toLocaleString("en")} of {source.text.length.toLocaleString("en")}
          </>
        )}
      </p>
      <div class="article intake-article">
        {highlightSegments(source.text.slice(from, to), numbered).map((s) => {
          if (!s.quotes.length) return s.text;
          // The most specific proposal (the shortest) is the one the highlight links to.
          const p = [...s.quotes].sort((a, b) => a.endOffset - a.startOffset - (b.endOffset - b.startOffset))[0]!;
          return (
            <mark class={`proposal-${p.kind}`} title={s.quotes.map(describe).join("\n")}>
              <a href={`#proposal-${p.n}`}>{s.text}</a>
            </mark>
          );
        })}
      </div>
      <h2>Proposals</h2>
      {numbered.length ? null : <p class="muted">Nothing to propose in this part of the text.</p>}
      <ol class="proposals">
        {numbered.map((p) => (
          <li id={`proposal-${p.n}`} class="card" data-kind={p.kind}>
            <strong>{describe(p)}</strong>
            <blockquote class="quote">“{p.quote}”</blockquote>
            <ProposalActions p={p} n={p.n} sourceId={source.id} publishedOn={publishedOn} />
          </li>
        ))}
      </ol>
      {links.first || links.more ? <PageLinks first={links.first} more={links.more} what="proposals" /> : null}
      {(Object.keys(targets) as TargetList[]).map((list) => (
        <datalist id={`intake-${list}`}>
          {targets[list].map((o) => (
            <option value={o.value} label={o.label} />
          ))}
        </datalist>
      ))}
      <script src="/assets/intake.js" defer />
    </Layout>
  );
}
