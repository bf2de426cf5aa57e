import type { Precision } from "../domain/statuses.ts";
import type { TrackerDatabase } from "./client.ts";
import { getRecord, listRecords } from "./records.ts";
import { type ReadTime, statusesAt } from "./sql/record-states.ts";

/** A deadline as it stood at the read time: its due date then and its status then. */
export interface DeadlineThen {
  id: string;
  dueAt: Date | null;
  precision: Precision;
  wording: string;
  kind: string;
  status: string;
}

interface Brief {
  id: string;
  name: string;
}

/** What the desk shows of an agreement at the read time; the same record `GET /api/agreements/{id}` answers. */
export interface AgreementThen {
  id: string;
  title: string;
  summary: string | null;
  status: string;
  unconfirmed: boolean;
  scheduled: { change: "status" | "dates" | "terms"; to: string | null; effectiveAt: Date; byTerms: boolean }[];
  supersededById: string | null;
  parties: Brief[];
  /** Its first DETAIL_EMBEDS own deadlines (its expiry, its conditions'), and whether more follow. */
  deadlines: DeadlineThen[];
  deadlinesTruncated: boolean;
  /** Its first AGREEMENT_COMMITMENTS commitments in id order, those that existed at the read time. */
  commitments: {
    id: string;
    partyId: string;
    description: string;
    kind: string;
    status: string;
    unconfirmed: boolean;
    affectsThreatIds: string[];
    /** The measures it changes, with their status then and the scenario that shows their terms timeline. */
    affects: { id: string; summary: string; scenarioId: string; status: string | null }[];
    deadlines: DeadlineThen[];
  }[];
  /** True when it has more commitments than the AGREEMENT_COMMITMENTS shown (the commitments list pages through them all). */
  commitmentsTruncated: boolean;
  /** Its first DETAIL_EMBEDS conditions, each with its first deadlines, and whether more follow. */
  conditions: {
    id: string;
    description: string;
    effect: string;
    status: string;
    awaitedActor: Brief | null;
    deadlines: DeadlineThen[];
    deadlinesTruncated: boolean;
  }[];
  conditionsTruncated: boolean;
}

/** How many agreements one desk page shows: each is read whole (about 9 ms with three commitments). */
export const AGREEMENTS_PER_PAGE = 25;

/**
 * The agreements that existed at the read time, in id order after `afterId`, each read as the API
 * reads one; `nextAfter` is where the next page starts, null on the last.
 */
export async function agreementsAt(db: TrackerDatabase, time: ReadTime, afterId?: string): Promise<{ agreements: AgreementThen[]; nextAfter: string | null }> {
  const page = await listRecords(db, "agreement", {}, AGREEMENTS_PER_PAGE, time, afterId);
  const agreements: AgreementThen[] = [];
  for (const row of page.items) agreements.push(await agreementAt(db, row.id as string, time));
  return { agreements, nextAfter: page.nextId };
}

/** One agreement at the read time (NotFound when it did not exist yet), with dates as Date. */
export async function agreementAt(db: TrackerDatabase, id: string, time: ReadTime): Promise<AgreementThen> {
  const record = (await getRecord(db, "agreement", id, time)) as Record<string, any>;
  const deadlinesOf = (ds: Record<string, any>[] | undefined): DeadlineThen[] =>
    (ds ?? []).map((d) => ({ ...d, dueAt: d.dueAt ? new Date(d.dueAt) : null }) as DeadlineThen);
  const affected = await measuresAt(
    db,
    record.commitments.flatMap((c: { affectsThreatIds: string[] }) => c.affectsThreatIds),
    time,
  );
  return {
    ...record,
    scheduled: record.scheduled.map((s: Record<string, any>) => ({ ...s, effectiveAt: new Date(s.effectiveAt) })),
    deadlines: deadlinesOf(record.deadlines),
    commitments: record.commitments.map((c: Record<string, any>) => ({
      ...c,
      affects: c.affectsThreatIds.flatMap((id: string) => affected.get(id) ?? []),
      deadlines: deadlinesOf(c.deadlines),
    })),
    conditions: record.conditions.map((c: Record<string, any>) => ({ ...c, deadlines: deadlinesOf(c.deadlines) })),
  } as AgreementThen;
}

/** Measures by id with their status at the read time; those that did not exist then are left out. */
async function measuresAt(db: TrackerDatabase, ids: string[], time: ReadTime) {
  if (ids.length === 0) return new Map();
  const rows = await db.prisma.threat.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, summary: true, scenarioId: true } });
  const states = statusesAt(
    db.reader,
    "threat",
    rows.map((r) => r.id),
    time,
  );
  return new Map(rows.filter((r) => states.get(r.id)?.exists).map((r) => [r.id, { ...r, status: states.get(r.id)!.status }]));
}
