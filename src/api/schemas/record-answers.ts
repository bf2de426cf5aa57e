import { z } from "@hono/zod-openapi";
import { AGREEMENT_COMMITMENTS } from "../../db/records.ts";
import { DETAIL_EMBEDS } from "../../db/threat-detail.ts";
import { SOURCE_KINDS, STANCES } from "../../domain/evidence.ts";
import { ACTOR_KINDS, COMMITMENT_KINDS, CONDITION_EFFECTS, EVENT_KINDS, MEASURES, PRECISIONS, STATUSES, type TrackedKind } from "../../domain/statuses.ts";
import { type CollectionName, ScheduledChangeSchema } from "./records.ts";

/*
 * What the API answers for each collection: the fields every answer carries, typed, so the
 * OpenAPI document and Hono's typed client (hc<App>) know them. The objects stay open
 * (`looseObject`): embedded links beyond those named here pass through as they are.
 */

/** The fields a tracked record's answer has at the read time. */
function trackedFields<K extends TrackedKind>(kind: K) {
  return {
    status: z.enum(STATUSES[kind]).openapi({ description: "The status at asOf, as known at knownAt" }),
    unconfirmed: z.boolean().openapi({ description: "The status holds only by an earlier entry's terms, not confirmed by a report citing a source" }),
    scheduled: z.array(ScheduledChangeSchema).openapi({ description: "Changes known at knownAt that take effect after asOf" }),
    version: z.number().int().optional().openapi({ description: "The current version (ETag); absent when knownAt is in the past" }),
    createdAt: z.string(),
    updatedAt: z.string().optional().openapi({ description: "The last descriptive edit; absent when knownAt is in the past" }),
  };
}

const ActorBrief = z.object({ id: z.string(), name: z.string(), kind: z.enum(ACTOR_KINDS) }).openapi("ActorBrief");

export const EvidenceQuote = z
  .looseObject({
    id: z.string(),
    sourceId: z.string(),
    quote: z.string(),
    startOffset: z.number().int().nullable(),
    endOffset: z.number().int().nullable(),
    verification: z.enum(["verbatim", "unverified"]),
    speakerId: z.string().nullable(),
    stance: z.enum(STANCES),
    source: z.looseObject({ id: z.string(), title: z.string() }),
  })
  .openapi("EvidenceQuote", { description: "A quote that supports or disputes the record, with its source" });

/** What a read of one record adds to its list row: its first quotes recorded by knownAt, and whether sources disagree. */
const detail = {
  evidence: z.array(EvidenceQuote).openapi({
    description: `Its first ${DETAIL_EMBEDS} quotes recorded by knownAt, by source, offset (unverified first) and id`,
  }),
  evidenceTruncated: z.boolean().openapi({
    description: `True when it has more than ${DETAIL_EMBEDS} quotes recorded by knownAt: \`GET /api/{collection}/{id}/evidence\` (same knownAt) pages through them all, in the same order`,
  }),
  disputed: z.boolean().openapi({ description: "Sources disagree: of all its quotes recorded by knownAt, some dispute the record and some support it" }),
};

const scenario = z.looseObject({ id: z.string(), title: z.string(), summary: z.string(), ...trackedFields("scenario") });
const threat = z.looseObject({
  id: z.string(),
  scenarioId: z.string(),
  issuerId: z.string(),
  measure: z.enum(MEASURES),
  summary: z.string(),
  ratePercent: z.number().nullable().openapi({ description: "The rate at asOf" }),
  authority: z.string().nullable().openapi({ description: "The legal basis at asOf" }),
  covers: z.string().openapi({ description: "The scope at asOf" }),
  targetIds: z.array(z.string()).openapi({ description: "The targets at asOf" }),
  magnitudeText: z.string().nullable(),
  isAdditional: z.boolean(),
  reissuesId: z.string().nullable(),
  supersededById: z.string().nullable(),
  ...trackedFields("threat"),
});
const condition = z.looseObject({
  id: z.string(),
  threatId: z.string().nullable(),
  agreementId: z.string().nullable(),
  description: z.string(),
  awaitedActorId: z.string().nullable(),
  effect: z.enum(CONDITION_EFFECTS),
  ...trackedFields("condition"),
});
const deadline = z.looseObject({
  id: z.string(),
  dueAt: z.string().nullable().openapi({ description: "The due date believed at the read time" }),
  precision: z.enum(PRECISIONS),
  wording: z.string(),
  kind: z.string().openapi({ description: "stated, or expiry (the end of a status with an end)" }),
  threatId: z.string().nullable(),
  conditionId: z.string().nullable(),
  scenarioId: z.string().nullable(),
  agreementId: z.string().nullable(),
  commitmentId: z.string().nullable(),
  extendsId: z.string().nullable(),
  ...trackedFields("deadline"),
});
const event = z.looseObject({
  id: z.string(),
  scenarioId: z.string().nullable(),
  title: z.string(),
  kind: z.enum(EVENT_KINDS),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  precision: z.enum(PRECISIONS),
  wording: z.string(),
  place: z.string().nullable(),
  country: z.string().nullable(),
  ...trackedFields("event"),
});
const agreement = z.looseObject({
  id: z.string(),
  title: z.string(),
  summary: z.string().nullable(),
  partyIds: z.array(z.string()),
  parties: z.array(ActorBrief),
  supersededById: z.string().nullable(),
  ...trackedFields("agreement"),
});
const commitment = z.looseObject({
  id: z.string(),
  agreementId: z.string(),
  partyId: z.string(),
  description: z.string(),
  kind: z.enum(COMMITMENT_KINDS),
  affectsThreatIds: z.array(z.string()),
  party: ActorBrief,
  ...trackedFields("commitment"),
});
const actor = z.looseObject({
  id: z.string(),
  name: z.string(),
  kind: z.enum(ACTOR_KINDS),
  role: z.string().nullable(),
  country: z.string().nullable(),
  aliases: z.string().nullable(),
  governmentId: z.string().nullable(),
});
const topic = z.looseObject({ id: z.string(), name: z.string() });
const source = z.looseObject({
  id: z.string(),
  title: z.string(),
  publisher: z.string(),
  url: z.string().nullable(),
  kind: z.enum(SOURCE_KINDS),
  publishedAt: z.string(),
  publishedAtInferred: z.boolean(),
  sha256: z.string().nullable(),
  copyOfId: z.string().nullable(),
  disclaimer: z.string().nullable(),
  createdAt: z.string(),
});

