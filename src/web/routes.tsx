import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../api/app-env.ts";
import {
  CursorId,
  CursorInstant,
  CursorSeq,
  DeadlineCursorSchema,
  decodeCursor,
  decodeProposalCursor,
  encodeCursor,
  encodeProposalCursor,
  InForceCursorSchema,
  SourceQuoteCursorSchema,
} from "../api/cursors.ts";
import { refuseUnknownFilterIds } from "../api/list-filters.ts";
import { Id, MAX_LIMIT } from "../api/schemas/common.ts";
import { agreementAt, agreementsAt } from "../db/agreement-view.ts";
import { deadlinesDueNearest, eventsWithMovedDates } from "../db/calendar.ts";
import { listDeadlines } from "../db/deadline-queries.ts";
import { inForcePage } from "../db/in-force.ts";
import { type ScenarioFocus, scenarioView } from "../db/scenario-view.ts";
import { scheduledChanges } from "../db/scheduled-changes.ts";
import { intakeTargets, proposalsPage } from "../db/sources.ts";
import { type ReadTime, readTimeOf, statusesAt } from "../db/sql/record-states.ts";
import type { DatedKey, EntryKey } from "../db/sql/scenario-view.ts";
import { scenariosOfRecords, sourceById, sourceQuotes } from "../db/sql/source-quotes.ts";
import { type FieldProblem, InvalidInputError, NotFoundError } from "../domain/errors.ts";
import { parseReadInstants } from "../domain/read-time.ts";
import { PROJECT_ROOT } from "../project-root.ts";
import { calendarFeed } from "./calendar.ts";
import { DeskProblem } from "./layout.tsx";
import { AgreementPage, AgreementsPage } from "./pages/agreements.tsx";
import { DeskPage, type DeskPaging } from "./pages/desk.tsx";
import { InForcePage } from "./pages/in-force.tsx";
import { IntakeFormPage, IntakeProposalsPage } from "./pages/intake.tsx";
import { ScenarioPage, type SectionLinks } from "./pages/scenario.tsx";
import { SourcePage, textStretch } from "./pages/source.tsx";
import { type PageTime, pageTimeQuery } from "./read-time.tsx";

const ASSETS_DIR = join(PROJECT_ROOT, "src", "web", "assets");
const ASSETS = new Map([
  ["desk.css", "text/css; charset=utf-8"],
  ["desk.js", "text/javascript; charset=utf-8"],
  ["intake.js", "text/javascript; charset=utf-8"],
]);
/**
 * Deadlines, and events, one feed holds at most: those dated nearest to asOf. ical-generator 10
 * folds lines one character at a time (about 1 s a MB here; fixed in 11, which needs Node 22).
 */
const FEED_AT_MOST = 500;
/** Deadlines one desk page shows (with a link to the next). */
const DESK_DEADLINES = 500;
/** Proposals one intake page shows (with a link to the next). */
const DESK_PROPOSALS = 50;
/** Quotes one source page highlights (with a link to the next). */
const DESK_QUOTES = 100;

/** The FEED_AT_MOST rows dated nearest to `at`, before or after it, in date order. */
function nearest<T extends { id: string }>(rows: T[], dateOf: (row: T) => Date | null, at: Date): T[] {
  const distance = (row: T) => Math.abs(dateOf(row)!.getTime() - at.getTime());
  const kept = [...rows].sort((a, b) => distance(a) - distance(b) || (a.id < b.id ? -1 : 1)).slice(0, FEED_AT_MOST);
  return kept.sort((a, b) => dateOf(a)!.getTime() - dateOf(b)!.getTime() || (a.id < b.id ? -1 : 1));
}

