import { z } from "@hono/zod-openapi";
import { SOURCE_KINDS } from "../../domain/evidence.ts";
import { ACTOR_KINDS, CONDITION_EFFECTS, EVENT_KINDS, MEASURES, PRECISIONS, type Precision, STATUSES, type TrackedKind } from "../../domain/statuses.ts";
import { EvidenceInput, Id, Instant, OptionalText, Text } from "./common.ts";
import { SourceCreateSchema } from "./sources.ts";

const datePrecision = z.enum(PRECISIONS.filter((p) => p !== "unknown") as [Exclude<Precision, "unknown">, ...Exclude<Precision, "unknown">[]]);
const topicIds = z.array(Id).max(50, "at most 50 topics").optional();
const aliases = Text.nullable()
  .optional()
  .openapi({ description: "Other names the press uses, separated by semicolons", example: "Trump; the U.S. president" });
const evidence = z.array(EvidenceInput).max(20, "at most 20 quotes").optional();
const country = z
  .string()
  .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code such as CN")
  .nullable()
  .optional();

/** Request bodies: what a client may send to create or edit each kind of record. */
export const CreateSchemas = {
  scenarios: z.strictObject({ title: Text, summary: Text, status: z.enum(STATUSES.scenario).default("developing"), topicIds, evidence }),
  threats: z.strictObject({
    scenarioId: Id,
    issuerId: Id,
    targetId: Id.nullable().optional(),
    measure: z.enum(MEASURES),
    covers: Text,
    summary: Text,
    magnitudeText: Text.nullable().optional(),
    magnitudePercent: z.number().min(0, "must be at least 0").max(10_000, "must be at most 10000").nullable().optional(),
    isAdditional: z.boolean().optional(),
    status: z.enum(STATUSES.threat).default("threatened"),
    topicIds,
    evidence,
  }),
  conditions: z.strictObject({
    threatId: Id,
    description: Text,
    awaitedActorId: Id.nullable().optional(),
    effect: z.enum(CONDITION_EFFECTS),
    status: z.enum(STATUSES.condition).default("open"),
    evidence,
  }),
  deadlines: z
    .strictObject({
      dueAt: Instant.nullable().optional(),
      precision: z.enum(PRECISIONS),
      wording: Text,
      threatId: Id.nullable().optional(),
      conditionId: Id.nullable().optional(),
      scenarioId: Id.nullable().optional(),
      status: z.enum(STATUSES.deadline).default("pending"),
      evidence,
    })
    .superRefine((d, ctx) => {
      if ((d.dueAt == null) !== (d.precision === "unknown")) {
        ctx.addIssue({ code: "custom", path: ["precision"], message: 'must be "unknown" exactly when dueAt is absent' });
      }
      if (!d.threatId && !d.conditionId && !d.scenarioId) {
        ctx.addIssue({ code: "custom", path: ["threatId"], message: "a deadline belongs to a threat, a condition or a scenario: give at least one" });
      }
    }),
  events: z
    .strictObject({
      title: Text,
      kind: z.enum(EVENT_KINDS),
      startsAt: Instant.nullable().optional(),
      endsAt: Instant.nullable().optional(),
      precision: z.enum(PRECISIONS),
      wording: Text,
      place: Text.nullable().optional(),
      country,
      scenarioId: Id.nullable().optional(),
      participantIds: z.array(Id).max(50).optional(),
      topicIds,
      status: z.enum(STATUSES.event).default("scheduled"),
      evidence,
    })
    .superRefine((e, ctx) => {
      if ((e.startsAt == null) !== (e.precision === "unknown")) {
        ctx.addIssue({ code: "custom", path: ["precision"], message: 'must be "unknown" exactly when startsAt is absent' });
      }
      if (e.startsAt && e.endsAt && e.endsAt < e.startsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must not be before startsAt" });
    }),
  actors: z.strictObject({ name: Text, kind: z.enum(ACTOR_KINDS), role: Text.nullable().optional(), aliases, country, governmentId: Id.nullable().optional() }),
  topics: z.strictObject({ name: Text }),
  sources: SourceCreateSchema,
} as const;

/** Descriptive edits: never the status, which moves only through POST …/status. */
export const PatchSchemas = {
  scenarios: z.strictObject({ title: Text.optional(), summary: Text.optional(), topicIds }),
  threats: z.strictObject({
    covers: Text.optional(),
    summary: Text.optional(),
    measure: z.enum(MEASURES).optional(),
    magnitudeText: Text.nullable().optional(),
    magnitudePercent: z.number().min(0).max(10_000).nullable().optional(),
    isAdditional: z.boolean().optional(),
    targetId: Id.nullable().optional(),
    topicIds,
  }),
  conditions: z.strictObject({ description: Text.optional(), awaitedActorId: Id.nullable().optional(), effect: z.enum(CONDITION_EFFECTS).optional() }),
  deadlines: z.strictObject({ wording: Text.optional() }),
  events: z.strictObject({ title: Text.optional(), place: Text.nullable().optional(), country, wording: Text.optional(), topicIds }),
  actors: z.strictObject({ name: Text.optional(), role: Text.nullable().optional(), aliases, country, governmentId: Id.nullable().optional() }),
  topics: z.strictObject({ name: Text.optional() }),
  sources: z.strictObject({
    title: Text.optional(),
    url: z.url().max(2000).nullable().optional(),
    kind: z.enum(SOURCE_KINDS).optional(),
    copyOfId: Id.nullable().optional(),
    disclaimer: OptionalText.nullable().optional(),
  }),
} as const;

/** The body of POST …/status for one kind of record: its own statuses, so the document lists them. */
export function statusChangeBodyFor(kind: TrackedKind) {
  const name = `${kind[0]!.toUpperCase()}${kind.slice(1)}StatusChange`;
  return z
    .strictObject({
      status: z.enum(STATUSES[kind] as unknown as [string, ...string[]], { message: `must be one of: ${STATUSES[kind].join(", ")}` }),
      reason: Text.openapi({ example: "Beijing announced it will suspend the new rare-earth export controls" }),
      effectiveAt: Instant.optional(),
      correction: z.boolean().optional(),
      evidence: EvidenceInput.optional(),
      newDueAt: Instant.optional().openapi({ description: "Required to extend a deadline: the successor's due date" }),
      newStartsAt: Instant.optional().openapi({ description: "Required to reschedule a postponed event" }),
      newEndsAt: Instant.optional(),
      newPrecision: datePrecision.optional().openapi({ description: "Precision of the new date (default day)" }),
      newWording: Text.optional(),
    })
    .superRefine((b, ctx) => {
      if (b.correction && b.reason.trim().length < 3) ctx.addIssue({ code: "custom", path: ["reason"], message: "a correction needs a reason" });
    })
    .openapi(name);
}

export type CollectionName = keyof typeof CreateSchemas;
export const COLLECTIONS = Object.keys(CreateSchemas) as CollectionName[];

export const HistoryEntrySchema = z
  .object({
    seq: z.number().int(),
    recordKind: z.string(),
    recordId: z.string(),
    from: z.string().nullable(),
    to: z.string(),
    effectiveAt: z.string(),
    recordedAt: z.string(),
    reason: z.string(),
    by: z.string(),
    correction: z.boolean(),
    causedBy: z.number().int().nullable().openapi({ description: "seq of the entry that set this one off" }),
    sourceId: z.string().nullable(),
    evidenceId: z.string().nullable(),
  })
  .openapi("HistoryEntry");

export const RecordSchema = z.looseObject({ id: z.string() }).openapi("Record", { description: "A record with its links embedded" });

export const DeadlineSummarySchema = z
  .object({
    id: z.string(),
    dueAt: z.string().nullable(),
    precision: z.enum(PRECISIONS),
    dueLabel: z.string().openapi({ example: "November 2025" }),
    wording: z.string(),
    status: z.enum(STATUSES.deadline),
    daysRemaining: z.number().int().nullable(),
    overdue: z.boolean(),
    version: z.number().int(),
    extendsId: z.string().nullable(),
    threat: z.object({ id: z.string(), summary: z.string(), status: z.string().nullable() }).nullable(),
    condition: z.object({ id: z.string(), description: z.string(), status: z.string().nullable() }).nullable(),
    scenario: z.object({ id: z.string(), title: z.string(), status: z.string().nullable() }).nullable(),
  })
  .openapi("DeadlineSummary");
