import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TrackerDatabase } from "../../src/db/client.ts";
import { listDeadlines } from "../../src/db/deadline-queries.ts";
import { inForcePage } from "../../src/db/in-force.ts";
import { threatAt } from "../../src/db/records.ts";
import { inOneSnapshot } from "../../src/db/sql/snapshot.ts";
import { freshDatabase } from "../helpers/database.ts";

let db: TrackerDatabase;
beforeAll(async () => {
  db = await freshDatabase({ seeded: true });
});
afterAll(() => db.close());

const topics = () => (db.reader.prepare('SELECT count(*) AS n FROM "Topic"').get() as { n: number }).n;
let added = 0;
const addTopic = () => {
  db.writer.prepare('INSERT INTO "Topic" ("id", "name") VALUES (?, ?)').run(`topic-snap-${++added}`, `Snap ${added}`);
};

describe("a read in one snapshot", () => {
  it("does not see a write committed between two of its statements; the next read does", () => {
    const before = topics();
    const seen = inOneSnapshot(db.reader, () => {
      const first = topics();
      addTopic();
      return [first, topics()];
    });
    expect(seen).toEqual([before, before]);
    expect(topics()).toBe(before + 1);
    // Without it, each statement is its own read: the second sees the write.
    const first = topics();
    addTopic();
    expect([first, topics()]).toEqual([before + 1, before + 2]);
  });

  it("runs inside the transaction a connection is already in, and leaves none open when the read throws", () => {
    const nested = inOneSnapshot(db.reader, () => inOneSnapshot(db.reader, () => db.reader.inTransaction));
    expect(nested).toBe(true);
    expect(() =>
      inOneSnapshot(db.reader, () => {
        topics();
        throw new Error("the read failed");
      }),
    ).toThrow("the read failed");
    expect(db.reader.inTransaction).toBe(false);
    const before = topics();
    addTopic();
    expect(topics()).toBe(before + 1);
  });
});

describe("the reads answered in one pass on the reader", () => {
  it("each open one read transaction and leave none open: a threat's page, the deadline list, the in-force view", () => {
    const now = new Date();
    const time = { asOf: now, knownAt: now, now };
    const spy = vi.spyOn(db.reader, "transaction");
    try {
      threatAt(db.reader, "threat-us-100pct-tariff-chinese-goods", time);
      listDeadlines(db.reader, { status: "pending", limit: 50 }, now);
      inForcePage(db.reader, { limit: 50, withinDays: 30 }, time);
      expect(spy).toHaveBeenCalledTimes(3);
    } finally {
      spy.mockRestore();
    }
    expect(db.reader.inTransaction).toBe(false);
  });
});
