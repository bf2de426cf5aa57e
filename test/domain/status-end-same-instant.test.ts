import { describe, expect, it } from "vitest";
import { planStatusChange } from "../../src/domain/history.ts";
import { historyEntry } from "../helpers/history-entry.ts";

const d = (s: string) => new Date(s);
const NOW = d("2026-01-15T00:00:00Z");
const E = d("2025-11-10T00:00:00Z");
const U = d("2026-11-10T00:00:00Z");

/** A threat imposed, then suspended at E until U, returning to imposed, with the lapse its terms wrote. */
const history = [
  historyEntry({ seq: 1, to: "imposed", effectiveAt: d("2025-10-09T00:00:00Z"), recordedAt: d("2025-10-09T00:00:00Z") }),
  historyEntry({ seq: 2, from: "imposed", to: "suspended", effectiveAt: E, recordedAt: NOW, until: U, returnsTo: "imposed" }),
  historyEntry({ seq: 3, from: "suspended", to: "imposed", effectiveAt: U, recordedAt: NOW, byTerms: true, causedBySeq: 2, causeEffectiveAt: E }),
];
const resuspend = (effectiveAt: Date, until: Date, returnsTo: string) =>
  planStatusChange(history, { kind: "threat", to: "suspended", effectiveAt, correction: false, until, returnsTo, hasNewDate: false }, NOW);

describe("planStatusChange: an end given again", () => {
  it("from the instant a standing suspension set its end meets that suspension, whatever the new end", () => {
    for (const [until, returnsTo, repeats] of [
      [U, "lapsed", false],
      [d("2027-11-10T00:00:00Z"), "imposed", false],
      [d("2026-05-10T00:00:00Z"), "imposed", false],
      [U, "imposed", true],
    ] as const) {
      expect(resuspend(E, until, returnsTo)).toMatchObject({ ok: false, problem: "end-already-set-then", conflictsWith: { seq: 2 }, repeats });
    }
  });

  it("from a later instant extends it, the old lapse left out", () => {
    expect(resuspend(d("2026-01-01T00:00:00Z"), U, "lapsed")).toMatchObject({ ok: true, from: "suspended", extendsEnd: true });
    expect(resuspend(d("2026-01-01T00:00:00Z"), d("2027-11-10T00:00:00Z"), "imposed")).toMatchObject({ ok: true, extendsEnd: true });
  });

  it("once the suspension is retracted, is a suspension like any other", () => {
    const retracted = history.map((e) => (e.seq === 1 ? e : { ...e, retractedAt: NOW, retraction: { reason: "misread", by: "test" } }));
    const plan = planStatusChange(
      retracted,
      { kind: "threat", to: "suspended", effectiveAt: E, correction: false, until: U, returnsTo: "lapsed", hasNewDate: false },
      d("2026-01-16T00:00:00Z"),
    );
    expect(plan).toMatchObject({ ok: true, from: "imposed", extendsEnd: false });
  });
});
