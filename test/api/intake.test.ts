import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planSeedFromFile } from "../../src/seed/load.ts";
import { SOURCE, type TestApp, testApp } from "../helpers/app.ts";

const SEED = resolve(import.meta.dirname, "../../seeds/000_a70022376a9dca2a.record.json");
const FIXTURES = resolve(import.meta.dirname, "../fixtures/intake");

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const json = async (res: Response) => (await res.json()) as any;

interface WireProposal {
  kind: string;
  quote: string;
  startOffset: number;
  endOffset: number;
  dueAt?: string;
  precision?: string;
  percent?: number;
  additional?: boolean;
  actorId?: string;
  amount?: number;
  currency?: string;
}

const contains = (p: WireProposal, start: number, end: number) => p.startOffset <= start && p.endOffset >= end;
const overlaps = (p: WireProposal, start: number, end: number) => p.startOffset < end && p.endOffset > start;

describe("intake on the seeded article", () => {
  const plan = planSeedFromFile(SEED);
  const quotesOf = (kind: string, id: string) => plan.evidence.filter((e) => e.recordKind === kind && e.recordId === id);
  let proposals: WireProposal[];
  beforeAll(async () => {
    const res = await t.get(`/api/sources/${SOURCE}/proposals`);
    expect(res.status).toBe(200);
    proposals = (await json(res)).items;
    for (const p of proposals) expect(plan.text.slice(p.startOffset, p.endOffset)).toBe(p.quote);
  });

  it("finds every dated deadline and event at the seed's date and precision, over the seed's own quote", () => {
    const dated = [...plan.file.deadlines.map((d) => ({ kind: "deadline", id: d.id })), ...plan.file.events.map((e) => ({ kind: "event", id: e.id }))].filter(
      (r) => plan.dates.get(r.id)?.at,
    );
    expect(dated.map((r) => r.id)).toContain("deadline-100pct-tariff-november");
    for (const r of dated) {
      const date = plan.dates.get(r.id)!;
      const match = proposals.find(
        (p) =>
          p.kind === "date" &&
          p.dueAt === date.at!.toISOString() &&
          p.precision === date.precision &&
          quotesOf(r.kind, r.id).some((q) => overlaps(p, q.startOffset, q.endOffset)),
      );
      expect(match, `${r.kind} ${r.id}`).toBeDefined();
    }
    expect(proposals).toContainEqual(
      expect.objectContaining({ kind: "date", quote: "starting in November", dueAt: "2025-11-01T00:00:00.000Z", precision: "month" }),
    );
  });

  it("finds every threat's sentence and the condition's clause word for word", () => {
    for (const threat of plan.file.threats) {
      const found = proposals.some((p) => p.kind === "threat" && quotesOf("threat", threat.id).some((q) => contains(p, q.startOffset, q.endOffset)));
      expect(found, threat.id).toBe(true);
    }
    for (const condition of plan.file.conditions) {
      expect(proposals).toContainEqual(expect.objectContaining({ kind: "condition", quote: condition.evidence[0] }));
    }
  });

  it("finds the additional 100% and the actors by name and alias", () => {
    expect(proposals).toContainEqual(expect.objectContaining({ kind: "percentage", quote: "100%", percent: 100, additional: true }));
    const actors = new Map(proposals.filter((p) => p.kind === "actor").map((p) => [p.quote, p.actorId]));
    expect(actors.get("Donald Trump")).toBe("person-donald-trump");
    expect(actors.get("The U.S. president")).toBe("person-donald-trump");
    expect(actors.get("Xi")).toBe("person-xi-jinping");
    expect(actors.get("Beijing")).toBe("gov-cn");
  });
});

