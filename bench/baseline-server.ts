import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { Hono } from "hono";
import { pendingBucketsFrom } from "../src/db/deadline-queries.ts";

// The baseline: hand-written handlers on better-sqlite3 prepared statements, served by the
// same HTTP stack (Hono on @hono/node-server), returning the same JSON as the tracker for
// cases (a), (b) and (c). No validation, no middleware, no ORM: the floor for an HTTP answer.
const path = process.argv[2]!;
const db = new Database(path, { readonly: true });
const DAY = 86_400_000;

const iso = (d: Date) => d.toISOString().replace("Z", "+00:00");
const asOfSub = (kind: string, col: string) =>
  `(SELECT sc."to" FROM "StatusChange" sc WHERE sc."recordKind"='${kind}' AND sc."recordId"=${col} AND sc."effectiveAt"<=@asOf ORDER BY sc."effectiveAt" DESC, sc."seq" DESC LIMIT 1)`;
const columns = (
  status: (k: string, a: string) => string,
) => `d."id", d."dueAt", d."precision", d."wording", d."version", d."extendsId", ${status("deadline", "d")} AS "status",
  t."id" AS "threatId", t."summary" AS "threatSummary", ${status("threat", "t")} AS "threatStatus",
  c."id" AS "conditionId", c."description" AS "conditionDescription", ${status("condition", "c")} AS "conditionStatus",
  s."id" AS "scenarioId", s."title" AS "scenarioTitle", ${status("scenario", "s")} AS "scenarioStatus"`;
const joins = `FROM "Deadline" d LEFT JOIN "Threat" t ON t."id"=d."threatId" LEFT JOIN "Condition" c ON c."id"=d."conditionId" LEFT JOIN "Scenario" s ON s."id"=COALESCE(d."scenarioId", t."scenarioId")`;
const now = (_kind: string, a: string) => `${a}."status"`;
const past = (k: string, a: string) => asOfSub(k, `${a}."id"`);

const pendingNow = db.prepare(`SELECT ${columns(now)} ${joins} WHERE d."dueAt" IS NOT NULL AND d."status"='pending' ORDER BY d."dueAt", d."id" LIMIT 51`);
// As of a past instant, the same walks as the tracker, written out by hand: pending now (and
// since before asOf) in due order, plus one walk per month since asOf over the deadlines that
// left pending then; 51 keys from each, merged, then statuses from the history for those only.
const walkPendingNow = db.prepare(
  `SELECT d."id", d."dueAt" FROM "Deadline" d WHERE d."dueAt" IS NOT NULL AND d."status"='pending' AND d."pendingFrom"<=@asOf ORDER BY d."dueAt", d."id" LIMIT 51`,
);
// One walk per bucket ("YYYY-MM-DD" or "YYYY-MM") of when a deadline left pending, as the tracker does.
const walkLeftIn = (length: number) =>
  db.prepare(
    `SELECT d."id", d."dueAt" FROM "Deadline" d WHERE d."dueAt" IS NOT NULL AND substr(d."pendingUntil", 1, ${length}) = @bucket AND d."pendingUntil">@asOf AND d."pendingFrom"<=@asOf ORDER BY d."dueAt", d."id" LIMIT 51`,
  );
const walks: Record<number, Database.Statement> = { 7: walkLeftIn(7), 10: walkLeftIn(10) };
const rowThen = db.prepare(`SELECT ${columns(past)} ${joins} WHERE d."id" = @id`);
function pendingThen(asOf: Date): any[] {
  const at = iso(asOf);
  const keys: any[] = walkPendingNow.all({ asOf: at });
  for (const bucket of pendingBucketsFrom(asOf, new Date(Date.now() + 60_000))) keys.push(...walks[bucket.length]!.all({ asOf: at, bucket }));
  keys.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : 1));
  const rows: any[] = [];
  for (const k of keys) {
    const row = rowThen.get({ asOf: at, id: k.id }) as any;
    if (row.status === "pending") rows.push(row);
    if (rows.length === 51) break;
  }
  return rows;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const label = (d: Date, p: string) => {
  const m = MONTHS[d.getUTCMonth()];
  return p === "month" ? `${m} ${d.getUTCFullYear()}` : `${p === "week" ? "week of " : ""}${d.getUTCDate()} ${m} ${d.getUTCFullYear()}`;
};
const ends = (d: Date, p: string) => (p === "month" ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) : d.getTime() + (p === "week" ? 7 : 1) * DAY);
function shape(rows: any[], asOf: Date) {
  const today = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate());
  return rows.slice(0, 50).map((r) => {
    const due = new Date(r.dueAt);
    return {
      id: r.id,
      dueAt: due.toISOString(),
      precision: r.precision,
      status: r.status,
      wording: r.wording,
      version: r.version,
      extendsId: r.extendsId,
      dueLabel: label(due, r.precision),
      daysRemaining: Math.round((due.getTime() - today) / DAY),
      overdue: r.status === "pending" && asOf.getTime() >= ends(due, r.precision),
      threat: r.threatId ? { id: r.threatId, summary: r.threatSummary, status: r.threatStatus } : null,
      condition: r.conditionId ? { id: r.conditionId, description: r.conditionDescription, status: r.conditionStatus } : null,
      scenario: r.scenarioId ? { id: r.scenarioId, title: r.scenarioTitle, status: r.scenarioStatus } : null,
    };
  });
}

