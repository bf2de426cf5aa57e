import { type HistoryEntry, recordStateAt } from "./history.ts";
import { type Terms, termsThen } from "./terms.ts";

/** A measure as the in-force view reads it: its first terms and its whole history. */
export interface MeasureHistory {
  id: string;
  issuerId: string;
  measure: string;
  summary: string;
  first: Terms;
  history: readonly HistoryEntry[];
}

export interface InForceItem extends Terms {
  threatId: string;
  issuerId: string;
  measure: string;
  summary: string;
  /** When it came into force (the entry that made it "imposed"). */
  since: string;
  /** The next known status change after asOf (a suspension, an ending), if any. */
  until: string | null;
  untilStatus: string | null;
}

export interface RateComponent {
  threatId: string;
  ratePercent: number;
  authority: string | null;
}

export interface PairTotal {
  issuerId: string;
  targetId: string;
  ratePercent: number;
  components: RateComponent[];
}

export interface UpcomingChange {
  threatId: string;
  summary: string;
  /** status, terms, or lapse (a status ending by its own terms, e.g. a suspension's end). */
  change: "status" | "terms" | "lapse";
  to: string | null;
  values: Record<string, unknown> | null;
  effectiveAt: string;
  reason: string;
}

export interface InForceView {
  items: InForceItem[];
  totals: PairTotal[];
  upcoming: UpcomingChange[];
}

const DAY_MS = 86_400_000;

/**
 * What is in force at `asOf`, as known at `knownAt`: the measures "imposed" then with their terms
 * then; per (issuer, target) pair the sum of the tariff rates in force; and the changes known
 * then that take effect within `withinDays` after asOf.
 */
export function inForceAt(measures: readonly MeasureHistory[], asOf: Date, knownAt: Date, withinDays: number): InForceView {
  const items: InForceItem[] = [];
  const upcoming: UpcomingChange[] = [];
  const horizon = asOf.getTime() + withinDays * DAY_MS;
  for (const m of measures) {
    const state = recordStateAt(m.history, asOf, knownAt);
    if (!state.created) continue;
    for (const e of state.scheduled) {
      if (e.effectiveAt.getTime() > horizon) break;
      upcoming.push({
        threatId: m.id,
        summary: m.summary,
        change: e.byTerms ? "lapse" : e.change === "terms" ? "terms" : "status",
        to: e.to,
        values: e.values,
        effectiveAt: e.effectiveAt.toISOString(),
        reason: e.reason,
      });
    }
    if (state.status !== "imposed") continue;
    const next = state.scheduled.find((e) => e.change === "status");
    items.push({
      threatId: m.id,
      issuerId: m.issuerId,
      measure: m.measure,
      summary: m.summary,
      ...termsThen(m.first, state),
      since: state.statusEntry!.effectiveAt.toISOString(),
      until: next?.effectiveAt.toISOString() ?? null,
      untilStatus: next?.to ?? null,
    });
  }
  upcoming.sort((a, b) => a.effectiveAt.localeCompare(b.effectiveAt) || a.threatId.localeCompare(b.threatId));
  return { items, totals: tariffTotals(items), upcoming };
}

/** Per (issuer, target) pair, the tariff rates in force added up ("10% (IEEPA) + 10% (IEEPA) = 20%"). */
export function tariffTotals(items: readonly InForceItem[]): PairTotal[] {
  const pairs = new Map<string, PairTotal>();
  for (const item of items) {
    if (item.measure !== "tariff" || item.ratePercent === null) continue;
    for (const targetId of item.targetIds) {
      const key = `${item.issuerId}\u0000${targetId}`;
      let pair = pairs.get(key);
      if (!pair) {
        pair = { issuerId: item.issuerId, targetId, ratePercent: 0, components: [] };
        pairs.set(key, pair);
      }
      pair.ratePercent += item.ratePercent;
      pair.components.push({ threatId: item.threatId, ratePercent: item.ratePercent, authority: item.authority });
    }
  }
  return [...pairs.values()].sort((a, b) => a.issuerId.localeCompare(b.issuerId) || a.targetId.localeCompare(b.targetId));
}
