import { z } from "@hono/zod-openapi";
import { SOURCE_KINDS, STANCES, sourceProblems } from "../../domain/evidence.ts";
import { PRECISIONS } from "../../domain/statuses.ts";
import { HttpUrl, Id, Instant, OptionalText, Text, verbatimString } from "./common.ts";

/** A new source: an article with its full text, or a citation (no text) known by its details and URL. */
export const SourceCreateSchema = z
  .strictObject({
    title: Text,
    publisher: Text,
    url: HttpUrl.nullable().optional(),
    kind: z.enum(SOURCE_KINDS).default("press").openapi({ description: "official, legal, wire, press, analysis or aggregator" }),
    publishedAt: Instant,
    publishedAtInferred: z.boolean().optional(),
    text: verbatimString(1_000_000)
      .refine((s) => s.trim().length > 0, "must not be empty or blank")
      .nullable()
      .optional()
      .openapi({ description: "The full text, verbatim. Without it the source is a citation and its quotes are stored unverified." }),
    copyOfId: Id.nullable().optional().openapi({ description: "The source this one republishes (a wire story under another title)" }),
    disclaimer: OptionalText.nullable().optional(),
  })
  .superRefine((s, ctx) => {
    for (const { field, problem } of sourceProblems(s)) ctx.addIssue({ code: "custom", path: [field], message: problem });
  })
  .openapi("NewSource");

const span = { quote: z.string(), startOffset: z.number().int(), endOffset: z.number().int() };

/** What the intake proposes to record from an article; each proposal carries its exact quote and offsets. */
export const ProposalSchema = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("date"),
      ...span,
      dueAt: z.string(),
      endsAt: z.string().nullable(),
      precision: z.enum(PRECISIONS),
      dueLabel: z.string().openapi({ example: "November 2025" }),
    }),
    z.object({ kind: z.literal("percentage"), ...span, percent: z.number(), additional: z.boolean() }),
    z.object({ kind: z.literal("amount"), ...span, amount: z.number(), currency: z.string() }),
    z.object({ kind: z.literal("actor"), ...span, actorId: z.string(), name: z.string() }),
    z.object({ kind: z.enum(["threat", "condition"]), ...span, cue: z.string().openapi({ example: "will impose" }) }),
  ])
  .openapi("Proposal");

export const SourceWithProposalsSchema = z
  .looseObject({
    id: z.string(),
    proposals: z.array(ProposalSchema).openapi({ description: "The first 50 proposals, in reading order" }),
    proposalsNextCursor: z.string().nullable().openapi({ description: "When there may be more: the cursor for GET /api/sources/{id}/proposals" }),
  })
  .openapi("SourceWithProposals", { description: "The stored source and, when it has text, the first page of what the intake proposes to record from it" });

export const EvidenceSchema = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    quote: z.string(),
    startOffset: z.number().int().nullable(),
    endOffset: z.number().int().nullable(),
    verification: z.enum(["verbatim", "unverified"]),
    speakerId: z.string().nullable(),
    stance: z.enum(STANCES),
    recordKind: z.string(),
    recordId: z.string(),
    createdAt: z.string(),
  })
  .openapi("Evidence");
