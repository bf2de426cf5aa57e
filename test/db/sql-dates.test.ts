import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoFromSqlDate, toSqlDate } from "../../src/db/sql-dates.ts";
import { DATE_RANGE } from "../../src/domain/dates.ts";

describe("isoFromSqlDate", () => {
  it("gives what a Date gives for every stored date in the range", () => {
    const first = Date.UTC(DATE_RANGE.firstYear, 0, 1);
    const last = Date.UTC(DATE_RANGE.lastYear + 1, 0, 1) - 1;
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), (ms) => {
        const d = new Date(ms);
        expect(isoFromSqlDate(toSqlDate(d))).toBe(d.toISOString());
      }),
      { seed: 7, numRuns: 2_000 },
    );
  });

  it("reads any other form through a Date, as the list did before", () => {
    for (const text of [
      "2026-02-31T00:00:00.000+00:00", // rolled over to 3 March
      "2026-01-31T23:59:59.999+00:00",
      "2026-01-01T24:00:00.000+00:00",
      "2026-01-01T00:00:00+00:00",
      "2026-01-01T12:00:00.000+02:00",
      "2026-01-01 12:00:00",
      "2026-01-01",
    ])
      expect(isoFromSqlDate(text), text).toBe(new Date(text).toISOString());
  });
});
