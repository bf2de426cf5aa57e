import { expect, it } from "vitest";
import { listDeadlines } from "../../src/db/deadline-queries.ts";
import { threatAt } from "../../src/db/records.ts";
import { awaitedOnceBy } from "../../src/db/sql/awaited-then.ts";
import { readTimeOf } from "../../src/db/sql/record-states.ts";
import { createCornDeal, created, type TestApp, testApp } from "../helpers/app.ts";
import { planOf, recordingConnection } from "../helpers/plans.ts";

// What a condition does (averts or triggers), whose action it waits on, and what kind of commitment
// a commitment is are facts, not descriptive text: a PATCH correcting one must not move an answer
// known before it (issue 9), so it is recorded as a correction entry of the record's history.

/** A threat of the seeded US against China with an averting condition that waits on China, created through the API. */
async function threatWithCondition(t: TestApp): Promise<{ threat: any; condition: any }> {
  const scenario = await created(t, "/api/scenarios", { title: "S", summary: "s", effectiveAt: "2026-01-01" });
  const threat = await created(t, "/api/threats", {
    scenarioId: scenario.id,
    issuerId: "gov-us",
    targetIds: ["gov-cn"],
    measure: "tariff",
    covers: "goods",
    summary: "Tariff",
    effectiveAt: "2026-01-01",
  });
  const condition = await created(t, "/api/conditions", {
    threatId: threat.id,
    description: "China eases rare-earth controls",
    awaitedActorId: "gov-cn",
    effect: "averts",
    effectiveAt: "2026-01-01",
  });
  return { threat, condition };
}

const json = async (res: Response) => {
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as any;
};