const name = (collection: string, suffix: string) => `${collection[0]!.toUpperCase()}${collection.slice(1, -1)}${suffix}`;
const rows = {
  scenarios: scenario,
  threats: threat,
  conditions: condition,
  deadlines: deadline,
  events: event,
  agreements: agreement,
  commitments: commitment,
  actors: actor,
  topics: topic,
  sources: source,
};

/** A row of `GET /api/{collection}`: the record at the read time with its light links. */
export const RowSchemas = Object.fromEntries(Object.entries(rows).map(([c, s]) => [c, s.openapi(name(c, "Row"))])) as typeof rows;

/** A list a detail embeds a page of (decision 022), and the flag that says more follow, read with `rest`. */
function firstOf<S extends z.ZodTypeAny, L extends string>(list: L, row: S, what: string, order: string, rest: string) {
  return {
    [list]: z.array(row).openapi({ description: `Its first ${DETAIL_EMBEDS} ${what} recorded by knownAt, in ${order}, those that existed at asOf` }),
    [`${list}Truncated`]: z.boolean().openapi({
      description: `True when it has more than ${DETAIL_EMBEDS} ${what} recorded by knownAt: ${rest} (same asOf and knownAt) pages through them all`,
    }),
  } as { [K in L]: z.ZodArray<S> } & { [K in `${L}Truncated`]: z.ZodBoolean };
}
const DUE_ORDER = "due order (dueAt, undated first, then id)";
const deadlinesOf = (owner: string) => firstOf("deadlines", deadline, "deadlines", DUE_ORDER, `\`GET /api/deadlines?${owner}={id}\` (undated last)`);
const commitmentDetail = commitment.extend({
  agreement: z.looseObject({ id: z.string(), title: z.string(), status: z.enum(STATUSES.agreement) }).nullable(),
  ...deadlinesOf("commitment"),
});
const conditionsOf = (owner: string) =>
  firstOf("conditions", condition.extend(deadlinesOf("condition")), "conditions", "id order", `\`GET /api/conditions?${owner}={id}\``);

/** `GET /api/{collection}/{id}` and the record in a write's answer: the row, its quotes and its links at the read time. */
export const DetailSchemas = {
  scenarios: scenario
    .extend({
      ...detail,
      ...firstOf("threats", threat, "threats", "id order", "`GET /api/threats?scenario={id}`"),
      ...firstOf("deadlines", deadline, "own deadlines (not its threats')", DUE_ORDER, "`GET /api/deadlines?scenario={id}` (its threats' too, undated last)"),
      ...firstOf("events", event, "events", "order of their start", "`GET /api/events?scenario={id}`"),
    })
    .openapi("Scenario"),
  threats: threat.extend({ ...detail, ...conditionsOf("threat"), ...deadlinesOf("threat") }).openapi("Threat"),
  conditions: condition.extend({ ...detail, ...deadlinesOf("condition") }).openapi("Condition"),
  deadlines: deadline
    .extend({
      ...detail,
      agreement: z
        .looseObject({ id: z.string(), title: z.string(), status: z.enum(STATUSES.agreement) })
        .nullable()
        .openapi({
          description:
            "The agreement `agreementId` names (its own, or its commitment's or condition's), with its status at the read time; null when it names none or the agreement did not exist then",
        }),
    })
    .openapi("Deadline"),
  events: event.extend(detail).openapi("Event"),
  agreements: agreement
    .extend({
      ...detail,
      commitments: z.array(commitment.extend(deadlinesOf("commitment"))).openapi({
        description: `Its commitments that existed at asOf, each with its status and its own deadlines then: of its first ${AGREEMENT_COMMITMENTS} in id order`,
      }),
      commitmentsTruncated: z.boolean().openapi({
        description: `True when it has more than ${AGREEMENT_COMMITMENTS} commitments recorded by knownAt: \`GET /api/commitments?agreement={id}\` (same asOf and knownAt) pages through them all, in the same order`,
      }),
      ...conditionsOf("agreement"),
      ...deadlinesOf("agreement"),
    })
    .openapi("Agreement"),
  commitments: commitmentDetail.extend(detail).openapi("Commitment"),
  actors: actor
    .extend({
      ...detail,
      members: z.array(ActorBrief).openapi({ description: `The first ${DETAIL_EMBEDS} people who speak for it, in id order` }),
      membersTruncated: z.boolean().openapi({
        description: `True when more than ${DETAIL_EMBEDS} speak for it: \`GET /api/actors?government={id}\` pages through them all, in the same order`,
      }),
    })
    .openapi("Actor"),
  topics: topic.extend(detail).openapi("Topic"),
  sources: source.extend({ ...detail, text: z.string().nullable() }).openapi("Source"),
} satisfies Record<CollectionName, z.ZodTypeAny>;
