import type Database from "better-sqlite3";
import { type InForceView, inForceAt, type MeasureHistory } from "../domain/in-force.ts";
import { historiesOf } from "./sql/history.ts";
import type { ReadTime } from "./sql/record-states.ts";

/** How many measures one in-force read examines at most (about 0.6 s measured, see decision 008): past it, the answer says it is incomplete. */
export const IN_FORCE_SCAN_BUDGET = 5_000;
/** Histories are loaded this many measures at a time (one JSON parameter each). */
const BATCH = 1_000;

export interface InForceQuery {
  issuerId?: string;
  /** Only measures that ever named this target are read; the view then keeps those that target it at asOf. */
  targetId?: string;
  measure?: string;
  withinDays: number;
}

interface MeasureRow {
  id: string;
  issuerId: string;
  measure: string;
  summary: string;
  covers: string;
  ratePercent: number | null;
  authority: string | null;
}

/**
 * The in-force view at a read time (src/domain/in-force.ts decides what holds): candidates by
 * issuer, measure and target in id order, at most IN_FORCE_SCAN_BUDGET of them, their histories
 * read in batches. `complete` is false when the budget cut the walk short.
 */
export function inForceView(db: Database.Database, q: InForceQuery, time: ReadTime): InForceView & { complete: boolean } {
  const rows = db
    .prepare(
      `SELECT t."id", t."issuerId", t."measure", t."summary", t."covers", t."ratePercent", t."authority" FROM "Threat" t
       WHERE (@issuerId IS NULL OR t."issuerId" = @issuerId) AND (@measure IS NULL OR t."measure" = @measure)
         AND (@targetId IS NULL OR EXISTS (SELECT 1 FROM "ThreatTarget" tt WHERE tt."threatId" = t."id" AND tt."actorId" = @targetId))
       ORDER BY t."id" LIMIT @limit`,
    )
    .all({ issuerId: q.issuerId ?? null, measure: q.measure ?? null, targetId: q.targetId ?? null, limit: IN_FORCE_SCAN_BUDGET + 1 }) as MeasureRow[];
  const complete = rows.length <= IN_FORCE_SCAN_BUDGET;
  const measures: MeasureHistory[] = [];
  const firstTargets = db.prepare(
    `SELECT "threatId", "actorId" FROM "ThreatTarget" WHERE "initial" = 1 AND "threatId" IN (SELECT value FROM json_each(?)) ORDER BY "threatId", "actorId"`,
  );
  const candidates = rows.slice(0, IN_FORCE_SCAN_BUDGET);
  for (let i = 0; i < candidates.length; i += BATCH) {
    const batch = candidates.slice(i, i + BATCH);
    const ids = batch.map((r) => r.id);
    const targets = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const t of firstTargets.all(JSON.stringify(ids)) as { threatId: string; actorId: string }[]) targets.get(t.threatId)!.push(t.actorId);
    const histories = historiesOf(db, "threat", ids);
    for (const r of batch) {
      measures.push({
        id: r.id,
        issuerId: r.issuerId,
        measure: r.measure,
        summary: r.summary,
        first: { ratePercent: r.ratePercent, authority: r.authority, covers: r.covers, targetIds: targets.get(r.id)! },
        history: histories.get(r.id)!,
      });
    }
  }
  const view = inForceAt(measures, time.asOf, time.knownAt, q.withinDays);
  if (!q.targetId) return { ...view, complete };
  const items = view.items.filter((item) => item.targetIds.includes(q.targetId!));
  return { items, totals: view.totals.filter((p) => p.targetId === q.targetId), upcoming: view.upcoming, complete };
}
