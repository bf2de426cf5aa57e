import type { HistoryEntry } from "../domain/history.ts";
import { changeWording } from "./change-wording.ts";

/** The instants a page is shown at, as the user typed them (for the form) and as the query string to keep in links. */
export interface PageTime {
  asOf: string | null;
  knownAt: string | null;
}

export function pageTimeQuery(t: PageTime): string {
  const q = new URLSearchParams();
  if (t.asOf) q.set("asOf", t.asOf);
  if (t.knownAt) q.set("knownAt", t.knownAt);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The two controls every page offers: as of a day (effective time), as known on a day (recorded time). */
export function ReadTimeControls({ action, time }: { action: string; time: PageTime }) {
  return (
    <form class="asof" method="get" action={action}>
      <div>
        <label for="asOf">As of (the world on that day)</label>
        <br />
        <input id="asOf" name="asOf" type="date" value={time.asOf ?? ""} />
      </div>
      <div>
        <label for="knownAt">As known on (what the tracker knew then)</label>
        <br />
        <input id="knownAt" name="knownAt" type="date" value={time.knownAt ?? ""} />
      </div>
      <button type="submit">Show</button>
      {time.asOf || time.knownAt ? <a href={action}>Back to today, as known now</a> : null}
    </form>
  );
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
export function shortDate(d: Date): string {
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** Changes known then that take effect later: "→ imposed, takes effect 10 Nov 2026 (by its terms)". */
export function Upcoming({ scheduled }: { scheduled: Pick<HistoryEntry, "change" | "to" | "effectiveAt" | "byTerms">[] }) {
  if (scheduled.length === 0) return null;
  return (
    <ul class="upcoming">
      {scheduled.map((s) => (
        <li>
          {changeWording(s)}, takes effect {shortDate(s.effectiveAt)}
          {s.byTerms ? <span class="muted"> (by its terms, not a report)</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** "imposed" with, when it holds only by an earlier entry's terms, a note that no report confirms it. */
export function StatusBadge({ status, unconfirmed }: { status: string; unconfirmed?: boolean }) {
  return (
    <>
      <span class="badge">{status}</span>
      {unconfirmed ? <span class="muted"> by its terms, not confirmed</span> : null}
    </>
  );
}
