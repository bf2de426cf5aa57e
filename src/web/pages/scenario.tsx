import type { ScenarioView } from "../../db/scenario-view.ts";
import type { ConditionCard, Count, DeadlineCard, EventCard, Quote, SectionPage, ThreatCard } from "../../db/sql/scenario-view.ts";
import { correctionOf } from "../../domain/corrections.ts";
import { formatAtPrecision } from "../../domain/dates.ts";
import { deadlineTimingAsOf } from "../../domain/deadlines.ts";
import { isDisputed } from "../../domain/evidence.ts";
import type { Precision } from "../../domain/statuses.ts";
import { Layout } from "../layout.tsx";
import { type PageTime, ReadTimeControls, StatusBadge, Upcoming } from "../read-time.tsx";
import { ChangeStatus } from "../status-form.tsx";

function QuoteLine({ e }: { e: Quote }) {
  return (
    <blockquote class={e.stance === "disputes" ? "quote disputes" : "quote"}>
      “{e.quote}” — {e.speaker ? `${e.speaker.name}, in ` : ""}
      <a href={`/sources/${e.source.id}#${e.id}`}>{e.source.title}</a>
      {e.verification === "unverified" ? (
        <span class="badge unverified" title="The source is a citation without stored text: the quote could not be checked">
          unverified
        </span>
      ) : null}
    </blockquote>
  );
}

/** "120", or "more than 1000" where counting stopped. */
const counted = (count: Count) => `${count.more ? "more than " : ""}${count.n}`;

/** A record's quotes; when sources disagree, both sides of the disputed fact side by side. */
function Quotes({ quotes, kind, id }: { quotes: ScenarioView["quotes"]; kind: string; id: string }) {
  const mine = quotes.get(`${kind}|${id}`);
  if (!mine) return null;
  const notShown = mine.notShown.n ? <p class="muted">… and {counted(mine.notShown)} more quotes, not shown here.</p> : null;
  if (!isDisputed([...mine.supports, ...mine.disputes]))
    return (
      <>
        {[...mine.supports, ...mine.disputes].map((e) => (
          <QuoteLine e={e} />
        ))}
        {notShown}
      </>
    );
  return (
    <section class="disputed" aria-label="Disputed: sources disagree">
      <p>
        <span class="badge disputed-badge">disputed</span> Sources disagree on this.
      </p>
      <div class="sides">
        <div>
          <h4>Supports</h4>
          {mine.supports.map((e) => (
            <QuoteLine e={e} />
          ))}
        </div>
        <div>
          <h4>Disputes</h4>
          {mine.disputes.map((e) => (
            <QuoteLine e={e} />
          ))}
        </div>
      </div>
      {notShown}
    </section>
  );
}

const TERM_LABELS: Record<string, string> = {
  ratePercent: "rate",
  authority: "authority",
  covers: "covers",
  targetIds: "targets",
  awaitedActorId: "waits on",
  effect: "effect",
  kind: "kind",
};

function termValue(key: string, v: unknown): string {
  if (v === null || v === undefined) return "none";
  if (key === "ratePercent") return `${v}%`;
  if (Array.isArray(v)) return v.join(", ") || "none";
  return String(v);
}

/** "rate 20% → 10%, authority IEEPA → Section 301": each changed term, old and new. */
function TermsChange({ before, after }: { before: Record<string, unknown>; after: Record<string, unknown> }) {
  return (
    <>
      {Object.entries(after)
        .map(([k, v]) => `${TERM_LABELS[k] ?? k} ${termValue(k, before[k])} → ${termValue(k, v)}`)
        .join("; ")}
    </>
  );
}

function Deadline({ d, quotes, asOf, live }: { d: DeadlineCard; quotes: ScenarioView["quotes"]; asOf: Date; live: boolean }) {
  const timing = deadlineTimingAsOf({ dueAt: d.dueAt, precision: d.precision as Precision, status: d.asThen.status }, asOf);
  return (
    <div class="card" id={d.id}>
      <strong>Deadline: {timing.dueLabel}</strong> <StatusBadge status={d.asThen.status} unconfirmed={d.asThen.unconfirmed} />{" "}
      {timing.overdue ? <span class="overdue">overdue</span> : null}
      <div class="muted">
        “{d.wording}” · {d.precision} precision
      </div>
      <Upcoming scheduled={d.asThen.scheduled} />
      <Quotes quotes={quotes} kind="deadline" id={d.id} />
      {live ? <ChangeStatus kind="deadline" id={d.id} status={d.asThen.status} /> : null}
    </div>
  );
}

function Condition({ c, quotes, live }: { c: ConditionCard; quotes: ScenarioView["quotes"]; live: boolean }) {
  return (
    <div class="card" id={c.id}>
      <strong>Condition ({c.effect} the threat):</strong> {c.description} <StatusBadge status={c.asThen.status} unconfirmed={c.asThen.unconfirmed} />
      <div class="muted">Waits on: {c.awaitedActorName ?? "unspecified"}</div>
      <Quotes quotes={quotes} kind="condition" id={c.id} />
      {live ? <ChangeStatus kind="condition" id={c.id} status={c.asThen.status} /> : null}
    </div>
  );
}

