import type { InForceView } from "../../domain/in-force.ts";
import { Layout } from "../layout.tsx";
import { type PageTime, pageTimeQuery, ReadTimeControls, shortDate } from "../read-time.tsx";

const rate = (r: number | null) => (r === null ? "—" : `${r}%`);

/**
 * What was in force on the chosen day, as known on another: each measure imposed then with its
 * rate, legal basis, scope and until when; the tariff rates added up per issuer and target; and
 * what was known to be coming in the next 30 days. One page of each (500 measures); a link
 * leads to the next.
 */
export function InForcePage({
  view,
  time,
  nextCursor,
  nameOf,
}: {
  view: InForceView;
  time: PageTime;
  nextCursor: string | null;
  nameOf: (id: string) => string;
}) {
  const nextPage = nextCursor ? `/in-force${pageTimeQuery(time) || "?"}${pageTimeQuery(time) ? "&" : ""}cursor=${nextCursor}` : null;
  const heading = `In force${time.asOf ? ` on ${time.asOf}` : " today"}${time.knownAt ? `, as known on ${time.knownAt}` : ""}`;
  return (
    <Layout title="In force">
      <h1>{heading}</h1>
      <ReadTimeControls action="/in-force" time={time} />
      <h2>Tariff totals per pair</h2>
      {view.totals.length === 0 ? (
        <p class="muted">No tariff with a rate in force.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Issuer (with those who speak for it)</th>
              <th scope="col">Target</th>
              <th scope="col">Total</th>
              <th scope="col">Made of</th>
            </tr>
          </thead>
          <tbody>
            {view.totals.map((p) => (
              <tr>
                <td>{nameOf(p.issuerId)}</td>
                <td>{nameOf(p.targetId)}</td>
                <td>
                  <strong>{rate(p.ratePercent)}</strong>
                </td>
                <td>
                  {p.components
                    .map(
                      (c) =>
                        `${rate(c.ratePercent)} (${c.authority ?? "authority not stated"}${c.issuerId === p.issuerId ? "" : `, by ${nameOf(c.issuerId)}`})`,
                    )
                    .join(" + ")}
                  {p.componentCount > p.components.length ? ` + ${p.componentCount - p.components.length} more` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Measures in force</h2>
      {view.items.length === 0 ? (
        <p class="muted">No measure in force.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col">Issuer → targets</th>
              <th scope="col">Rate</th>
              <th scope="col">Authority</th>
              <th scope="col">Since</th>
              <th scope="col">Until</th>
            </tr>
          </thead>
          <tbody>
            {view.items.map((i) => (
              <tr id={i.threatId}>
                <td>
                  {i.summary}{" "}
                  <span class="muted">
                    ({i.measure} on {i.covers})
                  </span>
                </td>
                <td>
                  {nameOf(i.issuerId)} → {i.targetIds.map(nameOf).join(", ") || "no single target"}
                </td>
                <td>{rate(i.ratePercent)}</td>
                <td>{i.authority ?? "not stated"}</td>
                <td>
                  {shortDate(new Date(i.since))}
                  {i.unconfirmed ? <span class="muted"> (back in force by its terms, not confirmed)</span> : null}
                </td>
                <td>{i.until ? `${shortDate(new Date(i.until))} (then ${i.untilStatus})` : "no end known"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Coming in the next 30 days</h2>
      {view.upcoming.length === 0 ? (
        <p class="muted">Nothing scheduled.</p>
      ) : (
        <ul class="upcoming">
          {view.upcoming.map((u) => (
            <li>
              {shortDate(new Date(u.effectiveAt))}: {u.summary}{" "}
              {u.change === "terms"
                ? `terms change (${Object.entries(u.values ?? {})
                    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.map((x) => nameOf(String(x))).join(", ") : String(v)}`)
                    .join(", ")})`
                : `→ ${u.to}`}
              {u.change === "lapse" ? <span class="muted"> (by its terms)</span> : null} — {u.reason}
            </li>
          ))}
        </ul>
      )}
      {nextPage ? (
        <p>
          <a href={nextPage}>Next page</a>
        </p>
      ) : null}
    </Layout>
  );
}
