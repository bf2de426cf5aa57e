import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackerDatabase } from "../../src/db/client.ts";
import { threatAt } from "../../src/db/records.ts";
import { seedAll } from "../../src/seed/run.ts";
import { SeedError } from "../../src/seed/seed-file.ts";
import { SEEDS_DIR } from "../../src/seed/seed-files.ts";
import { freshDatabase, rowCounts } from "../helpers/database.ts";

/** The tables holding rows, but the cursor key its migration made: none after a seed that failed. */
function seededRows(db: TrackerDatabase): string[] {
  return Object.entries(rowCounts(db))
    .filter(([table, n]) => n > 0 && table !== "CursorKey")
    .map(([table]) => table);
}

const ARTICLE = "000_a70022376a9dca2a.txt";
const RECORD = "000_a70022376a9dca2a.record.json";

/** One value of a one-row statement on the reader. */
const r = (db: TrackerDatabase, sql: string, id: string) => (db.reader.prepare(sql).get(id) as { t: string }).t;

/** A seeds folder holding the article and a curated record edited by `edit`. */
function seedsWith(edit: (record: Record<string, any>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "tradewatch-seeds-"));
  copyFileSync(join(SEEDS_DIR, ARTICLE), join(dir, ARTICLE));
  const record = JSON.parse(readFileSync(join(SEEDS_DIR, RECORD), "utf8"));
  edit(record);
  writeFileSync(join(dir, RECORD), JSON.stringify(record, null, 2));
  return dir;
}

