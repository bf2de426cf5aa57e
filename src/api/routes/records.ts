import { createRoute, z } from "@hono/zod-openapi";
import { changesRecorded, createRecord, getRecord, historyPage, KIND_OF, listRecords, patchRecord, type TimelinePosition, threatAt } from "../../db/records.ts";
import type { RecordedKey } from "../../db/sql/history.ts";
import { readTimeOf } from "../../db/sql/record-states.ts";
import { type DatesChangeRequest, recordDatesChange, recordStatusChange, recordTermsChange, retractEntry } from "../../db/tracked-writes.ts";
import { CORRECTABLE_FACTS, isCorrectableKind } from "../../domain/corrections.ts";
import { STATUSES, type TrackedKind } from "../../domain/statuses.ts";
import type { Terms } from "../../domain/terms.ts";
import { type AppDeps, newRouter, writerOf } from "../app-env.ts";
import { CursorId, CursorInstant, CursorSeq, decodeCursor, encodeCursor } from "../cursors.ts";
import { refuseUnknownFilterIds } from "../list-filters.ts";
import {
  Cursor,
  Id,
  IdParam,
  Instant,
  InstantUpTo,
  KnownAt,
  Limit,
  ListQueryBase,
  listProblemResponses,
  problemResponses,
  ReadTimeQuery,
  Text,
  wholeNumberParam,
  writeProblemResponses,
} from "../schemas/common.ts";
import { DetailSchemas, RowSchemas } from "../schemas/record-answers.ts";
import {
  type CollectionName,
  CreateSchemas,
  DeadlineDatesBody,
  EventDatesBody,
  HistoryEntrySchema,
  PatchSchemas,
  RetractionBody,
  statusChangeBodyFor,
  statusChangeOf,
  TermsChangeBody,
  TimelineEntrySchema,
} from "../schemas/records.ts";
import { csvResponse, etagOf, expectedVersionFrom, historyEntryToWire, timelineEntryToWire, wantsCsv } from "../wire.ts";

const bearer = [{ bearerAuth: [] }];
const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { "application/json": { schema } } });

/** What a PATCH that changes nothing answers (src/domain/edits.ts), as a terms or dates change that changes nothing does. */
const PATCH_CHANGING_NOTHING =
  "A PATCH that changes nothing (no field, or every field given already holding the value given: a list of ids compared as a set) is 422 naming each field (`body` when none is given), and writes nothing: the version, and so the ETag, stay.";
/** /api/changes: where a page ended in recording order. */
const RecordedCursor = z.tuple([CursorInstant, CursorSeq]);

const scenarioFilter = { scenario: z.string().max(200).optional() };
const actorFilter = { actor: z.string().max(200).optional() };
const topicFilter = { topic: z.string().max(200).optional() };
const statusFilter = <K extends TrackedKind>(kind: K) => ({ status: z.enum(STATUSES[kind]).optional() });

/** Each list's query: the time, paging and text of every list, and the filters that make sense for that collection. */
const ListQueries = {
  scenarios: ListQueryBase.extend({ ...statusFilter("scenario"), ...scenarioFilter, ...topicFilter }),
  threats: ListQueryBase.extend({
    ...statusFilter("threat"),
    ...scenarioFilter,
    ...actorFilter,
    ...topicFilter,
    authority: Text.optional().openapi({ description: "Only measures under this legal basis at the read time (case-insensitive)" }),
  }),
  conditions: ListQueryBase.extend({
    ...statusFilter("condition"),
    ...scenarioFilter,
    ...actorFilter,
    threat: Id.optional().openapi({ description: "Only this threat's conditions (`GET /api/threats/{id}` embeds the first 100)" }),
    agreement: Id.optional().openapi({ description: "Only this agreement's conditions (`GET /api/agreements/{id}` embeds the first 100)" }),
  }),
  events: ListQueryBase.extend({ ...statusFilter("event"), ...scenarioFilter, ...actorFilter, ...topicFilter }),
  agreements: ListQueryBase.extend({ ...statusFilter("agreement"), ...actorFilter }),
  commitments: ListQueryBase.extend({ ...statusFilter("commitment"), ...actorFilter, agreement: z.string().max(200).optional() }),
  actors: ListQueryBase.extend({
    government: Id.optional().openapi({ description: "Only the people who speak for this government (`GET /api/actors/{id}` embeds the first 100)" }),
  }),
  topics: ListQueryBase,
  sources: ListQueryBase,
};
type Listed = keyof typeof ListQueries;
type TrackedCollection = { [C in CollectionName]: (typeof KIND_OF)[C] extends TrackedKind ? C : never }[CollectionName];

