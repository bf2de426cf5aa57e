import type Database from "better-sqlite3";
import { limitBy, prepared } from "./sql/prepared.ts";
import { toSqlDate } from "./sql-dates.ts";

/**
 * The ids of the `limit` deadlines first due nearest to `at` on one side of it (`after`: at or
 * after it), nearest first, of one scenario when given. Of a scenario, its deadlines are merged
 * from its own and each of its threats' in due order (see scenarioDueNearest): walked by the date
 * index, a small scenario's filter rejected nearly every row of a large database (0.6–3.2 s a side
 * at 1M deadlines), and read whole, a large scenario's were all sorted (150 ms a side at 100,000).
 */
export function deadlinesDueNearest(
  reader: Database.Database,
  at: Date,
  after: boolean,
  scenarioId: string | null,
  limit: number,
  /** A past knownAt: deadlines recorded after it are passed over (null: now, all of them). */
  knownAt: Date | null = null,
): string[] {
  const known = knownAt === null ? null : toSqlDate(knownAt);
  if (scenarioId !== null) return scenarioDueNearest(reader, toSqlDate(at), after, scenarioId, limit, known);
  const side = after ? `"dueAt" >= +@at ${RECORDED_BY} ORDER BY "dueAt", "id"` : `"dueAt" < +@at ${RECORDED_BY} ORDER BY "dueAt" DESC, "id"`;
  const sql = `SELECT "id" FROM "Deadline" d WHERE ${side} ${limitBy("@limit")}`;
  return (prepared(reader, sql).all({ at: toSqlDate(at), limit, knownAt: known }) as { id: string }[]).map((r) => r.id);
}

/**
 * At a past knownAt, a deadline recorded later takes no place among the nearest (it was dropped
 * after, leaving the feed short and different: a past answer moved). Read from the row only then:
 * SQLite defers the row's read until a column of it is needed.
 */
const RECORDED_BY = `AND (@knownAt IS NULL OR d."createdAt" <= @knownAt)`;

type Due = { id: string; dueAt: string; elsewhere: number };

/**
 * A scenario's deadlines are its own (on (scenarioId, dueAt, id)) and its threats' (each on
 * (threatId, dueAt, id)); a threat's that names the scenario too is its own (`elsewhere` in the
 * threat's list: read, passed over). Every statement reads a range of one of those indexes in its order.
 */
const OWNERS = {
  scenario: { index: "Deadline_scenarioId_dueAt_id_idx", owner: `d."scenarioId" = +@owner`, elsewhere: "0" },
  threat: { index: "Deadline_threatId_dueAt_id_idx", owner: `d."threatId" = +@owner`, elsewhere: `d."scenarioId" IS @scenario` },
} as const;
type OwnerKind = keyof typeof OWNERS;
const dueSql = (kind: OwnerKind, range: string, order: string) => {
  const o = OWNERS[kind];
  return `SELECT d."id", d."dueAt", ${o.elsewhere} AS "elsewhere" FROM "Deadline" d INDEXED BY "${o.index}" WHERE ${o.owner} AND ${range} ${RECORDED_BY} ORDER BY ${order} ${limitBy("@n")}`;
};
const DUE = Object.fromEntries(
  (Object.keys(OWNERS) as OwnerKind[]).map((kind) => [
    kind,
    {
      /** Due after a key, in due order. */
      from: dueSql(kind, `(d."dueAt", d."id") > (@dueAt, @id)`, `d."dueAt", d."id"`),
      /** Due on the key's day (the same instant) after its id, in id order. */
      sameDayAfter: dueSql(kind, `d."dueAt" = @dueAt AND d."id" > @id`, `d."id"`),
      /** The latest due date before the key's. */
      dayBefore: `SELECT d."dueAt" FROM "Deadline" d INDEXED BY "${OWNERS[kind].index}" WHERE ${OWNERS[kind].owner} AND d."dueAt" < @dueAt ${RECORDED_BY} ORDER BY d."dueAt" DESC LIMIT 1`,
    },
  ]),
) as Record<OwnerKind, { from: string; sameDayAfter: string; dayBefore: string }>;

/** Each threat of the scenario with its first deadline on one side of @at (none: not listed), in one statement. */
const threatHeads = (first: string) => `SELECT t."id" AS "owner", d."id", d."dueAt", d."scenarioId" IS @scenario AS "elsewhere"
  FROM "Threat" t JOIN "Deadline" d ON d."rowid" = (SELECT x."rowid" FROM "Deadline" x INDEXED BY "Deadline_threatId_dueAt_id_idx" WHERE x."threatId" = t."id" AND (@knownAt IS NULL OR x."createdAt" <= @knownAt) AND ${first})
  WHERE t."scenarioId" = @scenario`;
const THREAT_HEADS = {
  after: threatHeads(`(x."dueAt", x."id") > (@at, '') ORDER BY x."dueAt", x."id" LIMIT 1`),
  before:
    threatHeads(`x."dueAt" = (SELECT y."dueAt" FROM "Deadline" y INDEXED BY "Deadline_threatId_dueAt_id_idx" WHERE y."threatId" = t."id" AND y."dueAt" < @at AND (@knownAt IS NULL OR y."createdAt" <= @knownAt)
    ORDER BY y."dueAt" DESC LIMIT 1) ORDER BY x."id" LIMIT 1`),
};

