import { createRoute, z } from "@hono/zod-openapi";
import { type Collection, changesSince, createRecord, currentVersion, getRecord, historyOf, KIND_OF, listRecords, patchRecord } from "../../db/records.ts";
import { type NewDate, recordStatusChange } from "../../db/status-changes.ts";
import { InvalidInputError } from "../../domain/errors.ts";
import { isTrackedKind, STATUSES, type TrackedKind } from "../../domain/statuses.ts";
import { type AppDeps, newRouter } from "../app-env.ts";
import { Cursor, IdParam, Instant, Limit, ListQueryBase, problemResponses, writeProblemResponses } from "../schemas/common.ts";
import { COLLECTIONS, CreateSchemas, HistoryEntrySchema, PatchSchemas, RecordSchema, statusChangeBodyFor } from "../schemas/records.ts";
import { csvResponse, decodeCursor, encodeCursor, etagOf, expectedVersionFrom, historyEntryToWire, wantsCsv } from "../wire.ts";

const bearer = [{ bearerAuth: [] }];
const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { "application/json": { schema } } });
const isString = (v: unknown): v is string => typeof v === "string";
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

function listQueryFor(collection: Collection) {
  const kind = KIND_OF[collection];
  const filters: Record<string, z.ZodTypeAny> = {};
  if (isTrackedKind(kind)) filters.status = z.enum(STATUSES[kind] as unknown as [string, ...string[]]).optional();
  if (["threats", "conditions", "events", "scenarios"].includes(collection)) filters.scenario = z.string().max(200).optional();
  if (["threats", "conditions", "events"].includes(collection)) filters.actor = z.string().max(200).optional();
  if (["threats", "events", "scenarios"].includes(collection)) filters.topic = z.string().max(200).optional();
  return ListQueryBase.extend(filters);
}

