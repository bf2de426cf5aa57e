import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DATE_RANGE, daysRemaining, formatAtPrecision, isOverdue, parseAsOf, parseInstant, periodEnd, resolveDatePhrase } from "../../src/domain/dates.ts";
import { PRECISIONS } from "../../src/domain/statuses.ts";

const day = (d: Date | null | undefined) => d?.toISOString().slice(0, 10);
const article = new Date("2025-10-23T12:00:00Z");

describe("date phrases against the article's day (Thursday 23 October 2025)", () => {
  it("resolves with the precision the phrase gives", () => {
    expect(resolveDatePhrase("November", article)).toMatchObject({ precision: "month" });
    expect(day(resolveDatePhrase("November", article)?.start)).toBe("2025-11-01");
    const week = resolveDatePhrase("this week", article);
    expect([day(week?.start), day(week?.end), week?.precision]).toEqual(["2025-10-20", "2025-10-26", "week"]);
    expect(day(resolveDatePhrase("next Thursday", article)?.start)).toBe("2025-10-30");
    const apec = resolveDatePhrase("Oct. 31 to Nov. 1", article);
    expect([day(apec?.start), day(apec?.end), apec?.precision]).toEqual(["2025-10-31", "2025-11-01", "day"]);
    expect(resolveDatePhrase("during his visit to Seoul", article)).toBeNull();
  });
});

describe("overdue and countdown", () => {
  const nov = new Date("2025-11-01T00:00:00Z");
  it("a month-precision date is overdue only once the month has passed", () => {
    expect(isOverdue(nov, "month", new Date("2025-11-15T00:00:00Z"))).toBe(false);
    expect(isOverdue(nov, "month", new Date("2025-12-01T00:00:00Z"))).toBe(true);
    expect(isOverdue(nov, "day", new Date("2025-11-02T00:00:00Z"))).toBe(true);
    expect(isOverdue(null, "unknown", new Date())).toBe(false);
  });
  it("counts whole days, negative when past", () => {
    expect(daysRemaining(nov, "day", new Date("2025-10-24T23:59:59Z"))).toBe(8);
    expect(daysRemaining(nov, "day", new Date("2025-11-03T08:00:00Z"))).toBe(-2);
  });
  it("counts to the end of the period a coarse date names", () => {
    expect(daysRemaining(nov, "month", new Date("2025-11-15T10:00:00Z"))).toBe(15);
    expect(daysRemaining(new Date("2026-01-01T00:00:00Z"), "year", new Date("2026-12-30T00:00:00Z"))).toBe(1);
    expect(isOverdue(new Date("2026-04-01T00:00:00Z"), "quarter", new Date("2026-06-30T23:00:00Z"))).toBe(false);
    expect(isOverdue(new Date("2026-04-01T00:00:00Z"), "quarter", new Date("2026-07-01T00:00:00Z"))).toBe(true);
    expect(formatAtPrecision(new Date("2026-04-01T00:00:00Z"), "quarter")).toBe("Q2 2026");
    expect(formatAtPrecision(new Date("2026-01-01T00:00:00Z"), "year")).toBe("2026");
  });
  it("counts and judges overdue by the period's end as periodEnd gives it, for any dates and precision", () => {
    const DAY = 86_400_000;
    const instant = fc.integer({ min: Date.UTC(DATE_RANGE.firstYear, 0, 1), max: Date.UTC(DATE_RANGE.lastYear, 11, 31) }).map((ms) => new Date(ms));
    const dayOf = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    fc.assert(
      fc.property(instant, instant, fc.constantFrom(...PRECISIONS), (due, asOf, precision) => {
        const end = precision === "unknown" ? null : periodEnd(due, precision).getTime();
        const lastDay = end === null || precision === "day" ? dayOf(due) : end - DAY;
        expect(daysRemaining(due, precision, asOf)).toBe(Math.round((lastDay - dayOf(asOf)) / DAY));
        expect(isOverdue(due, precision, asOf)).toBe(end !== null && asOf.getTime() >= end);
      }),
      { seed: 11, numRuns: 2_000 },
    );
  });
  it("formats honestly at each precision", () => {
    expect(formatAtPrecision(nov, "month")).toBe("November 2025");
    expect(formatAtPrecision(new Date("2025-10-20T00:00:00Z"), "week")).toBe("week of 20 October 2025");
    expect(formatAtPrecision(nov, "day")).toBe("1 November 2025");
    expect(formatAtPrecision(null, "unknown")).toBe("date unknown");
  });
});

describe("parsing dates from clients", () => {
  it("refuses impossible dates and takes a day as its end", () => {
    expect(parseAsOf("2025-02-30")).toBeNull();
    expect(parseAsOf("2025-10-24")?.toISOString()).toBe("2025-10-24T23:59:59.999Z");
    expect(parseInstant("2025-10-24T09:00:00+02:00")?.toISOString()).toBe("2025-10-24T07:00:00.000Z");
    expect(parseInstant("2025-10-24T25:00:00Z")).toBeNull();
    expect(parseInstant("2025-10-24T09:00:00")).toBeNull();
    expect(parseInstant("yesterday")).toBeNull();
  });
});
