import type Database from "better-sqlite3";
import { ConflictError } from "../domain/errors.ts";
import { type EvidenceRequest, type EvidenceRow, evidenceFor } from "../domain/evidence.ts";
import type { TrackerDatabase, Transaction } from "./client.ts";
import { currentVersion, type RecordKind, refuseRetractedCreation } from "./records.ts";
import { perConnection } from "./sql/prepared.ts";
import { toSqlDate } from "./sql-dates.ts";

/**
 * The row already holding this quote for this record, if any: a verified quote by its place in
 * the source (rows written before the source was part of the id have other ids), an
 * unverified one by its id.
 */
function sameQuote(row: EvidenceRow) {
  if (row.startOffset === null) return { id: row.id };
  const { sourceId, recordKind, recordId, startOffset, endOffset } = row;
  return { sourceId, recordKind, recordId, startOffset, endOffset };
}

/**
 * The same quote sent again for the same record is the row already there, but not with another
 * stance or speaker stated: keeping the old row would drop them silently, and changing it would change
 * what the record's past answers quoted. 409 naming the field.
 */
function refuseOtherReading(existing: { id: string; stance: string; speakerId: string | null }, row: EvidenceRow, request: EvidenceRequest, at: string): void {
  for (const field of ["stance", "speakerId"] as const) {
    // Left out, it says nothing new: the quote as recorded.
    if (request[field] === undefined || existing[field] === row[field]) continue;
    throw new ConflictError(
      `This quote is already recorded for the ${row.recordKind} (evidence ${existing.id}) with ${field} ${JSON.stringify(existing[field])}: a quote's ${field} is not changed by sending it again`,
      at ? `${at}.${field}` : field,
    );
  }
}

/**
 * Loads what the evidence rule needs, applies it (`evidenceFor`) and stores the row inside a
 * Prisma transaction. The same quote for the same record is one row: an existing one is kept.
 */
export async function storeEvidence(tx: Transaction, recordKind: string, recordId: string, request: EvidenceRequest, field: string, now: Date) {
  const source = await tx.source.findUnique({ where: { id: request.sourceId }, select: { text: true } });
  const speakerKnown = request.speakerId ? Boolean(await tx.actor.findUnique({ where: { id: request.speakerId }, select: { id: true } })) : false;
  const row = evidenceFor(request, { source, speakerKnown }, recordKind, recordId, field);
  const existing = await tx.evidence.findFirst({ where: sameQuote(row) });
  if (existing) {
    refuseOtherReading(existing, row, request, field);
    return { evidence: existing, created: false };
  }
  return { evidence: await tx.evidence.create({ data: { ...row, createdAt: now } }), created: true };
}

function statementsFor(conn: Database.Database) {
  return {
    sourceText: conn.prepare(`SELECT "text" FROM "Source" WHERE "id" = ?`),
    actor: conn.prepare(`SELECT "id" FROM "Actor" WHERE "id" = ?`),
    byId: conn.prepare(`SELECT "id", "stance", "speakerId" FROM "Evidence" WHERE "id" = @id`),
    byPlace: conn.prepare(
      `SELECT "id", "stance", "speakerId" FROM "Evidence" WHERE "sourceId" = @sourceId AND "recordKind" = @recordKind AND "recordId" = @recordId AND "startOffset" = @startOffset AND "endOffset" = @endOffset`,
    ),
    insert: conn.prepare(
      `INSERT INTO "Evidence" ("id", "sourceId", "quote", "startOffset", "endOffset", "verification", "speakerId", "stance", "recordKind", "recordId", "createdAt")
       VALUES (@id, @sourceId, @quote, @startOffset, @endOffset, @verification, @speakerId, @stance, @recordKind, @recordId, @createdAt)`,
    ),
  };
}

const statements = perConnection(statementsFor);

/** The same as `storeEvidence`, on a raw better-sqlite3 connection inside its transaction (the status-change path); returns the evidence id. */
export function storeEvidenceRaw(conn: Database.Database, recordKind: string, recordId: string, request: EvidenceRequest, field: string, now: Date): string {
  const st = statements(conn);
  const source = (st.sourceText.get(request.sourceId) as { text: string | null } | undefined) ?? null;
  const speakerKnown = request.speakerId ? st.actor.get(request.speakerId) !== undefined : false;
  const row = evidenceFor(request, { source, speakerKnown }, recordKind, recordId, field);
  const existing = (row.startOffset === null ? st.byId.get({ id: row.id }) : st.byPlace.get(sameQuote(row))) as
    | { id: string; stance: string; speakerId: string | null }
    | undefined;
  if (existing) {
    refuseOtherReading(existing, row, request, field);
    return existing.id;
  }
  st.insert.run({ ...row, createdAt: toSqlDate(now) });
  return row.id;
}

/** Attaches one quote to an existing record on its own (POST …/evidence); `created` is false when it was already there. */
export function addEvidence(db: TrackerDatabase, recordKind: RecordKind, recordId: string, request: EvidenceRequest, now = new Date()) {
  return db.prismaTransaction(async (tx) => {
    await currentVersion(tx, recordKind, recordId);
    // A record whose creation was retracted does not exist as known now: nothing is quoted for it.
    await refuseRetractedCreation(tx, recordKind, recordId);
    return storeEvidence(tx, recordKind, recordId, request, "", now);
  });
}
