import { type ResolvedDate, resolveDatePhrase, utcDay } from "../domain/dates.ts";
import { findQuote, type LocatedQuote, sha256Hex } from "../domain/evidence.ts";
import type { Precision, TrackedKind } from "../domain/statuses.ts";
import { SeedError, type SeedFile } from "./seed-file.ts";

export type PlannedEvidence = LocatedQuote;

export interface PlannedDate {
  at: Date | null;
  end: Date | null;
  precision: Precision;
}

/** Everything the seed will write, checked against the article before any write happens. */
export interface SeedPlan {
  file: SeedFile;
  text: string;
  sha256: string;
  publishedAt: Date;
  evidence: PlannedEvidence[];
  dates: Map<string, PlannedDate>;
  /** Tracked records and their initial statuses, for the first history entries. */
  tracked: { kind: TrackedKind; id: string; status: string }[];
}

function locateQuote(text: string, quote: string, recordKind: string, recordId: string): PlannedEvidence {
  const found = findQuote(text, quote, recordKind, recordId);
  if (!found) throw new SeedError(`Quote for ${recordKind} "${recordId}" is not in the article verbatim: "${quote}"`);
  return found;
}

function resolveWhen(when: string | null, publishedAt: Date, owner: string): PlannedDate {
  if (when === null) return { at: null, end: null, precision: "unknown" };
  // Noon on the publication day, so "this week" and weekday phrases fall in the article's week.
  const resolved: ResolvedDate | null = resolveDatePhrase(when, new Date(publishedAt.getTime() + 12 * 3_600_000));
  if (!resolved) throw new SeedError(`Date phrase for ${owner} cannot be resolved: "${when}"`);
  return { at: resolved.start, end: resolved.end, precision: resolved.precision };
}

function checkReferences(file: SeedFile): void {
  const ids = (list: { id: string }[]) => new Set(list.map((r) => r.id));
  const known = {
    actor: ids(file.actors),
    topic: ids(file.topics),
    scenario: ids(file.scenarios),
    threat: ids(file.threats),
    condition: ids(file.conditions),
  };
  const check = (kind: keyof typeof known, ref: string | null | undefined, where: string) => {
    if (ref != null && !known[kind].has(ref)) throw new SeedError(`${where} names unknown ${kind} "${ref}"`);
  };
  for (const a of file.actors) check("actor", a.government, `actor "${a.id}" field "government"`);
  for (const s of file.scenarios) for (const t of s.topics) check("topic", t, `scenario "${s.id}" field "topics"`);
  for (const t of file.threats) {
    check("scenario", t.scenario, `threat "${t.id}" field "scenario"`);
    check("actor", t.issuer, `threat "${t.id}" field "issuer"`);
    for (const target of t.targets) check("actor", target, `threat "${t.id}" field "targets"`);
    for (const topic of t.topics) check("topic", topic, `threat "${t.id}" field "topics"`);
  }
  for (const c of file.conditions) {
    check("threat", c.threat, `condition "${c.id}" field "threat"`);
    check("actor", c.awaitedActor, `condition "${c.id}" field "awaitedActor"`);
  }
  for (const d of file.deadlines) {
    check("threat", d.threat, `deadline "${d.id}" field "threat"`);
    check("condition", d.condition, `deadline "${d.id}" field "condition"`);
    // A condition's deadline is its threat's too (as through the API): another threat is refused.
    const owner = file.conditions.find((c) => c.id === d.condition)?.threat;
    if (d.threat != null && owner !== undefined && d.threat !== owner) {
      throw new SeedError(`deadline "${d.id}" field "threat" names "${d.threat}", but its condition "${d.condition}" is threat "${owner}"'s`);
    }
    check("scenario", d.scenario, `deadline "${d.id}" field "scenario"`);
  }
  for (const e of file.events) {
    check("scenario", e.scenario, `event "${e.id}" field "scenario"`);
    for (const p of e.participants) check("actor", p, `event "${e.id}" field "participants"`);
    for (const t of e.topics) check("topic", t, `event "${e.id}" field "topics"`);
  }
}

/** Checks a seed file against its article and resolves its dates; writes nothing. */
export function planSeed(file: SeedFile, text: string): SeedPlan {
  checkReferences(file);
  const [y, m, d] = file.source.publishedOn.split("-").map(Number) as [number, number, number];
  const publishedAt = utcDay(y, m - 1, d);
  const evidence: PlannedEvidence[] = [];
  const cite = (kind: string, id: string, quotes: string[]) => {
    for (const q of quotes) evidence.push(locateQuote(text, q, kind, id));
  };
  if (file.source.disclaimerQuote) locateQuote(text, file.source.disclaimerQuote, "source", file.source.id);
  for (const a of file.actors) cite("actor", a.id, a.evidence);
  for (const t of file.topics) cite("topic", t.id, t.evidence);
  for (const s of file.scenarios) cite("scenario", s.id, s.evidence);
  for (const t of file.threats) cite("threat", t.id, t.evidence);
  for (const c of file.conditions) cite("condition", c.id, c.evidence);
  for (const dl of file.deadlines) cite("deadline", dl.id, dl.evidence);
  for (const e of file.events) cite("event", e.id, e.evidence);

  const dates = new Map<string, PlannedDate>();
  for (const dl of file.deadlines) dates.set(dl.id, resolveWhen(dl.when, publishedAt, `deadline "${dl.id}"`));
  for (const e of file.events) dates.set(e.id, resolveWhen(e.when, publishedAt, `event "${e.id}"`));

  const tracked: SeedPlan["tracked"] = [
    ...file.scenarios.map((r) => ({ kind: "scenario" as const, id: r.id, status: r.status })),
    ...file.threats.map((r) => ({ kind: "threat" as const, id: r.id, status: r.status })),
    ...file.conditions.map((r) => ({ kind: "condition" as const, id: r.id, status: r.status })),
    ...file.deadlines.map((r) => ({ kind: "deadline" as const, id: r.id, status: r.status })),
    ...file.events.map((r) => ({ kind: "event" as const, id: r.id, status: r.status })),
  ];
  return { file, text, sha256: sha256Hex(text), publishedAt, evidence, dates, tracked };
}
