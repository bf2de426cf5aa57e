import { z } from "@hono/zod-openapi";
import type { StatusChangeRequest } from "../../db/tracked-writes.ts";
import { SOURCE_KINDS } from "../../domain/evidence.ts";
import { ONLY_WITH_AN_END, STATUSES_WITH_AN_END } from "../../domain/history.ts";
import { hasRateDecimals, RATE_DECIMALS } from "../../domain/in-force.ts";
import { requiresSuccessor } from "../../domain/lifecycle.ts";
import {
  ACTOR_KINDS,
  COMMITMENT_KINDS,
  CONDITION_EFFECTS,
  EVENT_KINDS,
  MEASURES,
  PRECISIONS,
  type Precision,
  STATUSES,
  type TrackedKind,
} from "../../domain/statuses.ts";
import { EvidenceInput, HttpUrl, Id, Instant, Name, OptionalText, Text } from "./common.ts";
import { SourceCreateSchema } from "./sources.ts";

const datePrecision = z.enum(PRECISIONS.filter((p) => p !== "unknown") as [Exclude<Precision, "unknown">, ...Exclude<Precision, "unknown">[]]);
/** When a tracked record was first stated (its creation's effective time), and why it is recorded. */
const creation = {
  effectiveAt: Instant.optional().openapi({
    description:
      "When it was first stated or announced (default now; not after now: what takes effect later is a status change dated ahead): asked as of an earlier instant, it does not exist yet",
  }),
  reason: Text.optional(),
};
const topicIds = z.array(Id).max(50, "at most 50 topics").optional();
const aliases = Text.nullable()
  .optional()
  .openapi({ description: "Other names the press uses, separated by semicolons", example: "Trump; the U.S. president" });
const evidence = z.array(EvidenceInput).max(20, "at most 20 quotes").optional();

/**
 * The status a record may be created in (default `initial`): not one that names what replaced it
 * (a threat's or an agreement's "superseded", with supersededById), which is recorded by a status
 * change once the record exists, so a record is never read superseded by nothing.
 */
function creationStatus(kind: "threat" | "agreement", initial: string) {
  const what = kind === "threat" ? "measure" : kind;
  const statuses = (STATUSES[kind] as readonly string[]).filter((s) => !requiresSuccessor(kind, s)) as [string, ...string[]];
  return z
    .enum(statuses, {
      error: (issue) =>
        requiresSuccessor(kind, String(issue.input))
          ? `cannot be "${String(issue.input)}" when created: record the ${what}, then POST /api/${kind}s/{id}/status {"status":"${String(issue.input)}","supersededById":…} naming the ${what} that replaces it`
          : undefined,
    })
    .default(initial);
}
const country = z
  .string()
  .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code such as CN")
  .nullable()
  .optional();

/** A threat's terms (src/domain/terms.ts): set at creation, changed later by POST /api/threats/{id}/terms. */
const RatePercent = z.number().min(0, "must be at least 0").max(10_000, "must be at most 10000").refine(hasRateDecimals, `at most ${RATE_DECIMALS} decimals`);
const terms = {
  ratePercent: RatePercent.nullable().optional().openapi({ description: "The rate in percent (null: none stated)", example: 100 }),
  authority: Text.nullable().optional().openapi({ description: "The legal basis in words", example: "IEEPA" }),
  targetIds: z.array(Id).max(50, "at most 50 targets").optional().openapi({ description: "The actors it targets (none: no single target)" }),
};