/**
 * Every collection's routes, each registration chained so that the app's type (and so `hc<App>`)
 * carries every route with its inputs and answers, as the OpenAPI document does. The deadlines list
 * is routes/deadlines.ts; sources are created by routes/sources.ts (the answer carries the intake's proposals).
 */
export function recordRoutes(deps: AppDeps) {
  return newRouter()
    .route("/", listRoute(deps, "scenarios"))
    .route("/", basicRoutes(deps, "scenarios", DetailSchemas.scenarios))
    .route("/", statusRoutes(deps, "scenarios"))
    .route("/", listRoute(deps, "threats"))
    .route("/", basicRoutes(deps, "threats", DetailSchemas.threats))
    .route("/", statusRoutes(deps, "threats"))
    .route("/", termsRoute(deps))
    .route("/", listRoute(deps, "conditions"))
    .route("/", basicRoutes(deps, "conditions", DetailSchemas.conditions))
    .route("/", statusRoutes(deps, "conditions"))
    .route("/", basicRoutes(deps, "deadlines", DetailSchemas.deadlines))
    .route("/", statusRoutes(deps, "deadlines"))
    .route("/", datesRoute(deps, "deadlines"))
    .route("/", listRoute(deps, "events"))
    .route("/", basicRoutes(deps, "events", DetailSchemas.events))
    .route("/", statusRoutes(deps, "events"))
    .route("/", datesRoute(deps, "events"))
    .route("/", listRoute(deps, "agreements"))
    .route("/", basicRoutes(deps, "agreements", DetailSchemas.agreements))
    .route("/", statusRoutes(deps, "agreements"))
    .route("/", listRoute(deps, "commitments"))
    .route("/", basicRoutes(deps, "commitments", DetailSchemas.commitments))
    .route("/", statusRoutes(deps, "commitments"))
    .route("/", listRoute(deps, "actors"))
    .route("/", basicRoutes(deps, "actors", DetailSchemas.actors))
    .route("/", listRoute(deps, "topics"))
    .route("/", basicRoutes(deps, "topics", DetailSchemas.topics))
    .route("/", listRoute(deps, "sources"))
    .route("/", readRoutes(deps, "sources", DetailSchemas.sources))
    .route("/", historyRoutes(deps));
}

/** GET /{collection}: one page at the read time, or CSV. */
function listRoute<C extends Listed>(deps: AppDeps, collection: C) {
  const kind = KIND_OF[collection];
  return newRouter().openapi(
    createRoute({
      method: "get",
      path: `/${collection}` as `/${C}`,
      tags: [collection],
      summary: `List ${collection}`,
      request: { query: ListQueries[collection] },
      responses: {
        200: { description: "One page, in id order", ...json(z.object({ items: z.array(RowSchemas[collection]), nextCursor: z.string().nullable() })) },
        ...listProblemResponses,
      },
    }),
    async (c): Promise<any> => {
      // Each collection's query has its own filters: read here as one shape.
      const q = c.req.valid("query" as never) as Record<string, any>;
      const after = decodeCursor(q.cursor, CursorId);
      const time = readTimeOf(q.asOf, q.knownAt, deps.clock());
      refuseUnknownFilterIds(deps.db, q, time);
      const page = await listRecords(
        deps.db,
        kind,
        {
          status: q.status,
          authority: q.authority,
          scenarioId: q.scenario,
          actorId: q.actor,
          topicId: q.topic,
          threatId: q.threat,
          agreementId: q.agreement,
          governmentId: q.government,
          q: q.q,
        },
        q.limit,
        time,
        after,
        c.get("readStopAt"),
      );
      if (wantsCsv(c, q.format)) return csvResponse(c, page.items, collection, page.nextId ? encodeCursor(page.nextId) : null); // a CSV body is outside the typed JSON contract
      return c.json({ items: page.items, nextCursor: page.nextId ? encodeCursor(page.nextId) : null }, 200);
    },
  );
}

