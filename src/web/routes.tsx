import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../api/app-env.ts";
import { listDeadlines } from "../db/deadline-queries.ts";
import { scenarioView } from "../db/scenario-view.ts";
import { intakeTargets, proposalsForSource } from "../db/sources.ts";
import { parseAsOf } from "../domain/dates.ts";
import { calendarFeed } from "./calendar.ts";
import { DeskPage } from "./pages/desk.tsx";
import { IntakeFormPage, IntakeProposalsPage } from "./pages/intake.tsx";
import { ScenarioPage } from "./pages/scenario.tsx";
import { SourcePage } from "./pages/source.tsx";

const ASSETS_DIR = join(import.meta.dirname, "assets");
const ASSETS: Record<string, string> = {
  "desk.css": "text/css; charset=utf-8",
  "desk.js": "text/javascript; charset=utf-8",
  "intake.js": "text/javascript; charset=utf-8",
};
/** How long a resolved deadline stays in the calendar feed, marked, after its last change. */
const FEED_KEEPS_RESOLVED_DAYS = 180;

/** The analyst's desk: server-rendered pages on the same domain and db code as the API. */
export function webRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const { db } = deps;

  // No icon: answer without a body rather than a 404 in every browser console.
  app.get("/favicon.ico", (c) => c.body(null, 204));

  app.get("/assets/:file", (c) => {
    const type = ASSETS[c.req.param("file")];
    if (!type) return c.notFound();
    return c.body(readFileSync(join(ASSETS_DIR, c.req.param("file"))), 200, { "Content-Type": type, "Cache-Control": "no-cache" });
  });

  app.get("/", async (c) => {
    const asOfParam = c.req.query("asOf") || null;
    const asOf = asOfParam ? parseAsOf(asOfParam) : null;
    if (asOfParam && !asOf) return c.html(<p>“{asOfParam}” is not a date: use YYYY-MM-DD.</p>, 422);
    const { rows } = listDeadlines(db.reader, { status: "pending", asOf: asOf ?? undefined, limit: 500 });
    const scenarios = await db.prisma.scenario.findMany({ select: { id: true, title: true, status: true }, orderBy: { title: "asc" }, take: 200 });
    return c.html(<DeskPage rows={rows} asOf={asOfParam} scenarios={scenarios} />);
  });

  app.get("/scenarios/:id", async (c) => {
    const view = await scenarioView(db.prisma, c.req.param("id"));
    if (!view) return c.html(<p>No such scenario.</p>, 404);
    return c.html(<ScenarioPage view={view} now={new Date()} />);
  });

  app.get("/sources/:id", async (c) => {
    const source = await db.prisma.source.findUnique({ where: { id: c.req.param("id") } });
    if (!source) return c.html(<p>No such source.</p>, 404);
    const quotes = await db.prisma.evidence.findMany({ where: { sourceId: source.id }, orderBy: [{ startOffset: "asc" }, { endOffset: "desc" }] });
    const owners = new Map<string, string | null>();
    for (const q of quotes) owners.set(`${q.recordKind}|${q.recordId}`, await scenarioOf(deps, q.recordKind, q.recordId));
    return c.html(<SourcePage source={source} quotes={quotes} scenarioOf={(kind, id) => owners.get(`${kind}|${id}`) ?? null} />);
  });

  app.get("/intake", (c) => c.html(<IntakeFormPage />));

  app.get("/intake/:id", async (c) => {
    const source = await db.prisma.source.findUnique({ where: { id: c.req.param("id") } });
    if (!source) return c.html(<p>No such source.</p>, 404);
    if (source.text === null) return c.redirect(`/sources/${source.id}`);
    const [proposals, targets] = await Promise.all([proposalsForSource(db.prisma, source), intakeTargets(db.prisma)]);
    return c.html(<IntakeProposalsPage source={{ ...source, text: source.text }} proposals={proposals} targets={targets} />);
  });

  app.get("/calendar.ics", async (c) => {
    const scenarioId = c.req.query("scenario");
    const since = new Date(Date.now() - FEED_KEEPS_RESOLVED_DAYS * 86_400_000);
    const inScenario = scenarioId ? { OR: [{ scenarioId }, { threat: { scenarioId } }] } : {};
    const deadlines = await db.prisma.deadline.findMany({
      where: { AND: [inScenario, { OR: [{ status: "pending" }, { updatedAt: { gte: since } }] }] },
      include: { threat: { select: { summary: true } }, scenario: { select: { title: true } } },
      orderBy: { id: "asc" },
      take: 5_000,
    });
    const events = await db.prisma.event.findMany({
      where: { AND: [scenarioId ? { scenarioId } : {}, { OR: [{ status: { in: ["scheduled", "postponed"] } }, { updatedAt: { gte: since } }] }] },
      orderBy: { id: "asc" },
      take: 5_000,
    });
    const body = calendarFeed(
      deadlines.map((d) => ({ ...d, title: d.threat?.summary ?? d.wording, scenarioTitle: d.scenario?.title ?? null })),
      events,
      scenarioId ? `Tradewatch: ${scenarioId}` : "Tradewatch deadlines and meetings",
    );
    return c.body(body, 200, { "Content-Type": "text/calendar; charset=utf-8", "Content-Disposition": 'inline; filename="tradewatch.ics"' });
  });

  return app;
}

/** The scenario a record belongs to, for linking a quote to where the record is shown. */
async function scenarioOf({ db }: AppDeps, kind: string, id: string): Promise<string | null> {
  const p = db.prisma;
  if (kind === "scenario") return id;
  if (kind === "threat") return (await p.threat.findUnique({ where: { id }, select: { scenarioId: true } }))?.scenarioId ?? null;
  if (kind === "event") return (await p.event.findUnique({ where: { id }, select: { scenarioId: true } }))?.scenarioId ?? null;
  if (kind === "condition")
    return (await p.condition.findUnique({ where: { id }, select: { threat: { select: { scenarioId: true } } } }))?.threat.scenarioId ?? null;
  if (kind === "deadline") {
    const d = await p.deadline.findUnique({ where: { id }, select: { scenarioId: true, threat: { select: { scenarioId: true } } } });
    return d?.scenarioId ?? d?.threat?.scenarioId ?? null;
  }
  return null;
}
