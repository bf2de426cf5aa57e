import type Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadlinesDueNearest } from "../../src/db/calendar.ts";
import {
  type Count,
  type DatedKey,
  deadlinesPage,
  eventsPage,
  QUOTES_COUNTED,
  QUOTES_PER_SIDE,
  quotesOf,
  SQL,
  THREATS_PAGE,
  threatsPage,
} from "../../src/db/sql/scenario-view.ts";
import { toSqlDate } from "../../src/db/sql-dates.ts";
import { scenarioDeadlines } from "../../src/db/threat-detail.ts";
import { SCENARIO, SOURCE, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { addBulkScenarioRecords, BULK_CREATED } from "../helpers/bulk-scenario.ts";
import { planOf, recordingConnection } from "../helpers/plans.ts";

/**
 * A scenario's reads cost what their page asks for, not what the scenario holds (decision 026):
 * the API's embed of its own deadlines, the desk page's threats, own deadlines, a threat's
 * deadlines, its events and a record's quotes, and the calendar's scenario feed. Each is run on a connection that
 * records its statements, before and after the scenario grows by thousands of rows: the same
 * statements read the same rows, each planned on an index in the order shown (no sort). Their
 * answers are held to the statements they replace, kept here as the reference.
 */
let t: TestApp;
const FEED = 500;

/** The statements the reads replace: what each answered is what the reads must answer. */
const REFERENCE = {
  ownDeadlines: `SELECT d."id" FROM "Deadline" d WHERE d."scenarioId" = ?
    AND NOT EXISTS (SELECT 1 FROM "Threat" t WHERE t."id" = d."threatId" AND t."scenarioId" = d."scenarioId") ORDER BY COALESCE(d."dueAt", '~'), d."id"`,
  threatDeadlines: `SELECT "id" FROM "Deadline" WHERE "threatId" = ? ORDER BY COALESCE("dueAt", '~'), "id"`,
  events: `SELECT "id" FROM "Event" WHERE "scenarioId" = ? ORDER BY COALESCE("startsAt", '~'), "id"`,
  apiDeadlines: `SELECT "id" FROM "Deadline" WHERE "scenarioId" = ? AND "createdAt" <= ? ORDER BY "dueAt", "id" LIMIT ?`,
  dueNearest: (after: boolean) => `WITH "linked"("id", "dueAt") AS (
      SELECT d."id", d."dueAt" FROM "Deadline" d WHERE d."scenarioId" = @scenario
      UNION ALL SELECT d."id", d."dueAt" FROM "Deadline" d JOIN "Threat" t ON t."id" = d."threatId" WHERE t."scenarioId" = @scenario AND d."scenarioId" IS NOT @scenario)
    SELECT "id" FROM "linked" WHERE ${after ? `"dueAt" >= @at ORDER BY "dueAt", "id"` : `"dueAt" < @at ORDER BY "dueAt" DESC, "id"`} LIMIT @limit`,
  quotes: `SELECT * FROM (
      SELECT e."id", e."stance", ROW_NUMBER() OVER "side" AS "n", COUNT(*) OVER (PARTITION BY e."recordId", e."stance" = 'disputes') AS "onSide"
      FROM "Evidence" e WHERE e."recordKind" = ? AND e."recordId" = ? AND e."createdAt" <= ?
      WINDOW "side" AS (PARTITION BY e."recordId", e."stance" = 'disputes' ORDER BY e."sourceId", e."startOffset", e."id"))
    WHERE "n" <= ${QUOTES_PER_SIDE} ORDER BY "n"`,
};

let grown = 0;
/**
 * Adds `n` deadlines of the scenario's own (every 40th undated, every 25th on the tariff threat
 * too), `n` on the tariff threat (every 40th undated), `n / 2` events (every 30th undated) and `n`
 * quotes on the tariff threat (a third disputing), each record with its creation entry: due dates
 * on 200 days, so many share a day.
 */
function grow(n: number): void {
  const conn = t.db.writer;
  const at = toSqlDate(BULK_CREATED);
  const day = (i: number) => toSqlDate(new Date(Date.UTC(2025, 6, 1 + (i % 200))));
  const entry = conn.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","to","effectiveAt","recordedAt","reason","by") VALUES (?, ?, ?, ?, ?, 'grow', 'test')`,
  );
  const deadline = conn.prepare(
    `INSERT INTO "Deadline" ("id","dueAt","precision","wording","threatId","scenarioId","status","pendingFrom","pendingKnownFrom","createdAt","updatedAt")
     VALUES (?, ?, ?, 'grown', ?, ?, 'pending', @at, @at, @at, @at)`,
  );
  const event = conn.prepare(
    `INSERT INTO "Event" ("id","scenarioId","title","kind","startsAt","endsAt","precision","wording","status","createdAt","updatedAt") VALUES (?, ?, 'grown', 'meeting', ?, ?, ?, 'then', 'scheduled', ?, ?)`,
  );
  const quote = conn.prepare(
    `INSERT INTO "Evidence" ("id","sourceId","quote","verification","stance","recordKind","recordId","createdAt") VALUES (?, ?, 'grown', 'unverified', ?, 'threat', ?, ?)`,
  );
  conn.transaction(() => {
    for (let i = grown; i < grown + n; i++) {
      const dated = (k: number) => (i % k === 0 ? null : day(i));
      const own = `deadline-grown-own-${i}`;
      deadline.run(own, dated(40), dated(40) ? "day" : "unknown", i % 25 === 0 ? TARIFF_THREAT : null, SCENARIO, { at });
      const ofThreat = `deadline-grown-threat-${i}`;
      deadline.run(ofThreat, dated(40), dated(40) ? "day" : "unknown", TARIFF_THREAT, null, { at });
      for (const id of [own, ofThreat]) entry.run("deadline", id, "pending", at, at);
      if (i % 2 === 0) {
        event.run(`event-grown-${i}`, SCENARIO, dated(30), dated(30), dated(30) ? "day" : "unknown", at, at);
        entry.run("event", `event-grown-${i}`, "scheduled", at, at);
      }
      quote.run(`evidence-grown-${i}`, SOURCE, i % 3 === 0 ? "disputes" : "supports", TARIFF_THREAT, at);
    }
  })();
  grown += n;
}

