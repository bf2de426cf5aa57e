import type { HistoryEntry } from "../../src/domain/history.ts";

/** A history entry for the domain's pure tests: a plain status entry by "test", with what the test sets laid over it. */
export function historyEntry(fields: Partial<HistoryEntry> & Pick<HistoryEntry, "seq" | "effectiveAt" | "recordedAt">): HistoryEntry {
  return {
    recordKind: "threat",
    recordId: "t",
    change: "status",
    from: null,
    to: null,
    values: null,
    reason: "test",
    by: "test",
    correction: false,
    byTerms: false,
    causedBySeq: null,
    causeEffectiveAt: null,
    until: null,
    returnsTo: null,
    sourceId: null,
    evidenceId: null,
    retractedAt: null,
    retraction: null,
    ...fields,
  };
}
