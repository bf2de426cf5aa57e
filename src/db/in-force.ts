import type Database from "better-sqlite3";
import type { HistoryEntry } from "../domain/history.ts";
import {
  COMPONENTS_PER_PAIR,
  changesMeasureKind,
  type InForceItem,
  type InForcePeriod,
  type InForceView,
  inForceProjectionOf,
  inForceProjectionStep,
  issuingSideOf,
  type KnownChange,
  type PairTotal,
  type RateComponent,
  TARIFF,
  totalOfRates,
  type UpcomingChange,
  upcomingKindOf,
} from "../domain/in-force.ts";
import type { Terms } from "../domain/terms.ts";
import { historiesOf } from "./sql/history.ts";
import { PASSED_OVER_PER_BUDGET, passedOverCounter } from "./sql/passed-over.ts";
import { BATCH_AT_MOST, limitBy, prepared } from "./sql/prepared.ts";
import { type ReadTime, statusesAt } from "./sql/record-states.ts";
import { inOneSnapshot } from "./sql/snapshot.ts";
import { targetingOf, termsChangedSql } from "./sql/threat-targets.ts";
import { fromSqlDate, toSqlDate } from "./sql-dates.ts";

/**
 * The in-force view, read from its projection: InForcePeriod (each measure's stretches in force,
 * bitemporal) and InForceChange (the entries `upcoming` reads), both derived from the history by
 * src/domain/in-force.ts and rewritten for a threat by every tracked write that touches it
 * (rewriteInForce, called where the cached columns are refreshed).
 */

/** How many index rows one page of items examines at most: past it, the page comes back short with a cursor that resumes there. */
export const IN_FORCE_SCAN_BUDGET = 10_000;
/** Threats rewritten per batch when many are (the migration's backfill, the seed, the benchmark). */
const BATCH = 500;
const DAY_MS = 86_400_000;

const sqlDate = (d: Date | null) => (d === null ? null : toSqlDate(d));

// A write's statements compare the threat id as `= +?`: a value SQLite cannot look up in sqlite_stat4, which would make it
// plan the statement again at every run (src/db/sql/history.ts).

interface MeasureRow {
  threatId: string;
  issuerId: string;
  first: Terms;
}

function measureOf(conn: Database.Database, threatId: string): MeasureRow | null {
  const row = prepared(conn, `SELECT "issuerId", "measure", "covers", "ratePercent", "authority" FROM "Threat" WHERE "id" = ?`).get(threatId) as
    | { issuerId: string; measure: string; covers: string; ratePercent: number | null; authority: string | null }
    | undefined;
  if (!row) return null;
  const targets = prepared(conn, `SELECT "actorId" FROM "ThreatTarget" WHERE "threatId" = +? AND "initial" = 1 ORDER BY "actorId"`).all(threatId) as {
    actorId: string;
  }[];
  return {
    threatId,
    issuerId: row.issuerId,
    first: { measure: row.measure, ratePercent: row.ratePercent, authority: row.authority, covers: row.covers, targetIds: targets.map((t) => t.actorId) },
  };
}

function insertPeriod(conn: Database.Database, m: MeasureRow, p: InForcePeriod): void {
  const insert = prepared(
    conn,
    `INSERT INTO "InForcePeriod" ("threatId", "issuerId", "measure", "targetId", "listed", "ratePercent", "authority", "covers", "targetIds",
       "since", "until", "untilStatus", "effectiveFrom", "effectiveUntil", "knownFrom", "knownUntil")
     VALUES (@threatId, @issuerId, @measure, @targetId, @listed, @ratePercent, @authority, @covers, @targetIds,
       @since, @until, @untilStatus, @effectiveFrom, @effectiveUntil, @knownFrom, @knownUntil)`,
  );
  const common = {
    threatId: m.threatId,
    issuerId: m.issuerId,
    measure: p.measure,
    ratePercent: p.ratePercent,
    authority: p.authority,
    covers: p.covers,
    targetIds: JSON.stringify(p.targetIds),
    since: toSqlDate(p.since),
    until: sqlDate(p.until),
    untilStatus: p.untilStatus,
    effectiveFrom: toSqlDate(p.effectiveFrom),
    effectiveUntil: sqlDate(p.effectiveUntil),
    knownFrom: toSqlDate(p.knownFrom),
    knownUntil: sqlDate(p.knownUntil),
  };
  // One row per target (the totals add up per pair); the first one (or the only one, with no target) lists the measure.
  const targets = p.targetIds.length ? p.targetIds : [null];
  for (const [n, targetId] of targets.entries()) insert.run({ ...common, targetId, listed: n === 0 ? 1 : 0 });
}

