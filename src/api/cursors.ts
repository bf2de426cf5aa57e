import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "@hono/zod-openapi";
import { DATE_RANGE, parseInstant } from "../domain/dates.ts";
import { InvalidInputError } from "../domain/errors.ts";

/**
 * Cursors (decision 024). Most are a position in an order (an id, a due date and id, a recorded
 * time and seq): decoded, every part is checked as the query's own fields are, and a forged one
 * only starts the page elsewhere, which paging could reach too. A record's history cursor also
 * carries what the entries before its page left (the status, the terms in effect), which no check
 * of its shape can tell from a forged but well-formed value: that one is signed.
 */
const NOT_OURS = "is not a cursor this API issued";

function refused(field: string, problem = NOT_OURS): InvalidInputError {
  return new InvalidInputError([{ field, problem }]);
}

function checked<S extends z.ZodTypeAny>(value: unknown, schema: S, field: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidInputError(parsed.error.issues.map((i) => ({ field: [field, ...i.path.map(String)].join("."), problem: i.message })));
}

function parsedJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw refused(field);
  }
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/** A position cursor's value, checked by `schema`; undefined for none. Throws InvalidInputError naming `field` (and the part at fault). */
export function decodeCursor<S extends z.ZodTypeAny>(cursor: string | undefined, schema: S, field = "query.cursor"): z.output<S> | undefined {
  if (cursor === undefined) return undefined;
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) throw refused(field);
  return checked(parsedJson(Buffer.from(cursor, "base64url").toString("utf8"), field), schema, field);
}

/** Signed cursors: base64url(JSON) "." base64url(HMAC-SHA256(key, scope "\n" JSON)), 128 bits. */
export interface SignedCursors {
  encode(scope: string, value: unknown): string;
  /** As decodeCursor, for a cursor signed for `scope` (what issued it: one record's history), else 422. */
  decode<S extends z.ZodTypeAny>(scope: string, cursor: string | undefined, schema: S, field?: string): z.output<S> | undefined;
}

const MAC_BYTES = 16;

/** `key` is the database's own (table CursorKey), read when first needed: a server may start before its migrations ran. */
export function signedCursors(key: () => Buffer): SignedCursors {
  const macOf = (scope: string, payload: string) => createHmac("sha256", key()).update(`${scope}\n${payload}`).digest().subarray(0, MAC_BYTES);
  return {
    encode(scope, value) {
      const payload = JSON.stringify(value);
      return `${Buffer.from(payload, "utf8").toString("base64url")}.${macOf(scope, payload).toString("base64url")}`;
    },
    decode(scope, cursor, schema, field = "query.cursor") {
      if (cursor === undefined) return undefined;
      const parts = cursor.split(".");
      if (parts.length !== 2 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) throw refused(field);
      const payload = Buffer.from(parts[0]!, "base64url").toString("utf8");
      const given = Buffer.from(parts[1]!, "base64url");
      const expected = macOf(scope, payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw refused(field, `${NOT_OURS} for this read (altered, or from another record's history)`);
      }
      return checked(parsedJson(payload, field), schema, field);
    },
  };
}

/** A stored instant as a cursor carries it (the database's ISO text), under the query's own date rule. */
export const CursorInstant = z
  .string()
  .max(40)
  .refine((s) => parseInstant(s) !== null, `must be an ISO-8601 date-time in the years ${DATE_RANGE.firstYear} to ${DATE_RANGE.lastYear}`);
/** A record id in a cursor, as the query's own ids. */
export const CursorId = z.string().min(1).max(200);
/** A history entry's seq. */
export const CursorSeq = z.number().int().min(0);

/** The in-force view's cursor (API and desk): where its items and its upcoming changes resume, null once done; "" is the start. */
export const InForceCursorSchema = z.strictObject({
  items: z.strictObject({ from: CursorId.or(z.literal("")) }).nullable(),
  upcoming: z.strictObject({ effectiveAt: CursorInstant.or(z.literal("")), threatId: CursorId.or(z.literal("")), seq: CursorSeq }).nullable(),
});

/**
 * Where a source's proposals resume: the block (a text offset) and, within it, the last proposal
 * given ([start, end, kind, actor id]); and the source it was issued for, since a place in one
 * text means nothing in another.
 */
const ProposalCursorSchema = z.strictObject({
  block: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  after: z.tuple([z.number().int().min(0), z.number().int().min(0), z.string().max(40), z.string().max(200)]).nullable(),
  source: CursorId,
});
type ProposalPosition = Omit<z.output<typeof ProposalCursorSchema>, "source">;

export function encodeProposalCursor(sourceId: string, position: ProposalPosition): string {
  return encodeCursor({ ...position, source: sourceId });
}

/** Where a page of this source's proposals resumes (undefined: the start); a cursor issued for another source's is 422 naming `field`. */
export function decodeProposalCursor(sourceId: string, cursor: string | undefined, field = "query.cursor"): ProposalPosition | undefined {
  const decoded = decodeCursor(cursor, ProposalCursorSchema, field);
  if (decoded === undefined) return undefined;
  const { source, ...position } = decoded;
  if (source !== sourceId) throw refused(field, "was issued for another source's proposals: page this source's from its first page");
  return position;
}

/** Where a record's quotes resume: the last one given ([source id, start offset or null, id]). */
export const EvidenceCursorSchema = z.tuple([CursorId, z.number().int().min(0).nullable(), CursorId]);

/** Where the desk's page of a source's quotes resumes: the last one shown ([start offset, end offset, id]; offsets null for a citation's). */
const CursorOffset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable();
export const SourceQuoteCursorSchema = z.tuple([CursorOffset, CursorOffset, CursorId]);

/** Where a list of deadlines (API and desk) resumes in the (undated last, dueAt, id) order; an undated deadline's dueAt is "", an id "" starts at its date. */
export const DeadlineCursorSchema = z.discriminatedUnion("undated", [
  z.strictObject({ undated: z.literal(0), dueAt: CursorInstant, id: CursorId.or(z.literal("")) }),
  z.strictObject({ undated: z.literal(1), dueAt: z.literal(""), id: CursorId }),
]);
