import { randomUUID } from "node:crypto";
import { ConflictError, InvalidInputError } from "../domain/errors.ts";
import { type SourceKind, sha256Hex } from "../domain/evidence.ts";
import { BLOCK_CHARS, blockEnd, blockProposals, compareKeys, keyOf, type Proposal, type ProposalKey } from "../domain/intake.ts";
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
  // What it says was published has been: a date ahead is a typo, and would date the intake's proposals (their effectiveAt) ahead too.
  if (input.publishedAt.getTime() > now.getTime()) {
    throw new InvalidInputError([{ field: "publishedAt", problem: `must not be after now (${now.toISOString()})` }]);
  }
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

/**
 * Most text one page of proposals reads, in whole blocks (at least one): a page over text where
 * little is proposed ends short, with a cursor where it stopped, as the lists' scan budget does.
 */
export const PAGE_TEXT_BUDGET = 4 * BLOCK_CHARS;

/** Where a page resumes: the block it starts in and, within it, the last proposal already given. */
export interface ProposalCursor {
  block: number;
  after: ProposalKey | null;
}

export interface ProposalPage {
  items: Proposal[];
  next: ProposalCursor | null;
  /** The stretch of text the page read: its proposals all lie in it. */
  from: number;
  to: number;
}

/**
 * One page of what the intake proposes from a source's text (none for a citation), against the
 * actors known now: the proposals after the cursor in reading order, read block by block until
 * `limit` are found or PAGE_TEXT_BUDGET is read.
 */
export async function proposalsPage(
  prisma: Prisma,
  source: { text: string | null; publishedAt: Date },
  page: { limit: number; after?: ProposalCursor },
): Promise<ProposalPage> {
  const text = source.text ?? "";
  const first = Math.min(page.after?.block ?? 0, text.length);
  if (!text || first === text.length) return { items: [], next: null, from: first, to: first };
  const actors = await prisma.actor.findMany({ select: { id: true, name: true, aliases: true }, orderBy: { id: "asc" }, take: MAX_ACTORS });
  const context = { publishedAt: source.publishedAt, actors };
  const items: Proposal[] = [];
  let start = first;
  let after = page.after?.after ?? null;
  while (start < text.length) {
    const end = blockEnd(text, start);
    const left = blockProposals(text, start, end, context).filter((p) => !after || compareKeys(keyOf(p), after) > 0);
    const room = page.limit - items.length;
    items.push(...left.slice(0, room));
    if (left.length > room) return { items, next: { block: start, after: keyOf(items.at(-1)!) }, from: first, to: end };
    after = null;
    start = end;
    if (items.length === page.limit || start - first >= PAGE_TEXT_BUDGET) break;
  }
  return { items, next: start < text.length ? { block: start, after: null } : null, from: first, to: start };
}

/**
 * Records of each kind the intake page offers before anything is typed (the first by id);
 * typing in a field searches the API for the others. Offered once per page, whatever the number
 * of proposals on it.
 */
export const TARGETS_PER_KIND = 20;

/** The records the intake page offers to confirm proposals against, labelled for people. */
export async function intakeTargets(prisma: Prisma) {
  const take = TARGETS_PER_KIND;
  const [scenarios, threats, conditions, deadlines, events, agreements, commitments, actors, topics] = await Promise.all([
    prisma.scenario.findMany({ select: { id: true, title: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.threat.findMany({ select: { id: true, summary: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.condition.findMany({ select: { id: true, description: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.deadline.findMany({ select: { id: true, wording: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.event.findMany({ select: { id: true, title: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.agreement.findMany({ select: { id: true, title: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.commitment.findMany({ select: { id: true, description: true, status: true }, orderBy: { id: "asc" }, take }),
    prisma.actor.findMany({ select: { id: true, name: true }, orderBy: { id: "asc" }, take }),
    prisma.topic.findMany({ select: { id: true, name: true }, orderBy: { id: "asc" }, take }),
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