it("corrects a condition's effect and awaited actor by PATCH: answers known before keep what was known then", async () => {
  let now = new Date("2026-01-05T08:00:00Z");
  const t = await testApp({ clock: () => now });
  try {
    const { threat, condition } = await threatWithCondition(t);
    now = new Date("2026-02-01T08:00:00Z");
    const patched = await t.write("PATCH", `/api/conditions/${condition.id}`, { effect: "triggers", awaitedActorId: "gov-us", reason: "Misread: it triggers" });
    const answer = await json(patched);
    expect(answer).toMatchObject({ effect: "triggers", awaitedActorId: "gov-us" });

    now = new Date("2026-03-01T08:00:00Z");
    const before = "knownAt=2026-01-20";
    expect(await json(await t.get(`/api/conditions/${condition.id}?${before}`))).toMatchObject({
      effect: "averts",
      awaitedActorId: "gov-cn",
      awaitedActor: { id: "gov-cn" },
    });
    expect(await json(await t.get(`/api/conditions/${condition.id}`))).toMatchObject({
      effect: "triggers",
      awaitedActorId: "gov-us",
      awaitedActor: { id: "gov-us" },
    });

    // Embedded in its threat's detail, and in lists, CSV and the actor filter.
    const embedded = (await json(await t.get(`/api/threats/${threat.id}?${before}`))).conditions[0];
    expect(embedded).toMatchObject({ effect: "averts", awaitedActorId: "gov-cn", awaitedActor: { id: "gov-cn" } });
    expect((await json(await t.get(`/api/threats/${threat.id}`))).conditions[0]).toMatchObject({ effect: "triggers", awaitedActor: { id: "gov-us" } });
    const listed = async (query: string) => (await json(await t.get(`/api/conditions?threat=${threat.id}${query}`))).items.map((c: any) => c.effect);
    expect(await listed(`&${before}`)).toEqual(["averts"]);
    expect(await listed("")).toEqual(["triggers"]);
    const byActor = async (actor: string, query: string) =>
      (await json(await t.get(`/api/conditions?actor=${actor}${query}`))).items.map((c: any) => c.id).filter((id: string) => id === condition.id);
    expect(await byActor("gov-cn", `&${before}`)).toEqual([condition.id]);
    expect(await byActor("gov-us", `&${before}`)).toEqual([]);
    expect(await byActor("gov-cn", "")).toEqual([]);
    expect(await byActor("gov-us", "")).toEqual([condition.id]);
    const csv = await (await t.get(`/api/conditions?threat=${threat.id}&format=csv&${before}`)).text();
    expect(csv).toMatch(/averts/);
    expect(csv).not.toMatch(/triggers/);

    // The scenario page: its condition cards, and its timeline naming the correction.
    const names = await Promise.all(["gov-cn", "gov-us"].map(async (a) => (await json(await t.get(`/api/actors/${a}`))).name as string));
    const page = async (query: string) => (await (await t.get(`/scenarios/${threat.scenarioId}${query}`)).text()).replaceAll("&#39;", "'");
    const pageBefore = await page(`?${before}`);
    expect(pageBefore).toContain("Condition (averts the threat)");
    expect(pageBefore).toContain(`Waits on: ${names[0]}`);
    expect(pageBefore).not.toContain("corrected:");
    const pageNow = await page("");
    expect(pageNow).toContain("Condition (triggers the threat)");
    expect(pageNow).toContain(`Waits on: ${names[1]}`);
    expect(pageNow).toContain("corrected: waits on gov-cn → gov-us; effect averts → triggers");

    // The history shows the correction, old and new values, effective from the creation.
    const history = await json(await t.get(`/api/conditions/${condition.id}/history`));
    const entry = history.items.find((i: any) => i.change === "correction");
    expect(entry).toMatchObject({
      values: { effect: "triggers", awaitedActorId: "gov-us" },
      before: { effect: "averts", awaitedActorId: "gov-cn" },
      effectiveAt: "2026-01-01T00:00:00.000Z",
      recordedAt: "2026-02-01T08:00:00.000Z",
      reason: "Misread: it triggers",
    });
    expect((await json(await t.get(`/api/conditions/${condition.id}/history?${before}`))).items.some((i: any) => i.change === "correction")).toBe(false);

    // Retracted, the first values come back as known from the retraction on; known before it, the correction still holds.
    now = new Date("2026-04-01T08:00:00Z");
    expect((await t.write("POST", `/api/history/${entry.seq}/retract`, { reason: "It did avert after all" })).status).toBe(200);
    now = new Date("2026-05-01T08:00:00Z");
    expect(await json(await t.get(`/api/conditions/${condition.id}`))).toMatchObject({ effect: "averts", awaitedActorId: "gov-cn" });
    expect(await json(await t.get(`/api/conditions/${condition.id}?knownAt=2026-03-15`))).toMatchObject({ effect: "triggers", awaitedActorId: "gov-us" });
    expect(await byActor("gov-cn", "")).toEqual([condition.id]);
    expect(await byActor("gov-us", "&knownAt=2026-03-15")).toEqual([condition.id]);
  } finally {
    await t.close();
  }
});

it("corrects a commitment's kind by PATCH: the agreement as known before shows the kind known then", async () => {
  let now = new Date("2026-01-05T08:00:00Z");
  const t = await testApp({ clock: () => now });
  try {
    const { agreement, corn } = await createCornDeal(t);
    now = new Date("2026-02-01T08:00:00Z");
    expect((await json(await t.write("PATCH", `/api/commitments/${corn.id}`, { kind: "tariff-cut", description: "Cut corn tariffs" }))).kind).toBe(
      "tariff-cut",
    );
    now = new Date("2026-03-01T08:00:00Z");
    expect(await json(await t.get(`/api/commitments/${corn.id}?knownAt=2026-01-20`))).toMatchObject({ kind: "purchase" });
    expect(await json(await t.get(`/api/commitments/${corn.id}`))).toMatchObject({ kind: "tariff-cut", description: "Cut corn tariffs" });
    expect((await json(await t.get(`/api/agreements/${agreement.id}?knownAt=2026-01-20`))).commitments[0].kind).toBe("purchase");
    expect((await json(await t.get(`/api/agreements/${agreement.id}`))).commitments[0].kind).toBe("tariff-cut");
    expect((await json(await t.get(`/api/commitments?agreement=${agreement.id}&knownAt=2026-01-20`))).items[0].kind).toBe("purchase");
    const page = await (await t.get("/agreements?knownAt=2026-01-20")).text();
    expect(page).toMatch(/purchase/);
    expect(page).not.toMatch(/tariff-cut/);
  } finally {
    await t.close();
  }
});

