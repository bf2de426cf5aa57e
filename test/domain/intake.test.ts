import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BLOCK_CHARS, blockEnd, dateProposals, proposalsFrom } from "../../src/domain/intake.ts";

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

  it("does not end a clause at an abbreviation ('until Nov. 10, 2026', 'No. 61')", () => {
    const text = "The tariff is suspended until Nov. 10, 2026. It follows Announcement No. 61 unless Beijing acts. Markets were calm.";
    const cues = proposalsFrom(text, { publishedAt: PUBLISHED, actors: [] }).filter((p) => p.kind === "threat" || p.kind === "condition");
    expect(cues.map((p) => [p.kind, p.quote])).toEqual([
      ["threat", "The tariff is suspended until Nov. 10, 2026."],
      ["condition", "until Nov. 10, 2026"],
      ["condition", "unless Beijing acts"],
    ]);
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

describe("blocks, the stretches a page of proposals reads", () => {
  const blocks = (text: string) => {
    const ends: number[] = [];
    for (let start = 0; start < text.length; start = ends.at(-1)!) ends.push(blockEnd(text, start));
    return ends;
  };

  it("covers the text in whole lines, a long line cut at a sentence end, then a blank, then anywhere but inside a character", () => {
    const lines = `${"A short line about tariffs.\n".repeat(300)}`;
    for (const end of blocks(lines)) expect(lines[end - 1]).toBe("\n");
    const sentences = "Talks resume next week. ".repeat(400);
    for (const end of blocks(sentences).slice(0, -1)) expect(sentences.slice(end - 2, end)).toBe(". ");
    const words = "tariff ".repeat(1_500);
    for (const end of blocks(words).slice(0, -1)) expect(words[end - 1]).toBe(" ");
    const emoji = "😀".repeat(5_000);
    for (const end of blocks(emoji)) expect(end % 2).toBe(0);
  });

  it("ends every block within BLOCK_CHARS of its start, moving forward, to the end of any text", () => {
    const parts = fc.constantFrom("Beijing will impose a 25% duty. ", "\n", "tariff", " ", "😀", "x".repeat(900), "\n\n");
    fc.assert(
      fc.property(fc.array(parts, { maxLength: 60 }), (chosen) => {
        const text = chosen.join("");
        let start = 0;
        for (const end of blocks(text)) {
          expect(end).toBeGreaterThan(start);
          expect(end - start).toBeLessThanOrEqual(BLOCK_CHARS);
          start = end;
        }
        expect(start).toBe(text.length);
      }),
      { numRuns: 200, seed: 20261130 },
    );
  });
});
