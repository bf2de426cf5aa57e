import type { DeadlineRow } from "../../db/deadline-queries.ts";
import type { HistoryEntry } from "../../domain/history.ts";
import { changeWording } from "../change-wording.ts";
import { Layout } from "../layout.tsx";
import { type PageTime, pageTimeQuery, ReadTimeControls, StatusBadge, shortDate, Upcoming } from "../read-time.tsx";
import { ChangeStatus } from "../status-form.tsx";

function countdown(d: DeadlineRow): string {
  if (d.daysRemaining === null) return "date unknown";
  if (d.overdue) return `overdue by ${-d.daysRemaining} day${d.daysRemaining === -1 ? "" : "s"}`;
  if (d.daysRemaining < 0) return `window open (${d.dueLabel})`;
  if (d.daysRemaining === 0) return "due today";
  return `in ${d.daysRemaining} day${d.daysRemaining === 1 ? "" : "s"}`;
}

export interface UpcomingChange {
  entry: HistoryEntry;
  label: string;
}

/** Where the desk's list goes on: the next page (`certain` when a full page says more follow) and, on a later page, the first. */
export interface DeskPaging {
  more: { href: string; certain: boolean } | null;
  first: string | null;
}

/** The desk: pending and overdue deadlines, earliest first, and the changes scheduled next, now or as of a chosen day as known on another. */
export function DeskPage({
  rows,
  paging,
  time,
  upcoming,
  scenarios,
}: {
  rows: DeadlineRow[];
  paging: DeskPaging;
  time: PageTime;
  upcoming: UpcomingChange[];
  scenarios: { id: string; title: string; status: string | null }[];
}) {
  const overdue = rows.filter((r) => r.overdue).length;
  const asOf = time.asOf;
  const live = !time.asOf && !time.knownAt;
  const heading = `Pending deadlines${asOf ? ` as of ${asOf}` : ""}${time.knownAt ? `, as known on ${time.knownAt}` : ""}`;
  return (
    <Layout title="Desk">
      <h1>{heading}</h1>
      <ReadTimeControls action="/" time={time} />
      <p id="deadline-count">
        {paging.more || paging.first ? (
          // A page's length is not a count of all: say what is shown, and whether more follow.
          <>
            {rows.length} pending shown{paging.first ? " on this later page" : ""}
            {overdue ? <span class="overdue">, {overdue} of them overdue</span> : null}
            {paging.more ? (paging.more.certain ? "; more follow." : "; more may follow.") : "; no more follow."}
          </>
        ) : (
          <>
            {rows.length} pending{overdue ? <span class="overdue">, {overdue} overdue</span> : null}.
          </>
        )}
      </p>
      <table class="deadlines">
        <caption class="muted">
          Earliest first; a month- or week-precision date is shown as such, and is overdue only once that whole period has passed.
        </caption>
        <thead>
          <tr>
            <th scope="col">Due</th>
            <th scope="col">When</th>
            <th scope="col">Wording</th>
            <th scope="col">Belongs to</th>
            {live ? <th scope="col">Status</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr id={d.id} class={d.overdue ? "overdue-row" : ""}>
              <td>
                <strong>{d.dueLabel}</strong>
                <br />
                <span class="muted">{d.precision} precision</span>
              </td>
              <td class={d.overdue ? "overdue" : ""}>
                {d.overdue ? <span class="badge">Overdue</span> : null} {countdown(d)}
                <Upcoming
                  scheduled={d.scheduled.map((s) => ({ change: "status" as const, to: s.to, effectiveAt: new Date(s.effectiveAt), byTerms: s.byTerms }))}
                />
              </td>
              <td>“{d.wording}”</td>
              <td>
                {d.threat ? (
                  <div>
                    Threat: {d.threat.summary} {d.threat.status ? <StatusBadge status={d.threat.status} /> : null}
                  </div>
                ) : null}
                {d.condition ? (
                  <div class="muted">
                    Condition: {d.condition.description} {d.condition.status ? <StatusBadge status={d.condition.status} /> : null}
                  </div>
                ) : null}
                {d.scenario ? (
                  <div>
                    <a href={`/scenarios/${d.scenario.id}${pageTimeQuery(time)}`}>{d.scenario.title}</a>
                  </div>
                ) : null}
                {d.agreementId ? (
                  <div>
                    <a href={`/agreements/${d.agreementId}${pageTimeQuery(time)}${d.commitmentId ? `#${d.commitmentId}` : ""}`}>
                      {d.commitmentId ? "A commitment under an agreement" : d.kind === "expiry" ? "An agreement's expiry" : "An agreement"}
                    </a>
                  </div>
                ) : null}
              </td>
              {live ? (
                <td>
                  <ChangeStatus kind="deadline" id={d.id} status={d.status} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {paging.more || paging.first ? (
        <p class="more">
          {paging.more ? <a href={paging.more.href}>Next page of deadlines</a> : null} {paging.first ? <a href={paging.first}>First page</a> : null}
        </p>
      ) : null}
      <h2>Scheduled changes</h2>
      {upcoming.length === 0 ? (
        <p class="muted">None known to take effect after this day.</p>
      ) : (
        <ul class="upcoming">
          {upcoming.map((u) => (
            <li>
              Takes effect {shortDate(u.entry.effectiveAt)}: {u.label} {changeWording(u.entry)}
              {u.entry.byTerms ? <span class="muted"> (by its terms, not a report)</span> : null} <span class="muted">— {u.entry.reason}</span>
            </li>
          ))}
        </ul>
      )}
      <h2>Scenarios</h2>
      <ul>
        {scenarios.map((s) => (
          <li>
            <a href={`/scenarios/${s.id}${pageTimeQuery(time)}`}>{s.title}</a> {s.status ? <span class="badge">{s.status}</span> : null}
          </li>
        ))}
      </ul>
    </Layout>
  );
}
