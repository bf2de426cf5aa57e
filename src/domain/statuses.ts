/** The kinds of record whose status is tracked, and the statuses each may take. */
export const STATUSES = {
  scenario: ["developing", "escalating", "de-escalating", "resolved"],
  threat: ["considering", "threatened", "announced", "imposed", "suspended", "withdrawn", "lapsed", "struck-down", "superseded"],
  condition: ["open", "met", "breached", "moot"],
  deadline: ["pending", "triggered", "averted", "extended", "cancelled"],
  event: ["scheduled", "held", "postponed", "cancelled"],
  agreement: ["negotiating", "announced", "in-force", "suspended", "expired", "terminated", "superseded"],
  commitment: ["pending", "fulfilled", "breached", "lapsed", "waived"],
} as const;

export type TrackedKind = keyof typeof STATUSES;

export const TRACKED_KINDS = Object.keys(STATUSES) as TrackedKind[];

export function isTrackedKind(kind: string): kind is TrackedKind {
  return kind in STATUSES;
}

export function isStatusOf(kind: TrackedKind, status: string): boolean {
  return (STATUSES[kind] as readonly string[]).includes(status);
}

export const PRECISIONS = ["day", "week", "month", "quarter", "year", "unknown"] as const;
export type Precision = (typeof PRECISIONS)[number];

export const ACTOR_KINDS = ["person", "government", "organisation"] as const;
export const MEASURES = ["tariff", "sanction", "export-control", "investment-restriction", "other"] as const;
export const CONDITION_EFFECTS = ["triggers", "averts"] as const;
export const COMMITMENT_KINDS = ["purchase", "tariff-cut", "suspension", "licence", "other"] as const;
/** The statuses that end an agreement or a commitment. */
export const AGREEMENT_ENDINGS = ["expired", "terminated", "superseded"] as const;
export const COMMITMENT_ENDINGS = ["fulfilled", "breached", "lapsed", "waived"] as const;
export const EVENT_KINDS = ["meeting", "summit", "dinner", "visit", "call", "other"] as const;