/** Request bodies: what a client may send to create or edit each kind of record. */
export const CreateSchemas = {
  scenarios: z.strictObject({ title: Name, summary: Text, status: z.enum(STATUSES.scenario).default("developing"), topicIds, evidence, ...creation }),
  threats: z.strictObject({
    scenarioId: Id,
    issuerId: Id,
    measure: z.enum(MEASURES),
    ...terms,
    covers: Text,
    summary: Text,
    magnitudeText: Text.nullable().optional(),
    isAdditional: z.boolean().optional(),
    reissuesId: Id.optional().openapi({ description: "The ended measure (withdrawn, lapsed, struck down or superseded) this one re-issues" }),
    status: creationStatus("threat", "threatened"),
    topicIds,
    evidence,
    ...creation,
  }),
  conditions: z
    .strictObject({
      threatId: Id.optional(),
      agreementId: Id.optional(),
      description: Text,
      awaitedActorId: Id.nullable().optional(),
      effect: z.enum(CONDITION_EFFECTS),
      status: z.enum(STATUSES.condition).default("open"),
      evidence,
      ...creation,
    })
    .superRefine((c, ctx) => {
      if (c.threatId && c.agreementId)
        ctx.addIssue({ code: "custom", path: ["agreementId"], message: "a condition belongs to a threat or to an agreement, not both" });
      if (!c.threatId && !c.agreementId)
        ctx.addIssue({ code: "custom", path: ["threatId"], message: "a condition belongs to a threat or to an agreement: give threatId or agreementId" });
    }),
  deadlines: z
    .strictObject({
      dueAt: Instant.nullable().optional(),
      precision: z.enum(PRECISIONS),
      wording: Text,
      threatId: Id.nullable().optional(),
      conditionId: Id.nullable().optional(),
      scenarioId: Id.nullable().optional(),
      agreementId: Id.nullable().optional(),
      commitmentId: Id.nullable().optional(),
      // Extended needs the new due date and makes the successor deadline: recorded by a status change.
      status: z.enum(STATUSES.deadline.filter((s) => s !== "extended") as [string, ...string[]]).default("pending"),
      evidence,
      ...creation,
    })
    .superRefine((d, ctx) => {
      if ((d.dueAt == null) !== (d.precision === "unknown")) {
        ctx.addIssue({ code: "custom", path: ["precision"], message: 'must be "unknown" exactly when dueAt is absent' });
      }
      if (!d.threatId && !d.conditionId && !d.scenarioId && !d.agreementId && !d.commitmentId) {
        ctx.addIssue({
          code: "custom",
          path: ["threatId"],
          message: "a deadline belongs to a threat, a condition, a scenario, an agreement or a commitment: give at least one",
        });
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
      ...creation,
    })
    .superRefine((e, ctx) => {
      if ((e.startsAt == null) !== (e.precision === "unknown")) {
        ctx.addIssue({ code: "custom", path: ["precision"], message: 'must be "unknown" exactly when startsAt is absent' });
      }
      if (e.startsAt && e.endsAt && e.endsAt < e.startsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must not be before startsAt" });
    }),
  agreements: z
    .strictObject({
      title: Text,
      summary: Text.nullable().optional(),
      partyIds: z.array(Id).max(50, "at most 50 parties"),
      status: creationStatus("agreement", "negotiating"),
      expiresAt: Instant.optional().openapi({ description: "When it expires by its terms: its expiry deadline (extendable)" }),
      expiryPrecision: datePrecision.optional().openapi({ description: "Precision of expiresAt (default day)" }),
      expiryWording: Text.optional().openapi({ description: "The source's words for the expiry" }),
      evidence,
      ...creation,
    })
    .superRefine((a, ctx) => {
      if (new Set(a.partyIds).size < 2) ctx.addIssue({ code: "custom", path: ["partyIds"], message: "an agreement has two or more distinct parties" });
      if (!a.expiresAt && (a.expiryPrecision || a.expiryWording))
        ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "required with expiryPrecision or expiryWording" });
    }),
  commitments: z
    .strictObject({
      agreementId: Id,
      partyId: Id.openapi({ description: "The party who owes it: one of the agreement's parties" }),
      description: Text,
      kind: z.enum(COMMITMENT_KINDS),
      affectsThreatIds: z.array(Id).max(50, "at most 50 measures").optional().openapi({ description: "The measures it changes" }),
      status: z.enum(STATUSES.commitment).default("pending"),
      dueAt: Instant.nullable().optional().openapi({
        description:
          "With wording: its own deadline, created with it; read at its precision, it ends after effectiveAt (a commitment is not made after its deadline)",
      }),
      precision: z.enum(PRECISIONS).optional(),
      wording: Text.optional().openapi({ description: "The source's words for when it is due" }),
      evidence,
      ...creation,
    })
    .superRefine((c, ctx) => {
      if (c.dueAt != null && c.wording === undefined)
        ctx.addIssue({ code: "custom", path: ["wording"], message: "required with dueAt: the source's words for it" });
      if (c.precision !== undefined && c.wording === undefined) ctx.addIssue({ code: "custom", path: ["wording"], message: "required with precision" });
      if (c.precision !== undefined && (c.dueAt == null) !== (c.precision === "unknown")) {
        ctx.addIssue({ code: "custom", path: ["precision"], message: 'must be "unknown" exactly when dueAt is absent' });
      }
    }),
  actors: z.strictObject({ name: Name, kind: z.enum(ACTOR_KINDS), role: Text.nullable().optional(), aliases, country, governmentId: Id.nullable().optional() }),
  topics: z.strictObject({ name: Name }),
  sources: SourceCreateSchema,
} as const;