function insertChange(conn: Database.Database, m: MeasureRow, c: KnownChange): void {
  prepared(
    conn,
    `INSERT INTO "InForceChange" ("threatId", "issuerId", "measure", "seq", "change", "to", "values", "reason", "effectiveAt", "knownFrom", "knownUntil")
     VALUES (@threatId, @issuerId, @measure, @seq, @change, @to, @values, @reason, @effectiveAt, @knownFrom, @knownUntil)`,
  ).run({
    threatId: m.threatId,
    issuerId: m.issuerId,
    measure: c.measure,
    seq: c.entry.seq,
    change: upcomingKindOf(c.entry),
    to: c.entry.to,
    values: c.entry.values === null ? null : JSON.stringify(c.entry.values),
    reason: c.entry.reason,
    effectiveAt: toSqlDate(c.entry.effectiveAt),
    knownFrom: toSqlDate(c.knownFrom),
    knownUntil: sqlDate(c.knownUntil),
  });
}

/** Rewrites the projection of these threats from their whole histories, in batches: in the caller's transaction. */
export function rewriteInForceOf(conn: Database.Database, threatIds: readonly string[]): void {
  for (let i = 0; i < threatIds.length; i += BATCH) {
    const ids = threatIds.slice(i, i + BATCH);
    const histories = historiesOf(conn, "threat", ids);
    for (const id of ids) rewriteOne(conn, id, histories.get(id) ?? []);
  }
}

function rewriteOne(conn: Database.Database, threatId: string, history: readonly HistoryEntry[]): void {
  prepared(conn, `DELETE FROM "InForcePeriod" WHERE "threatId" = ?`).run(threatId);
  prepared(conn, `DELETE FROM "InForceChange" WHERE "threatId" = ?`).run(threatId);
  const m = measureOf(conn, threatId);
  if (!m) return;
  const { periods, changes } = inForceProjectionOf(m.first, history);
  for (const p of periods) insertPeriod(conn, m, p);
  for (const c of changes) insertChange(conn, m, c);
}

/** A period's terms and bounds as stored (targetIds as JSON text). */
interface StoredPeriod {
  measure: string;
  ratePercent: number | null;
  authority: string | null;
  covers: string;
  targetIds: string;
  since: string;
  until: string | null;
  untilStatus: string | null;
}

interface OpenPeriodRow extends StoredPeriod {
  effectiveFrom: string;
  effectiveUntil: string | null;
  knownFrom: string;
}

/**
 * Brings a threat's projection in line with its history after a write at `now` (called where the
 * cached columns are refreshed): only the state known at `now` is evaluated and the open rows
 * carried forward (inForceProjectionStep). A threat never projected, or a history recorded
 * after `now` (a clock set back), is rewritten whole.
 */
