import type { Prisma } from "./client.ts";

const actorBrief = { select: { id: true, name: true, kind: true } } as const;

/**
 * Everything the scenario page shows: its threats with conditions and deadlines, its events
 * with participants, the evidence behind each record, and one timeline of every status change.
 */
export async function scenarioView(prisma: Prisma, id: string) {
  const scenario = await prisma.scenario.findUnique({
    where: { id },
    include: {
      topics: { orderBy: { name: "asc" } },
      threats: {
        orderBy: { id: "asc" },
        include: {
          issuer: actorBrief,
          target: actorBrief,
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
  // Dated events in date order, then the ones the sources give no date for.
  scenario.events.sort((a, b) => (a.startsAt?.getTime() ?? Number.POSITIVE_INFINITY) - (b.startsAt?.getTime() ?? Number.POSITIVE_INFINITY));
  const records: { recordKind: string; recordId: string }[] = [
    { recordKind: "scenario", recordId: scenario.id },
    ...scenario.threats.flatMap((t) => [
      { recordKind: "threat", recordId: t.id },
      ...t.conditions.map((c) => ({ recordKind: "condition", recordId: c.id })),
      ...t.deadlines.map((d) => ({ recordKind: "deadline", recordId: d.id })),
    ]),
    ...scenario.deadlines.map((d) => ({ recordKind: "deadline", recordId: d.id })),
    ...scenario.events.map((e) => ({ recordKind: "event", recordId: e.id })),
  ];
  const unique = [...new Map(records.map((r) => [`${r.recordKind}|${r.recordId}`, r])).values()];
  const [evidence, timeline] = await Promise.all([
    prisma.evidence.findMany({
      where: { OR: unique },
      orderBy: [{ sourceId: "asc" }, { startOffset: "asc" }],
      include: { source: { select: { id: true, title: true } }, speaker: { select: { id: true, name: true } } },
    }),
    prisma.statusChange.findMany({ where: { OR: unique }, orderBy: [{ effectiveAt: "asc" }, { seq: "asc" }] }),
  ]);
  return { scenario, evidence, timeline };
}

export type ScenarioView = NonNullable<Awaited<ReturnType<typeof scenarioView>>>;