it("refuses a correction naming an actor that does not exist, and changes nothing", async () => {
  const t = await testApp({ clock: () => new Date("2026-01-05T08:00:00Z") });
  try {
    const { condition } = await threatWithCondition(t);
    const res = await t.write("PATCH", `/api/conditions/${condition.id}`, { awaitedActorId: "nobody", effect: "triggers" });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/awaitedActorId/);
    expect(await json(await t.get(`/api/conditions/${condition.id}`))).toMatchObject({
      effect: "averts",
      awaitedActorId: "gov-cn",
      version: condition.version,
    });
    expect((await json(await t.get(`/api/conditions/${condition.id}/history`))).items.some((i: any) => i.change === "correction")).toBe(false);
  } finally {
    await t.close();
  }
});

it("selects the deadlines of a condition by the actor it waited on as known then", async () => {
  let now = new Date("2026-01-05T08:00:00Z");
  const t = await testApp({ clock: () => now });
  try {
    const japan = (await created(t, "/api/actors", { name: "Japan", kind: "government" })).id;
    const korea = (await created(t, "/api/actors", { name: "Korea", kind: "government" })).id;
    const agreement = await created(t, "/api/agreements", { title: "Deal", partyIds: ["gov-us", "gov-cn"], effectiveAt: "2026-01-01" });
    const condition = await created(t, "/api/conditions", {
      agreementId: agreement.id,
      description: "Japan ratifies",
      awaitedActorId: japan,
      effect: "averts",
      effectiveAt: "2026-01-01",
    });
    const deadline = await created(t, "/api/deadlines", {
      conditionId: condition.id,
      dueAt: "2026-09-01",
      precision: "month",
      wording: "by September",
      effectiveAt: "2026-01-01",
    });
    now = new Date("2026-02-01T08:00:00Z");
    expect((await t.write("PATCH", `/api/conditions/${condition.id}`, { awaitedActorId: korea })).status).toBe(200);
    now = new Date("2026-03-01T08:00:00Z");
    const pending = async (actor: string, query: string) =>
      (await json(await t.get(`/api/deadlines?status=pending&actor=${actor}${query}`))).items.map((d: any) => d.id).filter((id: string) => id === deadline.id);
    expect(await pending(japan, "&knownAt=2026-01-20")).toEqual([deadline.id]);
    expect(await pending(korea, "&knownAt=2026-01-20")).toEqual([]);
    expect(await pending(japan, "")).toEqual([]);
    expect(await pending(korea, "")).toEqual([deadline.id]);
  } finally {
    await t.close();
  }
});

it("reads no correction in the present; at a past knownAt, only the corrections, on their own index", async () => {
  let now = new Date("2026-01-05T08:00:00Z");
  const t = await testApp({ clock: () => now });
  try {
    const { threat, condition } = await threatWithCondition(t);
    now = new Date("2026-02-01T08:00:00Z");
    expect((await t.write("PATCH", `/api/conditions/${condition.id}`, { awaitedActorId: "gov-us" })).status).toBe(200);
    const { conn, statements } = recordingConnection(t.db.writer.name);
    try {
      const present = readTimeOf(undefined, undefined, now);
      expect((threatAt(conn, threat.id, present) as any).conditions[0].awaitedActorId).toBe("gov-us");
      listDeadlines(conn, { status: "pending", actorId: "gov-cn", limit: 50 }, now);
      expect(statements.filter((sql) => sql.includes(`"change" = 'correction'`))).toEqual([]);

      const past = readTimeOf(undefined, new Date("2026-01-20T00:00:00Z"), now);
      expect((threatAt(conn, threat.id, past) as any).conditions[0].awaitedActorId).toBe("gov-cn");
      listDeadlines(conn, { status: "pending", actorId: "gov-cn", knownAt: past.knownAt, limit: 50 }, now);
      expect(awaitedOnceBy(conn, "gov-cn")).toEqual([condition.id]);
      const lookups = [...new Set(statements.filter((sql) => sql.includes(`"change" = 'correction'`)))];
      expect(lookups).toHaveLength(1);
      expect(planOf(conn, lookups[0]!)).toMatch(/USING INDEX StatusChange_corrections_idx/);
    } finally {
      conn.close();
    }
  } finally {
    await t.close();
  }
});

