import { createRoute, z } from "@hono/zod-openapi";
import { inForceView } from "../../db/in-force.ts";
import { readTimeOf } from "../../db/sql/record-states.ts";
import { MEASURES } from "../../domain/statuses.ts";
import { type AppDeps, newRouter } from "../app-env.ts";
import { problemResponses, ReadTimeQuery } from "../schemas/common.ts";
import { csvResponse, wantsCsv } from "../wire.ts";
import { MAX_WITHIN_DAYS } from "./deadlines.ts";

const InForceQuery = ReadTimeQuery.extend({
  issuer: z.string().max(200).optional().openapi({ description: "Only measures this actor issued" }),
  target: z.string().max(200).optional().openapi({ description: "Only measures that target this actor at asOf" }),
  measure: z.enum(MEASURES).optional(),
  within: z.coerce
    .number({ message: "must be a whole number of days" })
    .int("must be a whole number of days")
    .min(0, "must be at least 0")
    .max(MAX_WITHIN_DAYS, `must be at most ${MAX_WITHIN_DAYS}`)
    .default(30)
    .openapi({ type: "integer", description: "Upcoming changes within this many days after asOf (default 30)" }),
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
  })
  .openapi("InForceItem");

const PairTotalSchema = z
  .object({
    issuerId: z.string(),
    targetId: z.string(),
    ratePercent: z.number().openapi({ description: "The sum of the tariff rates in force from issuer on target" }),
    components: z.array(z.object({ threatId: z.string(), ratePercent: z.number(), authority: z.string().nullable() })),
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
    complete: z.boolean().openapi({ description: "False when more measures matched than one read examines (5,000): narrow by issuer, target or measure" }),
  })
  .openapi("InForce");

export const inForceRoute = createRoute({
  method: "get",
  path: "/in-force",
  tags: ["in force"],
  summary: "What is in force at asOf (as known at knownAt): measures imposed with their terms then, tariff totals per pair, upcoming changes",
  request: { query: InForceQuery },
  responses: { 200: { description: "The in-force view", content: { "application/json": { schema: InForceSchema } } }, ...problemResponses },
});

export function inForceRoutes(deps: AppDeps) {
  return newRouter().openapi(inForceRoute, (c) => {
    const q = c.req.valid("query");
    const time = readTimeOf(q.asOf, q.knownAt, deps.clock());
    const view = inForceView(deps.db.reader, { issuerId: q.issuer, targetId: q.target, measure: q.measure, withinDays: q.within }, time);
    if (wantsCsv(c, q.format)) {
      const rows = view.items.map((i) => ({ ...i, targetIds: i.targetIds.join("; ") }));
      return csvResponse(c, rows, "in-force") as never; // a CSV body is outside the typed JSON contract
    }
    return c.json({ ...view, upcoming: view.upcoming.map((u) => ({ ...u, values: u.values && JSON.parse(JSON.stringify(u.values)) })) }, 200);
  });
}
