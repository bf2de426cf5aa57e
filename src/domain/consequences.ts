import { isEnding } from "./lifecycle.ts";
import { AGREEMENT_ENDINGS, COMMITMENT_ENDINGS, type TrackedKind } from "./statuses.ts";

/** A status change that a rule sets off in another record. */
export type Consequence =
  | { kind: "deadline"; id: string; to: "averted" | "triggered" | "cancelled"; rule: string }
  | { kind: "commitment"; id: string; to: "lapsed"; rule: string };

export interface PendingDeadlineRef {
  id: string;
}

/** What the rules need to know about the neighbourhood of the changed record. */
export interface ConsequenceContext {
  /** For a condition: whether meeting it averts or triggers its threat. */
  conditionEffect?: "averts" | "triggers";
  /** Pending deadlines attached directly to the changed record. */
  ownPendingDeadlines: PendingDeadlineRef[];
  /** For a condition: pending deadlines of the threat (or agreement) it belongs to that belong to no other condition. */
  guardedThreatPendingDeadlines?: PendingDeadlineRef[];
  /** For an agreement: its commitments still pending. */
  pendingCommitments?: { id: string }[];
}

const isAgreementEnding = (to: string) => (AGREEMENT_ENDINGS as readonly string[]).includes(to);
const isCommitmentEnding = (to: string) => (COMMITMENT_ENDINGS as readonly string[]).includes(to);

/**
 * What a commitment's end does to its due date, read as a warning of "due and not done": fulfilled
 * averts it, breached triggers it, and a commitment that lapsed or was waived is no longer due.
 */
const COMMITMENT_DEADLINE_OUTCOME: Record<(typeof COMMITMENT_ENDINGS)[number], "averted" | "triggered" | "cancelled"> = {
  fulfilled: "averted",
  breached: "triggered",
  lapsed: "cancelled",
  waived: "cancelled",
};

/**
 * The consequences of a change, each staying in its lane: an averting condition met averts its
 * own pending deadlines and those of its threat or agreement that belong to no other condition;
 * a threat imposed triggers its pending deadlines; an agreement
 * that ends lapses its pending commitments and cancels its own pending deadlines; a commitment
 * that ends resolves its own pending deadlines; a measure that ends (withdrawn, lapsed, struck down or superseded) cancels its pending deadlines. Each record is named once even when reachable twice.
 */
export function consequencesOf(kind: TrackedKind, to: string, ctx: ConsequenceContext): Consequence[] {
  let targets: PendingDeadlineRef[] = [];
  let outcome: "averted" | "triggered" | "cancelled" | null = null;
  let rule = "";
  const lapses: Consequence[] = [];
  if (kind === "condition" && to === "met" && ctx.conditionEffect === "averts") {
    targets = [...ctx.ownPendingDeadlines, ...(ctx.guardedThreatPendingDeadlines ?? [])];
    outcome = "averted";
    rule = "an averting condition was met";
  } else if (kind === "threat" && to === "imposed") {
    targets = ctx.ownPendingDeadlines;
    outcome = "triggered";
    rule = "the threat was imposed";
  } else if (isEnding(kind, to)) {
    targets = ctx.ownPendingDeadlines;
    outcome = "cancelled";
    rule = `the measure ended (${to})`;
  } else if (kind === "agreement" && isAgreementEnding(to)) {
    targets = ctx.ownPendingDeadlines;
    outcome = "cancelled";
    rule = `the agreement ${to === "superseded" ? "was superseded" : to === "expired" ? "expired" : "was terminated"}`;
    for (const c of ctx.pendingCommitments ?? []) lapses.push({ kind: "commitment", id: c.id, to: "lapsed", rule });
  } else if (kind === "commitment" && isCommitmentEnding(to)) {
    targets = ctx.ownPendingDeadlines;
    outcome = COMMITMENT_DEADLINE_OUTCOME[to as (typeof COMMITMENT_ENDINGS)[number]];
    rule = `the commitment was ${to}`;
  }
  if (!outcome) return [];
  const seen = new Set<string>();
  const result: Consequence[] = [];
  for (const d of targets) {
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    result.push({ kind: "deadline", id: d.id, to: outcome, rule });
  }
  return [...result, ...lapses];
}

/** Whether a change of this kind to this status can have consequences (saves a lookup). */
export function mayHaveConsequences(kind: TrackedKind, to: string): boolean {
  return (
    (kind === "condition" && to === "met") ||
    (kind === "threat" && to === "imposed") ||
    isEnding(kind, to) ||
    (kind === "agreement" && isAgreementEnding(to)) ||
    (kind === "commitment" && isCommitmentEnding(to))
  );
}