/**
 * The record at the read time (ETag: its version), and its descriptive edits. `detail` is the
 * answer's schema, passed in rather than looked up by `collection`: a schema indexed by the generic
 * collection reaches Hono's client types as plain JSON.
 */
function readRoutes<C extends CollectionName, D extends z.ZodTypeAny>(deps: AppDeps, collection: C, detail: D) {
  const kind = KIND_OF[collection];
  return newRouter()
    .openapi(
      createRoute({
        method: "get",
        path: `/${collection}/{id}` as `/${C}/{id}`,
        tags: [collection],
        summary: `One ${kind}, with its links and evidence`,
        request: { params: IdParam, query: ReadTimeQuery },
        responses: {
          200: { description: `The ${kind} as it stood at asOf, as known at knownAt (ETag: its version)`, ...json(detail) },
          ...problemResponses,
        },
      }),
      async (c): Promise<any> => {
        const q = c.req.valid("query");
        const record = await getRecord(deps.db, kind, c.req.valid("param").id, readTimeOf(q.asOf, q.knownAt, deps.clock()));
        if (record.version !== undefined) c.header("ETag", etagOf(Number(record.version)));
        return c.json(record, 200);
      },
    )
    .openapi(
      createRoute({
        method: "patch",
        path: `/${collection}/{id}` as `/${C}/{id}`,
        tags: [collection],
        summary: `Edit a ${kind}'s descriptive fields (never its status)`,
        description: `${
          isCorrectableKind(kind)
            ? `Descriptive text (\`description\`) is the current text in every answer. ${CORRECTABLE_FACTS[kind].map((f) => `\`${f}\``).join(" and ")} ${CORRECTABLE_FACTS[kind].length > 1 ? "are facts" : "is a fact"}: a new value is recorded as a correction entry of the ${kind}'s history (old and new values, effective from its creation, recorded now, with \`reason\`), shown by its history and retractable; reads with a \`knownAt\` before it give the value known then. Rules applied after it (a condition met) use the corrected value; what was set off before stays as recorded. `
            : ""
        }${PATCH_CHANGING_NOTHING}`,
        security: bearer,
        request: { params: IdParam, body: { required: true, ...json(PatchSchemas[collection]) } },
        responses: { 200: { description: "Edited", ...json(detail) }, ...writeProblemResponses },
      }),
      async (c): Promise<any> => {
        const { id } = c.req.valid("param");
        await patchRecord(deps.db, kind, id, c.req.valid("json") as Record<string, any>, expectedVersionFrom(c), writerOf(c), deps.clock());
        const record = await getRecord(deps.db, kind, id, readTimeOf(undefined, undefined, deps.clock()));
        if (record.version !== undefined) c.header("ETag", etagOf(Number(record.version)));
        return c.json(record, 200);
      },
    );
}

/** Read, create and edit one record of a collection. */
function basicRoutes<C extends Exclude<CollectionName, "sources">, D extends z.ZodTypeAny>(deps: AppDeps, collection: C, detail: D) {
  const kind = KIND_OF[collection];
  return readRoutes(deps, collection, detail).openapi(
    createRoute({
      method: "post",
      path: `/${collection}` as `/${C}`,
      tags: [collection],
      summary: `Create a ${kind}`,
      security: bearer,
      request: { body: { required: true, ...json(CreateSchemas[collection]) } },
      responses: { 201: { description: "Created", ...json(detail) }, ...writeProblemResponses },
    }),
    async (c): Promise<any> => {
      const id = await createRecord(deps.db, kind, c.req.valid("json") as Record<string, any>, writerOf(c), deps.clock);
      const record = await getRecord(deps.db, kind, id, readTimeOf(undefined, undefined, deps.clock()));
      if (record.version !== undefined) c.header("ETag", etagOf(Number(record.version)));
      c.header("Location", `/api/${collection}/${id}`);
      return c.json(record, 201);
    },
  );
}

/** History across records: the changes feed and retraction. */
function historyRoutes(deps: AppDeps) {
  return newRouter()
    .openapi(
      createRoute({
        method: "get",
        path: "/changes",
        tags: ["history"],
        summary: "History entries across all records, in recording order",
        description:
          "`since` and `knownAt` bound the recorded time, `effectiveFrom`/`effectiveTo` the effective time, both included (a date: from its start, up to its end, UTC). Each entry shows its retraction when one was recorded by `knownAt`. In recording order (recorded time, then seq). A page looks at most at 5,000 entries recorded in that range, matched or not: it may then hold fewer than `limit` items, with a `nextCursor` that resumes there.",
        request: {
          query: z
            .strictObject({
              since: Instant.optional(),
              knownAt: KnownAt.optional(),
              effectiveFrom: Instant.optional(),
              effectiveTo: InstantUpTo.optional(),
              limit: Limit,
              cursor: Cursor,
            })
            .superRefine((q, ctx) => {
              if (q.effectiveFrom && q.effectiveTo && q.effectiveFrom > q.effectiveTo)
                ctx.addIssue({ code: "custom", path: ["effectiveTo"], message: "must not be before effectiveFrom" });
            }),
        },
        responses: {
          200: { description: "History entries", ...json(z.object({ items: z.array(HistoryEntrySchema), nextCursor: z.string().nullable() })) },
          ...problemResponses,
        },
      }),
      async (c) => {
        const q = c.req.valid("query");
        const after: RecordedKey | undefined = decodeCursor(q.cursor, RecordedCursor);
        const time = readTimeOf(undefined, q.knownAt, deps.clock());
        const { entries, next } = changesRecorded(deps.db, {
          since: q.since ?? new Date(0),
          knownAt: time.knownAt,
          effectiveFrom: q.effectiveFrom ?? new Date(Date.UTC(1, 0, 1)),
          effectiveTo: q.effectiveTo ?? new Date(Date.UTC(9999, 11, 31)),
          after: after ?? null,
          limit: q.limit,
        });
        return c.json({ items: entries.map((e) => historyEntryToWire(e)), nextCursor: next ? encodeCursor(next) : null }, 200);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/history/{seq}/retract",
        tags: ["history"],
        summary: "Retract a mistaken history entry, and what it set off",
        description:
          "The entry stays in history: answers known after now ignore it, answers known before still show it. Refused (409) when a later entry could not follow without it: retract that one first. What the entry had kept from following (a consequence of a later change of what the record belongs to) is recorded now, and listed in `restored`.",
        security: bearer,
        request: {
          params: z.object({
            seq: wholeNumberParam(1, Number.MAX_SAFE_INTEGER).openapi({ param: { name: "seq", in: "path" }, type: "integer" }),
          }),
          body: { required: true, ...json(RetractionBody) },
        },
        responses: {
          200: {
            description: "The entries retracted, and the consequences they had kept from following, now recorded",
            ...json(z.object({ retracted: z.array(HistoryEntrySchema), restored: z.array(HistoryEntrySchema) })),
          },
          ...writeProblemResponses,
        },
      }),
      async (c) => {
        const result = await retractEntry(deps.db, c.req.valid("param").seq, c.req.valid("json").reason, writerOf(c), deps.clock);
        return c.json({ retracted: result.retracted.map((e) => historyEntryToWire(e)), restored: result.restored.map((e) => historyEntryToWire(e)) }, 200);
      },
    );
}

/** A tracked record's status changes and its history. */
function statusRoutes<C extends TrackedCollection>(deps: AppDeps, collection: C) {
  const kind: TrackedKind = KIND_OF[collection];
  return newRouter()
    .openapi(
      createRoute({
        method: "post",
        path: `/${collection}/{id}/status` as `/${C}/{id}/status`,
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
                record: DetailSchemas[collection],
                entry: HistoryEntrySchema,
                consequences: z.array(HistoryEntrySchema),
                successorDeadlineId: z.string().nullable(),
                expiryDeadlineId: z.string().nullable().openapi({ description: "The expiry deadline a status with an end (until) created or extended" }),
              }),
            ),
          },
          ...writeProblemResponses,
        },
      }),
      async (c): Promise<any> => {
        const { id } = c.req.valid("param");
        const result = await recordStatusChange(
          deps.db,
          { kind, id, by: writerOf(c), expectedVersion: expectedVersionFrom(c), ...statusChangeOf(c.req.valid("json")) },
          deps.clock,
          // A threat is read with the write, on its connection; other kinds through Prisma once it is committed.
          kind === "threat" ? (conn, now) => threatAt(conn, id, readTimeOf(undefined, undefined, now)) : undefined,
        );
        const record = result.answer ?? (await getRecord(deps.db, kind, id, readTimeOf(undefined, undefined, deps.clock())));
        c.header("ETag", etagOf(result.version));
        return c.json(
          {
            record,
            entry: historyEntryToWire(result.entry),
            consequences: result.consequences.map((e) => historyEntryToWire(e)),
            successorDeadlineId: result.successorDeadlineId,
            expiryDeadlineId: result.expiryDeadlineId,
          },
          200,
        );
      },
    )
    .openapi(
      createRoute({
        method: "get",
        path: `/${collection}/{id}/history` as `/${C}/{id}/history`,
        tags: [collection],
        summary: `A ${kind}'s history entries recorded by knownAt, in effective order, with their retractions`,
        description:
          "One page of up to `limit` entries, each with its retraction when one was recorded by `knownAt`, whatever page the retraction's time falls on. `nextCursor` carries the page's `knownAt`: the following pages read the history as known then (a `knownAt` sent with a cursor is not used), so the pages together are the whole history as known at that instant. A page looks at most at 5,000 entries, recorded by `knownAt` or not: it may then hold fewer than `limit` items, with a `nextCursor` that resumes there.",
        request: { params: IdParam, query: z.strictObject({ knownAt: KnownAt.optional(), limit: Limit, cursor: Cursor }) },
        responses: {
          200: { description: "History", ...json(z.object({ items: z.array(TimelineEntrySchema), nextCursor: z.string().nullable() })) },
          ...problemResponses,
        },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const q = c.req.valid("query");
        const scope = `history:${kind}:${id}`;
        const from = deps.historyCursors.decode(scope, q.cursor, timelineCursorFor(kind));
        const knownAt = readTimeOf(undefined, from ? new Date(from.knownAt) : q.knownAt, deps.clock()).knownAt;
        const page = await historyPage(deps.db, kind, id, knownAt, from ? positionOf(from) : null, q.limit);
        const next = page.next && deps.historyCursors.encode(scope, timelineCursorOf(knownAt, page.next));
        return c.json({ items: page.items.map(timelineEntryToWire), nextCursor: next }, 200);
      },
    );
}

