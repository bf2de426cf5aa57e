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
    setStatus: async (id: string, version: number, status: string, now: Date, extra: Record<string, unknown> = {}) =>
      (await delegate.updateMany({ where: { id, version }, data: { status, version: version + 1, updatedAt: now, ...extra } })).count === 1,
  };
}
