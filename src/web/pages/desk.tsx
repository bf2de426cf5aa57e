import type { DeadlineRow } from "../../db/deadline-queries.ts";
import { Layout } from "../layout.tsx";
import { ChangeStatus } from "../status-form.tsx";

function countdown(d: DeadlineRow): string {
  if (d.daysRemaining === null) return "date unknown";
  if (d.overdue) return `overdue by ${-d.daysRemaining} day${d.daysRemaining === -1 ? "" : "s"}`;
  if (d.daysRemaining < 0) return `window open (${d.dueLabel})`;
  if (d.daysRemaining === 0) return "due today";
  return `in ${d.daysRemaining} day${d.daysRemaining === 1 ? "" : "s"}`;
}

/** The desk: pending and overdue deadlines, earliest first, now or as of a chosen day. */
export function DeskPage({ rows, asOf, scenarios }: { rows: DeadlineRow[]; asOf: string | null; scenarios: { id: string; title: string; status: string }[] }) {
  const overdue = rows.filter((r) => r.overdue).length;
  return (
    <Layout title="Desk">
      <h1>{asOf ? `Pending deadlines as of ${asOf}` : "Pending deadlines"}</h1>
      <form class="asof" method="get" action="/">
        <div>
          <label for="asOf">As of (show the desk as on that day)</label>
          <br />
          <input id="asOf" name="asOf" type="date" value={asOf ?? ""} />
        </div>
        <button type="submit">Show</button>
        {asOf ? <a href="/">Back to today</a> : null}
      </form>
      <p>
        {rows.length} pending{overdue ? <span class="overdue">, {overdue} overdue</span> : null}.
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
            {asOf ? null : <th scope="col">Status</th>}
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
              </td>
              <td>“{d.wording}”</td>
              <td>
                {d.threat ? <div>Threat: {d.threat.summary}</div> : null}
                {d.condition ? <div class="muted">Condition: {d.condition.description}</div> : null}
                {d.scenario ? (
                  <div>
                    <a href={`/scenarios/${d.scenario.id}`}>{d.scenario.title}</a>
                  </div>
                ) : null}
              </td>
              {asOf ? null : (
                <td>
                  <ChangeStatus kind="deadline" id={d.id} status={d.status} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Scenarios</h2>
      <ul>
        {scenarios.map((s) => (
          <li>
            <a href={`/scenarios/${s.id}`}>{s.title}</a> <span class="badge">{s.status}</span>
          </li>
        ))}
      </ul>
    </Layout>
  );
}