export function refreshInForce(conn: Database.Database, threatId: string, history: readonly HistoryEntry[], now: Date): void {
  const latest = Math.max(...history.flatMap((e) => [e.recordedAt.getTime(), e.retractedAt?.getTime() ?? 0]));
  const changeRows = prepared(conn, `SELECT "seq", "knownFrom", "knownUntil" FROM "InForceChange" WHERE "threatId" = +?`).all(threatId) as {
    seq: number;
    knownFrom: string;
    knownUntil: string | null;
  }[];
  if (
    changeRows.length === 0 ||
    latest > now.getTime() ||
    changeRows.some((r) => Date.parse(r.knownFrom) > now.getTime()) ||
    changesMeasureKind(history, now)
  ) {
    rewriteOne(conn, threatId, history);
    return;
  }
  const m = measureOf(conn, threatId);
  if (!m) return;
  const openRows = prepared(
    conn,
    `SELECT "measure", "ratePercent", "authority", "covers", "targetIds", "since", "until", "untilStatus", "effectiveFrom", "effectiveUntil", "knownFrom"
     FROM "InForcePeriod" WHERE "threatId" = +? AND "listed" = 1 AND "knownUntil" IS NULL`,
  ).all(threatId) as OpenPeriodRow[];
  const periods: InForcePeriod[] = openRows.map((r) => ({
    measure: r.measure,
    ratePercent: r.ratePercent,
    authority: r.authority,
    covers: r.covers,
    targetIds: JSON.parse(r.targetIds) as string[],
    since: new Date(r.since),
    until: fromSqlDate(r.until),
    untilStatus: r.untilStatus,
    effectiveFrom: new Date(r.effectiveFrom),
    effectiveUntil: fromSqlDate(r.effectiveUntil),
    knownFrom: new Date(r.knownFrom),
    knownUntil: null,
  }));
  // Open stretches do not overlap in effective time: their bounds name them.
  const bounds = (effectiveFrom: string, effectiveUntil: string | null) => `${effectiveFrom}|${effectiveUntil}`;
  const openedAt = new Map(openRows.map((r) => [bounds(r.effectiveFrom, r.effectiveUntil), r.knownFrom]));
  const openChanges = new Map(changeRows.filter((r) => r.knownUntil === null).map((r) => [r.seq, r.knownFrom]));
  const step = inForceProjectionStep(m.first, history, { periods, seqs: [...openChanges.keys()] }, now);
  const at = toSqlDate(now);
  // Closed at now; a row opened at now by an earlier refresh in this transaction never held, and goes.
  const where = `"threatId" = +@threatId AND "knownUntil" IS NULL AND "effectiveFrom" = @effectiveFrom AND "effectiveUntil" IS @effectiveUntil`;
  for (const p of step.closedPeriods) {
    const row = { threatId, effectiveFrom: toSqlDate(p.effectiveFrom), effectiveUntil: sqlDate(p.effectiveUntil) };
    if (openedAt.get(bounds(row.effectiveFrom, row.effectiveUntil)) === at) prepared(conn, `DELETE FROM "InForcePeriod" WHERE ${where}`).run(row);
    else prepared(conn, `UPDATE "InForcePeriod" SET "knownUntil" = @at WHERE ${where}`).run({ ...row, at });
  }
  for (const seq of step.closedSeqs) {
    if (openChanges.get(seq) === at)
      prepared(conn, `DELETE FROM "InForceChange" WHERE "threatId" = +? AND "seq" = ? AND "knownUntil" IS NULL`).run(threatId, seq);
    else prepared(conn, `UPDATE "InForceChange" SET "knownUntil" = ? WHERE "threatId" = +? AND "seq" = ? AND "knownUntil" IS NULL`).run(at, threatId, seq);
  }
  for (const p of step.addedPeriods) insertPeriod(conn, m, p);
  for (const c of step.addedChanges) insertChange(conn, m, c);
}

/** Rewrites every threat's projection (the migration that adds it, a synthetic database). */
export function rewriteAllInForce(conn: Database.Database): void {
  rewriteInForceOf(
    conn,
    (conn.prepare(`SELECT "id" FROM "Threat" ORDER BY "id"`).all() as { id: string }[]).map((r) => r.id),
  );
}

export interface InForceQuery {
  issuerId?: string;
  /** Items and totals: the measures that target this actor at asOf; upcoming: those that target it at asOf or when the change takes effect. */
  targetId?: string;
  measure?: string;
  withinDays: number;
  limit: number;
  after?: InForceCursor;
}

