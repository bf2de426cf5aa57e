import { daysRemaining, formatAtPrecision, isOverdue } from "./dates.ts";
import type { Precision } from "./statuses.ts";

export interface DeadlineFacts {
  dueAt: Date | null;
  precision: Precision;
  status: string;
}

export interface DeadlineTiming {
  dueLabel: string;
  daysRemaining: number | null;
  overdue: boolean;
}

/** How a deadline stands at `asOf`: the one definition of "overdue" every face uses. */
export function deadlineTimingAsOf(d: DeadlineFacts, asOf: Date): DeadlineTiming {
  return {
    dueLabel: formatAtPrecision(d.dueAt, d.precision),
    daysRemaining: d.dueAt ? daysRemaining(d.dueAt, d.precision, asOf) : null,
    overdue: d.status === "pending" && isOverdue(d.dueAt, d.precision, asOf),
  };
}
