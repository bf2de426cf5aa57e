import type { TrackedKind } from "../domain/statuses.ts";
import type { TransactionClient } from "./generated/internal/prismaNamespace.ts";

export type Transaction = TransactionClient;

export interface TrackedState {
  id: string;
  status: string;
  version: number;
}

/**
 * Reads and writes the status columns of any tracked kind through one interface, so the
 * status-change path is written once for all five kinds.
 */
export function trackedTable(tx: Transaction, kind: TrackedKind) {
  const delegate = {
    scenario: tx.scenario,
    threat: tx.threat,
    condition: tx.condition,
    deadline: tx.deadline,
    event: tx.event,
  }[kind] as unknown as {
    findUnique(args: { where: { id: string }; select: { id: true; status: true; version: true } }): Promise<TrackedState | null>;
    updateMany(args: { where: { id: string; version: number }; data: Record<string, unknown> }): Promise<{ count: number }>;
  };
  return {
    find: (id: string) => delegate.findUnique({ where: { id }, select: { id: true, status: true, version: true } }),
    /** Sets the status (and any extra columns) only if the version is still `version`. */
    setStatus: async (id: string, version: number, change: StatusMove, now: Date, extra: Record<string, unknown> = {}) => {
      const updated = await delegate.updateMany({
        where: { id, version },
        data: { status: change.to, version: version + 1, updatedAt: now, ...(kind === "deadline" ? pendingWindowAfter(change) : {}), ...extra },
      });
      // Only a correction can bring a deadline back to pending; its first pending time stays the first.
      if (kind === "deadline" && change.to === "pending")
        await tx.deadline.updateMany({ where: { id, pendingFrom: null }, data: { pendingFrom: change.effectiveAt } });
      return updated.count === 1;
    },
  };
}

export interface StatusMove {
  from: string | null;
  to: string;
  effectiveAt: Date;
}

/**
 * The deadline columns that bound when it was pending (see the schema): entering pending
 * for the first time sets `pendingFrom`; being pending clears `pendingUntil`; leaving sets it.
 * Kept in the same transaction as the history entry they summarise.
 */
export function pendingWindowAfter(change: StatusMove): Record<string, Date | null> {
  if (change.to === "pending") return { pendingUntil: null };
  if (change.from === "pending") return { pendingUntil: change.effectiveAt };
  return {};
}