/** Where the next page resumes each list; null: that list is done. */
export interface InForceCursor {
  items: { from: string } | null;
  upcoming: { effectiveAt: string; threatId: string; seq: number } | null;
}

interface PeriodRow extends StoredPeriod {
  threatId: string;
  issuerId: string;
  measure: string;
  summary: string;
}

const VALID = `p."effectiveFrom" <= +@asOf AND (p."effectiveUntil" IS NULL OR p."effectiveUntil" > +@asOf)
  AND p."knownFrom" <= +@knownAt AND (p."knownUntil" IS NULL OR p."knownUntil" > +@knownAt)`;

/**
 * One page of the in-force view at a read time: up to `limit` items (in threat id order), the
 * tariff totals of every (issuer, target) pair those items fall under (each summed over all the
 * measures in force for the pair, listing at most COMPONENTS_PER_PAIR of them), and up to
 * `limit` upcoming changes (in effective order). `next` resumes both lists; null once both are done.
 */
export function inForcePage(db: Database.Database, q: InForceQuery, time: ReadTime): InForceView & { next: InForceCursor | null } {
  return inOneSnapshot(db, () => inForcePageIn(db, q, time));
}

function inForcePageIn(db: Database.Database, q: InForceQuery, time: ReadTime): InForceView & { next: InForceCursor | null } {
  const at = { asOf: toSqlDate(time.asOf), knownAt: toSqlDate(time.knownAt) };
  const after = q.after ?? { items: { from: "" }, upcoming: { effectiveAt: "", threatId: "", seq: 0 } };
  const itemsPage = after.items ? pageOfItems(db, q, time, after.items.from) : { items: [], next: null };
  const upcomingPage = after.upcoming ? pageOfUpcoming(db, q, time, after.upcoming) : { upcoming: [], next: null };
  const next = itemsPage.next || upcomingPage.next ? { items: itemsPage.next, upcoming: upcomingPage.next } : null;
  return { items: itemsPage.items, totals: totalsFor(db, itemsPage.items, q, at), upcoming: upcomingPage.upcoming, next };
}

function rowFilter(q: InForceQuery): string {
  const where = [q.targetId === undefined ? `p."listed" = 1` : `p."targetId" = +@targetId`];
  if (q.issuerId !== undefined) where.push(`p."issuerId" = +@issuerId`);
  if (q.measure !== undefined) where.push(`p."measure" = +@measure`);
  return where.join(" AND ");
}