/**
 * A record's history cursor: where the page ended, what the entries before carry to the next (the
 * status they left, the last report's time, the entry that last set each term) and the knownAt
 * every page reads at. Signed (decision 024), and each part checked as the query's fields are.
 */
const TERMS = ["ratePercent", "authority", "covers", "targetIds"] as const satisfies readonly (keyof Terms)[];
function timelineCursorFor(kind: TrackedKind) {
  return z.strictObject({
    knownAt: CursorInstant,
    // The first page starts before every entry: its position is the empty key.
    after: z.tuple([CursorInstant.or(z.literal("")), CursorSeq]),
    previous: z.enum(STATUSES[kind]).nullable(),
    lastReportAt: CursorInstant.nullable(),
    termsSetBy: z.partialRecord(z.enum(TERMS), CursorSeq),
  });
}
type TimelineCursor = z.infer<ReturnType<typeof timelineCursorFor>>;

function positionOf(cursor: TimelineCursor): TimelinePosition {
  const { after, previous, lastReportAt, termsSetBy } = cursor;
  return { after, previous, lastReportAt: lastReportAt === null ? null : new Date(lastReportAt), termsSetBy };
}

function timelineCursorOf(knownAt: Date, p: TimelinePosition): TimelineCursor {
  return {
    knownAt: knownAt.toISOString(),
    after: p.after,
    previous: p.previous as TimelineCursor["previous"],
    lastReportAt: p.lastReportAt?.toISOString() ?? null,
    termsSetBy: p.termsSetBy,
  };
}

