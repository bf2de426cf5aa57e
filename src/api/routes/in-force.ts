import { createRoute, z } from "@hono/zod-openapi";
import { IN_FORCE_SCAN_BUDGET, inForcePage } from "../../db/in-force.ts";
import { readTimeOf } from "../../db/sql/record-states.ts";
import { COMPONENTS_PER_PAIR } from "../../domain/in-force.ts";
import { MEASURES } from "../../domain/statuses.ts";
import { type AppDeps, newRouter } from "../app-env.ts";
import { decodeCursor, encodeCursor, InForceCursorSchema } from "../cursors.ts";
import { refuseUnknownFilterIds } from "../list-filters.ts";
import { Cursor, Limit, listProblemResponses, ReadTimeQuery, WithinDays } from "../schemas/common.ts";
import { csvResponse, wantsCsv } from "../wire.ts";

const InForceQuery = ReadTimeQuery.extend({
  issuer: z.string().max(200).optional().openapi({ description: "Only measures this actor issued" }),
  target: z.string().max(200).optional().openapi({
    description:
      "Items and totals: only measures that target this actor at asOf; upcoming: changes of measures that target it at asOf or when the change takes effect",
  }),
  measure: z.enum(MEASURES).optional(),
  within: WithinDays.default(30).openapi({ type: "integer", default: 30, description: "Upcoming changes within this many days after asOf (default 30)" }),
  limit: Limit.openapi({ description: "At most this many items, and this many upcoming changes, per page (default 50, max 500)" }),
  cursor: Cursor,
  format: z.enum(["json", "csv"]).optional().openapi({ description: "csv for the items as CSV (or send Accept: text/csv)" }),
});

const InForceItemSchema = z
  .object({
    threatId: z.string(),
    issuerId: z.string(),
    measure: z.string(),
    summary: z.string(),
    ratePercent: z.number().nullable(),
    authority: z.string().nullable(),
    covers: z.string(),
    targetIds: z.array(z.string()),
    since: z.string().openapi({ description: "When it came into force" }),
    until: z.string().nullable().openapi({ description: "The next known status change after asOf (a suspension, an ending), if any" }),
    untilStatus: z.string().nullable(),
    unconfirmed: z
      .boolean()
      .openapi({ description: "In force only by the terms of an earlier entry (a suspension's end), not confirmed by a report citing a source" }),
  })
  .openapi("InForceItem");

const PairTotalSchema = z
  .object({
    issuerId: z.string().openapi({
      description:
        "The issuing side: a government's total counts the measures of the people who speak for it (an actor's governmentId); anyone else's, their own",
    }),
    targetId: z.string(),
    ratePercent: z.number().openapi({ description: "The sum of the tariff rates in force from the issuing side on target (every measure)" }),
    componentCount: z.number().int().openapi({ description: "How many measures the sum adds up" }),
    components: z
      .array(
        z.object({
          threatId: z.string(),
          issuerId: z.string().openapi({ description: "Who issued the measure: the pair's issuer or a person speaking for it" }),
          ratePercent: z.number(),
          authority: z.string().nullable(),
        }),
      )
      .openapi({
        description: `The measures added up, highest rate first: at most ${COMPONENTS_PER_PAIR} (componentCount says how many in all)`,
      }),
  })
  .openapi("PairTotal");

const UpcomingChangeSchema = z
  .object({
    threatId: z.string(),
    summary: z.string(),
    change: z.enum(["status", "terms", "lapse"]).openapi({ description: "lapse: a status ending by its own terms (a suspension's end)" }),
    to: z.string().nullable(),
    values: z.record(z.string(), z.unknown()).nullable(),
    effectiveAt: z.string(),
    reason: z.string(),
  })
  .openapi("UpcomingChange");

const InForceSchema = z
  .object({
    items: z.array(InForceItemSchema),
    totals: z.array(PairTotalSchema),
    upcoming: z.array(UpcomingChangeSchema),
    nextCursor: z.string().nullable().openapi({ description: "Resumes both items and upcoming on the next page; null when this page ends both" }),
  })
  .openapi("InForce");

export const inForceRoute = createRoute({
  method: "get",
  path: "/in-force",
  tags: ["in force"],
  summary: "What is in force at asOf (as known at knownAt): measures imposed with their terms then, tariff totals per pair, upcoming changes",
  description: `One page: up to \`limit\` items (in measure id order), the tariff totals of every (issuer, target) pair those items fall under (each summed over all the measures in force for the pair), and up to \`limit\` upcoming changes (in effective order). Follow \`nextCursor\` for the rest of both lists. A page examines at most ${IN_FORCE_SCAN_BUDGET.toLocaleString("en")} rows of the in-force index: it may then hold fewer than \`limit\` items, with a \`nextCursor\` that resumes there.`,
  request: { query: InForceQuery },
  responses: { 200: { description: "The in-force view", content: { "application/json": { schema: InForceSchema } } }, ...listProblemResponses },
});

export function inForceRoutes(deps: AppDeps) {
  return newRouter().openapi(inForceRoute, (c) => {
    const q = c.req.valid("query");
    const time = readTimeOf(q.asOf, q.knownAt, deps.clock());
    const after = decodeCursor(q.cursor, InForceCursorSchema);
    refuseUnknownFilterIds(deps.db, q, time);
    const { next, ...view } = inForcePage(
      deps.db.reader,
      { issuerId: q.issuer, targetId: q.target, measure: q.measure, withinDays: q.within, limit: q.limit, after },
      time,
    );
    if (wantsCsv(c, q.format)) {
      const rows = view.items.map((i) => ({ ...i, targetIds: i.targetIds.join("; ") }));
      return csvResponse(c, rows, "in-force", next ? encodeCursor(next) : null) as never; // a CSV body is outside the typed JSON contract
    }
    return c.json({ ...view, nextCursor: next ? encodeCursor(next) : null }, 200);
  });
}
