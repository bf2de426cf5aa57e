import { isEnding } from "./lifecycle.ts";
import type { TrackedKind } from "./statuses.ts";

/** A status change that a rule sets off in another record. */
export interface Consequence {
  kind: "deadline";
  id: string;
  to: "averted" | "triggered" | "cancelled";
  rule: string;
}

export interface PendingDeadlineRef {
  id: string;
}

/** What the rules need to know about the neighbourhood of the changed record. */
export interface ConsequenceContext {
  /** For a condition: whether meeting it averts or triggers its threat. */
  conditionEffect?: "averts" | "triggers";
  /** Pending deadlines attached directly to the changed record. */
  ownPendingDeadlines: PendingDeadlineRef[];
  /** For a condition: pending deadlines of the threat it guards. */
  guardedThreatPendingDeadlines?: PendingDeadlineRef[];
}

/**
 * The consequences of a change: an averting condition met averts the pending deadlines of
 * the condition and its threat; a threat imposed triggers its pending deadlines; a threat that
 * ends (withdrawn, lapsed, struck down or superseded) cancels them. Each deadline is named once even when reachable twice.
 */
export function consequencesOf(kind: TrackedKind, to: string, ctx: ConsequenceContext): Consequence[] {
  let targets: PendingDeadlineRef[] = [];
  let outcome: Consequence["to"] | null = null;
  let rule = "";
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
  }
  if (!outcome) return [];
  const seen = new Set<string>();
  const result: Consequence[] = [];
  for (const d of targets) {
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    result.push({ kind: "deadline", id: d.id, to: outcome, rule });
  }
  return result;
}

/** Whether a change of this kind to this status can have consequences (saves a lookup). */
export function mayHaveConsequences(kind: TrackedKind, to: string): boolean {
  return (kind === "condition" && to === "met") || (kind === "threat" && to === "imposed") || isEnding(kind, to);
}