/** The analyst's desk: server-rendered pages on the same domain and db code as the API. */
export function webRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const { db } = deps;

  // No icon: answer without a body rather than a 404 in every browser console.
  app.get("/favicon.ico", (c) => c.body(null, 204));

  app.get("/assets/:file", (c) => {
    const type = ASSETS.get(c.req.param("file"));
    if (!type) return c.notFound();
    return c.body(readFileSync(join(ASSETS_DIR, c.req.param("file"))), 200, { "Content-Type": type, "Cache-Control": "no-cache" });
  });

  /** The page's two instants from its query, under the same rule as the API's; problems name the field. */
  const pageTimeOf = (c: {
    req: { query(name: string): string | undefined };
  }): { page: PageTime; time: ReadTime } | { problems: string; errors: FieldProblem[] } => {
    const page: PageTime = { asOf: c.req.query("asOf") || null, knownAt: c.req.query("knownAt") || null };
    const now = deps.clock();
    const parsed = parseReadInstants(page);
    if (Array.isArray(parsed)) return { problems: parsed.map((p) => `${p.field}: ${p.problem}`).join("; "), errors: parsed };
    return { page, time: readTimeOf(parsed.asOf, parsed.knownAt, now) };
  };

  app.get("/", async (c) => {
    const read = pageTimeOf(c);
    if ("problems" in read) return c.html(<DeskProblem>{read.problems}.</DeskProblem>, 422);
    const after = orProblems(() => decodeCursor(c.req.query("cursor"), DeadlineCursorSchema, "cursor"));
    if ("problems" in after) return c.html(<DeskProblem>{after.problems}.</DeskProblem>, 422);
    const { rows, next } = listDeadlines(
      db.reader,
      { status: "pending", asOf: read.time.asOf, knownAt: read.time.knownAt, limit: DESK_DEADLINES, after: after.value },
      read.time.now,
    );
    const here = `/${pageTimeQuery(read.page)}`;
    const paging: DeskPaging = {
      // A full page with a cursor has more after it (but where the scan budget ran out on its last row); a shorter one was cut by the budget and may have none.
      more: next ? { href: `${here}${here.includes("?") ? "&" : "?"}cursor=${encodeCursor(next)}`, certain: rows.length === DESK_DEADLINES } : null,
      first: after.value ? here : null,
    };
    const upcoming = scheduledChanges(db.reader, read.time, 20);
    const scenarioRows = await db.prisma.scenario.findMany({ select: { id: true, title: true }, orderBy: { title: "asc" }, take: 200 });
    const states = statusesAt(
      db.reader,
      "scenario",
      scenarioRows.map((s) => s.id),
      read.time,
    );
    const scenarios = scenarioRows.filter((s) => states.get(s.id)?.exists).map((s) => ({ ...s, status: states.get(s.id)!.status }));
    return c.html(<DeskPage rows={rows} paging={paging} time={read.page} upcoming={upcoming} scenarios={scenarios} />);
  });

  app.get("/scenarios/:id", (c) => {
    const read = pageTimeOf(c);
    if ("problems" in read) return c.html(<DeskProblem>{read.problems}.</DeskProblem>, 422);
    const focus = scenarioFocusOf(c.req.query("section"), c.req.query("threat"), c.req.query("after"));
    if ("problems" in focus) return c.html(<DeskProblem>{focus.problems}.</DeskProblem>, 422);
    const id = c.req.param("id");
    // At a past knownAt a section may pass over more than its ceiling of rows recorded later: the page says so (422).
    const shown = orProblems(() => scenarioView(db, id, read.time, focus.focus));
    if ("problems" in shown) return c.html(<DeskProblem>{shown.problems}.</DeskProblem>, 422);
    const view = shown.value;
    if (view === "no-such-threat") return c.html(<DeskProblem>No such threat in this scenario.</DeskProblem>, 404);
    if (!view) return c.html(<DeskProblem>No such scenario{read.page.asOf || read.page.knownAt ? " at that time" : ""}.</DeskProblem>, 404);
    const overview = `/scenarios/${encodeURIComponent(id)}${pageTimeQuery(read.page)}`;
    const links: SectionLinks = {
      overview,
      more(section, after, threatId) {
        const q = new URLSearchParams({ section });
        if (threatId) q.set("threat", threatId);
        if (after !== null) q.set("after", encodeCursor(after));
        return `${overview}${overview.includes("?") ? "&" : "?"}${q}`;
      },
    };
    return c.html(<ScenarioPage view={view} asOf={read.time.asOf} time={read.page} links={links} />);
  });

  app.get("/in-force", async (c) => {
    const read = pageTimeOf(c);
    if ("problems" in read) return c.html(<DeskProblem>{read.problems}.</DeskProblem>, 422);
    const after = orProblems(() => decodeCursor(c.req.query("cursor"), InForceCursorSchema, "cursor"));
    if ("problems" in after) return c.html(<DeskProblem>{after.problems}.</DeskProblem>, 422);
    const { next, ...view } = inForcePage(db.reader, { withinDays: 30, limit: MAX_LIMIT, after: after.value }, read.time);
    const ids = [
      ...new Set([
        ...view.items.flatMap((i) => [i.issuerId, ...i.targetIds]),
        ...view.totals.flatMap((p) => [p.issuerId, ...p.components.map((m) => m.issuerId)]),
        ...view.upcoming.flatMap((u) => (u.values?.targetIds as string[]) ?? []),
      ]),
    ];
    const names = new Map((await db.prisma.actor.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((a) => [a.id, a.name]));
    return c.html(<InForcePage view={view} time={read.page} nextCursor={next && encodeCursor(next)} nameOf={(id) => names.get(id) ?? id} />);
  });

  app.get("/agreements", async (c) => {
    const read = pageTimeOf(c);
    if ("problems" in read) return c.html(<DeskProblem>{read.problems}.</DeskProblem>, 422);
    const after = c.req.query("after");
    const checked = after === undefined ? null : Id.safeParse(after);
    if (checked && !checked.success) return c.html(<DeskProblem>after: {checked.error.issues[0]?.message ?? "is not an agreement id"}.</DeskProblem>, 422);
    const { agreements, nextAfter } = await agreementsAt(db, read.time, after);
    return c.html(<AgreementsPage agreements={agreements} nextAfter={nextAfter} asOf={read.time.asOf} time={read.page} />);
  });

  app.get("/agreements/:id", async (c) => {
    const read = pageTimeOf(c);
    if ("problems" in read) return c.html(<DeskProblem>{read.problems}.</DeskProblem>, 422);
    try {
      const agreement = await agreementAt(db, c.req.param("id"), read.time);
      return c.html(<AgreementPage agreement={agreement} asOf={read.time.asOf} time={read.page} />);
    } catch (e) {
      if (e instanceof NotFoundError)
        return c.html(<DeskProblem>No such agreement{read.page.asOf || read.page.knownAt ? " at that time" : ""}.</DeskProblem>, 404);
      throw e;
    }
  });

  app.get("/sources/:id", (c) => {
    const after = orProblems(() => decodeCursor(c.req.query("after"), SourceQuoteCursorSchema, "after"));
    if ("problems" in after) return c.html(<DeskProblem>{after.problems}.</DeskProblem>, 422);
    const source = sourceById(db.reader, c.req.param("id"));
    if (!source) return c.html(<DeskProblem>No such source.</DeskProblem>, 404);
    const read = sourceQuotes(db.reader, source.id, after.value ?? null, DESK_QUOTES + 1);
    const quotes = read.slice(0, DESK_QUOTES);
    const last = quotes.at(-1);
    const here = `/sources/${encodeURIComponent(source.id)}`;
    const links = {
      more: read.length > DESK_QUOTES && last ? `${here}?after=${encodeCursor([last.startOffset, last.endOffset, last.id])}` : null,
      first: after.value ? here : null,
    };
    const scenarios = scenariosOfRecords(db.reader, quotes);
    return c.html(
      <SourcePage
        source={source}
        quotes={quotes}
        stretch={source.text === null ? null : textStretch(source.text, quotes, read[DESK_QUOTES] ?? null, after.value !== undefined)}
        links={links}
        scenarioOf={(kind, id) => scenarios.get(`${kind}|${id}`) ?? null}
      />,
    );
  });

  app.get("/intake", (c) => c.html(<IntakeFormPage />));

  app.get("/intake/:id", async (c) => {
    const source = await db.prisma.source.findUnique({ where: { id: c.req.param("id") } });
    if (!source) return c.html(<DeskProblem>No such source.</DeskProblem>, 404);
    if (source.text === null) return c.redirect(`/sources/${source.id}`);
    const after = orProblems(() => decodeProposalCursor(source.id, c.req.query("after"), "after"));
    if ("problems" in after) return c.html(<DeskProblem>{after.problems}</DeskProblem>, 422);
    const [page, targets] = await Promise.all([proposalsPage(db.prisma, source, { limit: DESK_PROPOSALS, after: after.value }), intakeTargets(db.prisma)]);
    const here = `/intake/${encodeURIComponent(source.id)}`;
    const links = { more: page.next && `${here}?after=${encodeProposalCursor(source.id, page.next)}`, first: after.value ? here : null };
    return c.html(<IntakeProposalsPage source={{ ...source, text: source.text }} page={page} targets={targets} links={links} />);
  });

  app.get("/calendar.ics", async (c) => {
    const read = pageTimeOf(c);
    // A feed's reader is a program: its refusals are problems, as the API's and as for ?scenario=.
    if ("problems" in read) throw new InvalidInputError(read.errors.map((e) => ({ field: `query.${e.field}`, problem: e.problem })));
    const scenarioId = c.req.query("scenario");
    const scenario = scenarioId === undefined ? null : await calendarScenario(db, scenarioId, read.time);
    const inScenario = scenarioId ? { OR: [{ scenarioId }, { threat: { scenarioId } }] } : {};
    // Candidates from the columns: the dated items nearest to asOf on either side (by the date as
    // first recorded; items whose dates moved, few, are all candidates), each read stopping at
    // FEED_AT_MOST. Then each one's status and dates as they stood at asOf, and of those the
    // FEED_AT_MOST nearest by those dates.
    const at = read.time.asOf;
    // At a past knownAt, items recorded later take no place among the candidates: they were dropped after, and the feed moved.
    const pastKnownAt = read.time.knownAt.getTime() < read.time.now.getTime() ? read.time.knownAt : null;
    const recordedBy = pastKnownAt ? { createdAt: { lte: pastKnownAt } } : {};
    const deadlineInclude = { threat: { select: { summary: true } }, scenario: { select: { title: true } } };
    const deadlineSide = (after: boolean) =>
      db.prisma.deadline.findMany({
        where: { id: { in: deadlinesDueNearest(db.reader, at, after, scenarioId ?? null, FEED_AT_MOST, pastKnownAt) } },
        include: deadlineInclude,
      });
    const [dueAfter, dueBefore, moved] = await Promise.all([
      deadlineSide(true),
      deadlineSide(false),
      db.prisma.deadline.findMany({
        where: { AND: [inScenario, { datesMoved: true }, recordedBy] },
        include: deadlineInclude,
        orderBy: { id: "asc" },
        take: FEED_AT_MOST,
      }),
    ]);
    const inEventScenario = scenarioId ? { scenarioId } : {};
    const eventSide = (after: boolean) =>
      db.prisma.event.findMany({
        where: { AND: [inEventScenario, recordedBy, { startsAt: after ? { gte: at } : { lt: at } }] },
        orderBy: after ? [{ startsAt: "asc" }, { id: "asc" }] : [{ startsAt: "desc" }, { id: "asc" }],
        take: FEED_AT_MOST,
      });
    const movedEventIds = eventsWithMovedDates(db.reader, scenarioId ?? null, FEED_AT_MOST);
    const [startAfter, startBefore, movedEvents] = await Promise.all([
      eventSide(true),
      eventSide(false),
      movedEventIds.length ? db.prisma.event.findMany({ where: { id: { in: movedEventIds } } }) : [],
    ]);
    const byId = <T extends { id: string }>(rows: T[]) => [...new Map(rows.map((r) => [r.id, r])).values()];
    const deadlineRows = byId([...nearest([...dueAfter, ...dueBefore], (d) => d.dueAt, at), ...moved]);
    const eventRows = byId([...nearest([...startAfter, ...startBefore], (e) => e.startsAt, at), ...movedEvents]);
    const deadlineStates = statusesAt(
      db.reader,
      "deadline",
      deadlineRows.map((d) => d.id),
      read.time,
    );
    const eventStates = statusesAt(
      db.reader,
      "event",
      eventRows.map((e) => e.id),
      read.time,
    );
    const deadlines = deadlineRows.flatMap((d) => {
      const then = deadlineStates.get(d.id);
      if (!then?.exists) return [];
      return [
        {
          ...d,
          ...then.dates,
          status: then.status!,
          scheduled: then.scheduled,
          datesMoves: then.datesMoves,
          title: d.threat?.summary ?? d.wording,
          scenarioTitle: d.scenario?.title ?? null,
        },
      ];
    });
    const events = eventRows.flatMap((e) => {
      const then = eventStates.get(e.id);
      return then?.exists ? [{ ...e, ...then.dates, status: then.status!, scheduled: then.scheduled, datesMoves: then.datesMoves }] : [];
    });
    const upcoming = scheduledChanges(db.reader, read.time, 200);
    const body = calendarFeed(
      nearest(
        deadlines.filter((d) => d.dueAt),
        (d) => d.dueAt,
        at,
      ),
      nearest(
        events.filter((e) => e.startsAt),
        (e) => e.startsAt,
        at,
      ),
      upcoming,
      scenario ? `Tradewatch: ${scenario.title}` : "Tradewatch deadlines and meetings",
    );
    return c.body(body, 200, { "Content-Type": "text/calendar; charset=utf-8", "Content-Disposition": 'inline; filename="tradewatch.ics"' });
  });

  return app;
}

