import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dateProposals, proposalsFrom } from "../../src/domain/intake.ts";

const PUBLISHED = new Date("2025-10-23T00:00:00Z");
const dateOf = (text: string) =>
  dateProposals(text, PUBLISHED).map((p) => (p.kind === "date" ? [p.quote, p.dueAt.toISOString().slice(0, 10), p.precision] : null));

describe("dates and periods, at the precision the phrase gives", () => {
  it.each([
    ["Tariffs rise in November.", ["in November", "2025-11-01", "month"]],
    ["Talks must conclude by the end of February.", ["by the end of February", "2026-02-01", "month"]],
    ["A ruling is expected within a year.", ["within a year", "2026-01-01", "year"]],
    ["Duties apply from the first quarter of 2026.", ["from the first quarter of 2026", "2026-01-01", "quarter"]],
    ["Quotas expire in Q3 2026.", ["in Q3 2026", "2026-07-01", "quarter"]],
    ["The plan runs until 2027.", ["until 2027", "2027-01-01", "year"]],
    ["Exports fell 12% in 2024 and 2,030 tonnes were shipped.", ["in 2024", "2024-01-01", "year"]],
    ["Officials meet this week.", ["this week", "2025-10-20", "week"]],
    ["The ban starts on Dec. 1.", ["on Dec. 1", "2025-12-01", "day"]],
  ])("%s", (text, expected) => {
    expect(dateOf(text)).toEqual([expected]);
  });
});

describe("threat and condition cues", () => {
  it("proposes the sentence as a threat and the clause from its cue as a condition", () => {
    const text = "Officials said Washington will impose duties unless Mexico acts. Markets were calm.";
    const cues = proposalsFrom(text, { publishedAt: PUBLISHED, actors: [] }).filter((p) => p.kind === "threat" || p.kind === "condition");
    expect(cues.map((p) => [p.kind, p.quote])).toEqual([
      ["threat", "Officials said Washington will impose duties unless Mexico acts."],
      ["condition", "unless Mexico acts"],
    ]);
  });

  it("reads 'if … does not' as a condition, but not a plain 'if'", () => {
    const kinds = (text: string) => proposalsFrom(text, { publishedAt: PUBLISHED, actors: [] }).map((p) => p.kind);
    expect(kinds("Tariffs follow if Ottawa does not yield.")).toContain("condition");
    expect(kinds("Asked if talks went well, she smiled.")).not.toContain("condition");
  });
});

describe("on any text", () => {
  it("never throws, and every proposal's quote is the text between its offsets", () => {
    const words = fc.constantFrom(
      " ",
      ". ",
      "\n",
      "in November",
      "by the end of",
      "Q2 2026",
      "within a year",
      "25%",
      "$3 bn",
      "unless",
      "if",
      "does not",
      "will impose",
      "Trump",
      "Xi",
      "ü",
      "😀",
      ",",
      "2027",
      "until",
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(words, fc.string()), { maxLength: 40 }), (parts) => {
        const text = parts.join("");
        for (const p of proposalsFrom(text, { publishedAt: PUBLISHED, actors: [{ id: "a", name: "Xi", aliases: "Trump;  ; Xi" }] })) {
          expect(text.slice(p.startOffset, p.endOffset)).toBe(p.quote);
          expect(p.quote.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500, seed: 20261129 },
    );
  });
});