const now = () => {
  const at = new Date();
  return { asOf: at, knownAt: at, now: at };
};

/** Every page of a section, following its cursor, on `reader`. */
function walk(page: (after: DatedKey | null) => { items: { id: string }[]; next: DatedKey | null }): string[] {
  const ids: string[] = [];
  let after: DatedKey | null = null;
  do {
    const p = page(after);
    ids.push(...p.items.map((i) => i.id));
    after = p.next;
  } while (after !== null);
  return ids;
}

/** Each read once on a recording connection: per read, its statements (SQL, rows answered). */
function runAll(): Record<string, { sql: string; rows: number }[]> {
  const reads: Record<string, (r: Database.Database) => unknown> = {
    apiDeadlines: (r) => scenarioDeadlines(r, SCENARIO, 101, { knownAt: new Date(), now: new Date() }),
    threats: (r) => threatsPage(r, SCENARIO, null, THREATS_PAGE, now()),
    ownDeadlines: (r) => deadlinesPage(r, { scenarioId: SCENARIO }, null, 50, now()),
    ownDeadlinesUndated: (r) => deadlinesPage(r, { scenarioId: SCENARIO }, ["~", ""], 50, now()),
    threatDeadlines: (r) => deadlinesPage(r, { threatId: TARIFF_THREAT }, null, 50, now()),
    events: (r) => eventsPage(r, SCENARIO, null, 50, now()),
    quotes: (r) => quotesOf(r, [{ kind: "threat", id: TARIFF_THREAT }], now()),
  };
  const result: Record<string, { sql: string; rows: number }[]> = {};
  for (const [name, read] of Object.entries(reads)) {
    const { conn, runs } = recordingConnection(t.db.writer.name);
    read(conn);
    result[name] = runs;
    conn.close();
  }
  return result;
}

beforeAll(async () => {
  t = await testApp();
  addBulkScenarioRecords(t.db);
  grow(1_500);
}, 120_000);
afterAll(() => t.close());

