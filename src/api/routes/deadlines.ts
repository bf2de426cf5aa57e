import { createRoute, z } from "@hono/zod-openapi";
import { type DeadlineCursor, listDeadlines } from "../../db/deadline-queries.ts";
import { readTimeOf } from "../../db/sql/record-states.ts";
import { STATUSES } from "../../domain/statuses.ts";
import { type AppDeps, newRouter } from "../app-env.ts";
import { DeadlineCursorSchema, decodeCursor, encodeCursor } from "../cursors.ts";
import { refuseUnknownFilterIds } from "../list-filters.ts";
import { Id, ListQueryBase, listProblemResponses, unicodeString, WithinDays } from "../schemas/common.ts";
import { DeadlineSummarySchema } from "../schemas/records.ts";
import { csvResponse, wantsCsv } from "../wire.ts";

export const DeadlineListQuery = ListQueryBase.extend({
  status: z.enum(STATUSES.deadline).optional().openapi({ example: "pending" }),
  within: WithinDays.optional().openapi({ type: "integer", description: "Only deadlines due within this many days of asOf" }),
  scenario: z.string().max(200).optional(),
  actor: z.string().max(200).optional(),
  topic: z.string().max(200).optional(),
  threat: Id.optional().openapi({
    description: "Only this threat's own deadlines (`GET /api/threats/{id}` embeds the first 100 and says `deadlinesTruncated`), read on its own index",
  }),
  condition: Id.optional().openapi({ description: "Only this condition's deadlines (a condition's detail embeds the first 100), read on its own index" }),
  agreement: Id.optional().openapi({
    description: "Only this agreement's own deadlines (its expiry, its conditions'; not its commitments'), read on its own index",
  }),
  commitment: Id.optional().openapi({ description: "Only this commitment's deadlines (a commitment's detail embeds the first 100), read on its own index" }),
  q: unicodeString(200).optional().openapi({
    description:
      "Text search (case-insensitive for ASCII) in the wording and in what the deadline belongs to; every deadline it looks at counts against the scan budget, matched or not",
  }),
});

export const listDeadlinesRoute = createRoute({
  method: "get",
  path: "/deadlines",
  tags: ["deadlines"],
  summary: "Deadlines by due date (earliest first), now or as of any past instant",
  description:
    "`status=pending` answers “what is still pending, and what is overdue?”, as things stood at `asOf` as known at `knownAt` (both default now). A page examines at most 5,000 candidates: it may then hold fewer than `limit` items with a `nextCursor` that resumes the walk.",
  request: { query: DeadlineListQuery },
  responses: {
    200: {
      description: "One page of deadlines",
      content: { "application/json": { schema: z.object({ items: z.array(DeadlineSummarySchema), nextCursor: z.string().nullable() }) } },
    },
    ...listProblemResponses,
  },
});

export function deadlineRoutes(deps: AppDeps) {
  return newRouter().openapi(listDeadlinesRoute, async (c) => {
    const q = c.req.valid("query");
    const after: DeadlineCursor | undefined = decodeCursor(q.cursor, DeadlineCursorSchema);
    const now = deps.clock();
    refuseUnknownFilterIds(deps.db, q, readTimeOf(q.asOf, q.knownAt, now));
    const { rows, next } = listDeadlines(
      deps.db.reader,
      {
        status: q.status,
        asOf: q.asOf,
        knownAt: q.knownAt,
        withinDays: q.within,
        scenarioId: q.scenario,
        actorId: q.actor,
        topicId: q.topic,
        threatId: q.threat,
        conditionId: q.condition,
        agreementId: q.agreement,
        commitmentId: q.commitment,
        q: q.q,
        limit: q.limit,
        after,
        stopAt: c.get("readStopAt"),
      },
      now,
    );
    if (wantsCsv(c, q.format)) {
      const flat = rows.map((r) => ({
        ...r,
        scheduled: r.scheduled.map((s) => `${s.to ?? "dates"} from ${s.effectiveAt}`).join("; "),
        threat: r.threat?.id ?? null,
        condition: r.condition?.id ?? null,
        scenario: r.scenario?.id ?? null,
      }));
      return csvResponse(c, flat, "deadlines", next ? encodeCursor(next) : null) as never; // a CSV body is outside the typed JSON contract
    }
    // The rows are already in the answer's form (see DeadlineRow).
    return c.json({ items: rows, nextCursor: next ? encodeCursor(next) : null }, 200);
  });
}