/** GET/POST/PATCH for every collection except the deadlines list, plus status and history for tracked kinds. */
export function recordRoutes(deps: AppDeps) {
  const app = newRouter();
  for (const collection of COLLECTIONS) {
    const kind = KIND_OF[collection];
    const tag = collection;

    if (collection !== "deadlines") {
      const query = listQueryFor(collection);
      app.openapi(
        createRoute({
          method: "get",
          path: `/${collection}`,
          tags: [tag],
          summary: `List ${collection}`,
          request: { query },
          responses: {
            200: { description: "One page, in id order", ...json(z.object({ items: z.array(RecordSchema), nextCursor: z.string().nullable() })) },
            ...problemResponses,
          },
        }),
        async (c) => {
          const q = c.req.valid("query") as Record<string, any>;
          const after = decodeCursor(q.cursor, isString);
          if (after === null) throw new InvalidInputError([{ field: "query.cursor", problem: "is not a cursor this API issued" }]);
          const page = await listRecords(
            deps.db.prisma,
            kind,
            { status: q.status, scenarioId: q.scenario, actorId: q.actor, topicId: q.topic, q: q.q },
            q.limit,
            after,
          );
          if (wantsCsv(c, q.format)) return csvResponse(c, page.items, collection) as never; // a CSV body is outside the typed JSON contract
          return c.json({ items: page.items, nextCursor: page.nextId ? encodeCursor(page.nextId) : null } as any, 200);
        },
      );
    }

    app.openapi(
      createRoute({
        method: "get",
        path: `/${collection}/{id}`,
        tags: [tag],
        summary: `One ${kind}, with its links and evidence`,
        request: { params: IdParam },
        responses: { 200: { description: `The ${kind} (ETag: its version)`, ...json(RecordSchema) }, ...problemResponses },
      }),
      async (c) => {
        const record = await getRecord(deps.db, kind, c.req.valid("param").id);
        if ("version" in record) c.header("ETag", etagOf(Number(record.version)));
        return c.json(record as any, 200);
      },
    );

    // Sources are created by routes/sources.ts, which also answers with the intake's proposals.
    if (collection !== "sources") {
      app.openapi(
        createRoute({
          method: "post",
          path: `/${collection}`,
          tags: [tag],
          summary: `Create a ${kind}`,
          security: bearer,
          request: { body: { required: true, ...json(CreateSchemas[collection]) } },
          responses: { 201: { description: "Created", ...json(RecordSchema) }, ...writeProblemResponses },
        }),
        async (c) => {
          const id = await createRecord(deps.db, kind, c.req.valid("json") as Record<string, any>, deps.writer);
          const record = await getRecord(deps.db, kind, id);
          if ("version" in record) c.header("ETag", etagOf(Number(record.version)));
          c.header("Location", `/api/${collection}/${id}`);
          return c.json(record as any, 201);
        },
      );
    }

    app.openapi(
      createRoute({
        method: "patch",
        path: `/${collection}/{id}`,
        tags: [tag],
        summary: `Edit a ${kind}'s descriptive fields (never its status)`,
        security: bearer,
        request: { params: IdParam, body: { required: true, ...json(PatchSchemas[collection]) } },
        responses: { 200: { description: "Edited", ...json(RecordSchema) }, ...writeProblemResponses },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        await patchRecord(deps.db, kind, id, c.req.valid("json") as Record<string, any>, expectedVersionFrom(c));
        const record = await getRecord(deps.db, kind, id);
        if ("version" in record) c.header("ETag", etagOf(Number(record.version)));
        return c.json(record as any, 200);
      },
    );

    if (isTrackedKind(kind)) statusRoutes(app, deps, collection, kind);
  }

  app.openapi(
    createRoute({
      method: "get",
      path: "/changes",
      tags: ["history"],
      summary: "Status changes across all records, in recording order",
      request: { query: z.object({ since: Instant.optional(), limit: Limit, cursor: Cursor }) },
      responses: {
        200: { description: "History entries", ...json(z.object({ items: z.array(HistoryEntrySchema), nextCursor: z.string().nullable() })) },
        ...problemResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const after = decodeCursor(q.cursor, isNumber);
      if (after === null) throw new InvalidInputError([{ field: "query.cursor", problem: "is not a cursor this API issued" }]);
      const rows = await changesSince(deps.db.prisma, q.since, q.limit, after);
      const page = rows.slice(0, q.limit);
      const next = rows.length > q.limit ? encodeCursor(page.at(-1)!.seq) : null;
      return c.json({ items: page.map(historyEntryToWire), nextCursor: next }, 200);
    },
  );
  return app;
}

function statusRoutes(app: ReturnType<typeof newRouter>, deps: AppDeps, collection: Collection, kind: TrackedKind) {
  app.openapi(
    createRoute({
      method: "post",
      path: `/${collection}/{id}/status`,
      tags: [collection],
      summary: `Change a ${kind}'s status under its lifecycle (${STATUSES[kind].join(", ")})`,
      description: "Consequences (deadlines averted, triggered or cancelled) apply in the same transaction and appear in `consequences`.",
      security: bearer,
      request: { params: IdParam, body: { required: true, ...json(statusChangeBodyFor(kind)) } },
      responses: {
        200: {
          description: "The updated record, its new history entry and the consequences",
          ...json(
            z.object({
              record: RecordSchema,
              entry: HistoryEntrySchema,
              consequences: z.array(HistoryEntrySchema),
              successorDeadlineId: z.string().nullable(),
            }),
          ),
        },
        ...writeProblemResponses,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const newAt = body.newDueAt ?? body.newStartsAt;
      const newDate: NewDate | undefined = newAt
        ? { at: newAt, precision: body.newPrecision ?? "day", endsAt: body.newEndsAt ?? null, wording: body.newWording }
        : undefined;
      const result = await recordStatusChange(deps.db, {
        kind,
        id,
        to: body.status,
        reason: body.reason,
        by: deps.writer,
        effectiveAt: body.effectiveAt,
        correction: body.correction,
        expectedVersion: expectedVersionFrom(c),
        evidence: body.evidence,
        newDate,
      });
      const record = await getRecord(deps.db, kind, id);
      c.header("ETag", etagOf(result.version));
      return c.json(
        {
          record: record as any,
          entry: historyEntryToWire(result.entry),
          consequences: result.consequences.map(historyEntryToWire),
          successorDeadlineId: result.successorDeadlineId,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: `/${collection}/{id}/history`,
      tags: [collection],
      summary: `Every status change of a ${kind}, oldest first`,
      request: { params: IdParam },
      responses: { 200: { description: "History", ...json(z.object({ items: z.array(HistoryEntrySchema) })) }, ...problemResponses },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await currentVersion(deps.db.prisma, kind, id);
      const items = await historyOf(deps.db.prisma, kind, id);
      return c.json({ items: items.map(historyEntryToWire) }, 200);
    },
  );
}