/** Two trade-news texts written for these tests, with what each must yield. */
const FIXTURE_CASES = [
  {
    file: "eu-steel-countermeasures.txt",
    publishedAt: "2026-03-10",
    dates: [
      { quote: "on Tuesday", dueAt: "2026-03-10", precision: "day" },
      { quote: "starting on April 1", dueAt: "2026-04-01", precision: "day" },
      { quote: "until the end of June", dueAt: "2026-06-01", precision: "month" },
      { quote: "in the third quarter", dueAt: "2026-07-01", precision: "quarter" },
      { quote: "next week", dueAt: "2026-03-16", precision: "week" },
    ],
    percentages: [25, 50],
    amounts: [{ quote: "€21 billion", amount: 21e9, currency: "EUR" }],
    threatCues: ["will impose", "considering"],
    conditions: [
      "If the United States does not lift them, the Commission is considering countermeasures on €21 billion of American goods, to take effect in the third quarter",
    ],
  },
  {
    file: "china-canada-canola.txt",
    publishedAt: "2026-01-15",
    dates: [
      { quote: "on Thursday", dueAt: "2026-01-15", precision: "day" },
      { quote: "by the end of February", dueAt: "2026-02-01", precision: "month" },
      { quote: "within a year", dueAt: "2027-01-01", precision: "year" },
      { quote: "in November", dueAt: "2026-11-01", precision: "month" },
    ],
    percentages: [100, 75.8],
    amounts: [{ quote: "$3.5 billion", amount: 3.5e9, currency: "USD" }],
    threatCues: ["threatened"],
    conditions: ["unless Ottawa drops its 100% surcharge on Chinese electric vehicles by the end of February"],
  },
];

describe("intake on other trade news", () => {
  for (const c of FIXTURE_CASES) {
    it(`proposes the dates, percentages, amounts, threats and conditions of ${c.file}`, async () => {
      const text = readFileSync(resolve(FIXTURES, c.file), "utf8");
      const res = await t.write("POST", "/api/sources", { title: c.file, publisher: "Test wire", kind: "wire", publishedAt: c.publishedAt, text });
      expect(res.status).toBe(201);
      const source = await json(res);
      expect(source).toMatchObject({ text, kind: "wire" });
      const proposals: WireProposal[] = source.proposals;
      for (const p of proposals) expect(text.slice(p.startOffset, p.endOffset)).toBe(p.quote);
      for (const d of c.dates) {
        expect(proposals).toContainEqual(expect.objectContaining({ kind: "date", quote: d.quote, dueAt: `${d.dueAt}T00:00:00.000Z`, precision: d.precision }));
      }
      expect(proposals.filter((p) => p.kind === "percentage").map((p) => p.percent)).toEqual(c.percentages);
      for (const a of c.amounts) expect(proposals).toContainEqual(expect.objectContaining({ kind: "amount", ...a }));
      for (const cue of c.threatCues) expect(proposals).toContainEqual(expect.objectContaining({ kind: "threat", cue }));
      for (const quote of c.conditions) expect(proposals).toContainEqual(expect.objectContaining({ kind: "condition", quote }));
      // Nothing is recorded until the analyst confirms: only the source was stored.
      expect((await json(await t.get(`/api/deadlines?q=${encodeURIComponent(c.dates[1]!.quote)}`))).items).toEqual([]);
    });
  }

  it("finds known actors by name and alias in a new text, and re-runs on it", async () => {
    const text = "Beijing and Ottawa traded threats on Monday; Xi Jinping did not comment.";
    const created = await json(await t.write("POST", "/api/sources", { title: "Brief", publisher: "Desk", publishedAt: "2026-01-20", text }));
    const actors = (p: WireProposal[]) => p.filter((x) => x.kind === "actor").map((x) => [x.quote, x.actorId]);
    expect(actors(created.proposals)).toEqual([
      ["Beijing", "gov-cn"],
      ["Xi Jinping", "person-xi-jinping"],
    ]);
    const rerun = await json(await t.get(`/api/sources/${created.id}/proposals`));
    expect(rerun.items).toEqual(created.proposals);
  });
});
