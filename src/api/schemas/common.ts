import { z } from "@hono/zod-openapi";
import { parseAsOf, parseInstant } from "../../domain/dates.ts";
import { STANCES } from "../../domain/evidence.ts";

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;
/** Longest free-text field accepted; longer bodies are refused by the body limit anyway. */
export const MAX_TEXT = 20_000;

export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "id", in: "path" }, example: "threat-us-100pct-tariff-chinese-goods" }),
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string that is valid Unicode (no lone surrogates), so it is stored and returned byte for byte. */
export function unicodeString(max: number) {
  return z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !LONE_SURROGATE.test(s), "must be valid Unicode (it has a lone surrogate)");
}

export const Id = unicodeString(200).refine((s) => s.length > 0, "must not be empty");
/** Free text that must say something; kept exactly as sent (no trimming). */
export const Text = unicodeString(MAX_TEXT).refine((s) => s.trim().length > 0, "must not be empty or blank");
export const OptionalText = unicodeString(MAX_TEXT);

/** An ISO-8601 date or date-time with offset; impossible dates such as 2025-02-30 are refused. */
export const Instant = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const parsed = parseInstant(value);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: "must be an ISO-8601 date (YYYY-MM-DD) or date-time with offset, and a real date" });
      return z.NEVER;
    }
    return parsed;
  })
  .openapi({ type: "string", format: "date-time", example: "2025-10-24T09:00:00Z" });

/** Earliest year `asOf` accepts: nothing the tracker holds is older. */
export const MIN_AS_OF_YEAR = 1945;

/** `asOf`: a calendar date (its end, UTC) or an instant, within a range that can hold records. */
export const AsOf = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const parsed = parseAsOf(value);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: "must be a date (YYYY-MM-DD, a real one) or an ISO-8601 date-time with offset" });
      return z.NEVER;
    }
    const year = parsed.getUTCFullYear();
    if (year < MIN_AS_OF_YEAR || year > new Date().getUTCFullYear() + 1) {
      ctx.addIssue({ code: "custom", message: `must fall between ${MIN_AS_OF_YEAR} and next year` });
      return z.NEVER;
    }
    return parsed;
  })
  .openapi({ type: "string", example: "2025-10-24" });

export const Limit = z.coerce
  .number({ message: "must be a whole number" })
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(MAX_LIMIT, `must be at most ${MAX_LIMIT}`)
  .default(DEFAULT_LIMIT)
  .openapi({ type: "integer", example: 50 });

export const Cursor = z.string().max(500).optional().openapi({ description: "Opaque: the nextCursor of the previous page" });

export const ListQueryBase = z.object({
  limit: Limit,
  cursor: Cursor,
  q: unicodeString(200).optional().openapi({ description: "Text search (case-insensitive for ASCII)" }),
  format: z.enum(["json", "csv"]).optional().openapi({ description: "csv for a CSV export (or send Accept: text/csv)" }),
});

export const FieldProblemSchema = z.object({ field: z.string(), problem: z.string() });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(FieldProblemSchema).optional(),
    allowed: z.array(z.string()).optional(),
  })
  .openapi("Problem", { example: { type: "/problems/invalid-input", title: "The request is not valid", status: 422, detail: "status: must be one of …" } });

const problemContent = { "application/problem+json": { schema: ProblemSchema } };
export const problemResponses = {
  400: { description: "Malformed request (e.g. invalid JSON)", content: problemContent },
  404: { description: "No such record", content: problemContent },
  422: { description: "Invalid input: `errors` names each field and its problem", content: problemContent },
} as const;
export const writeProblemResponses = {
  ...problemResponses,
  401: { description: "Missing or wrong bearer token", content: problemContent },
  409: { description: "Conflict: a move the lifecycle forbids (with `allowed`), or a duplicate", content: problemContent },
  412: { description: "If-Match does not match the current version", content: problemContent },
  413: { description: "Body too large", content: problemContent },
  415: { description: "Body is not application/json", content: problemContent },
  429: { description: "Too many failed authentications", content: problemContent },
} as const;

export const EvidenceInput = z
  .strictObject({
    sourceId: Id,
    quote: unicodeString(MAX_TEXT).refine((s) => s.length > 0, "must not be empty"),
    speakerId: Id.nullable().optional().openapi({ description: "The actor whose words these are" }),
    stance: z.enum(STANCES).optional().openapi({ description: "supports (default) or disputes the fact" }),
  })
  .openapi("EvidenceInput", { description: "A quote of a source: checked verbatim when the source has text, stored unverified for a citation" });