/** A threat's terms change. */
function termsRoute(deps: AppDeps) {
  return newRouter().openapi(
    createRoute({
      method: "post",
      path: "/threats/{id}/terms",
      tags: ["threats"],
      summary: "Change a threat's terms (rate, authority, scope, targets), as of when the change takes effect",
      description:
        "Recorded as a terms entry in the threat's history: back-dated or scheduled like any entry, retractable; reads at an asOf before it give the old terms. Terms not given stay as they were. At least one term given must differ from the terms in effect at effectiveAt: otherwise 422 naming each field given, nothing recorded.",
      security: bearer,
      request: { params: IdParam, body: { required: true, ...json(TermsChangeBody) } },
      responses: {
        200: { description: "The threat (now) and the new entry", ...json(z.object({ record: DetailSchemas.threats, entry: HistoryEntrySchema })) },
        ...writeProblemResponses,
      },
    }),
    async (c): Promise<any> => {
      const { id } = c.req.valid("param");
      const { effectiveAt, reason, evidence, ...values } = c.req.valid("json");
      const result = await recordTermsChange(
        deps.db,
        { id, values, effectiveAt, reason, evidence, by: writerOf(c), expectedVersion: expectedVersionFrom(c) },
        deps.clock,
      );
      const record = await getRecord(deps.db, "threat", id, readTimeOf(undefined, undefined, deps.clock()));
      c.header("ETag", etagOf(result.version));
      return c.json({ record, entry: historyEntryToWire(result.entry) }, 200);
    },
  );
}