/** Where each section's next page is, with the page's asOf and knownAt kept. */
export interface SectionLinks {
  /** The whole scenario (the first page of every section). */
  overview: string;
  more(section: "threats" | "deadlines" | "conditions" | "events" | "timeline", after: unknown, threatId?: string): string;
}

/** "(120)" after a section's heading when its count is known. */
const countOf = (page: SectionPage<unknown, unknown>) => (page.total === null ? "" : ` (${counted(page.total)})`);
/** "All 60 deadlines of this threat", or without the number when it is not known (after it when counting stopped). */
const allOf = (page: SectionPage<unknown, unknown>, what: string) =>
  page.total === null
    ? `All ${what} of this threat`
    : page.total.more
      ? `All ${what} of this threat (${counted(page.total)})`
      : `All ${page.total.n} ${what} of this threat`;

/** A link to a section's next page, when there is one. */
function More({ page, href, label }: { page: SectionPage<unknown, unknown>; href: (after: unknown) => string; label: string }) {
  return page.next === null ? null : (
    <p class="more">
      <a href={href(page.next)} rel="next">
        {label} →
      </a>
    </p>
  );
}

function Threat({ t, quotes, asOf, live, links }: { t: ThreatCard; quotes: ScenarioView["quotes"]; asOf: Date; live: boolean; links: SectionLinks }) {
  return (
    <section class="card" id={t.id} aria-labelledby={`${t.id}-title`}>
      <h3 id={`${t.id}-title`}>
        {t.summary} <StatusBadge status={t.asThen.status} unconfirmed={t.asThen.unconfirmed} />
      </h3>
      <Upcoming scheduled={t.asThen.scheduled} />
      <p>
        {t.issuerName} → {t.targetNames.join(", ") || "no single target"} · {t.termsThen.measure} on {t.termsThen.covers}
        {t.termsThen.ratePercent !== null ? ` · ${t.termsThen.ratePercent}%` : ""}
        {t.termsThen.authority ? ` · under ${t.termsThen.authority}` : ""}
        {t.magnitudeText ? ` · “${t.magnitudeText}”` : ""}
      </p>
      <p class="muted">Topics: {t.topics.join(", ") || "none"}</p>
      <Quotes quotes={quotes} kind="threat" id={t.id} />
      {live ? <ChangeStatus kind="threat" id={t.id} status={t.asThen.status} /> : null}
      {t.conditions.items.map((c) => (
        <Condition c={c} quotes={quotes} live={live} />
      ))}
      <More page={t.conditions} href={() => links.more("conditions", null, t.id)} label={allOf(t.conditions, "conditions")} />
      {t.deadlines.items.map((d) => (
        <Deadline d={d} quotes={quotes} asOf={asOf} live={live} />
      ))}
      <More page={t.deadlines} href={() => links.more("deadlines", null, t.id)} label={allOf(t.deadlines, "deadlines")} />
    </section>
  );
}

function EventSection({ e, quotes, live }: { e: EventCard; quotes: ScenarioView["quotes"]; live: boolean }) {
  return (
    <section class="card" id={e.id} aria-label={e.title}>
      <strong>{e.title}</strong> <StatusBadge status={e.asThen.status} unconfirmed={e.asThen.unconfirmed} />
      <Upcoming scheduled={e.asThen.scheduled} />
      <div>
        {formatAtPrecision(e.startsAt, e.precision as Precision)}
        {e.endsAt && e.startsAt && e.endsAt.getTime() !== e.startsAt.getTime() && e.precision === "day" ? ` – ${formatAtPrecision(e.endsAt, "day")}` : ""} ·{" "}
        {e.place ?? "place unknown"} <span class="muted">(“{e.wording}”)</span>
      </div>
      <div class="muted">With: {e.participants.join(", ") || "—"}</div>
      <Quotes quotes={quotes} kind="event" id={e.id} />
      {live ? <ChangeStatus kind="event" id={e.id} status={e.asThen.status} /> : null}
    </section>
  );
}

/**
 * A scenario as it stood at asOf, as known at knownAt: its threats with their first conditions and
 * deadlines, its own deadlines, its events and its timeline, each one page long with a link to the
 * next (or, with a focus, one section from where the previous page ended). Forms to change things
 * are offered only on the live view (today, as known now).
 */
