import fc from "fast-check";
import { expect, it } from "vitest";
import { datesMovesAt } from "../../src/domain/dates.ts";
import { type HistoryEntry, recordStateAt } from "../../src/domain/history.ts";
import { historyEntry } from "../helpers/history-entry.ts";

// A calendar entry's SEQUENCE is datesMovesAt: on random histories of dates entries (late news,
// moves scheduled ahead, retractions), read at two times one no earlier than the other in both
// asOf and knownAt, it never falls, it rises whenever the dates shown differ, and at a knownAt
// nothing recorded or retracted after it changes it.

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const at = (day: number) => new Date(T0 + day * DAY);

const move = fc.record({
  day: fc.integer({ min: 0, max: 90 }),
  effective: fc.integer({ min: 0, max: 60 }),
  recordedAfter: fc.integer({ min: -10, max: 30 }),
  retractedAfter: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }),
});

function historyOf(moves: { day: number; effective: number; recordedAfter: number; retractedAfter: number | null }[]): HistoryEntry[] {
  const base = { recordKind: "deadline", recordId: "d" } as const;
  const created = historyEntry({ ...base, seq: 1, to: "pending", effectiveAt: at(0), recordedAt: at(0) });
  return [
    created,
    ...moves.map((m, i): HistoryEntry => {
      const recorded = m.effective + Math.max(m.recordedAfter, 0);
      return historyEntry({
        ...base,
        seq: i + 2,
        change: "dates",
        from: "pending",
        values: { dueAt: at(100 + m.day), precision: "day" },
        effectiveAt: at(m.effective),
        recordedAt: at(recorded),
        retractedAt: m.retractedAfter === null ? null : at(recorded + m.retractedAfter),
      });
    }),
  ];
}

const time = fc.record({ asOf: fc.integer({ min: 0, max: 80 }), knownAt: fc.integer({ min: 0, max: 100 }) });

it("never falls as asOf and knownAt move on, rises whenever the dates shown move, and ignores what is recorded after knownAt", () => {
  fc.assert(
    fc.property(fc.array(move, { maxLength: 6 }), time, time, (moves, a, b) => {
      const history = historyOf(moves);
      const [early, late] = [
        { asOf: Math.min(a.asOf, b.asOf), knownAt: Math.min(a.knownAt, b.knownAt) },
        { asOf: Math.max(a.asOf, b.asOf), knownAt: Math.max(a.knownAt, b.knownAt) },
      ];
      const count = (t: typeof early) => datesMovesAt(history, at(t.asOf), at(t.knownAt));
      const shown = (t: typeof early) => recordStateAt(history, at(t.asOf), at(t.knownAt)).dates;
      expect(count(late)).toBeGreaterThanOrEqual(count(early));
      if (JSON.stringify(shown(late)) !== JSON.stringify(shown(early))) expect(count(late)).toBeGreaterThan(count(early));
      const k = at(early.knownAt).getTime();
      const knownThen = history
        .filter((e) => e.recordedAt.getTime() <= k)
        .map((e) => (e.retractedAt && e.retractedAt.getTime() > k ? { ...e, retractedAt: null } : e));
      expect(datesMovesAt(knownThen, at(early.asOf), at(early.knownAt))).toBe(count(early));
    }),
    { numRuns: 2000 },
  );
});
