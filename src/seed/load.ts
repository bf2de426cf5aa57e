import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TrackerDatabase } from "../db/client.ts";
import { rewriteInForceOf } from "../db/in-force.ts";
import { SEED_WRITER } from "../domain/roles.ts";
import { planSeed, type SeedPlan } from "./plan.ts";
import { readSeedFile } from "./seed-file.ts";

export const SEED_AUTHOR = SEED_WRITER;

/** Reads a curated seed file and the article it names, and checks one against the other. */
export function planSeedFromFile(recordPath: string): SeedPlan {
  const file = readSeedFile(recordPath);
  const text = readFileSync(join(dirname(recordPath), file.source.file), "utf8");
  return planSeed(file, text);
}

/**
 * Writes a checked plan in one transaction: all of it or none. Records that already exist
 * are left as they are (their status may have moved on since), so seeding twice changes nothing.
 */
export async function loadSeed(db: TrackerDatabase, plan: SeedPlan, now = new Date()): Promise<void> {
  const { file } = plan;
  const src = file.source;
  const firstEvidence = new Map<string, string>();
  for (const e of plan.evidence) {
    const key = `${e.recordKind}|${e.recordId}`;
    if (!firstEvidence.has(key)) firstEvidence.set(key, e.id);
  }
  const stamps = { createdAt: now, updatedAt: now };
  const date = (id: string) => plan.dates.get(id) ?? { at: null, end: null, precision: "unknown" as const };
  const topicLinks = (ids: string[]) => ({ connect: ids.map((id) => ({ id })) });

  await db.prismaTransaction(async (tx) => {
    await tx.source.upsert({
      where: { id: src.id },
      update: {},
      create: {
        id: src.id,
        title: src.title,
        publisher: src.publisher,
        url: src.url,
        publishedAt: plan.publishedAt,
        publishedAtInferred: src.publishedOnInferred,
        text: plan.text,
        sha256: plan.sha256,
        disclaimer: src.disclaimerQuote,
        createdAt: now,
      },
    });
    // Governments first: persons point at them.
    const actors = [...file.actors].sort((a, b) => Number(Boolean(a.government)) - Number(Boolean(b.government)));
    for (const a of actors) {
      await tx.actor.upsert({
        where: { id: a.id },
        update: {},
        create: {
          id: a.id,
          name: a.name,
          kind: a.kind,
          role: a.role ?? null,
          aliases: a.aliases?.join("; ") ?? null,
          country: a.country ?? null,
          governmentId: a.government ?? null,
        },
      });
    }
    for (const t of file.topics) await tx.topic.upsert({ where: { id: t.id }, update: {}, create: { id: t.id, name: t.name } });
    for (const s of file.scenarios) {
      await tx.scenario.upsert({
        where: { id: s.id },
        update: {},
        create: { id: s.id, title: s.title, summary: s.summary, status: s.status, ...stamps, topics: topicLinks(s.topics) },
      });
    }
    for (const t of file.threats) {
      await tx.threat.upsert({
        where: { id: t.id },
        update: {},
        create: {
          id: t.id,
          scenarioId: t.scenario,
          issuerId: t.issuer,
          measure: t.measure,
          covers: t.covers,
          ratePercent: t.ratePercent ?? null,
          authority: t.authority ?? null,
          summary: t.summary,
          magnitudeText: t.magnitude?.text ?? null,
          isAdditional: t.magnitude?.additional ?? false,
          status: t.status,
          ...stamps,
          topics: topicLinks(t.topics),
          targets: { create: t.targets.map((actorId) => ({ actorId })) },
        },
      });
    }
    for (const c of file.conditions) {
      await tx.condition.upsert({
        where: { id: c.id },
        update: {},
        create: { id: c.id, threatId: c.threat, description: c.description, awaitedActorId: c.awaitedActor, effect: c.effect, status: c.status, ...stamps },
      });
    }
    for (const d of file.deadlines) {
      const when = date(d.id);
      await tx.deadline.upsert({
        where: { id: d.id },
        update: {},
        create: {
          id: d.id,
          dueAt: when.at,
          precision: when.precision,
          wording: d.wording,
          // A condition's deadline belongs to the condition's threat too, named or not (as through the API).
          threatId: d.threat ?? file.conditions.find((c) => c.id === d.condition)?.threat ?? null,
          conditionId: d.condition ?? null,
          scenarioId: d.scenario ?? null,
          status: d.status,
          // The pending bounds (see the schema): pending from the article's date, learnt now.
          pendingFrom: d.status === "pending" ? plan.publishedAt : null,
          pendingKnownFrom: d.status === "pending" ? now : null,
          ...stamps,
        },
      });
    }
    for (const e of file.events) {
      const when = date(e.id);
      await tx.event.upsert({
        where: { id: e.id },
        update: {},
        create: {
          id: e.id,
          scenarioId: e.scenario,
          title: e.title,
          kind: e.kind,
          startsAt: when.at,
          endsAt: when.end ?? when.at,
          precision: when.precision,
          wording: e.wording,
          place: e.place,
          country: e.country,
          status: e.status,
          ...stamps,
          participants: { create: e.participants.map((actorId) => ({ actorId })) },
          topics: topicLinks(e.topics),
        },
      });
    }
    for (const ev of plan.evidence) {
      await tx.evidence.upsert({ where: { id: ev.id }, update: {}, create: { ...ev, sourceId: src.id, createdAt: now } });
    }
    for (const r of plan.tracked) {
      const existing = await tx.statusChange.findFirst({ where: { recordKind: r.kind, recordId: r.id }, select: { seq: true } });
      if (existing) continue;
      await tx.statusChange.create({
        data: {
          recordKind: r.kind,
          recordId: r.id,
          from: null,
          to: r.status,
          effectiveAt: plan.publishedAt,
          recordedAt: now,
          reason: `Stated in "${src.title}" (${src.publisher})`,
          by: SEED_AUTHOR,
          sourceId: src.id,
          evidenceId: firstEvidence.get(`${r.kind}|${r.id}`) ?? null,
        },
      });
    }
  });
  // The seeded threats' in-force projection, from their history as now stored (rewritten on every run, so a run cut short here is completed by the next).
  await db.rawTransaction((conn) =>
    rewriteInForceOf(
      conn,
      file.threats.map((t) => t.id),
    ),
  );
}
