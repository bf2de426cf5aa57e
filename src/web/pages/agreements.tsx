import type { AgreementThen, DeadlineThen } from "../../db/agreement-view.ts";
import { AGREEMENT_COMMITMENTS } from "../../db/records.ts";
import { DETAIL_EMBEDS } from "../../db/threat-detail.ts";
import { deadlineTimingAsOf } from "../../domain/deadlines.ts";
import { Layout } from "../layout.tsx";
import { type PageTime, pageTimeQuery, ReadTimeControls, StatusBadge, Upcoming } from "../read-time.tsx";
import { ChangeStatus } from "../status-form.tsx";

/** "November 2025 (pending, overdue)": a due date at its precision, with its status then. */
function Due({ d, asOf }: { d: DeadlineThen; asOf: Date }) {
  const timing = deadlineTimingAsOf({ dueAt: d.dueAt, precision: d.precision, status: d.status }, asOf);
  return (
    <span class="due">
      {timing.dueLabel} <span class="muted">(“{d.wording}”)</span> <span class="badge">{d.status}</span>
      {timing.overdue ? <span class="overdue"> overdue</span> : null}
    </span>
  );
}

/** Each party with what it owes under the agreement: status then, kind, due date. */
function CommitmentsPerParty({ agreement, asOf, time, live }: { agreement: AgreementThen; asOf: Date; time: PageTime; live: boolean }) {
  const query = pageTimeQuery(time);
  return (
    <>
      {agreement.parties.map((party) => {
        const owed = agreement.commitments.filter((c) => c.partyId === party.id);
        return (
          <section class="party" aria-label={`${party.name} commits to`}>
            <h4>{party.name} commits to</h4>
            {owed.length === 0 ? (
              <p class="muted">No commitment recorded.</p>
            ) : (
              <table class="commitments">
                <thead>
                  <tr>
                    <th scope="col">Commitment</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Status</th>
                    <th scope="col">Due</th>
                  </tr>
                </thead>
                <tbody>
                  {owed.map((c) => (
                    <tr id={c.id}>
                      <td>
                        {c.description}
                        {c.affects.map((m) => (
                          <div class="muted">
                            Changes <a href={`/scenarios/${m.scenarioId}${query}#${m.id}`}>{m.summary}</a> ({m.status})
                          </div>
                        ))}
                        {live ? <ChangeStatus kind="commitment" id={c.id} status={c.status} /> : null}
                      </td>
                      <td>{c.kind}</td>
                      <td>
                        <StatusBadge status={c.status} unconfirmed={c.unconfirmed} />
                      </td>
                      <td>
                        {c.deadlines.length === 0 ? (
                          <span class="muted">no date stated</span>
                        ) : (
                          c.deadlines.map((d) => (
                            <div>
                              <Due d={d} asOf={asOf} />
                            </div>
                          ))
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
    </>
  );
}

/** One agreement as it stood then: parties, status, expiry, what supersedes it, and its commitments per party. */
function AgreementCard({ agreement: a, asOf, time, heading, live }: { agreement: AgreementThen; asOf: Date; time: PageTime; heading: boolean; live: boolean }) {
  const query = pageTimeQuery(time);
  return (
    <section class="card agreement" id={a.id} aria-labelledby={`${a.id}-title`}>
      {heading ? (
        <h2 id={`${a.id}-title`}>
          <a href={`/agreements/${a.id}${query}`}>{a.title}</a> <StatusBadge status={a.status} unconfirmed={a.unconfirmed} />
        </h2>
      ) : (
        <p id={`${a.id}-title`}>
          <StatusBadge status={a.status} unconfirmed={a.unconfirmed} />
        </p>
      )}
      <Upcoming scheduled={a.scheduled} />
      <p>Parties: {a.parties.map((p) => p.name).join(" · ")}</p>
      {a.summary ? <p>{a.summary}</p> : null}
      {a.supersededById ? (
        <p>
          Superseded by <a href={`/agreements/${a.supersededById}${query}`}>{a.supersededById}</a>
        </p>
      ) : null}
      {a.deadlines.map((d) => (
        <p>
          {d.kind === "expiry" ? "Expires" : "Deadline"}: <Due d={d} asOf={asOf} />
        </p>
      ))}
      {a.deadlinesTruncated ? (
        <MoreInList first={DETAIL_EMBEDS} what="deadlines" list={`/api/deadlines?agreement=${encodeURIComponent(a.id)}`} time={time} />
      ) : null}
      {live ? <ChangeStatus kind="agreement" id={a.id} status={a.status} /> : null}
      <h3>Commitments</h3>
      <CommitmentsPerParty agreement={a} asOf={asOf} time={time} live={live} />
      {a.commitmentsTruncated ? (
        <MoreInList first={AGREEMENT_COMMITMENTS} what="commitments" list={`/api/commitments?agreement=${encodeURIComponent(a.id)}`} time={time} />
      ) : null}
    </section>
  );
}

/** Says a list shows only its first entries, and links to the API's list that pages through them all at the same read time. */
function MoreInList({ first, what, list, time }: { first: number; what: string; list: string; time: PageTime }) {
  const query = pageTimeQuery(time);
  return (
    <p class="muted">
      Only its first {first} {what} recorded are shown here; <a href={`${list}${query ? `&${query.slice(1)}` : ""}`}>the list of its {what}</a> pages through
      them all.
    </p>
  );
}

const headingOf = (what: string, time: PageTime) => `${what}${time.asOf ? ` as of ${time.asOf}` : ""}${time.knownAt ? `, as known on ${time.knownAt}` : ""}`;

/** Every agreement that existed on the chosen day, as known on another, with its commitments per party then. */
export function AgreementsPage({ agreements, nextAfter, asOf, time }: { agreements: AgreementThen[]; nextAfter: string | null; asOf: Date; time: PageTime }) {
  const query = pageTimeQuery(time);
  return (
    <Layout title="Agreements">
      <h1>{headingOf("Agreements", time)}</h1>
      <ReadTimeControls action="/agreements" time={time} />
      {agreements.length === 0 ? <p class="muted">No agreement recorded by then.</p> : null}
      {agreements.map((a) => (
        <AgreementCard agreement={a} asOf={asOf} time={time} heading={true} live={false} />
      ))}
      {nextAfter ? (
        <p>
          <a rel="next" href={`/agreements${query}${query ? "&" : "?"}after=${encodeURIComponent(nextAfter)}`}>
            Next agreements
          </a>
        </p>
      ) : null}
    </Layout>
  );
}

/** One agreement, its conditions too, and (on the live view) forms to change its status and its commitments'. */
export function AgreementPage({ agreement: a, asOf, time }: { agreement: AgreementThen; asOf: Date; time: PageTime }) {
  const live = !time.asOf && !time.knownAt;
  return (
    <Layout title={a.title}>
      <h1>{headingOf(a.title, time)}</h1>
      <ReadTimeControls action={`/agreements/${a.id}`} time={time} />
      <p>
        <a href={`/agreements${pageTimeQuery(time)}`}>All agreements</a>
      </p>
      <AgreementCard agreement={a} asOf={asOf} time={time} heading={false} live={live} />
      {a.conditions.length ? <h2>Conditions</h2> : null}
      {a.conditions.map((c) => (
        <div class="card" id={c.id}>
          <strong>Condition ({c.effect}):</strong> {c.description} <StatusBadge status={c.status} />
          <div class="muted">Waits on: {c.awaitedActor?.name ?? "unspecified"}</div>
          {c.deadlines.map((d) => (
            <div>
              <Due d={d} asOf={asOf} />
            </div>
          ))}
          {c.deadlinesTruncated ? (
            <MoreInList first={DETAIL_EMBEDS} what="deadlines" list={`/api/deadlines?condition=${encodeURIComponent(c.id)}`} time={time} />
          ) : null}
          {live ? <ChangeStatus kind="condition" id={c.id} status={c.status} /> : null}
        </div>
      ))}
      {a.conditionsTruncated ? (
        <MoreInList first={DETAIL_EMBEDS} what="conditions" list={`/api/conditions?agreement=${encodeURIComponent(a.id)}`} time={time} />
      ) : null}
    </Layout>
  );
}
