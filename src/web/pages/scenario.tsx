import type { ScenarioView } from "../../db/scenario-view.ts";
import { formatAtPrecision } from "../../domain/dates.ts";
import { deadlineTimingAsOf } from "../../domain/deadlines.ts";
import { isDisputed } from "../../domain/evidence.ts";
import type { Precision } from "../../domain/statuses.ts";
import { Layout } from "../layout.tsx";
import { type PageTime, ReadTimeControls, StatusBadge, Upcoming } from "../read-time.tsx";
import { ChangeStatus } from "../status-form.tsx";

type Evidence = ScenarioView["evidence"][number];

function Quote({ e }: { e: Evidence }) {
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

/** A record's quotes; when sources disagree, both sides of the disputed fact side by side. */
function Quotes({ evidence, kind, id }: { evidence: Evidence[]; kind: string; id: string }) {
  const mine = evidence.filter((e) => e.recordKind === kind && e.recordId === id);
  if (!isDisputed(mine))
    return (
      <>
        {mine.map((e) => (
          <Quote e={e} />
        ))}
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
          {mine
            .filter((e) => e.stance !== "disputes")
            .map((e) => (
              <Quote e={e} />
            ))}
        </div>
        <div>
          <h4>Disputes</h4>
          {mine
            .filter((e) => e.stance === "disputes")
            .map((e) => (
              <Quote e={e} />
            ))}
        </div>
      </div>
    </section>
  );
}

const TERM_LABELS: Record<string, string> = { ratePercent: "rate", authority: "authority", covers: "covers", targetIds: "targets" };

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

function Deadline({ d, evidence, asOf, live }: { d: ScenarioView["scenario"]["deadlines"][number]; evidence: Evidence[]; asOf: Date; live: boolean }) {
  const timing = deadlineTimingAsOf({ dueAt: d.dueAt, precision: d.precision as Precision, status: d.asThen.status }, asOf);
  return (
    <div class="card" id={d.id}>
      <strong>Deadline: {timing.dueLabel}</strong> <StatusBadge status={d.asThen.status} unconfirmed={d.asThen.unconfirmed} />{" "}
      {timing.overdue ? <span class="overdue">overdue</span> : null}
      <div class="muted">
        “{d.wording}” · {d.precision} precision
      </div>
      <Upcoming scheduled={d.asThen.scheduled} />
      <Quotes evidence={evidence} kind="deadline" id={d.id} />
      {live ? <ChangeStatus kind="deadline" id={d.id} status={d.asThen.status} /> : null}
    </div>
  );
}

/**
 * A scenario as it stood at asOf, as known at knownAt: its threats with conditions and deadlines,
 * its events, and the timeline of every history entry. Forms to change things are offered only
 * on the live view (today, as known now).
 */
export function ScenarioPage({ view, asOf, time }: { view: ScenarioView; asOf: Date; time: PageTime }) {
  const { scenario, evidence, timeline } = view;
  const live = !time.asOf && !time.knownAt;
  const threatDeadlineIds = new Set(scenario.threats.flatMap((t) => t.deadlines.map((d) => d.id)));
  return (
    <Layout title={scenario.title}>
      <h1>{scenario.title}</h1>
      <ReadTimeControls action={`/scenarios/${scenario.id}`} time={time} />
      <p>
        <StatusBadge status={scenario.asThen.status} unconfirmed={scenario.asThen.unconfirmed} /> {scenario.summary}
      </p>
      <p class="muted">Topics: {scenario.topics.map((t) => t.name).join(", ") || "none"}</p>
      <Quotes evidence={evidence} kind="scenario" id={scenario.id} />
      {live ? <ChangeStatus kind="scenario" id={scenario.id} status={scenario.asThen.status} /> : null}

      <h2>Threats</h2>
      {scenario.threats.map((t) => (
        <section class="card" id={t.id} aria-labelledby={`${t.id}-title`}>
          <h3 id={`${t.id}-title`}>
            {t.summary} <StatusBadge status={t.asThen.status} unconfirmed={t.asThen.unconfirmed} />
          </h3>
          <Upcoming scheduled={t.asThen.scheduled} />
          <p>
            {t.issuer.name} → {t.termsThen.targetIds.map(t.targetName).join(", ") || "no single target"} · {t.measure} on {t.termsThen.covers}
            {t.termsThen.ratePercent !== null ? ` · ${t.termsThen.ratePercent}%` : ""}
            {t.termsThen.authority ? ` · under ${t.termsThen.authority}` : ""}
            {t.magnitudeText ? ` · “${t.magnitudeText}”` : ""}
          </p>
          <p class="muted">Topics: {t.topics.map((x) => x.name).join(", ") || "none"}</p>
          <Quotes evidence={evidence} kind="threat" id={t.id} />
          {live ? <ChangeStatus kind="threat" id={t.id} status={t.asThen.status} /> : null}
          {t.conditions.map((c) => (
            <div class="card" id={c.id}>
              <strong>Condition ({c.effect} the threat):</strong> {c.description} <StatusBadge status={c.asThen.status} unconfirmed={c.asThen.unconfirmed} />
              <div class="muted">Waits on: {c.awaitedActor?.name ?? "unspecified"}</div>
              <Quotes evidence={evidence} kind="condition" id={c.id} />
              {live ? <ChangeStatus kind="condition" id={c.id} status={c.asThen.status} /> : null}
            </div>
          ))}
          {t.deadlines.map((d) => (
            <Deadline d={d} evidence={evidence} asOf={asOf} live={live} />
          ))}
        </section>
      ))}
      {scenario.deadlines.filter((d) => !threatDeadlineIds.has(d.id)).length ? <h2>Other deadlines</h2> : null}
      {scenario.deadlines
        .filter((d) => !threatDeadlineIds.has(d.id))
        .map((d) => (
          <Deadline d={d} evidence={evidence} asOf={asOf} live={live} />
        ))}

      <h2>Events</h2>
      {scenario.events.map((e) => (
        <section class="card" id={e.id} aria-label={e.title}>
          <strong>{e.title}</strong> <StatusBadge status={e.asThen.status} unconfirmed={e.asThen.unconfirmed} />
          <Upcoming scheduled={e.asThen.scheduled} />
          <div>
            {formatAtPrecision(e.startsAt, e.precision as Precision)}
            {e.endsAt && e.startsAt && e.endsAt.getTime() !== e.startsAt.getTime() && e.precision === "day" ? ` – ${formatAtPrecision(e.endsAt, "day")}` : ""} ·{" "}
            {e.place ?? "place unknown"} <span class="muted">(“{e.wording}”)</span>
          </div>
          <div class="muted">With: {e.participants.map((p) => p.actor.name).join(", ") || "—"}</div>
          <Quotes evidence={evidence} kind="event" id={e.id} />
          {live ? <ChangeStatus kind="event" id={e.id} status={e.asThen.status} /> : null}
        </section>
      ))}

      <h2 id="timeline">Timeline</h2>
      <p class="muted">
        Every entry recorded by then, in the order things took effect. A retracted entry stays, struck through; a lapse by terms that a later report superseded
        is marked.
      </p>
      <ol class="timeline">
        {timeline.map(({ entry: h, from, retracted, superseded, before }) => (
          <li id={`entry-${h.seq}`} class={retracted ? "retracted" : superseded ? "superseded" : ""}>
            <time datetime={h.effectiveAt.toISOString()}>{h.effectiveAt.toISOString().slice(0, 16).replace("T", " ")}</time> · {h.recordKind}{" "}
            <a href={`#${h.recordId}`}>{h.recordId}</a>:{" "}
            {h.change === "terms" ? (
              <>
                terms changed: <TermsChange before={before ?? {}} after={h.values ?? {}} />
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
            {h.correction ? " (correction)" : ""}
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
    </Layout>
  );
}