/** The scenario a calendar feed is limited to; a malformed `?scenario=`, or one naming no scenario as known at knownAt, is refused (422) as the API's filters are. */
async function calendarScenario(db: AppDeps["db"], scenarioId: string, time: ReadTime): Promise<{ title: string }> {
  const checked = Id.safeParse(scenarioId);
  if (!checked.success) throw new InvalidInputError([{ field: "query.scenario", problem: checked.error.issues[0]?.message ?? "is not a scenario id" }]);
  refuseUnknownFilterIds(db, { scenario: scenarioId }, time);
  return db.prisma.scenario.findUniqueOrThrow({ where: { id: scenarioId }, select: { title: true } });
}

const SECTIONS = ["threats", "deadlines", "conditions", "events", "timeline"] as const;
/** The scenario sections' cursors: an id; a date (or "~", undated: last) and id; an entry's effective time and seq. */
const IdKeySchema = CursorId;
const DatedKeySchema = z.tuple([CursorInstant.or(z.literal("~")), CursorId]) satisfies z.ZodType<DatedKey>;
const EntryKeySchema = z.tuple([CursorInstant, CursorSeq]) satisfies z.ZodType<EntryKey>;

/** A page's cursor, or a read the page refuses (a past one past its ceiling), or what is wrong, in the page's words ("after: …"). */
function orProblems<T>(decode: () => T): { value: T } | { problems: string } {
  try {
    return { value: decode() };
  } catch (e) {
    if (e instanceof InvalidInputError) return { problems: e.errors.map((p) => `${p.field}: ${p.problem}`).join("; ") };
    throw e;
  }
}