const threat = db.prepare(`SELECT * FROM "Threat" WHERE "id" = ?`);
const threatTargets = db.prepare(`SELECT "actorId" FROM "ThreatTarget" WHERE "threatId" = ? AND "initial" = 1 ORDER BY "actorId"`);
const actor = db.prepare(`SELECT * FROM "Actor" WHERE "id" = ?`);
const scenario = db.prepare(`SELECT "id","title","status" FROM "Scenario" WHERE "id" = ?`);
const topics = db.prepare(`SELECT tp.* FROM "Topic" tp JOIN "_ThreatToTopic" tt ON tt."B" = tp."id" WHERE tt."A" = ?`);
// A detail embeds the first 100 of each list recorded by now, and says whether more follow (decision 022): one more row is read.
const EMBEDS = 100;
const conditions = db.prepare(`SELECT * FROM "Condition" WHERE "threatId" = ? AND "createdAt" <= ? ORDER BY "id" LIMIT ${EMBEDS + 1}`);
const deadlinesOfThreat = db.prepare(`SELECT * FROM "Deadline" WHERE "threatId" = ? AND "createdAt" <= ? ORDER BY "dueAt", "id" LIMIT ${EMBEDS + 1}`);
const deadlinesOfCondition = db.prepare(`SELECT * FROM "Deadline" WHERE "conditionId" = ? AND "createdAt" <= ? ORDER BY "dueAt", "id" LIMIT ${EMBEDS + 1}`);
const evidence = db.prepare(
  `SELECT * FROM "Evidence" WHERE "recordKind" = 'threat' AND "recordId" = ? AND "createdAt" <= ? ORDER BY "sourceId", "startOffset", "id" LIMIT ${EMBEDS + 1}`,
);
const firstOf = (rows: unknown[]) => [rows.slice(0, EMBEDS), rows.length > EMBEDS] as const;
const brief = (id: string | null) => (id ? (({ id: i, name, kind }) => ({ id: i, name, kind }))(actor.get(id) as any) : null);

const app = new Hono();
app.get("/api/deadlines", (c) => {
  const asOfParam = c.req.query("asOf");
  if (!asOfParam) return c.json({ items: shape(pendingNow.all(), new Date()), nextCursor: null });
  const asOf = new Date(`${asOfParam}T23:59:59.999Z`);
  return c.json({ items: shape(pendingThen(asOf), asOf), nextCursor: null });
});
app.get("/api/threats/:id", (c) => {
  const t = threat.get(c.req.param("id")) as any;
  if (!t) return c.json({ title: "not found" }, 404);
  const now = new Date().toISOString();
  const [conds, conditionsTruncated] = firstOf(
    (conditions.all(t.id, now) as any[]).map((x) => {
      const [deadlines, deadlinesTruncated] = firstOf(deadlinesOfCondition.all(x.id, now));
      return { ...x, awaitedActor: brief(x.awaitedActorId), deadlines, deadlinesTruncated };
    }),
  );
  const [deadlines, deadlinesTruncated] = firstOf(deadlinesOfThreat.all(t.id, now));
  const [quotes, evidenceTruncated] = firstOf(evidence.all(t.id, now));
  return c.json({
    ...t,
    isAdditional: Boolean(t.isAdditional),
    scenario: scenario.get(t.scenarioId),
    issuer: actor.get(t.issuerId),
    targets: threatTargets.all(t.id),
    topics: topics.all(t.id),
    conditions: conds,
    conditionsTruncated,
    deadlines,
    deadlinesTruncated,
    evidence: quotes,
    evidenceTruncated,
  });
});

serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => console.log(`baseline listening at http://127.0.0.1:${info.port}/`));
