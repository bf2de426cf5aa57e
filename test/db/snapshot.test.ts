import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackerDatabase } from "../../src/db/client.ts";
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
