import { STATUSES, type TrackedKind } from "./statuses.ts";

/** Which status may follow which: the one place these rules live. */
const NEXT: { [K in TrackedKind]: Record<(typeof STATUSES)[K][number], readonly (typeof STATUSES)[K][number][]> } = {
  // announced: decided, not yet in force; imposed: in force; the last four are endings, each with its reason.
  threat: {
    considering: ["threatened", "announced", "imposed", "withdrawn"],
    threatened: ["announced", "imposed", "suspended", "withdrawn"],
    announced: ["imposed", "suspended", "withdrawn", "struck-down", "superseded"],
    imposed: ["suspended", "withdrawn", "lapsed", "struck-down", "superseded"],
    suspended: ["threatened", "announced", "imposed", "withdrawn", "lapsed", "struck-down", "superseded"],
    withdrawn: [],
    lapsed: [],
    "struck-down": [],
    superseded: [],
  },
  condition: { open: ["met", "breached", "moot"], met: [], breached: [], moot: [] },
  deadline: { pending: ["triggered", "averted", "extended", "cancelled"], triggered: [], averted: [], extended: [], cancelled: [] },
  event: { scheduled: ["held", "postponed", "cancelled"], postponed: ["scheduled", "cancelled"], held: [], cancelled: [] },
  scenario: {
    developing: ["escalating", "de-escalating", "resolved"],
    escalating: ["developing", "de-escalating", "resolved"],
    "de-escalating": ["developing", "escalating", "resolved"],
    resolved: [],
  },
  agreement: {
    negotiating: ["announced", "in-force", "expired", "terminated", "superseded"],
    announced: ["in-force", "expired", "terminated", "superseded"],
    "in-force": ["suspended", "expired", "terminated", "superseded"],
    suspended: ["in-force", "expired", "terminated", "superseded"],
    expired: [],
    terminated: [],
    superseded: [],
  },
  commitment: { pending: ["fulfilled", "breached", "lapsed", "waived"], fulfilled: [], breached: [], lapsed: [], waived: [] },
};

export function allowedNextStatuses(kind: TrackedKind, from: string): readonly string[] {
  return (NEXT[kind] as Record<string, readonly string[]>)[from] ?? [];
}

export type TransitionVerdict = { ok: true } | { ok: false; problem: "unknown-status" | "same-status" | "not-allowed"; allowed: readonly string[] };

/**
 * Whether `kind` may move from `from` to `to`. A correction may undo any mistaken entry
 * (to any known status other than the current one), since it fixes the record rather than
 * reporting a move in the world.
 */
export function checkTransition(kind: TrackedKind, from: string, to: string, correction = false): TransitionVerdict {
  const allowed = allowedNextStatuses(kind, from);
  const known = STATUSES[kind] as readonly string[];
  if (!known.includes(to)) return { ok: false, problem: "unknown-status", allowed };
  if (to === from) return { ok: false, problem: "same-status", allowed };
  if (correction) return { ok: true };
  return allowed.includes(to) ? { ok: true } : { ok: false, problem: "not-allowed", allowed };
}

/**
 * Whether a move needs the record of the same kind that replaced this one (`supersededById`): a
 * threat's or an agreement's supersession, on every path to it (a correction's too). A record is
 * therefore never created superseded, nor made so by the end of its terms.
 */
export function requiresSuccessor(kind: TrackedKind, to: string): boolean {
  return (kind === "threat" || kind === "agreement") && to === "superseded";
}

/** What a status change needs besides the status itself. */
export function requiresNewDate(kind: TrackedKind, from: string, to: string): boolean {
  return (kind === "deadline" && to === "extended") || (kind === "event" && from === "postponed" && to === "scheduled");
}

/** The statuses that end a measure: it no longer applies, for the reason each names. */
export const THREAT_ENDINGS = ["withdrawn", "lapsed", "struck-down", "superseded"] as const;

export function isEnding(kind: TrackedKind, status: string): boolean {
  return kind === "threat" && (THREAT_ENDINGS as readonly string[]).includes(status);
}
