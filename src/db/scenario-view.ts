import { type TimelineEntry, timelineKnownAt } from "../domain/history.ts";
import type { TrackedKind } from "../domain/statuses.ts";
import { termsThen } from "../domain/terms.ts";
import type { TrackerDatabase } from "./client.ts";
import { firstTermsOf } from "./records.ts";
import { historiesOf } from "./sql/history.ts";
import { type ReadTime, type StatusAt, statusesAt } from "./sql/record-states.ts";

const actorBrief = { select: { id: true, name: true, kind: true } } as const;

/** Fields of a record that hold at the read time. */
export interface AsThen {
  status: string;
  unconfirmed: boolean;
  scheduled: StatusAt["scheduled"];
  dates: Record<string, unknown>;
}

/**
 * Everything the scenario page shows, as it stood at the read time: its threats with conditions
 * and deadlines, its events with participants, the evidence recorded by then, and one timeline
 * of every history entry recorded by then (retractions shown). Records not yet existing then are
 * left out. Evidence and history are read per kind with one JSON parameter each, so a scenario
 * with thousands of records stays within SQLite's bound-parameter limit.
 */
export async function scenarioView(db: TrackerDatabase, id: string, time: ReadTime) {
  const scenario = await db.prisma.scenario.findUnique({
    where: { id },
    include: {
      topics: { orderBy: { name: "asc" } },
      threats: {
        orderBy: { id: "asc" },
        include: {
          issuer: actorBrief,
          targets: { where: { initial: true }, orderBy: { actorId: "asc" }, select: { actorId: true } },
          topics: { orderBy: { name: "asc" } },
          conditions: { orderBy: { id: "asc" }, include: { awaitedActor: actorBrief } },
          deadlines: { orderBy: [{ dueAt: "asc" }, { id: "asc" }] },
        },
      },
      deadlines: { orderBy: [{ dueAt: "asc" }, { id: "asc" }] },
      events: { orderBy: [{ startsAt: "asc" }, { id: "asc" }], include: { participants: { include: { actor: actorBrief } } } },
    },
  });
  if (!scenario) return null;
  const ids: Partial<Record<TrackedKind, string[]>> = {
    scenario: [scenario.id],
    threat: scenario.threats.map((t) => t.id),
    condition: scenario.threats.flatMap((t) => t.conditions.map((c) => c.id)),
    deadline: [...new Set([...scenario.threats.flatMap((t) => t.deadlines.map((d) => d.id)), ...scenario.deadlines.map((d) => d.id)])],
    event: scenario.events.map((e) => e.id),
  };
  const states = new Map<string, StatusAt>();
  for (const [kind, list] of Object.entries(ids) as [TrackedKind, string[]][]) {
    for (const [recordId, state] of statusesAt(db.reader, kind, list, time)) states.set(`${kind}|${recordId}`, state);
  }
  const asThen = (kind: TrackedKind, recordId: string): AsThen | null => {
    const s = states.get(`${kind}|${recordId}`);
    return s?.exists ? { status: s.status!, unconfirmed: s.byTerms, scheduled: s.scheduled, dates: s.dates } : null;
  };
  const scenarioThen = asThen("scenario", scenario.id);
  if (!scenarioThen) return null;
  const withThen = <T extends { id: string }>(kind: TrackedKind, list: T[]) =>
    list.flatMap((r) => {
      const then = asThen(kind, r.id);
      return then ? [{ ...r, ...(then.dates as Partial<T>), asThen: then }] : [];
    });
  // A threat's terms then, with its targets' names (a later terms entry may name actors not linked at first).
  const actorNames = new Map(
    (await db.prisma.actor.findMany({ where: { targetedThreats: { some: { threat: { scenarioId: id } } } }, select: { id: true, name: true } })).map((a) => [
      a.id,
      a.name,
    ]),
  );
  const threats = withThen("threat", scenario.threats).map((t) => ({
    ...t,
    termsThen: termsThen(firstTermsOf(t), states.get(`threat|${t.id}`)!),
    targetName: (actorId: string) => actorNames.get(actorId) ?? actorId,
    conditions: withThen("condition", t.conditions),
    deadlines: withThen("deadline", t.deadlines),
  }));
  const deadlines = withThen("deadline", scenario.deadlines);
  // Dated events in date order, then the ones the sources give no date for.
  const events = withThen("event", scenario.events).sort(
    (a, b) => (a.startsAt?.getTime() ?? Number.POSITIVE_INFINITY) - (b.startsAt?.getTime() ?? Number.POSITIVE_INFINITY),
  );

  const known = time.knownAt.getTime();
  const evidence: EvidenceRow[] = [];
  const timeline: TimelineEntry[] = [];
  for (const [kind, list] of Object.entries(ids) as [TrackedKind, string[]][]) {
    const rows = db.reader
      .prepare(
        `SELECT e."id", e."recordKind", e."recordId", e."quote", e."createdAt", e."stance", e."verification",
                s."id" AS "sourceId", s."title" AS "sourceTitle", a."id" AS "speakerId", a."name" AS "speakerName"
         FROM "Evidence" e JOIN "Source" s ON s."id" = e."sourceId" LEFT JOIN "Actor" a ON a."id" = e."speakerId"
         WHERE e."recordKind" = ? AND e."recordId" IN (SELECT value FROM json_each(?)) ORDER BY e."sourceId", e."startOffset"`,
      )
      .all(kind, JSON.stringify(list)) as (Omit<EvidenceRow, "source" | "speaker"> & {
      sourceId: string;
      sourceTitle: string;
      createdAt: string;
      speakerId: string | null;
      speakerName: string | null;
    })[];
    for (const r of rows) {
      if (Date.parse(r.createdAt) > known) continue;
      evidence.push({
        id: r.id,
        recordKind: r.recordKind,
        recordId: r.recordId,
        quote: r.quote,
        stance: r.stance,
        verification: r.verification,
        source: { id: r.sourceId, title: r.sourceTitle },
        speaker: r.speakerId ? { id: r.speakerId, name: r.speakerName! } : null,
      });
    }
    for (const [recordId, history] of historiesOf(db.reader, kind, list)) {
      const threat = kind === "threat" ? scenario.threats.find((t) => t.id === recordId) : undefined;
      timeline.push(...timelineKnownAt(history, time.knownAt, threat ? { ...firstTermsOf(threat) } : undefined));
    }
  }
  timeline.sort((a, b) => a.entry.effectiveAt.getTime() - b.entry.effectiveAt.getTime() || a.entry.seq - b.entry.seq);
  return { scenario: { ...scenario, asThen: scenarioThen, threats, deadlines, events }, evidence, timeline };
}

export interface EvidenceRow {
  id: string;
  recordKind: string;
  recordId: string;
  quote: string;
  /** supports | disputes */
  stance: string;
  /** verbatim | unverified */
  verification: string;
  source: { id: string; title: string };
  speaker: { id: string; name: string } | null;
}

export type ScenarioView = NonNullable<Awaited<ReturnType<typeof scenarioView>>>;
