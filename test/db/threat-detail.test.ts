import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackerDatabase } from "../../src/db/client.ts";
import { createRecord, getRecordThroughPrisma } from "../../src/db/records.ts";
import { DEADLINE_COLUMNS_NOT_READ, DETAIL_EMBEDS, scenarioDeadlines, threatDetail } from "../../src/db/threat-detail.ts";
import { freshDatabase } from "../helpers/database.ts";

let db: TrackerDatabase;
beforeAll(async () => {
  db = await freshDatabase({ seeded: true });
});
afterAll(() => db.close());

const viaJson = (x: unknown) => JSON.parse(JSON.stringify(x));
/** A read at the present: knownAt now. */
const present = () => {
  const now = new Date();
  return { knownAt: now, now };
};

describe("the raw threat detail", () => {
  it("is exactly what Prisma's includes give, for every threat", async () => {
    const extra = await createRecord(
      db,
      "threat",
      {
        scenarioId: "scenario-us-china-rare-earth-tariffs",
        issuerId: "gov-us",
        targetIds: ["gov-cn", "gov-us"],
        ratePercent: 10,
        authority: "IEEPA",
        measure: "tariff",
        covers: "c",
        summary: "s",
        status: "threatened",
        topicIds: ["topic-tariffs", "topic-farmers"],
      },
      "test",
    );
    const condition = await createRecord(db, "condition", { threatId: extra, description: "d", effect: "triggers", status: "open" }, "test");
    const other = await createRecord(db, "condition", { threatId: extra, description: "e", effect: "averts", status: "open" }, "test");
    // A condition's deadlines, named with the threat or with the condition only: all are the threat's
    // too (a migration gave those written before the condition's threat), so the detail takes each
    // condition's from the threat's list, and shows each in both places.
    for (const [conditionId, threatId, wording] of [
      [condition, extra, "both, first"],
      [condition, null, "condition only"],
      [condition, extra, "both, second"],
      [other, null, "other condition only"],
      [other, extra, "other, both"],
    ] as const) {
      await createRecord(
        db,
        "deadline",
        { conditionId, threatId, dueAt: new Date("2026-03-01T00:00:00Z"), precision: "month", wording, status: "pending" },
        "test",
      );
    }
    await createRecord(db, "deadline", { threatId: extra, dueAt: null, precision: "unknown", wording: "soon", status: "pending" }, "test");
    await createRecord(
      db,
      "deadline",
      { threatId: extra, dueAt: new Date("2026-01-01T00:00:00Z"), precision: "day", wording: "new year", status: "pending" },
      "test",
    );
    const ids = (await db.prisma.threat.findMany({ select: { id: true } })).map((t) => t.id);
    expect(ids.length).toBe(4);
    // Prisma's include reads every column; the raw read leaves out the deadlines' cache columns no answer needs.
    const withoutUnread = (record: any) => {
      for (const d of [...record.deadlines, ...record.conditions.flatMap((c: any) => c.deadlines)]) for (const k of DEADLINE_COLUMNS_NOT_READ) delete d[k];
      return record;
    };
    for (const id of ids) {
      const prisma = await getRecordThroughPrisma(db, "threat", id, { asOf: new Date(), ...present() });
      expect(viaJson(threatDetail(db.reader, id, present())), id).toEqual(withoutUnread(viaJson(prisma)));
    }
    expect(DEADLINE_COLUMNS_NOT_READ).toEqual(["pendingFrom", "pendingKnownFrom", "pendingUntil", "pendingUntilKnownAt", "dueAtEarliest", "dueAtLatest"]);
    const detail = threatDetail(db.reader, extra, present()) as { conditions: { id: string; deadlines: unknown[] }[]; deadlines: unknown[] };
    expect(Object.fromEntries(detail.conditions.map((c) => [c.id, c.deadlines.length]))).toEqual({ [condition]: 3, [other]: 2 });
    expect(detail.deadlines.length).toBe(7);
    const orphans = db.reader.prepare(
      'SELECT count(*) AS n FROM "Deadline" d JOIN "Condition" c ON c."id" = d."conditionId" WHERE d."threatId" IS NOT c."threatId" OR d."agreementId" IS NOT c."agreementId"',
    );
    expect(orphans.get()).toEqual({ n: 0 });
    expect(threatDetail(db.reader, "nope", present())).toBeNull();
  });

  it("is what Prisma's includes give when its lists are longer than it embeds, at a past knownAt too", async () => {
    let now = Date.parse("2026-11-30T08:00:00Z");
    const at = () => new Date(now);
    const threat = await createRecord(
      db,
      "threat",
      { scenarioId: "scenario-us-china-rare-earth-tariffs", issuerId: "gov-us", measure: "tariff", covers: "c", summary: "long", status: "threatened" },
      "test",
      at,
    );
    const deadline = (fields: Record<string, unknown>, i: number) =>
      createRecord(
        db,
        "deadline",
        { ...fields, dueAt: new Date(Date.UTC(2026, 0, 1 + (i % 7))), precision: "day", wording: `d${i}`, status: "pending" },
        "test",
        at,
      );
    const conditions: string[] = [];
    for (let i = 0; i < DETAIL_EMBEDS + 2; i++) {
      conditions.push(await createRecord(db, "condition", { threatId: threat, description: `c${i}`, effect: "triggers", status: "open" }, "test", at));
    }
    for (let i = 0; i < DETAIL_EMBEDS + 2; i++) await deadline({ threatId: threat, conditionId: [...conditions].sort()[0] }, i);
    const knownAt = new Date(++now);
    now += 1_000;
    for (let i = 0; i < 3; i++) await deadline({ threatId: threat }, i);
    for (const time of [knownAt, new Date(now)]) {
      const raw = viaJson(threatDetail(db.reader, threat, { knownAt: time, now: new Date(now) }));
      const prisma = viaJson(await getRecordThroughPrisma(db, "threat", threat, { asOf: time, knownAt: time, now: new Date(now) }));
      for (const d of [...prisma.deadlines, ...prisma.conditions.flatMap((c: any) => c.deadlines)]) for (const k of DEADLINE_COLUMNS_NOT_READ) delete d[k];
      expect(raw).toEqual(prisma);
      expect([raw.conditions.length, raw.conditionsTruncated, raw.deadlines.length, raw.deadlinesTruncated]).toEqual([
        DETAIL_EMBEDS,
        true,
        DETAIL_EMBEDS,
        true,
      ]);
      expect([raw.conditions[0].deadlines.length, raw.conditions[0].deadlinesTruncated, raw.conditions[1].deadlinesTruncated]).toEqual([
        DETAIL_EMBEDS,
        true,
        false,
      ]);
    }
    const late = (detail: any) => detail.deadlines.filter((d: { conditionId: string | null }) => d.conditionId === null).length;
    expect(late(threatDetail(db.reader, threat, { knownAt, now: new Date(now) }))).toBe(0);
    expect(late(threatDetail(db.reader, threat, { knownAt: new Date(now), now: new Date(now) }))).toBe(3);
  });
});

describe("a scenario's own deadlines, read raw", () => {
  it("are what Prisma's include gives, in due order (undated first, as SQLite sorts NULL), cut at the limit", async () => {
    const scenarioId = "scenario-us-china-rare-earth-tariffs";
    for (const [dueAt, wording] of [
      ["2026-05-01T00:00:00Z", "may"],
      [null, "someday"],
      ["2026-02-01T00:00:00Z", "february"],
      ["2026-02-01T00:00:00Z", "february too"],
    ] as const) {
      await createRecord(
        db,
        "deadline",
        { scenarioId, dueAt: dueAt && new Date(dueAt), precision: dueAt ? "month" : "unknown", wording, status: "pending" },
        "test",
      );
    }
    for (const limit of [100, 2]) {
      const prisma = await db.prisma.deadline.findMany({ where: { scenarioId }, orderBy: [{ dueAt: "asc" }, { id: "asc" }], take: limit });
      const expected = viaJson(prisma).map((d: Record<string, unknown>) => {
        for (const k of DEADLINE_COLUMNS_NOT_READ) delete d[k];
        return d;
      });
      expect(viaJson(scenarioDeadlines(db.reader, scenarioId, limit, present()))).toEqual(expected);
    }
  });
});