describe("seeding the article", () => {
  let db: TrackerDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
    await seedAll(db);
  });
  afterAll(() => db.close());

  it("stores the article verbatim with its hash and inferred date", async () => {
    const source = await db.prisma.source.findFirstOrThrow();
    expect(source.text).toBe(readFileSync(join(SEEDS_DIR, ARTICLE), "utf8"));
    expect(source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(source.publisher).toBe("Benzinga");
    expect(source.publishedAt.toISOString()).toBe("2025-10-23T00:00:00.000Z");
    expect(source.publishedAtInferred).toBe(true);
    expect(source.disclaimer).toContain("partially produced with the help of AI tools");
  });

  it("holds the 100% tariff threat with its condition and its November deadline", async () => {
    const threat = await db.prisma.threat.findUniqueOrThrow({
      where: { id: "threat-us-100pct-tariff-chinese-goods" },
      include: { issuer: true, targets: true, conditions: true, deadlines: true, topics: true },
    });
    expect(threat).toMatchObject({ measure: "tariff", covers: "Chinese goods", ratePercent: 100, authority: null, isAdditional: true, status: "threatened" });
    expect(threat.issuer.name).toBe("Donald Trump");
    expect(threat.targets.map((t) => t.actorId)).toEqual(["gov-cn"]);
    expect(threat.conditions).toHaveLength(1);
    expect(threat.conditions[0]).toMatchObject({ effect: "averts", status: "open", awaitedActorId: "gov-cn" });
    expect(threat.deadlines).toHaveLength(1);
    const deadline = threat.deadlines[0]!;
    expect(deadline.dueAt?.toISOString()).toBe("2025-11-01T00:00:00.000Z");
    expect(deadline).toMatchObject({ precision: "month", wording: "starting in November", status: "pending", conditionId: threat.conditions[0]!.id });
    expect(threat.topics.map((t) => t.name).sort()).toEqual(["Rare earths", "Tariffs"]);
  });

  it("holds the software-export sanctions under consideration with no date, and China's export controls as imposed", async () => {
    const sanctions = await db.prisma.threat.findUniqueOrThrow({ where: { id: "threat-us-software-export-sanctions" }, include: { deadlines: true } });
    expect(sanctions).toMatchObject({ measure: "sanction", status: "considering" });
    expect(sanctions.deadlines).toEqual([]);
    const controls = await db.prisma.threat.findUniqueOrThrow({
      where: { id: "threat-cn-rare-earth-export-controls" },
      include: { issuer: true, targets: true },
    });
    expect(controls).toMatchObject({ measure: "export-control", status: "imposed", targets: [] });
    expect(controls.issuer.id).toBe("gov-cn");
  });

  it("holds every meeting and stop with the right dates and precisions", async () => {
    const events = await db.prisma.event.findMany({ include: { participants: true } });
    const byId = Object.fromEntries(events.map((e) => [e.id, e]));
    const day = (d: Date | null | undefined) => d?.toISOString().slice(0, 10) ?? null;
    expect(events).toHaveLength(8);
    expect(byId["event-trump-xi-bilateral-apec"]).toMatchObject({ precision: "day", status: "scheduled" });
    expect(day(byId["event-trump-xi-bilateral-apec"]?.startsAt)).toBe("2025-10-30");
    expect([day(byId["event-apec-summit-2025"]?.startsAt), day(byId["event-apec-summit-2025"]?.endsAt)]).toEqual(["2025-10-31", "2025-11-01"]);
    expect(byId["event-bessent-he-lifeng-malaysia"]).toMatchObject({ precision: "week", place: "Malaysia" });
    expect(day(byId["event-bessent-he-lifeng-malaysia"]?.startsAt)).toBe("2025-10-20");
    for (const id of [
      "event-trump-lee-meeting-seoul",
      "event-leaders-working-dinner-seoul",
      "event-asean-summit-malaysia",
      "event-trump-visit-japan",
      "event-trump-takaichi-meeting",
    ]) {
      expect(byId[id]).toMatchObject({ precision: "unknown", startsAt: null });
      expect(byId[id]?.wording.length).toBeGreaterThan(0);
    }
    expect(byId["event-trump-xi-bilateral-apec"]?.participants.map((p) => p.actorId).sort()).toEqual(["person-donald-trump", "person-xi-jinping"]);
    // The article places the meeting on the summit's sidelines; it does not say who attends the summit itself.
    expect(byId["event-apec-summit-2025"]?.participants).toEqual([]);
  });

  it("holds the seven people, linked to their governments, and the topics", async () => {
    const people = await db.prisma.actor.findMany({ where: { kind: "person" }, include: { government: true } });
    expect(people.map((p) => p.name).sort()).toEqual([
      "Donald Trump",
      "He Lifeng",
      "Karoline Leavitt",
      "Lee Jae-myung",
      "Sanae Takaichi",
      "Scott Bessent",
      "Xi Jinping",
    ]);
    for (const p of people) expect(p.government?.kind).toBe("government");
    const topics = (await db.prisma.topic.findMany()).map((t) => t.name);
    expect(topics).toEqual(expect.arrayContaining(["Fentanyl and precursor chemicals", "Farmers", "Rare earths", "Software exports"]));
  });

  it("gives every evidence offset that slices the article to the stored quote, and evidence for every tracked record", async () => {
    const source = await db.prisma.source.findFirstOrThrow();
    const evidence = await db.prisma.evidence.findMany();
    expect(evidence.length).toBeGreaterThan(20);
    for (const e of evidence) expect(source.text?.slice(e.startOffset ?? undefined, e.endOffset ?? undefined)).toBe(e.quote);
    const cited = new Set(evidence.map((e) => `${e.recordKind}|${e.recordId}`));
    const tracked = [
      ...(await db.prisma.threat.findMany()).map((r) => `threat|${r.id}`),
      ...(await db.prisma.condition.findMany()).map((r) => `condition|${r.id}`),
      ...(await db.prisma.deadline.findMany()).map((r) => `deadline|${r.id}`),
      ...(await db.prisma.event.findMany()).map((r) => `event|${r.id}`),
    ];
    for (const key of tracked) expect(cited.has(key), key).toBe(true);
  });

  it("starts every tracked record's history with its seeded status", async () => {
    const history = await db.prisma.statusChange.findMany({ orderBy: { seq: "asc" } });
    expect(history).toHaveLength(1 + 3 + 1 + 1 + 8);
    for (const h of history) expect(h).toMatchObject({ from: null, by: "seed", correction: false });
    expect(history.find((h) => h.recordId === "deadline-100pct-tariff-november")?.to).toBe("pending");
  });

  it("changes nothing when run a second time", async () => {
    const before = rowCounts(db);
    const history = await db.prisma.statusChange.findMany();
    await seedAll(db);
    expect(rowCounts(db)).toEqual(before);
    expect(await db.prisma.statusChange.findMany()).toEqual(history);
  });
});

