import { z } from "@hono/zod-openapi";
import { DATE_RANGE, parseInstant } from "../../domain/dates.ts";
import { STANCES } from "../../domain/evidence.ts";
import { recordNameProblem } from "../../domain/names.ts";
import { parseReadInstant } from "../../domain/read-time.ts";
import { textCharacterProblem } from "../../domain/text.ts";

// A field left out is "required", not zod's "expected string, received undefined"; a schema's own message still wins.
z.config({ customError: (issue) => (issue.code === "invalid_type" && issue.input === undefined ? "required" : undefined) });

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

/**
 * A string that is valid Unicode (no lone surrogates), so it is stored and returned byte for byte,
 * and holds no character that hides or reorders text (textCharacterProblem): every text field,
 * id and search the API takes is one.
 */
export function unicodeString(max: number, verbatim = false) {
  return z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !LONE_SURROGATE.test(s), "must be valid Unicode (it has a lone surrogate)")
    .superRefine((s, ctx) => {
      const problem = textCharacterProblem(s, verbatim);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}

/** An article's text or a quote cut from it: as published (the form feeds, embeddings, isolates and byte-order marks of textCharacterProblem's verbatim). */
export const verbatimString = (max: number) => unicodeString(max, true);

export const Id = unicodeString(200).refine((s) => s.length > 0, "must not be empty");
/** Free text that must say something; kept exactly as sent (no trimming). */
export const Text = unicodeString(MAX_TEXT).refine((s) => s.trim().length > 0, "must not be empty or blank");
export const OptionalText = unicodeString(MAX_TEXT);
/** The name of an actor or topic, or a scenario's title: what they are told apart by (recordNameProblem). */
export const Name = Text.superRefine((s, ctx) => {
  const problem = recordNameProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const IN_RANGE = `in the years ${DATE_RANGE.firstYear} to ${DATE_RANGE.lastYear}`;

/** An ISO-8601 date or date-time with offset, in the tracker's DATE_RANGE; impossible dates such as 2025-02-30 are refused. */
export const Instant = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const parsed = parseInstant(value);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: `must be an ISO-8601 date (YYYY-MM-DD) or date-time with offset, a real date ${IN_RANGE}` });
      return z.NEVER;
    }
    return parsed;
  })
  .openapi({ type: "string", format: "date-time", example: "2025-10-24T09:00:00Z" });

/** An instant read as `asOf` is, under the one rule in src/domain/read-time.ts: a date means its end (UTC). */
function readInstant(field: string) {
  return z
    .string()
    .max(40)
    .transform((value, ctx) => {
      const parsed = parseReadInstant(value, field);
      if (!(parsed instanceof Date)) {
        ctx.addIssue({ code: "custom", message: parsed.problem });
        return z.NEVER;
      }
      return parsed;
    });
}

/** The end of a range: a date means its end, as for `asOf`, so a range of one day holds that day. */
export const InstantUpTo = readInstant("effectiveTo").openapi({ type: "string", format: "date-time", example: "2025-10-31" });

/** `asOf`: the effective time an answer is for, a calendar date (its end, UTC) or an instant. */
export const AsOf = readInstant("asOf").openapi({
  type: "string",
  example: "2025-10-24",
  description: "Effective time: answer as things stood then (default now)",
});
/** `knownAt`: the recorded time, what the tracker knew then. */
export const KnownAt = readInstant("knownAt").openapi({
  type: "string",
  example: "2025-11-01",
  description: "Recorded time: answer with what the tracker knew then (default now; later than now reads as now)",
});

/**
 * The two instants every read takes. Every /api query is a strict object, as this one: a parameter
 * the route does not take (a typo such as `stauts`) is refused, 422 naming it, rather than ignored
 * so that the answer looks filtered when it is not (routes without a query: newRouter).
 */
export const ReadTimeQuery = z.strictObject({ asOf: AsOf.optional(), knownAt: KnownAt.optional() });

/** The query of a route that takes no parameters: any one sent is refused. */
export const NoQuery = z.strictObject({});

/** Plain decimal digits: 1e2, 0x10, " 5", 5.0, +5 and "" are refused rather than read as numbers. */
const DECIMAL_DIGITS = /^[0-9]+$/;

