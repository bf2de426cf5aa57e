import { createRoute, z } from "@hono/zod-openapi";
import { addEvidence } from "../../db/evidence.ts";
import { currentVersion, getRecord, KIND_OF } from "../../db/records.ts";
import { createSource, proposalsPage } from "../../db/sources.ts";
import { readTimeOf } from "../../db/sql/record-states.ts";
import { DETAIL_EMBEDS, type EvidenceKey, evidencePage } from "../../db/threat-detail.ts";
import { formatAtPrecision } from "../../domain/dates.ts";
import { NotFoundError } from "../../domain/errors.ts";
import type { Proposal } from "../../domain/intake.ts";
import { type AppDeps, newRouter } from "../app-env.ts";
import { decodeCursor, decodeProposalCursor, EvidenceCursorSchema, encodeCursor, encodeProposalCursor } from "../cursors.ts";
import { Cursor, DEFAULT_LIMIT, EvidenceInput, Id, IdParam, KnownAt, Limit, problemResponses, writeProblemResponses } from "../schemas/common.ts";
import { EvidenceQuote } from "../schemas/record-answers.ts";
import { EvidenceSchema, ProposalSchema, SourceCreateSchema, SourceWithProposalsSchema } from "../schemas/sources.ts";

const bearer = [{ bearerAuth: [] }];
const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { "application/json": { schema } } });

/** The collections whose records evidence may be attached to (every kind but sources themselves). */
const EVIDENCED = ["scenarios", "threats", "conditions", "deadlines", "events", "agreements", "commitments", "actors", "topics"] as const;

function proposalToWire(p: Proposal) {
  if (p.kind !== "date") return p;
  return { ...p, dueAt: p.dueAt.toISOString(), endsAt: p.endsAt?.toISOString() ?? null, dueLabel: formatAtPrecision(p.dueAt, p.precision) };
}

export const createSourceRoute = createRoute({
  method: "post",
  path: "/sources",
  tags: ["sources"],
  summary: "Store an article (or a citation) and see what the intake proposes to record from it",
  description:
    "With `text`, the answer's `proposals` list dates and periods, percentages, amounts, known actors and threat or condition sentences, each with its exact quote and offsets; nothing is recorded from them until a client creates records or status changes with those quotes as evidence. The same text twice is one source: the second call answers 409 naming the stored one.",
  security: bearer,
  request: { body: { required: true, ...json(SourceCreateSchema) } },
  responses: {
    201: { description: "Stored", ...json(SourceWithProposalsSchema) },
    ...writeProblemResponses,
  },
});

export const sourceProposalsRoute = createRoute({
  method: "get",
  path: "/sources/{id}/proposals",
  tags: ["sources"],
  summary: "Re-run the article intake on a stored source (against the actors known now), a page at a time",
  description:
    "The proposals in reading order, `limit` at a time. A page reads the text in blocks of at most 4,000 characters and at most 16,000 characters in all: over text where little is proposed it may hold fewer than `limit` items with a `nextCursor` that resumes the reading.",
  request: { params: IdParam, query: z.strictObject({ limit: Limit, cursor: Cursor }) },
  responses: {
    200: { description: "One page of proposals", ...json(z.object({ items: z.array(ProposalSchema), nextCursor: z.string().nullable() })) },
    ...problemResponses,
  },
});

/** The source's text and date, or 404. */
async function sourceText(deps: AppDeps, id: string) {
  const source = await deps.db.prisma.source.findUnique({ where: { id }, select: { text: true, publishedAt: true } });
  if (!source) throw new NotFoundError("source", id);
  return source;
}

export const addEvidenceRoute = createRoute({
  method: "post",
  path: "/{collection}/{id}/evidence",
  tags: ["evidence"],
  summary: "Attach a quote to a record, supporting or disputing it, optionally naming who said it",
  security: bearer,
  request: {
    params: z.object({
      collection: z.enum(EVIDENCED).openapi({ param: { name: "collection", in: "path" } }),
      id: Id.openapi({ param: { name: "id", in: "path" } }),
    }),
    body: { required: true, ...json(EvidenceInput) },
  },
  responses: {
    201: { description: "Attached", ...json(EvidenceSchema) },
    200: { description: "The same quote was already attached to this record", ...json(EvidenceSchema) },
    ...writeProblemResponses,
  },
});

export const listEvidenceRoute = createRoute({
  method: "get",
  path: "/{collection}/{id}/evidence",
  tags: ["evidence"],
  summary: "A record's quotes, a page at a time, as recorded by knownAt",
  description: `By source, offset (unverified quotes first) and id: the order in which a record's detail embeds its first ${DETAIL_EMBEDS} (\`evidenceTruncated\` says when more follow).`,
  request: {
    params: z.object({
      collection: z.enum(EVIDENCED).openapi({ param: { name: "collection", in: "path" } }),
      id: Id.openapi({ param: { name: "id", in: "path" } }),
    }),
    query: z.strictObject({ knownAt: KnownAt.optional(), limit: Limit, cursor: Cursor }),
  },
  responses: {
    200: { description: "One page of quotes", ...json(z.object({ items: z.array(EvidenceQuote), nextCursor: z.string().nullable() })) },
    ...problemResponses,
  },
});

/** Sources with the article intake, and evidence attached to any record on its own. */
export function sourceRoutes(deps: AppDeps) {
  return newRouter()
    .openapi(createSourceRoute, async (c) => {
      const now = deps.clock();
      const id = await createSource(deps.db, c.req.valid("json"), now);
      const source = await getRecord(deps.db, "source", id, readTimeOf(undefined, undefined, now));
      const page = await proposalsPage(deps.db.prisma, source as { text: string | null; publishedAt: Date }, { limit: DEFAULT_LIMIT });
      c.header("Location", `/api/sources/${id}`);
      const proposalsNextCursor = page.next ? encodeProposalCursor(id, page.next) : null;
      return c.json({ ...(source as { id: string }), proposals: page.items.map(proposalToWire), proposalsNextCursor }, 201);
    })
    .openapi(sourceProposalsRoute, async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const { id } = c.req.valid("param");
      const after = decodeProposalCursor(id, cursor);
      const page = await proposalsPage(deps.db.prisma, await sourceText(deps, id), { limit, after });
      return c.json({ items: page.items.map(proposalToWire), nextCursor: page.next ? encodeProposalCursor(id, page.next) : null }, 200);
    })
    .openapi(listEvidenceRoute, async (c) => {
      const { collection, id } = c.req.valid("param");
      const q = c.req.valid("query");
      const after = decodeCursor(q.cursor, EvidenceCursorSchema);
      const kind = KIND_OF[collection];
      await currentVersion(deps.db.prisma, kind, id);
      const rows = evidencePage(deps.db.reader, kind, id, readTimeOf(undefined, q.knownAt, deps.clock()), after ?? null, q.limit + 1);
      const items = rows.slice(0, q.limit);
      const last = items.at(-1);
      const nextCursor = rows.length > q.limit && last ? encodeCursor([last.sourceId, last.startOffset, last.id] satisfies EvidenceKey) : null;
      return c.json({ items: items as unknown as z.infer<typeof EvidenceQuote>[], nextCursor }, 200);
    })
    .openapi(addEvidenceRoute, async (c) => {
      const { collection, id } = c.req.valid("param");
      const { evidence, created } = await addEvidence(deps.db, KIND_OF[collection], id, c.req.valid("json"), deps.clock());
      const wire = { ...evidence, createdAt: evidence.createdAt.toISOString() } as z.infer<typeof EvidenceSchema>;
      return c.json(wire, created ? 201 : 200);
    });
}