it("a condition met after a correction sets off what its corrected effect says; what was set off before stays", async () => {
  let now = new Date("2026-01-05T08:00:00Z");
  const t = await testApp({ clock: () => now });
  try {
    const { threat, condition } = await threatWithCondition(t);
    const deadline = await created(t, "/api/deadlines", { conditionId: condition.id, dueAt: "2026-09-01", precision: "month", wording: "by September" });
    now = new Date("2026-02-01T08:00:00Z");
    // It triggers, not averts: meeting it then averts nothing.
    expect((await t.write("PATCH", `/api/conditions/${condition.id}`, { effect: "triggers" })).status).toBe(200);
    now = new Date("2026-03-01T08:00:00Z");
    const met = await json(await t.write("POST", `/api/conditions/${condition.id}/status`, { status: "met", reason: "China eased them" }));
    expect(met.consequences).toEqual([]);
    expect((await json(await t.get(`/api/deadlines/${deadline.id}`))).status).toBe("pending");
    // Corrected back to averts, the rule runs again only for what is met from then on: the deadline stays as recorded.
    now = new Date("2026-04-01T08:00:00Z");
    expect((await t.write("PATCH", `/api/conditions/${condition.id}`, { effect: "averts", reason: "It did avert" })).status).toBe(200);
    expect((await json(await t.get(`/api/deadlines/${deadline.id}`))).status).toBe("pending");
    expect((await json(await t.get(`/api/threats/${threat.id}`))).conditions[0]).toMatchObject({ effect: "averts", status: "met" });
  } finally {
    await t.close();
  }
});

it("a correction honours If-Match, a reason comes only with a fact, and a correction is never a change to come", async () => {
  const now = new Date("2026-01-05T08:00:00Z");
  const t = await testApp({ clock: () => now });
  try {
    const { condition } = await threatWithCondition(t);
    const stale = await t.write("PATCH", `/api/conditions/${condition.id}`, { effect: "triggers" }, { "If-Match": `"${condition.version + 1}"` });
    expect(stale.status).toBe(412);
    const reasonAlone = await t.write("PATCH", `/api/conditions/${condition.id}`, { description: "d", reason: "why" });
    expect(reasonAlone.status).toBe(422);
    expect(await reasonAlone.text()).toMatch(/reason/);
    expect((await json(await t.get(`/api/conditions/${condition.id}`))).effect).toBe("averts");
    const ok = await t.write("PATCH", `/api/conditions/${condition.id}`, { effect: "triggers" }, { "If-Match": `"${condition.version}"` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("ETag")).toBe(`"${condition.version + 1}"`);
    // The same value again records nothing: 422 naming it, the version unchanged (src/domain/edits.ts).
    const again = await t.write("PATCH", `/api/conditions/${condition.id}`, { effect: "triggers" });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain("effect");
    expect((await t.get(`/api/conditions/${condition.id}`)).headers.get("ETag")).toBe(`"${condition.version + 1}"`);
    const history = await json(await t.get(`/api/conditions/${condition.id}/history`));
    expect(history.items.filter((i: any) => i.change === "correction")).toHaveLength(1);
    // Dated at the creation (1 January), it is not listed as coming up on an earlier day.
    const seq = history.items.find((i: any) => i.change === "correction").seq;
    expect(await (await t.get("/?asOf=2025-12-01")).text()).not.toContain("dates move");
    expect(await (await t.get("/calendar.ics?asOf=2025-12-01")).text()).not.toContain(`change-${seq}@`);
    // The document says so.
    const paths = (await json(await t.get("/openapi.json"))).paths;
    expect(paths["/api/conditions/{id}"].patch.description).toMatch(/`effect` and `awaitedActorId` are facts: a new value is recorded as a correction entry/);
    expect(paths["/api/commitments/{id}"].patch.description).toMatch(/`kind` is a fact/);
  } finally {
    await t.close();
  }
});