/** A whole-number query parameter from `min` to `max`, written in plain decimal digits; `unit` goes in its messages ("days"). */
export function wholeNumberParam(min: number, max: number, unit?: string) {
  const whole = `must be a whole number${unit ? ` of ${unit}` : ""}`;
  return z
    .string({ message: whole })
    .regex(DECIMAL_DIGITS, `${whole}, written in decimal digits only (0-9)`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .openapi({ type: "integer", minimum: min, maximum: max });
}

export const Limit = wholeNumberParam(1, MAX_LIMIT)
  .default(DEFAULT_LIMIT)
  .openapi({ type: "integer", minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, example: 50 });

/** Longest look-ahead `within` accepts: ten years covers any real deadline. */
export const MAX_WITHIN_DAYS = 3_650;
/** `within`: days after asOf. */
export const WithinDays = wholeNumberParam(0, MAX_WITHIN_DAYS, "days");

export const Cursor = z.string().max(500).optional().openapi({ description: "Opaque: the nextCursor of the previous page" });

export const ListQueryBase = ReadTimeQuery.extend({
  limit: Limit,
  cursor: Cursor,
  q: unicodeString(200).optional().openapi({
    description:
      "Text search (case-insensitive for ASCII). A page of records looks through at most 5,000 rows in id order for matches: a rare match may come back as a short or empty page whose nextCursor resumes the search",
  }),
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
    conflictsWith: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .openapi({ description: "For a chain conflict: the history entry the change would break (or the creation it would precede)" }),
  })
  .openapi("Problem", { example: { type: "/problems/invalid-input", title: "The request is not valid", status: 422, detail: "status: must be one of …" } });

const problemContent = { "application/problem+json": { schema: ProblemSchema } };
export const problemResponses = {
  400: { description: "Malformed request (e.g. invalid JSON)", content: problemContent },
  404: { description: "No such record", content: problemContent },
  422: { description: "Invalid input: `errors` names each field and its problem", content: problemContent },
} as const;
/** A list's problems: its 422 also refuses a filter naming no record (src/api/list-filters.ts). */
export const listProblemResponses = {
  ...problemResponses,
  422: {
    description:
      'Invalid input: `errors` names each field and its problem. A filter whose id names no record of its kind as known at `knownAt` is refused too (`query.actor: no actor "gov-nope"`), rather than answered with an empty list; one that exists as known then but only from a later `asOf` gives an empty list',
    content: problemContent,
  },
} as const;
export const writeProblemResponses = {
  ...problemResponses,
  401: { description: "Missing, unknown or revoked bearer token", content: problemContent },
  403: { description: "The token's role may not do this", content: problemContent },
  409: { description: "Conflict: a move the lifecycle forbids (with `allowed`), or a duplicate", content: problemContent },
  412: {
    description:
      'If-Match does not match the current version. It compares strongly (RFC 9110): a weak tag (W/"3") never matches; a list ("3", "4") matches when one of its tags does; * matches any existing record',
    content: problemContent,
  },
  413: { description: "Body too large", content: problemContent },
  415: { description: "Body is not application/json", content: problemContent },
  429: { description: "Too many failed authentications", content: problemContent },
} as const;

/**
 * A link to a source: http or https only, so it can never run script when followed, and without
 * credentials (`https://user:pw@host/`): a password would be shown to every reader, and a user part
 * makes a link read as another host's (`https://www.gov.cn@evil.example/`).
 */
export const HttpUrl = z
  .url("must be an absolute URL")
  .max(2000)
  .refine((s) => /^https?:\/\//i.test(s), "must be an http or https URL")
  .refine((s) => {
    // z.url() has parsed it; a value it let through that URL does not is refused as well.
    try {
      const url = new URL(s);
      // `https://@host/` and `https://:@host/` parse with both empty: the "@" is refused as well.
      const authority = s.slice(s.indexOf("//") + 2).split(/[/?#]/)[0]!;
      return url.username === "" && url.password === "" && !authority.includes("@");
    } catch {
      return false;
    }
  }, "must not carry a user name or password (user:password@): link to the page itself");

export const EvidenceInput = z
  .strictObject({
    sourceId: Id,
    quote: verbatimString(MAX_TEXT).refine((s) => s.trim().length > 0, "must not be empty or blank"),
    speakerId: Id.nullable().optional().openapi({ description: "The actor whose words these are" }),
    stance: z.enum(STANCES).optional().openapi({ description: "supports (default) or disputes the fact" }),
  })
  .openapi("EvidenceInput", { description: "A quote of a source: checked verbatim when the source has text, stored unverified for a citation" });