function pageOfItems(db: Database.Database, q: InForceQuery, time: ReadTime, from: string): { items: InForceItem[]; next: { from: string } | null } {
  const at = { asOf: toSqlDate(time.asOf), knownAt: toSqlDate(time.knownAt) };
  const filter = rowFilter(q);
  const params = { ...at, from, issuerId: q.issuerId ?? null, targetId: q.targetId ?? null, measure: q.measure ?? null };
  // At a past knownAt the budget counts only rows recorded by then: rows recorded later are passed
  // over (at most PASSED_OVER_PER_BUDGET budgets of them), so where it ends is known then (decision 028).
  const past = time.knownAt.getTime() < time.now.getTime();
  const knownThreatAt = (offset: number, op: ">=" | ">", key: string) => {
    const passed = passedOverCounter("in-force rows", PASSED_OVER_PER_BUDGET * IN_FORCE_SCAN_BUDGET);
    const walk = prepared(
      db,
      `SELECT p."threatId", p."knownFrom" > +@knownAt AS "later" FROM "InForcePeriod" p WHERE ${filter} AND p."threatId" ${op} +@key ORDER BY p."threatId"`,
    );
    let known = 0;
    for (const r of walk.iterate({ ...params, key }) as Iterable<{ threatId: string; later: number }>) {
      if (r.later) passed.passOver();
      else if (known++ === offset) return r.threatId;
    }
    return undefined;
  };
  // Where the scan budget ends (at a threat's first row, so no threat is split across pages).
  const threatAt = (offset: number, op: ">=" | ">", key: string) =>
    past
      ? knownThreatAt(offset, op, key)
      : (
          prepared(
            db,
            `SELECT p."threatId" FROM "InForcePeriod" p WHERE ${filter} AND p."threatId" ${op} +@key ORDER BY p."threatId" LIMIT 1 OFFSET ${offset}`,
          ).get({
            ...params,
            key,
          }) as { threatId: string } | undefined
        )?.threatId;
  let stop = threatAt(IN_FORCE_SCAN_BUDGET, ">=", from);
  // One threat with more rows than the budget is read whole.
  if (stop !== undefined && stop === threatAt(0, ">=", from)) stop = threatAt(0, ">", stop);
  const rows = prepared(
    db,
    `SELECT p."threatId", p."issuerId", p."measure", t."summary", p."ratePercent", p."authority", p."covers", p."targetIds", p."since", p."until", p."untilStatus"
     FROM "InForcePeriod" p JOIN "Threat" t ON t."id" = p."threatId"
     WHERE ${filter} AND ${VALID} AND p."threatId" >= +@from${stop === undefined ? "" : ` AND p."threatId" < +@stop`}
     ORDER BY p."threatId" ${limitBy("@take")}`,
  ).all({ ...params, ...(stop === undefined ? {} : { stop }), take: q.limit + 1 }) as PeriodRow[];
  const shown = rows.slice(0, q.limit);
  // Whether each is in force only by a suspension's end, unconfirmed: from the history of the page's measures alone.
  const states = statusesAt(
    db,
    "threat",
    shown.map((r) => r.threatId),
    time,
  );
  const items = shown.map((r) => ({
    threatId: r.threatId,
    issuerId: r.issuerId,
    measure: r.measure,
    summary: r.summary,
    ratePercent: r.ratePercent,
    authority: r.authority,
    covers: r.covers,
    targetIds: JSON.parse(r.targetIds) as string[],
    since: new Date(r.since).toISOString(),
    until: r.until === null ? null : new Date(r.until).toISOString(),
    untilStatus: r.untilStatus,
    unconfirmed: states.get(r.threatId)?.byTerms ?? false,
  }));
  const next = rows.length > q.limit ? { from: rows[q.limit]!.threatId } : stop !== undefined ? { from: stop } : null;
  return { items, next };
}

/**
 * The totals of the pairs the items fall under. A pair is an issuing side (issuingSideOf: a
 * person's measure counts for the government they speak for) and a target; each is summed in SQL
 * over every measure in force issued by the side or its people, its top components listed.
 */
