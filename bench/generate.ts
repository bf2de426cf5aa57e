import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { rewriteAllInForce } from "../src/db/in-force.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { toSqlDate } from "../src/db/sql-dates.ts";
import { refreshAllStatusSpans, refreshCachedColumns } from "../src/db/tracked-writes.ts";

const DAY = 86_400_000;

/** A small, fast, seeded PRNG (mulberry32): the same seed builds the same database. */
export function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  "steel",
  "aluminium",
  "semiconductor",
  "rare earth",
  "soybean",
  "solar panel",
  "battery",
  "pharmaceutical",
  "software",
  "automobile",
  "shipbuilding",
  "lumber",
  "fentanyl precursor",
  "drone",
  "telecom",
];
const COUNTRIES = ["US", "CN", "EU", "JP", "KR", "MX", "CA", "IN", "BR", "VN", "MY", "GB"];

export interface GeneratedCounts {
  deadlines: number;
  threats: number;
  conditions: number;
  scenarios: number;
  events: number;
  actors: number;
  statusChanges: number;
  /** Every threat, the in-force view's extra imposed measures included. */
  measures: number;
  benchThreats: string[];
}

/** How many threats the status-change case can impose (each once), on top of the proportional data. */
export const BENCH_THREATS = 6_000;

/** Measures at a size: one per 10 deadlines (100k at 1M); those above the other threats are imposed tariffs for the in-force view. */
export const measuresFor = (deadlines: number) => Math.round(deadlines / 10);

const AUTHORITIES = ["IEEPA", "Section 301", "Section 232", "Section 122", "MOFCOM Announcement No. 61 (2025)", "Council Regulation (EU) 2024/1866"];
const RATES = [5, 10, 10, 15, 20, 25, 25, 50, 100];

/**
 * Builds a synthetic database with `deadlines` deadlines and proportional scenarios,
 * threats, conditions, events and actors, each with its history: most deadlines resolved,
 * about 10% pending, some of those overdue. Written with raw SQL in one transaction.
 */
