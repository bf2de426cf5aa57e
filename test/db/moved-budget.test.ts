import { afterAll, beforeAll, expect, it } from "vitest";
import type { TrackerDatabase } from "../../src/db/client.ts";
import { type DeadlineCursor, listDeadlines, SCAN_BUDGET } from "../../src/db/deadline-queries.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";
import { refreshCachedColumns } from "../../src/db/tracked-writes.ts";
import { freshDatabase } from "../helpers/database.ts";

/**
 * Found in review: deadlines whose dates moved are read from their history as the walk reaches
 * them, and those that were not shown did not count toward the scan budget. Now each one read
 * counts, and a page stopped among them resumes exactly where it stopped.
 */
let db: TrackerDatabase;
const MOVED = SCAN_BUDGET + 700;
const DAY = 86_400_000;
const created = Date.UTC(2025, 0, 1);

beforeAll(async () => {
  db = await freshDatabase();
  const w = db.writer;
  const deadline = w.prepare(
    `INSERT INTO "Deadline" ("id","dueAt","precision","wording","status","version","createdAt","updatedAt") VALUES (?, ?, 'day', 'w', 'pending', 1, ?, ?)`,
  );
  const entry = w.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","change","from","to","values","effectiveAt","recordedAt","reason","by") VALUES ('deadline', ?, ?, NULL, ?, ?, ?, ?, 'bulk', 'test')`,
  );
  w.transaction(() => {
    for (let i = 0; i < MOVED; i++) {
      const id = `moved-${String(i).padStart(5, "0")}`;
      // Due on day i, then moved a week later, or (every third) a month earlier.
      const due = created + (30 + (i % 400)) * DAY;
      const moved = i % 3 === 0 ? due - 30 * DAY : due + 7 * DAY;
      const at = toSqlDate(new Date(created));
      deadline.run(id, toSqlDate(new Date(due)), at, at);
      entry.run(id, "status", "pending", null, at, at);
      entry.run(id, "dates", null, JSON.stringify({ dueAt: new Date(moved).toISOString(), precision: "day" }), toSqlDate(new Date(created + DAY)), at);
      refreshCachedColumns(w, "deadline", id, new Date(created + 2 * DAY));
    }
  })();
}, 300_000);
afterAll(() => db.close());

const pages = (query: { status?: string; asOf?: Date; limit: number }) => {
  const ids: string[] = [];
  const sizes: number[] = [];
  let after: DeadlineCursor | undefined;
  for (let n = 0; n < 10_000; n++) {
    const { rows, next } = listDeadlines(db.reader, { ...query, after }, new Date(created + 500 * DAY));
    ids.push(...rows.map((r) => r.id));
    sizes.push(rows.length);
    if (!next) return { ids, sizes };
    after = next;
  }
  throw new Error("the cursor never ended");
};

it("stops a read among moved deadlines nobody had then at the budget, with a cursor that resumes", () => {
  const { ids, sizes } = pages({ status: "triggered", asOf: new Date("1946-01-01"), limit: 1 });
  expect(ids).toEqual([]);
  // Cut short at least once: the budget holds even though no row was shown.
  expect(sizes.length).toBeGreaterThan(1);
});

it("pages through every moved deadline once, in due order, across the stops", () => {
  const { ids } = pages({ limit: 500 });
  expect(ids.length).toBe(MOVED);
  expect(new Set(ids).size).toBe(MOVED);
  const due = (id: string) => {
    const i = Number(id.slice(6));
    const first = created + (30 + (i % 400)) * DAY;
    return i % 3 === 0 ? first - 30 * DAY : first + 7 * DAY;
  };
  const sorted = [...ids].sort((a, b) => due(a) - due(b) || (a < b ? -1 : 1));
  expect(ids).toEqual(sorted);
});
