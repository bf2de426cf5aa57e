import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { z } from "zod";
import { ACTOR_KINDS, CONDITION_EFFECTS, EVENT_KINDS, MEASURES, STATUSES } from "../domain/statuses.ts";

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be a lower-case slug (a-z, 0-9, -)");
const quotes = z.array(z.string().min(1, "a quote must not be empty")).min(1, "needs at least one evidence quote");
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");

/** The curated, human-readable record of what one article states. */
export const SeedFileSchema = z.strictObject({
  $comment: z.string().optional(),
  source: z.strictObject({
    id,
    file: z.string().min(1),
    title: z.string().min(1),
    publisher: z.string().min(1),
    url: z.url().nullable(),
    publishedOn: isoDay,
    publishedOnInferred: z.boolean(),
    publishedOnReason: z.string().optional(),
    disclaimerQuote: z.string().nullable(),
  }),
  actors: z.array(
    z.strictObject({
      id,
      name: z.string().min(1),
      kind: z.enum(ACTOR_KINDS),
      role: z.string().optional(),
      aliases: z.array(z.string().min(1)).optional(),
      country: z.string().length(2).optional(),
      government: id.optional(),
      evidence: quotes,
    }),
  ),
  topics: z.array(z.strictObject({ id, name: z.string().min(1), evidence: quotes })),
  scenarios: z.array(
    z.strictObject({
      id,
      title: z.string().min(1),
      summary: z.string().min(1),
      status: z.enum(STATUSES.scenario),
      topics: z.array(id),
      evidence: quotes,
    }),
  ),
  threats: z.array(
    z.strictObject({
      id,
      scenario: id,
      issuer: id,
      /** The actors it targets, as the article names them (empty: no single target). */
      targets: z.array(id),
      measure: z.enum(MEASURES),
      covers: z.string().min(1),
      /** The rate and legal basis, only where the article gives them. */
      ratePercent: z.number().nullable().optional(),
      authority: z.string().min(1).nullable().optional(),
      summary: z.string().min(1),
      magnitude: z.strictObject({ text: z.string().min(1), additional: z.boolean() }).nullable(),
      status: z.enum(STATUSES.threat),
      topics: z.array(id),
      evidence: quotes,
    }),
  ),
  conditions: z.array(
    z.strictObject({
      id,
      threat: id,
      description: z.string().min(1),
      awaitedActor: id.nullable(),
      effect: z.enum(CONDITION_EFFECTS),
      status: z.enum(STATUSES.condition),
      evidence: quotes,
    }),
  ),
  deadlines: z.array(
    z.strictObject({
      id,
      when: z.string().min(1).nullable(),
      wording: z.string().min(1),
      threat: id.nullable().optional(),
      condition: id.nullable().optional(),
      scenario: id.nullable().optional(),
      status: z.enum(STATUSES.deadline),
      evidence: quotes,
    }),
  ),
  events: z.array(
    z.strictObject({
      id,
      scenario: id.nullable(),
      title: z.string().min(1),
      kind: z.enum(EVENT_KINDS),
      when: z.string().min(1).nullable(),
      wording: z.string().min(1),
      place: z.string().nullable(),
      country: z.string().length(2).nullable(),
      participants: z.array(id),
      topics: z.array(id),
      status: z.enum(STATUSES.event),
      evidence: quotes,
    }),
  ),
});

export type SeedFile = z.infer<typeof SeedFileSchema>;

export class SeedError extends Error {}

/** Reads and validates a curated seed file; errors name the file and the field. */
export function readSeedFile(path: string): SeedFile {
  const name = basename(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new SeedError(`${name}: not readable JSON (${(e as Error).message})`);
  }
  const parsed = SeedFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${name}: field "${i.path.join(".") || "(root)"}": ${i.message}`);
    throw new SeedError(problems.join("\n"));
  }
  return parsed.data;
}