export function generateDatabase(
  path: string,
  deadlines: number,
  seed: number,
  now: Date,
  basePath: string,
  options: { measures?: number } = {},
): GeneratedCounts {
  // A stale -wal beside a fresh copy would be replayed into it: remove all three.
  for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
  mkdirSync(dirname(path), { recursive: true });
  copyFileSync(basePath, path);
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF"); // a fixture: speed over durability while building it
  db.pragma("cache_size = -262144"); // 256 MB while building the indexes
  const nowMs = now.getTime();
  const iso = (ms: number) => toSqlDate(new Date(ms));
  const counts = {
    scenarios: Math.max(5, Math.round(deadlines / 1000)),
    actors: Math.max(50, Math.round(deadlines / 2000)),
    threats: Math.max(100, Math.round(deadlines / 50)),
    events: Math.max(100, Math.round(deadlines / 20)),
  };
  let statusChanges = 0;
  const insHistory = db.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","from","to","effectiveAt","recordedAt","reason","by","correction","causedBySeq") VALUES (?,?,?,?,?,?,?,?,0,?)`,
  );
  const history = (kind: string, id: string, from: string | null, to: string, at: number, causedBy: number | bigint | null = null) => {
    statusChanges++;
    return insHistory.run(kind, id, from, to, iso(at), iso(Math.min(nowMs, at + DAY)), from ? "bench update" : "bench record", "bench", causedBy)
      .lastInsertRowid;
  };
  const start = nowMs - 5 * 365 * DAY;

  // Bulk loading is faster into tables without their indexes: they are built once at the end.
  const indexes = db
    .prepare(`SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'index' AND "sql" IS NOT NULL AND "tbl_name" IN ('Deadline', 'StatusChange', 'Event')`)
    .all() as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
  const uncommon: string[] = [];
  db.transaction(() => {
    const insActor = db.prepare(`INSERT INTO "Actor" ("id","name","kind","role","country") VALUES (?,?,?,?,?)`);
    for (let i = 0; i < counts.actors; i++) insActor.run(`actor-${i}`, `Actor ${i}`, i % 5 === 0 ? "person" : "government", null, pick(COUNTRIES));
    const insTopic = db.prepare(`INSERT INTO "Topic" ("id","name") VALUES (?,?)`);
    for (const [i, w] of WORDS.entries()) insTopic.run(`topic-${i}`, w);
    const insScenario = db.prepare(`INSERT INTO "Scenario" ("id","title","summary","status","version","createdAt","updatedAt") VALUES (?,?,?,?,1,?,?)`);
    for (let i = 0; i < counts.scenarios; i++) {
      insScenario.run(`scenario-${i}`, `Scenario ${i}: ${pick(WORDS)} dispute`, "Synthetic", "escalating", iso(start), iso(start));
      history("scenario", `scenario-${i}`, null, "escalating", start);
    }
    const insThreat = db.prepare(
      `INSERT INTO "Threat" ("id","scenarioId","issuerId","measure","covers","summary","ratePercent","isAdditional","status","version","createdAt","updatedAt") VALUES (?,?,?,?,?,?,?,1,?,?,?,?)`,
    );
    const insThreatTarget = db.prepare(`INSERT INTO "ThreatTarget" ("threatId","actorId","initial") VALUES (?,?,1)`);
    const insThreatTopic = db.prepare(`INSERT INTO "_ThreatToTopic" ("A","B") VALUES (?,?)`);
    const insCondition = db.prepare(
      `INSERT INTO "Condition" ("id","threatId","description","awaitedActorId","effect","status","version","createdAt","updatedAt") VALUES (?,?,?,?,?,?,1,?,?)`,
    );
    const threatIds: string[] = [];
    const addThreat = (id: string, status: string, created: number) => {
      const word = pick(WORDS);
      const issuer = `actor-${Math.floor(rnd() * counts.actors)}`;
      const target = `actor-${Math.floor(rnd() * counts.actors)}`;
      const version = status === "threatened" ? 1 : 2;
      insThreat.run(
        id,
        `scenario-${Math.floor(rnd() * counts.scenarios)}`,
        issuer,
        "tariff",
        `${word} imports`,
        `A ${Math.round(rnd() * 200)}% tariff on ${word} imports`,
        25,
        status,
        version,
        iso(created),
        iso(created),
      );
      insThreatTarget.run(id, target);
      insThreatTopic.run(id, `topic-${WORDS.indexOf(word)}`);
      history("threat", id, null, "threatened", created);
      if (status !== "threatened") history("threat", id, "threatened", status, Math.min(nowMs, created + 30 * DAY));
      insCondition.run(`condition-${id}`, id, `The target lifts its ${word} curbs`, target, "averts", "open", iso(created), iso(created));
      history("condition", `condition-${id}`, null, "open", created);
    };
    for (let i = 0; i < counts.threats; i++) {
      const id = `threat-${i}`;
      threatIds.push(id);
      addThreat(id, rnd() < 0.7 ? "threatened" : pick(["suspended", "imposed"]), start + rnd() * 4 * 365 * DAY);
    }

    const insDeadline = db.prepare(
      `INSERT INTO "Deadline" ("id","dueAt","precision","wording","threatId","conditionId","scenarioId","status","version","pendingFrom","pendingUntil","createdAt","updatedAt","pendingKnownFrom","pendingUntilKnownAt") VALUES (?,?,?,?,?,?,NULL,?,?,?,?,?,?,?,?)`,
    );
    const known = (at: number) => iso(Math.min(nowMs, at + DAY));
    // The few deadlines whose history is not the common one (see the schema): a change
    // announced for later, or a moved due date. Their cached columns come from their history,
    // as the tracker's own writes derive them; readers evaluate those histories.
    const insDates = db.prepare(
      `INSERT INTO "StatusChange" ("recordKind","recordId","change","values","effectiveAt","recordedAt","reason","by") VALUES ('deadline',?,'dates',?,?,?,'bench move','bench')`,
    );
    for (let i = 0; i < deadlines; i++) {
      const threat = threatIds[Math.floor(rnd() * threatIds.length)]!;
      const pending = rnd() < 0.1;
      const due = pending ? nowMs + (rnd() * 425 - 60) * DAY : start + rnd() * (nowMs - start + 120 * DAY);
      const created = Math.min(nowMs - DAY, due - (10 + rnd() * 110) * DAY);
      const precision = rnd() < 0.7 ? "day" : rnd() < 0.5 ? "week" : "month";
      const id = `deadline-${i}`;
      const status = pending ? "pending" : pick(["triggered", "averted", "cancelled", "extended", "triggered", "averted"]);
      const resolved = pending ? null : Math.max(created + DAY, Math.min(nowMs - 1000, due + (rnd() * 20 - 10) * DAY));
      insDeadline.run(
        id,
        iso(due),
        precision,
        `by ${new Date(due).toISOString().slice(0, 10)}`,
        threat,
        rnd() < 0.5 ? `condition-${threat}` : null,
        status,
        pending ? 1 : 2,
        iso(created),
        resolved === null ? null : iso(resolved),
        iso(created),
        iso(resolved ?? created),
        known(created),
        resolved === null ? null : known(resolved),
      );
      history("deadline", id, null, "pending", created);
      if (resolved !== null) history("deadline", id, "pending", status, resolved);
      if (pending && rnd() < 0.02) {
        // 0.2% of all deadlines: a cancellation announced for a later day.
        const at = nowMs + (5 + rnd() * 60) * DAY;
        insHistory.run("deadline", id, "pending", "cancelled", iso(at), iso(nowMs - DAY), "bench announced", "bench", null);
        statusChanges++;
        uncommon.push(id);
      } else if (pending && rnd() < 0.002) {
        // 0.02%: a due date moved a week later.
        insDates.run(id, JSON.stringify({ dueAt: new Date(due + 7 * DAY).toISOString(), precision: "day" }), known(created), known(created));
        statusChanges++;
        uncommon.push(id);
      }
    }

    const insEvent = db.prepare(
      `INSERT INTO "Event" ("id","scenarioId","title","kind","startsAt","endsAt","precision","wording","place","country","status","version","createdAt","updatedAt") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    for (let i = 0; i < counts.events; i++) {
      const at = start + rnd() * (nowMs - start + 200 * DAY);
      const held = at < nowMs;
      insEvent.run(
        `event-${i}`,
        `scenario-${Math.floor(rnd() * counts.scenarios)}`,
        `Talks on ${pick(WORDS)}`,
        "meeting",
        iso(at),
        iso(at),
        "day",
        "next week",
        "Geneva",
        "CH",
        held ? "held" : "scheduled",
        held ? 2 : 1,
        iso(at - 20 * DAY),
        iso(at),
      );
      history("event", `event-${i}`, null, "scheduled", Math.min(nowMs, at - 20 * DAY));
      if (held) history("event", `event-${i}`, "scheduled", "held", at);
    }

    // Threats for the status-change case: threatened, each guarding one pending deadline far in the future.
    for (let i = 0; i < BENCH_THREATS; i++) {
      const id = `bench-threat-${i}`;
      const created = nowMs - 30 * DAY;
      addThreat(id, "threatened", created);
      const due = nowMs + (3000 + i) * DAY;
      insDeadline.run(
        `bench-deadline-${i}`,
        iso(due),
        "day",
        "far future",
        id,
        null,
        "pending",
        1,
        iso(created),
        null,
        iso(created),
        iso(created),
        known(created),
        null,
      );
      history("deadline", `bench-deadline-${i}`, null, "pending", created);
    }
    statusChanges += addImposedMeasures(db, (options.measures ?? measuresFor(deadlines)) - counts.threats - BENCH_THREATS, seed, nowMs, start, counts);
  })();
  for (const index of indexes) db.exec(index.sql);
  db.transaction(() => {
    for (const id of uncommon) refreshCachedColumns(db, "deadline", id, now);
  })();
  // The in-force projection, by the app's own rule from the histories just written.
  db.transaction(() => rewriteAllInForce(db))();
  // The status spans of scenarios, threats and conditions, by the same rule.
  db.transaction(() => refreshAllStatusSpans(db, now))();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.exec("ANALYZE");
  db.close();
  return {
    deadlines,
    ...counts,
    measures: Math.max(options.measures ?? measuresFor(deadlines), counts.threats + BENCH_THREATS),
    conditions: counts.threats + BENCH_THREATS,
    statusChanges,
    benchThreats: Array.from({ length: BENCH_THREATS }, (_, i) => `bench-threat-${i}`),
  };
}

/**
 * Imposed tariffs for the in-force view, with their own random stream (the other records stay as
 * they were): a few governments on a few others, rates and legal bases, one or two targets; a
 * fifth with a rate change announced for the next 90 days, a tenth suspended until a day in the
 * next 120 (then imposed again, by its terms), a twentieth ended. Returns the entries written.
 */
function addImposedMeasures(
  db: Database.Database,
  n: number,
  seed: number,
  nowMs: number,
  start: number,
  counts: { actors: number; scenarios: number },
): number {
  const rnd = random(seed + 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const iso = (ms: number) => toSqlDate(new Date(ms));
  const governments = Array.from({ length: Math.min(40, counts.actors) }, (_, i) => i).filter((i) => i % 5 !== 0);
  const insThreat = db.prepare(
    `INSERT INTO "Threat" ("id","scenarioId","issuerId","measure","covers","summary","ratePercent","authority","status","statusUntil","version","createdAt","updatedAt") VALUES (?,?,?,'tariff','listed goods',?,?,?,?,?,2,?,?)`,
  );
  const insTarget = db.prepare(`INSERT INTO "ThreatTarget" ("threatId","actorId","initial") VALUES (?,?,1)`);
  const insEntry = db.prepare(
    `INSERT INTO "StatusChange" ("recordKind","recordId","change","from","to","values","effectiveAt","recordedAt","reason","by","byTerms","causedBySeq","until","returnsTo")
     VALUES ('threat',?,?,?,?,?,?,?,?,'bench',?,?,?,?)`,
  );
  const entry = (
    id: string,
    e: {
      change?: string;
      from?: string | null;
      to?: string | null;
      values?: unknown;
      at: number;
      known: number;
      byTerms?: boolean;
      causedBy?: number | bigint;
      until?: number;
      returnsTo?: string;
    },
  ) =>
    insEntry.run(
      id,
      e.change ?? "status",
      e.from ?? null,
      e.to ?? null,
      e.values === undefined ? null : JSON.stringify(e.values),
      iso(e.at),
      iso(e.known),
      e.from === undefined ? "bench record" : "bench update",
      e.byTerms ? 1 : 0,
      e.causedBy ?? null,
      e.until === undefined ? null : iso(e.until),
      e.returnsTo ?? null,
    ).lastInsertRowid;
  let written = 0;
  for (let i = 0; i < n; i++) {
    const id = `measure-${i}`;
    const created = start + rnd() * 4 * 365 * DAY;
    const imposed = Math.min(nowMs - DAY, created + rnd() * 30 * DAY);
    const known = (at: number) => Math.min(nowMs, at + DAY);
    const issuer = pick(governments);
    const targets = [...new Set([pick(governments), ...(rnd() < 0.3 ? [pick(governments)] : [])])].filter((t) => t !== issuer);
    const fate = rnd();
    const status = fate < 0.1 ? "suspended" : fate < 0.15 ? pick(["withdrawn", "lapsed", "struck-down"]) : "imposed";
    const changedAt = imposed + rnd() * (nowMs - imposed);
    const until = nowMs + (1 + rnd() * 120) * DAY;
    const newRateAt = nowMs + rnd() * 90 * DAY;
    // The cached status's end (see the schema): the lapse of a suspension, a rate change announced.
    const statusUntil = fate < 0.1 ? until : fate >= 0.15 && fate < 0.35 ? newRateAt : null;
    const scenario = `scenario-${Math.floor(rnd() * counts.scenarios)}`;
    insThreat.run(
      id,
      scenario,
      `actor-${issuer}`,
      `Imposed tariff ${i}`,
      pick(RATES),
      pick(AUTHORITIES),
      status,
      statusUntil && iso(statusUntil),
      iso(created),
      iso(created),
    );
    for (const t of targets) insTarget.run(id, `actor-${t}`);
    entry(id, { from: null, to: "announced", at: created, known: known(created) });
    entry(id, { from: "announced", to: "imposed", at: imposed, known: known(imposed) });
    written += 2;
    if (fate < 0.1) {
      const cause = entry(id, { from: "imposed", to: "suspended", at: changedAt, known: known(changedAt), until, returnsTo: "imposed" });
      entry(id, { from: "suspended", to: "imposed", at: until, known: known(changedAt), byTerms: true, causedBy: cause });
      written += 2;
    } else if (fate < 0.15) {
      entry(id, { from: "imposed", to: status, at: changedAt, known: known(changedAt) });
      written++;
    } else if (fate < 0.35) {
      entry(id, { change: "terms", values: { ratePercent: pick(RATES) }, at: newRateAt, known: nowMs - DAY });
      written++;
    }
  }
  return written;
}

/** A migrated, empty database to copy from. */
export function migratedBase(dir: string): string {
  const path = join(dir, "base.db");
  for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
  mkdirSync(dir, { recursive: true });
  migrateDatabase(path);
  return path;
}