export function ScenarioPage({ view, asOf, time, links }: { view: ScenarioView; asOf: Date; time: PageTime; links: SectionLinks }) {
  const { scenario, focus, threat, threats, conditions, deadlines, events, timeline, quotes } = view;
  const live = !time.asOf && !time.knownAt;
  return (
    <Layout title={scenario.title}>
      <h1>{scenario.title}</h1>
      <ReadTimeControls action={`/scenarios/${scenario.id}`} time={time} />
      <p>
        <StatusBadge status={scenario.asThen.status} unconfirmed={scenario.asThen.unconfirmed} /> {scenario.summary}
      </p>
      <p class="muted">Topics: {scenario.topics.join(", ") || "none"}</p>
      <Quotes quotes={quotes} kind="scenario" id={scenario.id} />
      {live ? <ChangeStatus kind="scenario" id={scenario.id} status={scenario.asThen.status} /> : null}
      {focus ? (
        <p>
          <a href={links.overview}>← The whole scenario</a>
        </p>
      ) : null}

      {threats ? (
        <>
          <h2 id="threats">Threats{countOf(threats)}</h2>
          {threats.items.map((t) => (
            <Threat t={t} quotes={quotes} asOf={asOf} live={live} links={links} />
          ))}
          <More page={threats} href={(after) => links.more("threats", after)} label="More threats" />
        </>
      ) : null}

      {conditions && threat ? (
        <>
          <h2 id="conditions">
            Conditions of <a href={`${links.overview}#${threat.id}`}>{threat.summary}</a>
            {countOf(conditions)}
          </h2>
          {conditions.items.map((c) => (
            <Condition c={c} quotes={quotes} live={live} />
          ))}
          <More page={conditions} href={(after) => links.more("conditions", after, threat.id)} label="More conditions" />
        </>
      ) : null}

      {deadlines && (deadlines.items.length > 0 || deadlines.next !== null || focus) ? (
        <>
          <h2 id="deadlines">
            {threat ? (
              <>
                Deadlines of <a href={`${links.overview}#${threat.id}`}>{threat.summary}</a>
              </>
            ) : (
              "Other deadlines"
            )}
            {countOf(deadlines)}
          </h2>
          {deadlines.items.map((d) => (
            <Deadline d={d} quotes={quotes} asOf={asOf} live={live} />
          ))}
          <More page={deadlines} href={(after) => links.more("deadlines", after, threat?.id)} label="More deadlines" />
        </>
      ) : null}

      {events ? (
        <>
          <h2 id="events">Events{countOf(events)}</h2>
          {events.items.map((e) => (
            <EventSection e={e} quotes={quotes} live={live} />
          ))}
          <More page={events} href={(after) => links.more("events", after)} label="More events" />
        </>
      ) : null}

      {timeline ? <Timeline timeline={timeline} live={live} links={links} /> : null}
    </Layout>
  );
}

function Timeline({ timeline, live, links }: { timeline: NonNullable<ScenarioView["timeline"]>; live: boolean; links: SectionLinks }) {
  return (
    <>
      <h2 id="timeline">Timeline</h2>
      <p class="muted">
        Every entry recorded by then, latest first (by when it took effect). A retracted entry stays, struck through; a lapse by terms that a later report
        superseded is marked.
      </p>
      <ol class="timeline">
        {timeline.items.map(({ entry: h, from, retracted, superseded, before }) => (
          <li id={`entry-${h.seq}`} class={retracted ? "retracted" : superseded ? "superseded" : ""}>
            <time datetime={h.effectiveAt.toISOString()}>{h.effectiveAt.toISOString().slice(0, 16).replace("T", " ")}</time> · {h.recordKind}{" "}
            <a href={`#${h.recordId}`}>{h.recordId}</a>:{" "}
            {h.change === "terms" ? (
              <>
                terms changed: <TermsChange before={before ?? {}} after={h.values ?? {}} />
              </>
            ) : h.change === "correction" ? (
              <>
                corrected: <TermsChange before={before ?? {}} after={correctionOf(h).to} />
              </>
            ) : h.change === "dates" ? (
              <>
                dates moved:{" "}
                {Object.entries(h.values ?? {})
                  .map(([k, v]) => `${k} ${v instanceof Date ? v.toISOString().slice(0, 10) : String(v)}`)
                  .join(", ")}
              </>
            ) : (
              <>
                {from ? `${from} → ` : "recorded as "}
                <strong>{h.to}</strong>
                {h.until ? ` until ${h.until.toISOString().slice(0, 10)}, then ${h.returnsTo}` : ""}
                {typeof h.values?.supersededById === "string" ? (
                  <>
                    {" "}
                    by <a href={`#${h.values.supersededById}`}>{h.values.supersededById}</a>
                  </>
                ) : null}
              </>
            )}
            {h.correction && h.change !== "correction" ? " (correction)" : ""}
            {h.byTerms ? " (by its terms)" : ""} — {h.reason}{" "}
            <span class="muted">
              by {h.by}, recorded {h.recordedAt.toISOString().slice(0, 10)}
            </span>
            {retracted && h.retraction ? (
              <span class="muted">
                {" "}
                · retracted by {h.retraction.by}: {h.retraction.reason}
              </span>
            ) : null}
            {superseded ? <span class="muted"> · superseded by a later report</span> : null}
            {live && !retracted && !h.byTerms ? (
              <details>
                <summary>Retract this entry</summary>
                <form class="retract" data-endpoint={`/api/history/${h.seq}/retract`}>
                  <label for={`retract-${h.seq}`}>Why it is wrong</label>
                  <textarea id={`retract-${h.seq}`} name="reason" rows={2} required />
                  <button type="submit">Retract</button>
                  <p data-role="result" role="status" aria-live="polite" />
                </form>
              </details>
            ) : null}
          </li>
        ))}
      </ol>
      <More page={timeline} href={(after) => links.more("timeline", after)} label="Earlier entries" />
    </>
  );
}
