import { STATUSES, type TrackedKind } from "./statuses.ts";

/**
 * The one registry of record kinds: the collection the API names, the table that stores it,
 * and, for kinds with a history, their statuses, the status a record starts in and those it
 * never leaves; `filters`: those of its list that name a record (FILTER_KINDS). api/, db/, web/
 * and cli/ read it instead of restating it.
 */
export const RECORD_KINDS = {
  scenario: {
    collection: "scenarios",
    table: "Scenario",
    tracked: true,
    initial: ["developing", "escalating", "de-escalating"],
    filters: ["scenario", "topic"],
  },
  threat: {
    collection: "threats",
    table: "Threat",
    tracked: true,
    initial: ["threatened", "considering", "announced"],
    filters: ["scenario", "actor", "topic"],
  },
  condition: { collection: "conditions", table: "Condition", tracked: true, initial: ["open"], filters: ["scenario", "actor", "threat", "agreement"] },
  deadline: {
    collection: "deadlines",
    table: "Deadline",
    tracked: true,
    initial: ["pending"],
    filters: ["scenario", "actor", "topic", "threat", "condition", "agreement", "commitment"],
  },
  event: { collection: "events", table: "Event", tracked: true, initial: ["scheduled"], filters: ["scenario", "actor", "topic"] },
  // A deal that takes effect when announced starts in force.
  agreement: { collection: "agreements", table: "Agreement", tracked: true, initial: ["negotiating", "announced", "in-force"], filters: ["actor"] },
  commitment: { collection: "commitments", table: "Commitment", tracked: true, initial: ["pending"], filters: ["actor", "agreement"] },
  actor: { collection: "actors", table: "Actor", tracked: false, initial: [], filters: ["government"] },
  topic: { collection: "topics", table: "Topic", tracked: false, initial: [], filters: [] },
  source: { collection: "sources", table: "Source", tracked: false, initial: [], filters: [] },
} as const;

export type RecordKind = keyof typeof RECORD_KINDS;

/**
 * Kinds whose rows also keep where their cached status holds in the past (statusFrom,
 * statusKnownFrom): those a deadline belongs to, whose status then every deadline list shows.
 */
export const STATUS_SPAN_KINDS: ReadonlySet<RecordKind> = new Set(["scenario", "threat", "condition"]);
/** The status span's columns, beside the cached status of those kinds. */
export const STATUS_SPAN_COLUMNS = ["statusFrom", "statusKnownFrom"] as const;
/** What a deadline row caches from its history besides its status: when its status changes next, its pending bounds, its dates' range (see the schema). */
export const DEADLINE_CACHE_COLUMNS = [
  "statusUntil",
  "pendingFrom",
  "pendingKnownFrom",
  "pendingUntil",
  "pendingUntilKnownAt",
  "pendingInexact",
  "datesMoved",
  "dueAtEarliest",
  "dueAtLatest",
] as const;
export type Collection = (typeof RECORD_KINDS)[RecordKind]["collection"];
export type ListFilter = (typeof RECORD_KINDS)[RecordKind]["filters"][number];

/** The in-force view's filters that name a record: who issued a measure, whom it targets. */
export const IN_FORCE_FILTERS = ["issuer", "target"] as const;

/**
 * The kind of record each filter that names one takes (`?actor=gov-us`, `?issuer=gov-us`). An id
 * that names no record of that kind as known at the read's knownAt is refused (db/records.ts
 * unknownFilterIds), not answered as an empty list that reads as "nothing matches".
 */
export const FILTER_KINDS = {
  scenario: "scenario",
  actor: "actor",
  topic: "topic",
  threat: "threat",
  condition: "condition",
  agreement: "agreement",
  commitment: "commitment",
  government: "actor",
  issuer: "actor",
  target: "actor",
} as const satisfies Record<ListFilter | (typeof IN_FORCE_FILTERS)[number], RecordKind>;
export type RecordFilter = keyof typeof FILTER_KINDS;

/** Collection name → record kind, e.g. "threats" → "threat". */
export const KIND_OF = Object.fromEntries(Object.entries(RECORD_KINDS).map(([kind, k]) => [k.collection, kind])) as {
  [K in RecordKind as (typeof RECORD_KINDS)[K]["collection"]]: K;
};

export const COLLECTIONS = Object.values(RECORD_KINDS).map((k) => k.collection) as Collection[];

export function tableOf(kind: RecordKind): string {
  return RECORD_KINDS[kind].table;
}

/**
 * The status a record created in `requested` starts in: the requested one when a record may
 * begin there, else the kind's first starting status, from which the requested status is then
 * reached by an ordinary status change (with its rules and consequences).
 */
export function startingStatusFor(kind: TrackedKind, requested: string): string {
  const starts = RECORD_KINDS[kind].initial as readonly string[];
  return starts.includes(requested) ? requested : starts[0]!;
}

export function acceptsFilter(kind: RecordKind, filter: ListFilter): boolean {
  return (RECORD_KINDS[kind].filters as readonly string[]).includes(filter);
}

export { STATUSES };
