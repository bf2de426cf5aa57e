import type { TrackedKind } from "../domain/statuses.ts";
import type { TrackerDatabase } from "./client.ts";
import type { ReadTime } from "./sql/record-states.ts";
import {
  conditionsPage,
  type DatedKey,
  deadlinesPage,
  type EntryKey,
  eventsPage,
  type IdKey,
  quotesOf,
  SECTION_PAGE,
  scenarioAtReadTime,
  THREATS_PAGE,
  threatOfScenario,
  threatsPage,
  timelinePage,
} from "./sql/scenario-view.ts";

/** Which part of the scenario page to show, and from where; without one, the first page of every section. */
export type ScenarioFocus =
  | { section: "threats"; after: IdKey | null }
  | { section: "deadlines"; threatId: string | null; after: DatedKey | null }
  | { section: "conditions"; threatId: string; after: IdKey | null }
  | { section: "events"; after: DatedKey | null }
  | { section: "timeline"; after: EntryKey | null };

/**
 * The scenario page as it stood at the read time: the scenario, then either the first page of each
 * section (threats with their first conditions and deadlines, the scenario's own deadlines, events,
 * the timeline) or one section from a cursor; the quotes of every record shown. Null when the
 * scenario did not exist then; "no-such-threat" for a threat's section of a threat not in it.
 */
export function scenarioView(db: TrackerDatabase, id: string, time: ReadTime, focus: ScenarioFocus | null = null) {
  const r = db.reader;
  const scenario = scenarioAtReadTime(r, id, time);
  if (!scenario) return null;
  const threat = focus && "threatId" in focus && focus.threatId !== null ? threatOfScenario(r, id, focus.threatId) : null;
  if (focus && "threatId" in focus && focus.threatId !== null && !threat) return "no-such-threat" as const;
  const show = (section: ScenarioFocus["section"]) => focus === null || focus.section === section;
  const after = <K>(section: ScenarioFocus["section"]): K | null => (focus?.section === section ? (focus.after as K | null) : null);

  const threats = show("threats") ? threatsPage(r, id, after<IdKey>("threats"), THREATS_PAGE, time) : null;
  const conditions = threat && focus?.section === "conditions" ? conditionsPage(r, threat.id, after<IdKey>("conditions"), SECTION_PAGE, time) : null;
  const deadlines = show("deadlines")
    ? deadlinesPage(r, threat ? { threatId: threat.id } : { scenarioId: id }, after<DatedKey>("deadlines"), SECTION_PAGE, time)
    : null;
  const events = show("events") ? eventsPage(r, id, after<DatedKey>("events"), SECTION_PAGE, time) : null;
  const timeline = show("timeline") ? timelinePage(r, id, after<EntryKey>("timeline"), SECTION_PAGE, time) : null;

  const shown: { kind: TrackedKind; id: string }[] = [{ kind: "scenario", id }];
  for (const t of threats?.items ?? []) {
    shown.push({ kind: "threat", id: t.id });
    for (const c of t.conditions.items) shown.push({ kind: "condition", id: c.id });
    for (const d of t.deadlines.items) shown.push({ kind: "deadline", id: d.id });
  }
  for (const c of conditions?.items ?? []) shown.push({ kind: "condition", id: c.id });
  for (const d of deadlines?.items ?? []) shown.push({ kind: "deadline", id: d.id });
  for (const e of events?.items ?? []) shown.push({ kind: "event", id: e.id });
  return { scenario, focus, threat, threats, conditions, deadlines, events, timeline, quotes: quotesOf(r, shown, time) };
}

export type ScenarioView = Exclude<ReturnType<typeof scenarioView>, null | "no-such-threat">;