function totalsFor(db: Database.Database, items: readonly InForceItem[], q: InForceQuery, at: { asOf: string; knownAt: string }): PairTotal[] {
  const tariffs = items.filter((item) => item.measure === TARIFF && item.ratePercent !== null);
  if (tariffs.length === 0) return [];
  // Who speaks for whom is descriptive (an actor's current governmentId, README "What is not historised").
  const issuers = prepared(db, `SELECT a."id", a."governmentId" FROM json_each(@ids) j JOIN "Actor" a ON a."id" = j.value`).all({
    ids: JSON.stringify([...new Set(tariffs.map((item) => item.issuerId))]),
  }) as { id: string; governmentId: string | null }[];
  const sideOf = new Map(issuers.map((issuer) => [issuer.id, issuingSideOf(issuer)]));
  const pairs = new Map<string, { side: string; targetId: string }>();
  for (const item of tariffs) {
    const side = sideOf.get(item.issuerId) ?? item.issuerId;
    for (const targetId of item.targetIds) {
      if (q.targetId === undefined || q.targetId === targetId) pairs.set(`${side}\u0000${targetId}`, { side, targetId });
    }
  }
  const peopleOf = prepared(db, `SELECT "id" FROM "Actor" WHERE "governmentId" = +@side ORDER BY "id"`);
  const inForce = `FROM "InForcePeriod" p
     WHERE p."issuerId" = +@issuerId AND p."targetId" = +@targetId AND p."measure" = '${TARIFF}' AND p."ratePercent" IS NOT NULL AND ${VALID}`;
  const sum = prepared(db, `SELECT SUM(p."ratePercent") AS "ratePercent", COUNT(*) AS "componentCount" ${inForce}`);
  // Down the (issuer, target, measure, rate descending) index: each issuer's walk stops at the COMPONENTS_PER_PAIR-th in force.
  const top = prepared(
    db,
    `SELECT p."threatId", p."issuerId", p."ratePercent", p."authority" ${inForce} ORDER BY p."ratePercent" DESC, p."threatId" LIMIT ${COMPONENTS_PER_PAIR}`,
  );
  const totals: PairTotal[] = [];
  for (const { side, targetId } of pairs.values()) {
    const people = (peopleOf.all({ side }) as { id: string }[]).map((p) => p.id);
    let rate = 0;
    let componentCount = 0;
    const components: RateComponent[] = [];
    for (const issuerId of [side, ...people]) {
      const params = { ...at, issuerId, targetId };
      const s = sum.get(params) as { ratePercent: number | null; componentCount: number };
      if (s.componentCount === 0) continue;
      rate += s.ratePercent ?? 0;
      componentCount += s.componentCount;
      components.push(...(top.all(params) as RateComponent[]));
    }
    if (componentCount === 0) continue;
    components.sort((a, b) => b.ratePercent - a.ratePercent || (a.threatId < b.threatId ? -1 : a.threatId > b.threatId ? 1 : 0));
    totals.push({ issuerId: side, targetId, ratePercent: totalOfRates(rate), componentCount, components: components.slice(0, COMPONENTS_PER_PAIR) });
  }
  return totals.sort((a, b) =>
    a.issuerId !== b.issuerId ? (a.issuerId < b.issuerId ? -1 : 1) : a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0,
  );
}

interface ChangeRow {
  threatId: string;
  summary: string;
  seq: number;
  change: UpcomingChange["change"];
  to: string | null;
  values: string | null;
  reason: string;
  effectiveAt: string;
}

/** Where the walk of upcoming changes is in the index, and the row it read there. */
interface ChangeKey {
  id: number;
  effectiveAt: string;
  threatId: string;
  seq: number;
  /** Recorded after knownAt: passed over. */
  later: number;
  termsChanged?: number;
}

/**
 * Up to `limit` upcoming changes after `after`, in effective order, examining at most
 * IN_FORCE_SCAN_BUDGET rows recorded by knownAt. The walk reads keys from the covering index in
 * growing batches, each sought at the later of asOf and where the last batch ended (a statement
 * bounded by both seeks at asOf and only filters by the cursor, reading the window again up to it
 * at every batch and every page). Rows recorded after a past knownAt are passed over without
 * counting, at most PASSED_OVER_PER_BUDGET budgets of them (decision 028); the page's changes are
 * read after, by id.
 */