const MEASURE_IS_A_TERM =
  "what kind of measure it is is one of its terms, with its own history: change it with POST /api/threats/{id}/terms (effectiveAt the threat's creation to correct a mistake)";

const A_FACT_IS_CORRECTED =
  "A fact, not descriptive text: a new value is recorded as a correction entry of the record's history (effective from its creation, recorded now, shown by …/history, retractable by POST /api/history/{seq}/retract), so reads with a knownAt before it keep the value known then.";
const correctionReason = Text.optional().openapi({
  description: 'Why the facts given are corrected (the correction entry\'s reason; default "Corrected by PATCH")',
});

/** A reason is a correction's: without a fact to correct it would be dropped unread. */
function reasonOnlyWithAFact(facts: string[]) {
  return (b: Record<string, unknown>, ctx: z.RefinementCtx) => {
    if (b.reason !== undefined && facts.every((f) => b[f] === undefined))
      ctx.addIssue({ code: "custom", path: ["reason"], message: `only with ${facts.join(" or ")}: the reason for correcting them` });
  };
}

/**
 * A field a PATCH does not take that a user naturally tries there, changed as history by another
 * route: any value is refused (422) saying which (`z.never` has no OpenAPI form).
 */
const changedElsewhere = (message: string) =>
  z
    .unknown()
    .refine(() => false, { error: message })
    .optional()
    .openapi({ not: {}, description: `Refused: ${message}` });
const movesThrough = (path: string) => `through POST /api/${path} (with reason, effectiveAt)`;
const statusMovesElsewhere = (collection: string) => ({ status: changedElsewhere(`a status moves only ${movesThrough(`${collection}/{id}/status`)}`) });
const datesMoveElsewhere = (collection: "deadlines" | "events") => changedElsewhere(`dates move only ${movesThrough(`${collection}/{id}/dates`)}`);
const termsChangeElsewhere = changedElsewhere(`a threat's terms change only ${movesThrough("threats/{id}/terms")}`);