/** The scenario page's `section`, `threat` and `after` (a cursor this page issued); problems name the parameter. */
function scenarioFocusOf(section?: string, threat?: string, after?: string): { focus: ScenarioFocus | null } | { problems: string } {
  if (!section)
    return section === undefined && threat === undefined && after === undefined ? { focus: null } : { problems: "section: is needed with threat or after" };
  if (!(SECTIONS as readonly string[]).includes(section)) return { problems: `section: must be one of ${SECTIONS.join(", ")}` };
  if (threat !== undefined && !Id.safeParse(threat).success) return { problems: "threat: is not a threat id" };
  if (threat !== undefined && section !== "deadlines" && section !== "conditions")
    return { problems: "threat: applies only to the deadlines and conditions sections" };
  if (section === "conditions" && threat === undefined) return { problems: "threat: the conditions section needs one" };
  if (after !== undefined && after.length > 500) return { problems: "after: is not a cursor this page issued" };
  const threatId = threat ?? null;
  const cursor = after || undefined;
  switch (section) {
    case "threats":
    case "conditions": {
      const key = orProblems(() => decodeCursor(cursor, IdKeySchema, "after") ?? null);
      if ("problems" in key) return key;
      return { focus: section === "threats" ? { section, after: key.value } : { section, threatId: threatId!, after: key.value } };
    }
    case "deadlines":
    case "events": {
      const key = orProblems(() => decodeCursor(cursor, DatedKeySchema, "after") ?? null);
      if ("problems" in key) return key;
      return { focus: section === "events" ? { section, after: key.value } : { section, threatId, after: key.value } };
    }
    default: {
      const key = orProblems(() => decodeCursor(cursor, EntryKeySchema, "after") ?? null);
      if ("problems" in key) return key;
      return { focus: { section: "timeline", after: key.value } };
    }
  }
}
