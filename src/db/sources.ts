import { randomUUID } from "node:crypto";
import { ConflictError, InvalidInputError } from "../domain/errors.ts";
import { type SourceKind, sha256Hex } from "../domain/evidence.ts";
import { type Proposal, proposalsFrom } from "../domain/intake.ts";
import type { Prisma, TrackerDatabase } from "./client.ts";

export interface NewSource {
  title: string;
  publisher: string;
  url?: string | null;
  kind: SourceKind;
  publishedAt: Date;
  publishedAtInferred?: boolean;
  text?: string | null;
  copyOfId?: string | null;
  disclaimer?: string | null;
}

/**
 * Stores a source. The same text is one source, whatever its title: a second copy is refused,
 * naming the stored one. Citations (no text) are always new.
 */
export async function createSource(db: TrackerDatabase, input: NewSource, now = new Date()): Promise<string> {
  const sha256 = input.text ? sha256Hex(input.text) : null;
  return db.prismaTransaction(async (tx) => {
    if (sha256) {
      const existing = await tx.source.findUnique({ where: { sha256 }, select: { id: true } });
      if (existing) throw new ConflictError(`A source with the same text (SHA-256) already exists: ${existing.id}`);
    }
    if (input.copyOfId && !(await tx.source.findUnique({ where: { id: input.copyOfId }, select: { id: true } }))) {
      throw new InvalidInputError([{ field: "copyOfId", problem: `no source with id "${input.copyOfId}"` }]);
    }
    const id = `source-${randomUUID()}`;
    await tx.source.create({
      data: { ...input, id, text: input.text ?? null, sha256, publishedAtInferred: input.publishedAtInferred ?? false, createdAt: now },
    });
    return id;
  });
}

/** Most actors the intake matches against: enough for any tracker a team keeps by hand. */
const MAX_ACTORS = 5_000;

/** What the intake proposes to record from a source's text (none for a citation), against the known actors. */
export async function proposalsForSource(prisma: Prisma, source: { text: string | null; publishedAt: Date }): Promise<Proposal[]> {
  if (!source.text) return [];
  const actors = await prisma.actor.findMany({ select: { id: true, name: true, aliases: true }, orderBy: { id: "asc" }, take: MAX_ACTORS });
  return proposalsFrom(source.text, { publishedAt: source.publishedAt, actors });
}

/** Most records of each kind the intake page offers in its pickers. */
const MAX_TARGETS = 500;

/** The records the intake page offers to confirm proposals against, labelled for people. */
export async function intakeTargets(prisma: Prisma) {
  const take = MAX_TARGETS;
  const [scenarios, threats, conditions, deadlines, events, agreements, commitments, actors, topics] = await Promise.all([
    prisma.scenario.findMany({ select: { id: true, title: true, status: true }, orderBy: { title: "asc" }, take }),
    prisma.threat.findMany({ select: { id: true, summary: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.condition.findMany({ select: { id: true, description: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.deadline.findMany({ select: { id: true, wording: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.event.findMany({ select: { id: true, title: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.agreement.findMany({ select: { id: true, title: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.commitment.findMany({ select: { id: true, description: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.actor.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" }, take }),
    prisma.topic.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" }, take }),
  ]);
  const tracked = [
    ...threats.map((t) => ({ value: `threats/${t.id}`, label: `Threat: ${t.summary} (${t.status})` })),
    ...conditions.map((c) => ({ value: `conditions/${c.id}`, label: `Condition: ${c.description} (${c.status})` })),
    ...deadlines.map((d) => ({ value: `deadlines/${d.id}`, label: `Deadline: “${d.wording}” (${d.status})` })),
    ...events.map((e) => ({ value: `events/${e.id}`, label: `Event: ${e.title} (${e.status})` })),
    ...scenarios.map((s) => ({ value: `scenarios/${s.id}`, label: `Scenario: ${s.title} (${s.status})` })),
    ...agreements.map((a) => ({ value: `agreements/${a.id}`, label: `Agreement: ${a.title} (${a.status})` })),
    ...commitments.map((c) => ({ value: `commitments/${c.id}`, label: `Commitment: ${c.description} (${c.status})` })),
  ];
  return {
    owners: [
      ...threats.map((t) => ({ value: `threatId:${t.id}`, label: `Threat: ${t.summary}` })),
      ...conditions.map((c) => ({ value: `conditionId:${c.id}`, label: `Condition: ${c.description}` })),
      ...scenarios.map((s) => ({ value: `scenarioId:${s.id}`, label: `Scenario: ${s.title}` })),
    ],
    threats: threats.map((t) => ({ value: t.id, label: t.summary })),
    tracked,
    all: [
      ...tracked,
      ...actors.map((a) => ({ value: `actors/${a.id}`, label: `Actor: ${a.name}` })),
      ...topics.map((t) => ({ value: `topics/${t.id}`, label: `Topic: ${t.name}` })),
    ],
    actors: actors.map((a) => ({ value: a.id, label: a.name })),
  };
}
