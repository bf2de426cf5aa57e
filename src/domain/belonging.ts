import type { HistoryEntry, RecordState } from "./history.ts";
import { allowedNextStatuses } from "./lifecycle.ts";
import type { TrackedKind } from "./statuses.ts";

/**
 * The ending that keeps a record from being stated under another (a deadline under its threat or
 * condition, a commitment or condition under its agreement, a due date under its commitment): the
 * owner's status at the new record's effective time, when that status is final (no move may follow
 * it) and reported. One does not commit under an agreement already terminated, nor set a deadline
 * for a threat already withdrawn: the new record would stay pending under an owner that can no
 * longer set it off. An end that holds only by a suspension's terms, unconfirmed, refuses nothing,
 * as it sets nothing off (decision 025).
 */
export function endingThatRefuses(ownerKind: TrackedKind, ownerThen: RecordState): HistoryEntry | null {
  if (!ownerThen.exists || ownerThen.byTerms || ownerThen.status === null) return null;
  return allowedNextStatuses(ownerKind, ownerThen.status).length === 0 ? ownerThen.statusEntry : null;
}