/** Descriptive edits: never the status, which moves only through POST …/status; facts are corrected as history. */
export const PatchSchemas = {
  scenarios: z.strictObject({ title: Name.optional(), summary: Text.optional(), topicIds, ...statusMovesElsewhere("scenarios") }),
  threats: z
    .strictObject({
      ...statusMovesElsewhere("threats"),
      ratePercent: termsChangeElsewhere,
      authority: termsChangeElsewhere,
      covers: termsChangeElsewhere,
      targetIds: termsChangeElsewhere,
      summary: Text.optional(),
      measure: z
        .enum(MEASURES)
        .optional()
        .openapi({ description: `Refused: ${MEASURE_IS_A_TERM}` }),
      magnitudeText: Text.nullable().optional(),
      isAdditional: z.boolean().optional(),
      topicIds,
    })
    // A term (the totals add up tariffs only): an answer known before a change must not move, so it is a terms entry.
    .superRefine((b, ctx) => {
      if (b.measure !== undefined) ctx.addIssue({ code: "custom", path: ["measure"], message: MEASURE_IS_A_TERM });
    }),
  conditions: z
    .strictObject({
      ...statusMovesElsewhere("conditions"),
      description: Text.optional(),
      awaitedActorId: Id.nullable()
        .optional()
        .openapi({ description: `Whose action it waits on. ${A_FACT_IS_CORRECTED}` }),
      effect: z
        .enum(CONDITION_EFFECTS)
        .optional()
        .openapi({ description: `What meeting it does to the threat. ${A_FACT_IS_CORRECTED}` }),
      reason: correctionReason,
    })
    .superRefine(reasonOnlyWithAFact(["effect", "awaitedActorId"])),
  deadlines: z.strictObject({
    wording: Text.optional(),
    ...statusMovesElsewhere("deadlines"),
    dueAt: datesMoveElsewhere("deadlines"),
    precision: datesMoveElsewhere("deadlines"),
  }),
  events: z.strictObject({
    title: Text.optional(),
    place: Text.nullable().optional(),
    country,
    wording: Text.optional(),
    topicIds,
    ...statusMovesElsewhere("events"),
    startsAt: datesMoveElsewhere("events"),
    endsAt: datesMoveElsewhere("events"),
    precision: datesMoveElsewhere("events"),
  }),
  agreements: z.strictObject({ title: Text.optional(), summary: Text.nullable().optional(), ...statusMovesElsewhere("agreements") }),
  commitments: z
    .strictObject({
      ...statusMovesElsewhere("commitments"),
      description: Text.optional(),
      kind: z
        .enum(COMMITMENT_KINDS)
        .optional()
        .openapi({ description: `What kind of commitment it is. ${A_FACT_IS_CORRECTED}` }),
      reason: correctionReason,
    })
    .superRefine(reasonOnlyWithAFact(["kind"])),
  actors: z.strictObject({ name: Name.optional(), role: Text.nullable().optional(), aliases, country, governmentId: Id.nullable().optional() }),
  topics: z.strictObject({ name: Name.optional() }),
  sources: z.strictObject({
    title: Text.optional(),
    url: HttpUrl.nullable().optional(),
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
      effectiveAt: Instant.optional().openapi({
        description: "When it takes effect in the world (default now): earlier for late news, later (up to 10 years) for a change announced ahead",
      }),
      until: Instant.optional().openapi({ description: "A status with an end (a threat's suspension): when it ends by its terms" }),
      // biome-ignore lint/suspicious/noThenProperty: the API's word (issue 9: "until", "then"); a zod shape, never awaited
      then: z
        .enum(STATUSES[kind] as unknown as [string, ...string[]])
        .optional()
        .openapi({
          description:
            "With until: the status the record returns to then, by its terms (a threat: threatened, announced, imposed or lapsed; not an act or a ruling, which is recorded when it happens)",
        }),
      untilWording: Text.optional().openapi({ description: "With until: the source's words for the end (the expiry deadline's wording)" }),
      correction: z.boolean().optional(),
      evidence: EvidenceInput.optional(),
      newDueAt: Instant.optional().openapi({ description: "Required to extend a deadline: the successor's due date" }),
      newStartsAt: Instant.optional().openapi({ description: "Required to reschedule a postponed event" }),
      newEndsAt: Instant.optional(),
      newPrecision: datePrecision.optional().openapi({
        description: "Precision of the new date (default: the extended deadline's or the rescheduled event's own at effectiveAt; a day when it had no date)",
      }),
      newWording: Text.optional().openapi({
        description:
          "The new date's wording (default: a wording the tracker wrote, as “Expires 10 November 2026”, written again for the new date; else the new date as it reads at its precision, as “February 2026”)",
      }),
      supersededById: Id.optional().openapi({
        description: 'Required when a threat or an agreement moves to "superseded": the record of the same kind that replaces it',
      }),
    })
    .superRefine((b, ctx) => {
      if (b.correction && b.reason.trim().length < 3)
        ctx.addIssue({ code: "custom", path: ["reason"], message: "a correction needs a reason (at least 3 characters)" });
      // An end on a move that has none is named as such, before asking for its other half.
      const mayEnd = STATUSES_WITH_AN_END[kind]?.includes(b.status) ?? false;
      for (const field of ["until", "then"] as const) {
        if (!mayEnd && b[field] !== undefined) ctx.addIssue({ code: "custom", path: [field], message: ONLY_WITH_AN_END });
      }
      if (mayEnd && b.until && !b.then) ctx.addIssue({ code: "custom", path: ["then"], message: "required with until: the status the record returns to" });
      if (mayEnd && b.then && !b.until) ctx.addIssue({ code: "custom", path: ["until"], message: "required with then" });
      // A new date belongs to the moves that take one (lifecycle's requiresNewDate); elsewhere it would be dropped unread.
      const takesDueAt = kind === "deadline" && b.status === "extended";
      const takesStartsAt = kind === "event" && b.status === "scheduled";
      const misplaced = (field: string, allowed: boolean, message: string) => {
        if (!allowed && (b as Record<string, unknown>)[field] !== undefined) ctx.addIssue({ code: "custom", path: [field], message });
      };
      misplaced("newDueAt", takesDueAt, 'only a deadline moving to "extended" takes a new due date');
      misplaced("newStartsAt", takesStartsAt, 'only an event moving to "scheduled" (rescheduled) takes new dates');
      misplaced("newEndsAt", takesStartsAt, 'only an event moving to "scheduled" (rescheduled) takes new dates');
      misplaced("newPrecision", takesDueAt || takesStartsAt, "only with a new date");
      misplaced("newWording", takesDueAt || takesStartsAt, "only with a new date");
      // The new dates are held to the rule POST …/dates holds an event's dates to: an end is the start's or after it.
      if (takesStartsAt && b.newEndsAt !== undefined && b.newStartsAt === undefined)
        ctx.addIssue({ code: "custom", path: ["newEndsAt"], message: "only with newStartsAt: the new start it ends after" });
      if (b.newStartsAt && b.newEndsAt && b.newEndsAt < b.newStartsAt)
        ctx.addIssue({ code: "custom", path: ["newEndsAt"], message: "must not be before newStartsAt" });
    })
    .openapi(name);
}

