import type Database from "better-sqlite3";
import { fromSqlDate } from "../sql-dates.ts";
import { limitBy, perConnection } from "./prepared.ts";

/** Where a source's quotes go on, in their order: the last one's offsets (null for a citation's) and id. */
export type SourceQuoteKey = [startOffset: number | null, endOffset: number | null, id: string];

export interface SourceQuote {
  id: string;
  quote: string;
  startOffset: number | null;
  endOffset: number | null;
  recordKind: string;
  recordId: string;
  stance: string;
}

const SELECT = `SELECT "id", "quote", "startOffset", "endOffset", "recordKind", "recordId", "stance"
  FROM "Evidence" INDEXED BY "Evidence_sourceId_startOffset_endOffset_id_idx" WHERE "sourceId" = @sourceId`;
const ORDER = `ORDER BY "startOffset", "endOffset" DESC, "id" ${limitBy("@n")}`;
/**
 * The ranges after a key, in order, each one read on the (sourceId, startOffset, endOffset DESC,
 * id) index: the rest of the key's place, the rest of its start, the starts after. A citation's
 * quotes have no offsets (SQLite sorts NULL first), a stored text's all have both.
 */
const AFTER = {
  first: ["1"],
  afterUnverified: [`"startOffset" IS NULL AND "endOffset" IS NULL AND "id" > @id`, `"startOffset" IS NOT NULL`],
  afterVerbatim: [
    `"startOffset" = @startOffset AND "endOffset" = @endOffset AND "id" > @id`,
    `"startOffset" = @startOffset AND "endOffset" < @endOffset`,
    `"startOffset" > @startOffset`,
  ],
};

/** The scenario each kind of record is shown in, for ids given as a JSON array: one statement per kind, whatever the page holds. */
const SCENARIO_OF: Record<string, string> = {
  threat: `SELECT "id", "scenarioId" FROM "Threat" WHERE "id" IN (SELECT "value" FROM json_each(?))`,
  event: `SELECT "id", "scenarioId" FROM "Event" WHERE "id" IN (SELECT "value" FROM json_each(?))`,
  condition: `SELECT c."id", t."scenarioId" FROM "Condition" c JOIN "Threat" t ON t."id" = c."threatId" WHERE c."id" IN (SELECT "value" FROM json_each(?))`,
  deadline: `SELECT d."id", coalesce(d."scenarioId", t."scenarioId") AS "scenarioId" FROM "Deadline" d LEFT JOIN "Threat" t ON t."id" = d."threatId"
    WHERE d."id" IN (SELECT "value" FROM json_each(?))`,
};

const statements = perConnection((db) => ({
  source: db.prepare(`SELECT "id", "title", "publisher", "kind", "url", "publishedAt", "publishedAtInferred", "text", "copyOfId" FROM "Source" WHERE "id" = ?`),
  ranges: Object.fromEntries(Object.entries(AFTER).map(([k, ranges]) => [k, ranges.map((r) => db.prepare(`${SELECT} AND ${r} ${ORDER}`))])),
  scenarioOf: Object.fromEntries(Object.entries(SCENARIO_OF).map(([kind, sql]) => [kind, db.prepare(sql)])),
}));

export interface SourceShown {
  id: string;
  title: string;
  publisher: string;
  kind: string;
  url: string | null;
  publishedAt: Date;
  publishedAtInferred: boolean;
  text: string | null;
  copyOfId: string | null;
}

/** A source as its desk page shows it, or null. */
export function sourceById(reader: Database.Database, id: string): SourceShown | null {
  const row = statements(reader).source.get(id) as
    | (Omit<SourceShown, "publishedAt" | "publishedAtInferred"> & { publishedAt: string; publishedAtInferred: number })
    | undefined;
  return row ? { ...row, publishedAt: fromSqlDate(row.publishedAt)!, publishedAtInferred: row.publishedAtInferred === 1 } : null;
}

/** Up to `n` of a source's quotes after `after`, in the order of its text: by start, the longer first, then id. */
export function sourceQuotes(reader: Database.Database, sourceId: string, after: SourceQuoteKey | null, n: number): SourceQuote[] {
  const ranges = statements(reader).ranges[after === null ? "first" : after[0] === null ? "afterUnverified" : "afterVerbatim"]!;
  const params = { sourceId, startOffset: after?.[0] ?? null, endOffset: after?.[1] ?? null, id: after?.[2] ?? null };
  const rows: SourceQuote[] = [];
  for (const range of ranges) {
    rows.push(...(range.all({ ...params, n: n - rows.length }) as SourceQuote[]));
    if (rows.length === n) break;
  }
  return rows;
}

/**
 * The scenario each quoted record is shown in (a scenario its own; a condition its threat's; a
 * deadline its own or its threat's), keyed `kind|id`; records of other kinds, or in none, are absent.
 */
export function scenariosOfRecords(reader: Database.Database, records: { recordKind: string; recordId: string }[]): Map<string, string> {
  const scenarios = new Map<string, string>();
  const idsOf = new Map<string, Set<string>>();
  for (const { recordKind, recordId } of records) {
    if (recordKind === "scenario") scenarios.set(`scenario|${recordId}`, recordId);
    else if (recordKind in SCENARIO_OF) idsOf.set(recordKind, (idsOf.get(recordKind) ?? new Set()).add(recordId));
  }
  for (const [kind, ids] of idsOf) {
    const rows = statements(reader).scenarioOf[kind]!.all(JSON.stringify([...ids])) as { id: string; scenarioId: string | null }[];
    for (const row of rows) if (row.scenarioId !== null) scenarios.set(`${kind}|${row.id}`, row.scenarioId);
  }
  return scenarios;
}