describe("a scenario's reads, as it grows", () => {
  it("read the same rows with the same statements at 6,000 and 12,000 of its own and its threat's deadlines, each on an index in the order shown", () => {
    const before = runAll();
    grow(3_000);
    const after = runAll();
    for (const [read, runs] of Object.entries(after)) {
      expect(runs, read).toEqual(before[read]);
      // A page of 50 (one more to know whether more follow), a count of one row, a statement per side of quotes.
      for (const run of runs) expect(run.rows, `${read}: ${run.sql}`).toBeLessThanOrEqual(101);
      const { conn } = recordingConnection(t.db.writer.name);
      for (const { sql } of runs) {
        const plan = planOf(conn, sql);
        // What the page's own ids read (their statuses, an event's participants by name) may be sorted: it is the page.
        if (!sql.includes("json_each")) expect(plan, sql).not.toMatch(/TEMP B-TREE/);
        expect(plan, sql).not.toMatch(/SCAN (d|e|x|Deadline|Event|Evidence)\b/);
      }
      conn.close();
    }
    expect(before.quotes!.map((r) => r.rows)).toEqual([1, QUOTES_PER_SIDE, QUOTES_PER_SIDE]);
  }, 60_000);

  it("answer the calendar's scenario feed from a few times its length and a batch a threat, nearest first, as the sort of them all did", () => {
    const threats = (t.db.reader.prepare(`SELECT COUNT(*) AS n FROM "Threat" WHERE "scenarioId" = ?`).get(SCENARIO) as { n: number }).n;
    const reference = t.db.reader;
    const linked = reference.prepare(`SELECT COUNT(*) AS n FROM (${REFERENCE.dueNearest(true)})`).get({ scenario: SCENARIO, at: "", limit: -1 }) as {
      n: number;
    };
    expect(linked.n).toBeGreaterThan(10_000);
    for (const at of ["2025-06-01", "2025-07-15", "2025-09-01", "2026-03-10", "2026-12-31"]) {
      for (const after of [true, false]) {
        for (const limit of [FEED, 37, 1]) {
          const { conn, runs } = recordingConnection(t.db.writer.name);
          const ids = deadlinesDueNearest(conn, new Date(at), after, SCENARIO, limit);
          conn.close();
          const expected = (
            reference.prepare(REFERENCE.dueNearest(after)).all({ scenario: SCENARIO, at: toSqlDate(new Date(at)), limit }) as { id: string }[]
          ).map((r) => r.id);
          expect(ids, `${at} ${after} ${limit}`).toEqual(expected);
          const read = runs.reduce((n, r) => n + r.rows, 0);
          // Each owner's batches (the first limit / owners long) double up to what is still wanted: at most about
          // twice what the merge takes, and what it passes over; before `at`, one probe more per day read.
          const owners = threats + 1;
          expect(read, `${at} ${after} ${limit}`).toBeLessThanOrEqual(2 * (4 * limit + 2 * Math.ceil(limit / owners) * owners) + owners);
        }
      }
    }
  }, 60_000);

  it("give the desk's sections in the order the sorts of every row gave: dated by date and id, undated last", () => {
    const r = t.db.reader;
    const ids = (sql: string, owner: string) => (r.prepare(sql).all(owner) as { id: string }[]).map((x) => x.id);
    expect(walk((a) => deadlinesPage(r, { scenarioId: SCENARIO }, a, 50, now()))).toEqual(ids(REFERENCE.ownDeadlines, SCENARIO));
    expect(walk((a) => deadlinesPage(r, { threatId: TARIFF_THREAT }, a, 50, now()))).toEqual(ids(REFERENCE.threatDeadlines, TARIFF_THREAT));
    expect(walk((a) => eventsPage(r, SCENARIO, a, 50, now()))).toEqual(ids(REFERENCE.events, SCENARIO));
    // A cursor past every key ends the section; one on the undated resumes among them.
    expect(deadlinesPage(r, { scenarioId: SCENARIO }, ["~~", ""], 50, now()).items).toEqual([]);
    const undated = ids(REFERENCE.ownDeadlines, SCENARIO).filter(
      (id) => (r.prepare(`SELECT "dueAt" FROM "Deadline" WHERE "id" = ?`).get(id) as any).dueAt === null,
    );
    expect(deadlinesPage(r, { scenarioId: SCENARIO }, ["~", undated[0]!], 50, now()).items.map((d) => d.id)).toEqual(undated.slice(1, 51));

    const knownAt = new Date();
    const api = scenarioDeadlines(r, SCENARIO, 101, { knownAt, now: knownAt }).map((d) => d.id);
    expect(api).toEqual((r.prepare(REFERENCE.apiDeadlines).all(SCENARIO, toSqlDate(knownAt), 101) as { id: string }[]).map((x) => x.id));
  }, 60_000);

  it("show a record's first quotes on each side as the numbering of all of them did, and count the rest up to QUOTES_COUNTED a side", () => {
    const r = t.db.reader;
    const knownAt = new Date();
    const rows = r.prepare(REFERENCE.quotes).all("threat", TARIFF_THREAT, toSqlDate(knownAt)) as { id: string; stance: string; n: number; onSide: number }[];
    const shown = quotesOf(r, [{ kind: "threat", id: TARIFF_THREAT }], { asOf: knownAt, knownAt, now: knownAt }).get(`threat|${TARIFF_THREAT}`)!;
    expect(shown.supports.map((q) => q.id)).toEqual(rows.filter((q) => q.stance !== "disputes").map((q) => q.id));
    expect(shown.disputes.map((q) => q.id)).toEqual(rows.filter((q) => q.stance === "disputes").map((q) => q.id));
    const notShown = rows.filter((q) => q.n === 1).reduce((n, q) => n + q.onSide - Math.min(q.onSide, QUOTES_PER_SIDE), 0);
    expect(notShown).toBeGreaterThan(2 * QUOTES_COUNTED);
    expect(shown.notShown).toEqual({ n: 2 * (QUOTES_COUNTED - QUOTES_PER_SIDE), more: true } satisfies Count);

    // A record with a few quotes: counted exactly.
    const few = quotesOf(r, [{ kind: "deadline", id: "deadline-bulk-00000" }], { asOf: knownAt, knownAt, now: knownAt }).get("deadline|deadline-bulk-00000")!;
    expect(few.notShown).toEqual({ n: 0, more: false });
    expect(few.supports.map((q) => q.id)).toEqual(["evidence-bulk-00000"]);
  });

  it("keep their statements' plans on the scenario's indexes", () => {
    const { conn } = recordingConnection(t.db.writer.name);
    expect(planOf(conn, SQL.otherDeadlinesDated)).toMatch(/SEARCH d USING INDEX Deadline_scenarioId_dueAt_id_idx \(scenarioId=\? AND \(dueAt,id\)>\(\?,\?\)\)/);
    expect(planOf(conn, SQL.otherDeadlinesUndated)).toMatch(/SEARCH d USING INDEX Deadline_scenarioId_dueAt_id_idx \(scenarioId=\? AND dueAt=\? AND id>\?\)/);
    expect(planOf(conn, SQL.eventsDated)).toMatch(/SEARCH Event USING INDEX Event_scenarioId_startsAt_id_idx \(scenarioId=\? AND \(startsAt,id\)>\(\?,\?\)\)/);
    expect(planOf(conn, SQL.quotesOnSide)).toMatch(
      /SEARCH e USING INDEX Evidence_recordKind_recordId_stance_sourceId_startOffset_id_idx \(recordKind=\? AND recordId=\? AND stance=\?\)/,
    );
    expect(planOf(conn, SQL.threats)).toMatch(/SEARCH t USING INDEX Threat_scenarioId_id_idx \(scenarioId=\? AND id>\?\)/);
    expect(planOf(conn, SQL.quoteCounts)).toMatch(/SEARCH x USING COVERING INDEX Evidence_recordKind_recordId_stance_createdAt_idx/);
    // A large scenario's timeline (decision 031): the history latest first on its index, each entry's record found by its key; no sort.
    const walk = planOf(conn, SQL.timelineWalk);
    expect(walk).toMatch(/SEARCH e USING INDEX StatusChange_effectiveAt_seq_idx \(effectiveAt<\?\)/);
    expect(walk).not.toMatch(/TEMP B-TREE|SCAN (?!CONSTANT ROW)/);
    // Counting the scenario's records as known now reads indexes only.
    const count = planOf(conn, SQL.timelineRecordsNow);
    expect(count).toMatch(/SEARCH d USING COVERING INDEX Deadline_scenarioId_dueAt_id_idx/);
    expect(count).not.toMatch(/SEARCH \w+ USING (?!COVERING)|SCAN (?!\(subquery)/);
    conn.close();
  });
});