/** SQLite's order of text (UTF-8 bytes, that is code points), which `<` on UTF-16 strings departs from past U+FFFF. */
const binaryOrder = (a: string, b: string) => (a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b)));

/**
 * The next `n` rows of one owner's deadlines on one side of `at`, in the side's order: after it by
 * (dueAt, id); before it by dueAt latest first, then id (a day's deadlines in id order, then the
 * day before, found by one probe). From `start` (a row already read) when given.
 */
function ownerWalk(
  reader: Database.Database,
  kind: OwnerKind,
  owner: string,
  scenario: string,
  at: string,
  after: boolean,
  knownAt: string | null,
  start: Due | null = null,
): (n: number) => Due[] {
  const sql = DUE[kind];
  // After: the last row read. Before: the day being read, the last id read on it, and whether it is read to its end.
  let dueAt = start?.dueAt ?? at;
  let id = start?.id ?? "";
  let dayDone = start === null;
  let done = false;
  return (n) => {
    const rows: Due[] = [];
    while (!done && rows.length < n) {
      if (after) {
        rows.push(...(prepared(reader, sql.from).all({ owner, scenario, n, dueAt, id, knownAt }) as Due[]));
        done = rows.length < n;
      } else {
        if (dayDone) {
          const before = prepared(reader, sql.dayBefore).get({ owner, dueAt, knownAt }) as { dueAt: string } | undefined;
          if (!before) {
            done = true;
            break;
          }
          [dueAt, id, dayDone] = [before.dueAt, "", false];
        }
        const want = n - rows.length;
        const day = prepared(reader, sql.sameDayAfter).all({ owner, scenario, n: want, dueAt, id, knownAt }) as Due[];
        rows.push(...day);
        dayDone = day.length < want;
      }
      if (rows.length > 0) id = rows.at(-1)!.id;
      if (after && rows.length > 0) dueAt = rows.at(-1)!.dueAt;
    }
    return rows;
  };
}

/**
 * A scenario's `limit` deadlines due nearest to `at` on one side, merged from its own and each of
 * its threats' in the side's order (a heap of each owner's next deadline). Each threat's first is
 * read for all of them in one statement, its own first `limit / owners`; then each owner's are read
 * in batches doubling (up to what is still wanted) as the merge takes from them: a few times
 * `limit` rows, and a row per threat, however many deadlines the scenario holds.
 */
function scenarioDueNearest(reader: Database.Database, at: string, after: boolean, scenario: string, limit: number, knownAt: string | null): string[] {
  const heads = prepared(reader, THREAT_HEADS[after ? "after" : "before"]).all({ scenario, at, knownAt }) as (Due & { owner: string })[];
  type Head = { rows: Due[]; at: number; batch: number; next: (n: number) => Due[] };
  const own = ownerWalk(reader, "scenario", scenario, scenario, at, after, knownAt);
  const first = Math.max(1, Math.ceil(limit / (heads.length + 1)));
  const heap: Head[] = [
    { rows: own(first), at: 0, batch: first, next: own },
    ...heads.map(({ owner, ...row }) => ({ rows: [row], at: 0, batch: 1, next: ownerWalk(reader, "threat", owner, scenario, at, after, knownAt, row) })),
  ].filter((h) => h.rows.length > 0);
  const row = (h: Head) => h.rows[h.at]!;
  const before = (a: Head, b: Head) => {
    const [x, y] = [row(a), row(b)];
    return x.dueAt === y.dueAt ? binaryOrder(x.id, y.id) < 0 : x.dueAt < y.dueAt === after;
  };
  const siftDown = (i: number) => {
    for (;;) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i--) siftDown(i);
  const ids: string[] = [];
  while (ids.length < limit && heap.length > 0) {
    const head = heap[0]!;
    if (!row(head).elsewhere) ids.push(row(head).id);
    head.at++;
    if (head.at === head.rows.length) {
      head.batch = Math.min(2 * head.batch, limit - ids.length);
      [head.rows, head.at] = [head.next(head.batch), 0];
      if (head.rows.length === 0) {
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
      }
    }
    siftDown(0);
  }
  return ids;
}

/**
 * Events a dates entry moved or dated (the row keeps the dates first recorded), by id, at most
 * `limit`; of one scenario when given. The calendar feed weighs them at their dates then.
 */
export function eventsWithMovedDates(reader: Database.Database, scenarioId: string | null, limit: number): string[] {
  const sql = `SELECT e."id" FROM "Event" e WHERE e."id" IN (SELECT "recordId" FROM "StatusChange" WHERE "recordKind" = 'event' AND "change" = 'dates')${
    scenarioId === null ? "" : ` AND e."scenarioId" = ?`
  } ORDER BY e."id" ${limitBy("?")}`;
  return (prepared(reader, sql).all(...(scenarioId === null ? [] : [scenarioId]), limit) as { id: string }[]).map((r) => r.id);
}