export type StatusChangeBody = z.infer<ReturnType<typeof statusChangeBodyFor>>;

/** A status change body (valid by statusChangeBodyFor) as the write takes it: the API and the CLI record the same. */
export function statusChangeOf(body: StatusChangeBody): Omit<StatusChangeRequest, "kind" | "id" | "by" | "expectedVersion"> {
  const newAt = body.newDueAt ?? body.newStartsAt;
  return {
    to: body.status,
    reason: body.reason,
    effectiveAt: body.effectiveAt,
    correction: body.correction,
    evidence: body.evidence,
    newDate: newAt ? { at: newAt, precision: body.newPrecision, endsAt: body.newEndsAt ?? null, wording: body.newWording } : undefined,
    until: body.until,
    returnsTo: body.then,
    untilWording: body.untilWording,
    supersededById: body.supersededById,
  };
}

export type CollectionName = keyof typeof CreateSchemas;
export const COLLECTIONS = Object.keys(CreateSchemas) as CollectionName[];

const entryFields = {
  seq: z.number().int(),
  recordKind: z.string(),
  recordId: z.string(),
  change: z.enum(["status", "dates", "terms", "correction"]).openapi({
    description:
      "status: a creation or status change; dates: a due date or event dates moved; terms: a threat's terms changed; correction: a fact recorded wrong corrected (a condition's effect or awaited actor, a commitment's kind), effective from the creation",
  }),
  from: z.string().nullable().openapi({ description: "The status just before, in effective order (null for a creation and for dates entries)" }),
  to: z.string().nullable(),
  values: z
    .record(z.string(), z.unknown())
    .nullable()
    .openapi({ description: "A dates entry's new dates; a terms entry's new terms; a correction's corrected facts; a move to superseded's supersededById" }),
  effectiveAt: z.string().openapi({ description: "When it holds in the world" }),
  recordedAt: z.string().openapi({ description: "When the tracker learnt it" }),
  reason: z.string(),
  by: z.string(),
  correction: z.boolean(),
  byTerms: z.boolean().openapi({ description: "Follows from an earlier entry's terms (a lapse at the end of a suspension), not a reported fact" }),
  until: z.string().nullable(),
  // biome-ignore lint/suspicious/noThenProperty: the API's word for the status a suspension returns to; plain data, never awaited
  then: z.string().nullable(),
  causedBy: z.number().int().nullable().openapi({ description: "seq of the entry that set this one off" }),
  sourceId: z.string().nullable(),
  evidenceId: z.string().nullable(),
  retracted: z
    .object({ at: z.string(), reason: z.string(), by: z.string() })
    .nullable()
    .openapi({ description: "Its retraction, when known at the read's knownAt" }),
};

export const HistoryEntrySchema = z.object(entryFields).openapi("HistoryEntry");

export const TimelineEntrySchema = z
  .object({
    ...entryFields,
    superseded: z.boolean().openapi({ description: "A lapse by terms that a later report superseded" }),
    before: z.record(z.string(), z.unknown()).nullable().openapi({
      description: "A terms entry: the terms it changes as they stood just before it (as known at knownAt); a correction: the facts it replaced when recorded",
    }),
  })
  .openapi("TimelineEntry");