function pageOfUpcoming(
  db: Database.Database,
  q: InForceQuery,
  time: ReadTime,
  after: NonNullable<InForceCursor["upcoming"]>,
): { upcoming: UpcomingChange[]; next: InForceCursor["upcoming"] } {
  const where = [`c."effectiveAt" <= +@horizon AND (c."knownUntil" IS NULL OR c."knownUntil" > +@knownAt)`];
  if (q.issuerId !== undefined) where.push(`c."issuerId" = +@issuerId`);
  if (q.measure !== undefined) where.push(`c."measure" = +@measure`);
  if (q.targetId !== undefined) where.push(`EXISTS (SELECT 1 FROM "ThreatTarget" tt WHERE tt."threatId" = c."threatId" AND tt."actorId" = +@targetId)`);
  // ThreatTarget lists every actor a measure's terms ever named: a measure whose terms changed is
  // read from its history, and its change listed only if it targets the actor at asOf or once the change takes effect.
  const termsChanged = q.targetId === undefined ? "" : `, ${termsChangedSql(`c."threatId"`)} AS "termsChanged"`;
  // One lower bound on the index, so SQLite seeks there: asOf on a first page, the cursor once past it.
  const keysFrom = (from: "asOf" | "cursor") =>
    prepared(
      db,
      `SELECT c."id", c."effectiveAt", c."threatId", c."seq", c."knownFrom" > +@knownAt AS "later"${termsChanged}
       FROM "InForceChange" c
       WHERE ${from === "asOf" ? `c."effectiveAt" > +@asOf` : `(c."effectiveAt", c."threatId", c."seq") > (+@afterAt, +@afterThreat, +@afterSeq)`}
         AND ${where.join(" AND ")}
       ORDER BY c."effectiveAt", c."threatId", c."seq" ${limitBy("@take")}`,
    );
  const asOf = toSqlDate(time.asOf);
  const params = {
    asOf,
    knownAt: toSqlDate(time.knownAt),
    horizon: toSqlDate(new Date(time.asOf.getTime() + q.withinDays * DAY_MS)),
    issuerId: q.issuerId ?? null,
    measure: q.measure ?? null,
    targetId: q.targetId ?? null,
  };
  const passed = passedOverCounter("upcoming changes", PASSED_OVER_PER_BUDGET * IN_FORCE_SCAN_BUDGET);
  const kept: ChangeKey[] = [];
  let key = after;
  let examined = 0;
  let exhausted = false;
  // Without an actor, one batch fills the page (unless rows recorded later lie in its way); with one, batches go on.
  for (let size = q.limit + 1; kept.length <= q.limit && examined < IN_FORCE_SCAN_BUDGET; size = Math.min(size * 2, BATCH_AT_MOST)) {
    const batch = keysFrom(key.effectiveAt > asOf ? "cursor" : "asOf").all({
      ...params,
      afterAt: key.effectiveAt,
      afterThreat: key.threatId,
      afterSeq: key.seq,
      take: size,
    }) as ChangeKey[];
    const changed = batch.filter((r) => r.termsChanged && !r.later);
    const targets =
      q.targetId !== undefined && changed.length > 0
        ? targetingOf(
            db,
            changed.map((r) => r.threatId),
            q.targetId,
            time.knownAt,
          )
        : null;
    let consumed = 0;
    for (const r of batch) {
      if (kept.length > q.limit || examined >= IN_FORCE_SCAN_BUDGET) break;
      consumed++;
      key = { effectiveAt: r.effectiveAt, threatId: r.threatId, seq: r.seq };
      if (r.later) {
        passed.passOver();
        continue;
      }
      examined++;
      if (targets && r.termsChanged && !targets(r.threatId, time.asOf) && !targets(r.threatId, new Date(r.effectiveAt))) continue;
      kept.push(r);
    }
    if (batch.length < size) {
      exhausted = consumed === batch.length;
      break;
    }
  }
  const shown = kept.slice(0, q.limit);
  const rows = shown.length
    ? (prepared(
        db,
        `SELECT c."threatId", t."summary", c."seq", c."change", c."to", c."values", c."reason", c."effectiveAt"
         FROM json_each(@ids) j JOIN "InForceChange" c ON c."id" = j.value JOIN "Threat" t ON t."id" = c."threatId" ORDER BY j.key`,
      ).all({ ids: JSON.stringify(shown.map((r) => r.id)) }) as ChangeRow[])
    : [];
  const last = shown.at(-1);
  return {
    upcoming: rows.map((r) => ({
      threatId: r.threatId,
      summary: r.summary,
      change: r.change,
      to: r.to,
      values: r.values === null ? null : (JSON.parse(r.values) as Record<string, unknown>),
      effectiveAt: new Date(r.effectiveAt).toISOString(),
      reason: r.reason,
    })),
    // A full page resumes after its last change; one cut short by the budget, after the last change examined.
    next: kept.length > q.limit && last ? { effectiveAt: last.effectiveAt, threatId: last.threatId, seq: last.seq } : exhausted ? null : key,
  };
}
