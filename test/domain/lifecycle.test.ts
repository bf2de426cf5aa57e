import { describe, expect, it } from "vitest";
import { consequencesOf } from "../../src/domain/consequences.ts";
import { allowedNextStatuses, checkTransition } from "../../src/domain/lifecycle.ts";
import { STATUSES, type TrackedKind } from "../../src/domain/statuses.ts";

/** The lifecycle as the issue states it; the test walks every pair of statuses against it. */
const EXPECTED: Record<TrackedKind, Record<string, string[]>> = {
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

describe("lifecycle rules", () => {
  for (const kind of Object.keys(STATUSES) as TrackedKind[]) {
    it(`${kind}: every pair of statuses is allowed exactly when the rules say so`, () => {
      for (const from of STATUSES[kind]) {
        expect([...allowedNextStatuses(kind, from)].sort()).toEqual([...EXPECTED[kind][from]!].sort());
        for (const to of STATUSES[kind]) {
          const verdict = checkTransition(kind, from, to);
          expect(verdict.ok, `${kind} ${from} -> ${to}`).toBe(EXPECTED[kind][from]!.includes(to));
          if (from === to) expect(verdict).toMatchObject({ ok: false, problem: "same-status" });
        }
      }
    });
  }

  it("refuses unknown statuses, and lets a correction undo a final status", () => {
    expect(checkTransition("threat", "threatened", "bogus")).toMatchObject({ ok: false, problem: "unknown-status" });
    expect(checkTransition("threat", "withdrawn", "threatened").ok).toBe(false);
    expect(checkTransition("threat", "withdrawn", "threatened", true).ok).toBe(true);
    expect(checkTransition("threat", "withdrawn", "withdrawn", true).ok).toBe(false);
  });
});

describe("consequences", () => {
  const own = [{ id: "d1" }];
  it("an averting condition met averts its own and its threat's pending deadlines, each once", () => {
    const result = consequencesOf("condition", "met", {
      conditionEffect: "averts",
      ownPendingDeadlines: own,
      guardedThreatPendingDeadlines: [{ id: "d1" }, { id: "d2" }],
    });
    expect(result.map((c) => [c.id, c.to])).toEqual([
      ["d1", "averted"],
      ["d2", "averted"],
    ]);
  });
  it("a triggering condition met, or a condition breached, sets nothing off", () => {
    expect(consequencesOf("condition", "met", { conditionEffect: "triggers", ownPendingDeadlines: own })).toEqual([]);
    expect(consequencesOf("condition", "breached", { conditionEffect: "averts", ownPendingDeadlines: own })).toEqual([]);
  });
  it("a threat imposed triggers, and any ending cancels, its pending deadlines", () => {
    expect(consequencesOf("threat", "imposed", { ownPendingDeadlines: own })[0]?.to).toBe("triggered");
    for (const ending of ["withdrawn", "lapsed", "struck-down", "superseded"]) {
      expect(consequencesOf("threat", ending, { ownPendingDeadlines: own })[0]?.to, ending).toBe("cancelled");
    }
    expect(consequencesOf("threat", "announced", { ownPendingDeadlines: own })).toEqual([]);
    expect(consequencesOf("threat", "suspended", { ownPendingDeadlines: own })).toEqual([]);
  });
  it("an agreement that ends lapses its pending commitments and cancels its own pending deadlines; a suspension sets nothing off", () => {
    for (const ending of ["expired", "terminated", "superseded"]) {
      const result = consequencesOf("agreement", ending, { ownPendingDeadlines: own, pendingCommitments: [{ id: "c1" }, { id: "c2" }] });
      expect(result.map((c) => [c.kind, c.id, c.to])).toEqual([
        ["deadline", "d1", "cancelled"],
        ["commitment", "c1", "lapsed"],
        ["commitment", "c2", "lapsed"],
      ]);
    }
    expect(consequencesOf("agreement", "suspended", { ownPendingDeadlines: own, pendingCommitments: [{ id: "c1" }] })).toEqual([]);
  });
  it("a commitment that ends resolves only its own pending deadlines: fulfilled averts, breached triggers, lapsed or waived cancels", () => {
    const outcome = (to: string) => consequencesOf("commitment", to, { ownPendingDeadlines: own }).map((c) => [c.id, c.to]);
    expect(outcome("fulfilled")).toEqual([["d1", "averted"]]);
    expect(outcome("breached")).toEqual([["d1", "triggered"]]);
    expect(outcome("lapsed")).toEqual([["d1", "cancelled"]]);
    expect(outcome("waived")).toEqual([["d1", "cancelled"]]);
  });
});