/** A deadline's due date or an event's dates moved or refined. */
function datesRoute<C extends "deadlines" | "events">(deps: AppDeps, collection: C) {
  const kind: "deadline" | "event" = KIND_OF[collection];
  return newRouter().openapi(
    createRoute({
      method: "post",
      path: `/${collection}/{id}/dates` as `/${C}/{id}/dates`,
      tags: [collection],
      summary: kind === "deadline" ? "Move or refine a deadline's due date, as of when it changed" : "Move or refine an event's dates, as of when they changed",
      description: "Recorded as a history entry: as-of reads give the date believed then; the old date and wording stay in history.",
      security: bearer,
      request: { params: IdParam, body: { required: true, ...json(kind === "deadline" ? DeadlineDatesBody : EventDatesBody) } },
      responses: {
        200: { description: "The record and the new entry", ...json(z.object({ record: DetailSchemas[collection], entry: HistoryEntrySchema })) },
        ...writeProblemResponses,
      },
    }),
    async (c): Promise<any> => {
      const { id } = c.req.valid("param");
      const { effectiveAt, reason, evidence, ...values } = c.req.valid("json") as Record<string, any>;
      // An end not given is the start, as when the event is created: a start made unknown (null) leaves no end of the old dates behind.
      if (kind === "event" && values.endsAt === undefined) values.endsAt = values.startsAt;
      const result = await recordDatesChange(
        deps.db,
        {
          kind,
          id,
          values: values as DatesChangeRequest["values"],
          effectiveAt,
          reason,
          evidence,
          by: writerOf(c),
          expectedVersion: expectedVersionFrom(c),
        },
        deps.clock,
      );
      const record = await getRecord(deps.db, kind, id, readTimeOf(undefined, undefined, deps.clock()));
      c.header("ETag", etagOf(result.version));
      return c.json({ record, entry: historyEntryToWire(result.entry) }, 200);
    },
  );
}