describe("a seed file that does not match its article", () => {
  it("fails naming the quote and the record, and writes nothing", async () => {
    const db = await freshDatabase();
    const dir = seedsWith((r) => {
      r.threats[0].evidence = ["an additional 200% tariff on Chinese goods"];
    });
    await expect(seedAll(db, dir)).rejects.toThrow(/threat "threat-us-100pct-tariff-chinese-goods".*200% tariff/);
    expect(seededRows(db)).toEqual([]);
    await db.close();
  });

  it("rejects a straight quote where the article has a curly one", async () => {
    const db = await freshDatabase();
    const dir = seedsWith((r) => {
      r.threats[2].evidence = ["China's recent policy shift to tighten rare earth exports"];
    });
    await expect(seedAll(db, dir)).rejects.toThrow(SeedError);
    expect(seededRows(db)).toEqual([]);
    await db.close();
  });

  it("fails on a missing field, naming the file and the field", async () => {
    const db = await freshDatabase();
    const dir = seedsWith((r) => {
      delete r.threats[0].covers;
    });
    await expect(seedAll(db, dir)).rejects.toThrow(/000_a70022376a9dca2a\.record\.json: field "threats\.0\.covers"/);
    await db.close();
  });

  it("fails on an unknown status, naming the file and the field", async () => {
    const db = await freshDatabase();
    const dir = seedsWith((r) => {
      r.deadlines[0].status = "overdue";
    });
    await expect(seedAll(db, dir)).rejects.toThrow(/record\.json: field "deadlines\.0\.status"/);
    expect(seededRows(db)).toEqual([]);
    await db.close();
  });

  it("gives a deadline named with its condition only the condition's threat, so the threat's page shows it under the condition", async () => {
    const db = await freshDatabase();
    let deadline = "";
    let condition = "";
    const dir = seedsWith((r) => {
      const d = r.deadlines.find((x: { condition?: string }) => x.condition);
      [deadline, condition] = [d.id, d.condition];
      delete d.threat;
    });
    await seedAll(db, dir);
    const owner = r(db, 'SELECT "threatId" AS t FROM "Condition" WHERE "id" = ?', condition);
    expect(r(db, 'SELECT "threatId" AS t FROM "Deadline" WHERE "id" = ?', deadline)).toBe(owner);
    const now = new Date();
    const page = threatAt(db.reader, owner, { asOf: now, knownAt: now, now }) as { conditions: { id: string; deadlines: { id: string }[] }[] };
    expect(page.conditions.find((c) => c.id === condition)!.deadlines.map((d) => d.id)).toEqual([deadline]);
    await db.close();
  });

  it("fails on a deadline naming another threat than its condition's, and writes nothing", async () => {
    const db = await freshDatabase();
    const dir = seedsWith((r) => {
      const d = r.deadlines.find((x: { condition?: string }) => x.condition);
      d.threat = r.threats.find((t: { id: string }) => !r.conditions.some((c: { id: string; threat: string }) => c.id === d.condition && c.threat === t.id)).id;
    });
    await expect(seedAll(db, dir)).rejects.toThrow(/deadline ".*" field "threat" names ".*", but its condition ".*" is threat ".*"'s/);
    expect(seededRows(db)).toEqual([]);
    await db.close();
  });

  it("rolls back everything when a write fails half-way", async () => {
    const db = await freshDatabase();
    // Two actors with one name break the unique constraint only at write time, after other rows were written.
    const dir = seedsWith((r) => {
      r.actors.push({ ...r.actors[0], id: "gov-us-duplicate" });
    });
    await expect(seedAll(db, dir)).rejects.toThrow();
    expect(seededRows(db)).toEqual([]);
    await db.close();
  });
});
