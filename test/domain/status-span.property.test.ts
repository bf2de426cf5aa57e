import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type HistoryEntry, recordStateAt, statusCacheAt } from "../../src/domain/history.ts";
import { historyEntry } from "../helpers/history-entry.ts";

// The cached status with its span (statusFrom, statusKnownFrom, statusUntil) answers reads in
// the past and as known earlier without the history: checked against the evaluator itself on
// random histories (late news, scheduled entries, lapses by terms, retractions, dates entries).

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const at = (day: number) => new Date(T0 + day * DAY);

interface Draft {
  change: "status" | "dates";
  to: string;
  effective: number;
  recordedAfter: number;
  byTerms: boolean;
  causeBefore: number;
  retractedAfter: number | null;
}

const draft = fc.record<Draft>({
  change: fc.constantFrom("status", "status", "status", "dates"),
  to: fc.constantFrom("threatened", "imposed", "suspended", "withdrawn"),
  effective: fc.integer({ min: 0, max: 60 }),
  recordedAfter: fc.integer({ min: -5, max: 40 }),
  byTerms: fc.boolean(),
  causeBefore: fc.integer({ min: 0, max: 20 }),
  retractedAfter: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
});

/** A record's history: a creation, then the drafts, recorded in seq order. */
function historyOf(created: { effective: number; recordedAfter: number; retracted: boolean }, drafts: Draft[]): HistoryEntry[] {
  const entry = (seq: number, d: Partial<HistoryEntry> & Pick<HistoryEntry, "effectiveAt" | "recordedAt">): HistoryEntry =>
    historyEntry({ seq, from: "threatened", to: "threatened", ...d });
  const createdRecorded = at(Math.max(created.effective, 0) + Math.max(created.recordedAfter, 0));
  const history = [
    entry(1, {
      from: null,
      effectiveAt: at(created.effective),
      recordedAt: createdRecorded,
      retractedAt: created.retracted ? at(created.effective + 70) : null,
    }),
  ];
  drafts.forEach((d, i) => {
    const recordedAt = at(Math.max(d.effective + d.recordedAfter, 0));
    const retractedAt = d.retractedAfter === null ? null : new Date(recordedAt.getTime() + d.retractedAfter * DAY + 1);
    history.push(
      entry(i + 2, {
        change: d.change,
        to: d.change === "status" ? d.to : null,
        values: d.change === "dates" ? { dueAt: at(d.effective + 3) } : null,
        effectiveAt: at(d.effective),
        recordedAt,
        byTerms: d.change === "status" && d.byTerms,
        causeEffectiveAt: d.change === "status" && d.byTerms ? at(d.effective - d.causeBefore) : null,
        retractedAt,
        retraction: retractedAt ? { reason: "wrong", by: "test" } : null,
      }),
    );
  });
  return history;
}

describe("the cached status and its span", () => {
  it("gives the evaluator's status at every asOf and knownAt inside the span", () => {
    fc.assert(
      fc.property(
        fc.record({ effective: fc.integer({ min: 0, max: 30 }), recordedAfter: fc.integer({ min: 0, max: 10 }), retracted: fc.boolean() }),
        fc.array(draft, { maxLength: 8 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.tuple(fc.integer({ min: -10, max: 140 }), fc.integer({ min: -10, max: 140 })), { minLength: 1, maxLength: 12 }),
        (created, drafts, nowDay, reads) => {
          const history = historyOf(created, drafts);
          // "now" is when the cache was written: after everything recorded (writes never come from the future).
          const lastRecorded = Math.max(...history.flatMap((e) => [e.recordedAt.getTime(), e.retractedAt?.getTime() ?? 0]));
          const now = new Date(Math.max(lastRecorded, T0 + nowDay * DAY));
          const cache = statusCacheAt(history, now);
          if (cache.statusFrom === null || cache.statusKnownFrom === null) return;
          expect(cache.statusFrom.getTime()).toBeLessThanOrEqual(now.getTime());
          expect(cache.statusKnownFrom.getTime()).toBeLessThanOrEqual(now.getTime());
          for (const [asOfDay, knownDay] of reads) {
            // Reads come later than the write, with nothing recorded in between.
            const asOf = new Date(T0 + asOfDay * DAY);
            const knownAt = new Date(Math.min(T0 + knownDay * DAY, now.getTime()));
            const inside = asOf >= cache.statusFrom && knownAt >= cache.statusKnownFrom && (cache.statusUntil === null || asOf < cache.statusUntil);
            if (!inside) continue;
            const then = recordStateAt(history, asOf, knownAt);
            expect({ asOf, knownAt, exists: then.exists, status: then.status }).toEqual({ asOf, knownAt, exists: true, status: cache.status });
          }
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it("is not given for a status that holds only by its terms", () => {
    const history = historyOf({ effective: 0, recordedAfter: 0, retracted: false }, [
      { change: "status", to: "suspended", effective: 5, recordedAfter: 0, byTerms: false, causeBefore: 0, retractedAfter: null },
      { change: "status", to: "imposed", effective: 20, recordedAfter: -15, byTerms: true, causeBefore: 15, retractedAfter: null },
    ]);
    const cache = statusCacheAt(history, at(30));
    expect(cache.status).toBe("imposed");
    expect(cache.statusFrom).toBeNull();
  });
});
