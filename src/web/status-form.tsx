import { ENDS_BY_TERMS, STATUSES_WITH_AN_END } from "../domain/history.ts";
import { allowedNextStatuses, requiresNewDate, requiresSuccessor } from "../domain/lifecycle.ts";
import { RECORD_KINDS } from "../domain/record-kinds.ts";
import { PRECISIONS, type TrackedKind } from "../domain/statuses.ts";

/** A status form that offers only the moves the lifecycle allows from the current status. */
export function StatusForm({ kind, id, status }: { kind: TrackedKind; id: string; status: string }) {
  const next = allowedNextStatuses(kind, status);
  if (next.length === 0) return <p class="muted">“{status}” is final.</p>;
  const formId = `status-${kind}-${id}`;
  const needsDate = next.some((to) => requiresNewDate(kind, status, to));
  return (
    <form class="status" data-endpoint={`/api/${RECORD_KINDS[kind].collection}/${id}/status`} aria-labelledby={`${formId}-legend`}>
      <span id={`${formId}-legend`} class="muted">
        Change status (now “{status}”)
      </span>
      <label for={`${formId}-to`}>New status</label>
      <select id={`${formId}-to`} name="status" required>
        {next.map((to) => (
          <option value={to}>{to}</option>
        ))}
      </select>
      <label for={`${formId}-reason`}>Reason (what happened, and where it was reported)</label>
      <textarea id={`${formId}-reason`} name="reason" rows={2} required />
      <label for={`${formId}-at`}>Takes effect (optional, ISO date or date-time; earlier for late news, later if announced ahead)</label>
      <input id={`${formId}-at`} name="effectiveAt" placeholder="2025-10-30" />
      {next.some((to) => STATUSES_WITH_AN_END[kind]?.includes(to)) ? (
        <>
          <label for={`${formId}-until`}>Until (for a status with an end, e.g. a suspension; optional)</label>
          <input id={`${formId}-until`} name="until" placeholder="2026-11-10" />
          <label for={`${formId}-then`}>Then returns to</label>
          <select id={`${formId}-then`} name="then">
            <option value="">—</option>
            {(ENDS_BY_TERMS[kind] ?? []).map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </>
      ) : null}
      {next.some((to) => requiresSuccessor(kind, to)) ? (
        <>
          <label for={`${formId}-successor`}>Superseded by (the id of the {kind === "threat" ? "measure" : kind} that replaced it; for “superseded”)</label>
          <input id={`${formId}-successor`} name="supersededById" placeholder="threat-…" />
        </>
      ) : null}
      {needsDate ? (
        <>
          <label for={`${formId}-date`}>{kind === "deadline" ? "New due date (to extend)" : "New date (to reschedule)"}</label>
          <input id={`${formId}-date`} name={kind === "deadline" ? "newDueAt" : "newStartsAt"} placeholder="2025-11-10" />
          <label for={`${formId}-precision`}>Precision of the new date</label>
          <select id={`${formId}-precision`} name="newPrecision">
            <option value="">{kind === "deadline" ? "as the deadline's now" : "as the event's now"}</option>
            {PRECISIONS.filter((p) => p !== "unknown").map((p) => (
              <option value={p}>{p}</option>
            ))}
          </select>
          <label for={`${formId}-wording`}>Wording of the new date (optional: the source's words for it; else the date as it reads)</label>
          <input id={`${formId}-wording`} name="newWording" placeholder="by the end of February" />
        </>
      ) : null}
      <button type="submit">Record change</button>
      <p data-role="result" role="status" aria-live="polite" />
    </form>
  );
}

/** The status form folded under a "Change status" toggle, as every record on a page shows it. */
export function ChangeStatus(props: { kind: TrackedKind; id: string; status: string }) {
  return (
    <details>
      <summary>Change the {props.kind}'s status</summary>
      <StatusForm {...props} />
    </details>
  );
}