export const ScheduledChangeSchema = z
  .object({
    seq: z.number().int(),
    change: z.enum(["status", "dates", "terms", "correction"]),
    to: z.string().nullable(),
    values: z.record(z.string(), z.unknown()).nullable(),
    effectiveAt: z.string(),
    byTerms: z.boolean(),
    reason: z.string(),
  })
  .openapi("ScheduledChange");

/** Moving or refining a deadline's due date. */
export const DeadlineDatesBody = z
  .strictObject({
    dueAt: Instant.nullable(),
    precision: z.enum(PRECISIONS),
    wording: Text.optional(),
    effectiveAt: Instant.optional(),
    reason: Text,
    evidence: EvidenceInput.optional(),
  })
  .superRefine((d, ctx) => {
    if ((d.dueAt == null) !== (d.precision === "unknown"))
      ctx.addIssue({ code: "custom", path: ["precision"], message: 'must be "unknown" exactly when dueAt is null' });
  })
  .openapi("DeadlineDatesChange");

/** Moving or refining an event's dates. */
export const EventDatesBody = z
  .strictObject({
    startsAt: Instant.nullable(),
    endsAt: Instant.nullable().optional(),
    precision: z.enum(PRECISIONS),
    wording: Text.optional(),
    effectiveAt: Instant.optional(),
    reason: Text,
    evidence: EvidenceInput.optional(),
  })
  .superRefine((e, ctx) => {
    if ((e.startsAt == null) !== (e.precision === "unknown"))
      ctx.addIssue({ code: "custom", path: ["precision"], message: 'must be "unknown" exactly when startsAt is null' });
    if (e.startsAt && e.endsAt && e.endsAt < e.startsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must not be before startsAt" });
  })
  .openapi("EventDatesChange");

export const RetractionBody = z.strictObject({ reason: Text }).openapi("Retraction");

export const DeadlineSummarySchema = z
  .object({
    id: z.string(),
    dueAt: z.string().nullable(),
    precision: z.enum(PRECISIONS),
    dueLabel: z.string().openapi({ example: "November 2025" }),
    wording: z.string(),
    status: z.enum(STATUSES.deadline),
    unconfirmed: z.boolean().openapi({ description: "The status holds only by an earlier entry's terms, not confirmed by a report citing a source" }),
    scheduled: z.array(z.object({ to: z.string().nullable(), effectiveAt: z.string(), byTerms: z.boolean() })).openapi({
      description: "Status changes known at knownAt that take effect after asOf",
    }),
    kind: z.string().openapi({ description: "stated, or expiry (the end of a status with an end)" }),
    daysRemaining: z.number().int().nullable(),
    overdue: z.boolean(),
    version: z.number().int().nullable().openapi({ description: "The current ETag; null when knownAt is in the past" }),
    extendsId: z.string().nullable(),
    threat: z.object({ id: z.string(), summary: z.string(), status: z.string().nullable() }).nullable(),
    condition: z.object({ id: z.string(), description: z.string(), status: z.string().nullable() }).nullable(),
    scenario: z.object({ id: z.string(), title: z.string(), status: z.string().nullable() }).nullable(),
    agreementId: z.string().nullable().openapi({ description: "The agreement it belongs to, directly or through its commitment or condition" }),
    commitmentId: z.string().nullable().openapi({ description: "The commitment whose due date it is" }),
  })
  .openapi("DeadlineSummary");

/** A change of a threat's terms, as of when it takes effect. */
export const TermsChangeBody = z
  .strictObject({
    measure: z
      .enum(MEASURES)
      .optional()
      .openapi({ description: "What kind of measure it is: a mis-recorded kind is corrected by a change effective from the threat's creation" }),
    ratePercent: RatePercent.nullable().optional(),
    authority: Text.nullable().optional(),
    covers: Text.optional(),
    targetIds: z.array(Id).max(50, "at most 50 targets").optional(),
    effectiveAt: Instant.openapi({ description: "When the new terms take effect: earlier for late news, later (up to 10 years) for a change announced ahead" }),
    reason: Text,
    evidence: EvidenceInput.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.measure === undefined && b.ratePercent === undefined && b.authority === undefined && b.covers === undefined && b.targetIds === undefined)
      ctx.addIssue({ code: "custom", path: ["ratePercent"], message: "give at least one of measure, ratePercent, authority, covers, targetIds" });
  })
  .openapi("TermsChange");
