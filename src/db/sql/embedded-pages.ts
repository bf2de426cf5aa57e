import type Database from "better-sqlite3";
import { toSqlDate } from "../sql-dates.ts";
import { type PassedOver, passedOverCounter, passingOver } from "./passed-over.ts";
import { limitBy, prepared } from "./prepared.ts";

/** The order a detail shows each table's rows in (id order unless named), as on the owner's index. */
const ORDER: Record<string, string> = {
  Deadline: `x."dueAt", x."id"`,
  Event: `x."startsAt", x."id"`,
  Evidence: `x."sourceId", x."startOffset", x."id"`,
};

/** The first rows of a detail's lists as recorded by a past knownAt, by id, for the lists read through Prisma. */
export interface PastPages {
  /** The ids of the first `n` rows of `table` owned by `owner` (column → value) recorded by knownAt, in the order shown. */
  ids(table: string, owner: Record<string, string>): string[];
  /** The detail's count of the rows it passed over: its lists read in raw SQL count on it too. */
  readonly passed: PassedOver;
}

/**
 * At a past knownAt, the page of each list a detail embeds through Prisma, found in raw SQL first:
 * Prisma's `createdAt <= knownAt` with `take` skips the rows recorded later inside SQL, uncounted.
 * Each walk here skips them too, on the owner's index in the order shown, but counts them
 * (`passed_over()`), all the detail's lists against one ceiling of `atMost` (decision 028); Prisma
 * then reads the page by id. Table and column names come from the code, never from a request.
 */
export function pastPages(reader: Database.Database, knownAt: Date, n: number, atMost: number, advice: string): PastPages {
  const passed = passedOverCounter("rows of its lists", atMost, advice);
  const known = toSqlDate(knownAt);
  return {
    passed,
    ids(table, owner) {
      const columns = Object.keys(owner);
      const sql = `SELECT x."id" FROM "${table}" x WHERE ${columns.map((c) => `x."${c}" = +?`).join(" AND ")}
        AND (x."createdAt" <= ? OR passed_over()) ORDER BY ${ORDER[table] ?? `x."id"`} ${limitBy("?")}`;
      return passingOver(reader, passed, () => (prepared(reader, sql).all(...Object.values(owner), known, n) as { id: string }[]).map((r) => r.id));
    },
  };
}
