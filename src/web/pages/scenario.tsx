import type { ScenarioView } from "../../db/scenario-view.ts";
import { formatAtPrecision } from "../../domain/dates.ts";
import { deadlineTimingAsOf } from "../../domain/deadlines.ts";
import { isDisputed } from "../../domain/evidence.ts";
import type { Precision } from "../../domain/statuses.ts";
import { Layout } from "../layout.tsx";
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

function Deadline({ d, evidence, now }: { d: ScenarioView["scenario"]["deadlines"][number]; evidence: Evidence[]; now: Date }) {
  const timing = deadlineTimingAsOf({ dueAt: d.dueAt, precision: d.precision as Precision, status: d.status }, now);
  return (
    <div class="card" id={d.id}>
      <strong>Deadline: {timing.dueLabel}</strong> <span class="badge">{d.status}</span> {timing.overdue ? <span class="overdue">overdue</span> : null}
      <div class="muted">
        “{d.wording}” · {d.precision} precision
      </div>
      <Quotes evidence={evidence} kind="deadline" id={d.id} />
      <ChangeStatus kind="deadline" id={d.id} status={d.status} />
    </div>
  );
}

/** A scenario: its threats with conditions and deadlines, its events, and the timeline of every status change. */
export function ScenarioPage({ view, now }: { view: ScenarioView; now: Date }) {
  const { scenario, evidence, timeline } = view;
  const threatDeadlineIds = new Set(scenario.threats.flatMap((t) => t.deadlines.map((d) => d.id)));
  return (
    <Layout title={scenario.title}>
      <h1>{scenario.title}</h1>
      <p>
        <span class="badge">{scenario.status}</span> {scenario.summary}
      </p>
      <p class="muted">Topics: {scenario.topics.map((t) => t.name).join(", ") || "none"}</p>
      <Quotes evidence={evidence} kind="scenario" id={scenario.id} />
      <ChangeStatus kind="scenario" id={scenario.id} status={scenario.status} />

      <h2>Threats</h2>
      {scenario.threats.map((t) => (
        <section class="card" id={t.id} aria-labelledby={`${t.id}-title`}>
          <h3 id={`${t.id}-title`}>
            {t.summary} <span class="badge">{t.status}</span>
          </h3>
          <p>
            {t.issuer.name} → {t.target?.name ?? "no single target"} · {t.measure} on {t.covers}
            {t.magnitudeText ? ` · ${t.magnitudeText}` : ""}
          </p>
          <p class="muted">Topics: {t.topics.map((x) => x.name).join(", ") || "none"}</p>
          <Quotes evidence={evidence} kind="threat" id={t.id} />
          <ChangeStatus kind="threat" id={t.id} status={t.status} />
          {t.conditions.map((c) => (
            <div class="card" id={c.id}>
              <strong>Condition ({c.effect} the threat):</strong> {c.description} <span class="badge">{c.status}</span>
              <div class="muted">Waits on: {c.awaitedActor?.name ?? "unspecified"}</div>
              <Quotes evidence={evidence} kind="condition" id={c.id} />
              <ChangeStatus kind="condition" id={c.id} status={c.status} />
            </div>
          ))}
          {t.deadlines.map((d) => (
            <Deadline d={d} evidence={evidence} now={now} />
          ))}
        </section>
      ))}
      {scenario.deadlines.filter((d) => !threatDeadlineIds.has(d.id)).length ? <h2>Other deadlines</h2> : null}
      {scenario.deadlines
        .filter((d) => !threatDeadlineIds.has(d.id))
        .map((d) => (
          <Deadline d={d} evidence={evidence} now={now} />
        ))}

      <h2>Events</h2>
      {scenario.events.map((e) => (
        <section class="card" id={e.id} aria-label={e.title}>
          <strong>{e.title}</strong> <span class="badge">{e.status}</span>
          <div>
            {formatAtPrecision(e.startsAt, e.precision as Precision)}
            {e.endsAt && e.startsAt && e.endsAt.getTime() !== e.startsAt.getTime() && e.precision === "day" ? ` – ${formatAtPrecision(e.endsAt, "day")}` : ""} ·{" "}
            {e.place ?? "place unknown"} <span class="muted">(“{e.wording}”)</span>
          </div>
          <div class="muted">With: {e.participants.map((p) => p.actor.name).join(", ") || "—"}</div>
          <Quotes evidence={evidence} kind="event" id={e.id} />
          <ChangeStatus kind="event" id={e.id} status={e.status} />
        </section>
      ))}

      <h2 id="timeline">Timeline of status changes</h2>
      <ol class="timeline">
        {timeline.map((h) => (
          <li>
            <time datetime={h.effectiveAt.toISOString()}>{h.effectiveAt.toISOString().slice(0, 16).replace("T", " ")}</time> · {h.recordKind}{" "}
            <a href={`#${h.recordId}`}>{h.recordId}</a>: {h.from ? `${h.from} → ` : "recorded as "}
            <strong>{h.to}</strong>
            {h.correction ? " (correction)" : ""} — {h.reason} <span class="muted">by {h.by}</span>
          </li>
        ))}
      </ol>
    </Layout>
  );
}
