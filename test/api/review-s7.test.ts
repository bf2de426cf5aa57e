import { afterEach, expect, it } from "vitest";
import { createCornDeal, createThreat, type TestApp, testApp } from "../helpers/app.ts";

// Found by driving the server as an analyst and as an attacker (session 7).

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;
const pick = (threat: any) => ({
  scenarioId: threat.scenarioId,
  issuerId: threat.issuerId,
  targetIds: threat.targetIds,
  measure: threat.measure,
  covers: threat.covers,
  summary: threat.summary,
});
const suspension = (fields: Record<string, unknown>, returnsTo = "imposed") => ({
  status: "suspended",
  reason: "truce",
  // biome-ignore lint/suspicious/noThenProperty: the API's word for what a suspension returns to
  then: returnsTo,
  ...fields,
});

it("leaves a suspension's expiry alone when an averting condition of the threat is met: it is the suspension's own term", async () => {
  t = await testApp({ seeded: false, clock: () => new Date("2026-11-30T08:00:00Z") });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const condition = await json(
    await t.write("POST", "/api/conditions", {
      threatId: threat.id,
      description: "Washington lifts the chip curbs",
      effect: "averts",
      effectiveAt: "2025-06-01",
    }),
  );
  const imposed = await t.write("POST", `/api/threats/${threat.id}/status`, { status: "imposed", reason: "in force", effectiveAt: "2025-07-01" });
  expect(imposed.status).toBe(200);
  const suspended = await json(await t.write("POST", `/api/threats/${threat.id}/status`, suspension({ effectiveAt: "2025-11-10", until: "2026-11-10" })));
  const met = await json(await t.write("POST", `/api/conditions/${condition.id}/status`, { status: "met", reason: "curbs lifted", effectiveAt: "2026-01-10" }));
  expect(met.consequences.map((e: any) => e.recordId)).not.toContain(suspended.expiryDeadlineId);
  const before = (await json(await t.get("/api/deadlines?status=pending&asOf=2026-11-01"))).items.map((d: any) => d.id);
  expect(before).toContain(suspended.expiryDeadlineId);
  const after = await json(await t.get(`/api/threats/${threat.id}?asOf=2026-11-11`));
  expect(after.status).toBe("imposed");
  expect(after.deadlines.find((d: any) => d.id === suspended.expiryDeadlineId).status).toBe("triggered");
});

it("refuses a deadline created 'extended' with 422 naming the status, changing nothing", async () => {
  t = await testApp({ seeded: false });
  const scenario = await json(await t.write("POST", "/api/scenarios", { title: "S", summary: "s", effectiveAt: "2026-01-01" }));
  const res = await t.write("POST", "/api/deadlines", { scenarioId: scenario.id, dueAt: "2027-02-01", precision: "day", wording: "w", status: "extended" });
  expect(res.status).toBe(422);
  const problem = await json(res);
  expect(problem.errors.map((e: any) => e.field)).toEqual(["status"]);
  expect((await json(await t.get("/api/deadlines"))).items).toEqual([]);
});

it("refuses a suspension whose end lies more than 10 years ahead, like any change dated ahead", async () => {
  t = await testApp({ seeded: false, clock: () => new Date("2026-11-30T08:00:00Z") });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const res = await t.write("POST", `/api/threats/${threat.id}/status`, suspension({ until: "2040-01-01" }));
  expect(res.status).toBe(422);
  expect((await json(res)).errors).toEqual([{ field: "until", problem: "must be at most 10 years ahead" }]);
  expect((await json(await t.get(`/api/threats/${threat.id}/history`))).items).toHaveLength(1);
  const within = await t.write("POST", `/api/threats/${threat.id}/status`, suspension({ until: "2036-11-01" }));
  expect(within.status).toBe(200);
});

it("records a commitment fulfilled before its agreement's end announced for later: the lapse that end set off no longer follows", async () => {
  let now = Date.parse("2026-11-20T08:00:00Z");
  t = await testApp({ clock: () => new Date(now) });
  const { agreement, corn, cornDeadline } = await createCornDeal(t);
  const ends = await json(
    await t.write("POST", `/api/agreements/${agreement.id}/status`, { status: "expired", reason: "ends 1 Feb 2027", effectiveAt: "2027-02-01" }),
  );
  expect(ends.consequences.map((e: any) => [e.recordId, e.to])).toEqual([
    [corn.id, "lapsed"],
    [cornDeadline, "cancelled"],
  ]);
  now += 60_000;
  const knownBefore = new Date(now).toISOString();
  now += 60_000;
  const pastRead = `/api/commitments/${corn.id}?asOf=2027-02-02&knownAt=${knownBefore}`;
  const pastAnswer = await (await t.get(pastRead)).text();
  expect(JSON.parse(pastAnswer).status).toBe("lapsed");

  const fulfilled = await t.write("POST", `/api/commitments/${corn.id}/status`, { status: "fulfilled", reason: "bought", effectiveAt: "2026-11-19" });
  expect(fulfilled.status).toBe(200);
  expect((await json(fulfilled)).consequences.map((e: any) => [e.recordId, e.to])).toEqual([[cornDeadline, "averted"]]);
  expect((await json(await t.get(`/api/commitments/${corn.id}?asOf=2027-02-02`))).status).toBe("fulfilled");
  expect((await json(await t.get(`/api/deadlines/${cornDeadline}?asOf=2027-02-02`))).status).toBe("averted");
  const history = (await json(await t.get(`/api/commitments/${corn.id}/history`))).items;
  expect(history.map((e: any) => [e.to, e.retracted !== null])).toEqual([
    ["pending", false],
    ["fulfilled", false],
    ["lapsed", true],
  ]);
  // What the tracker said before is what it still says.
  expect(await (await t.get(pastRead)).text()).toBe(pastAnswer);
});

it("records a deadline averted before its threat's withdrawal announced for later, and a threat imposed before it triggers the deadline", async () => {
  t = await testApp({ seeded: false, clock: () => new Date("2026-11-30T08:00:00Z") });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const deadline = async () =>
    (
      await json(
        await t!.write("POST", "/api/deadlines", {
          threatId: threat.id,
          dueAt: "2027-01-01",
          precision: "day",
          wording: "by January",
          effectiveAt: "2025-06-01",
        }),
      )
    ).id as string;
  const first = await deadline();
  const second = await deadline();
  const withdrawn = await json(
    await t.write("POST", `/api/threats/${threat.id}/status`, { status: "withdrawn", reason: "to be lifted", effectiveAt: "2027-03-01" }),
  );
  expect(withdrawn.consequences.map((e: any) => e.to)).toEqual(["cancelled", "cancelled"]);
  const averted = await t.write("POST", `/api/deadlines/${first}/status`, { status: "averted", reason: "talks", effectiveAt: "2026-11-01" });
  expect(averted.status).toBe(200);
  const imposed = await json(await t.write("POST", `/api/threats/${threat.id}/status`, { status: "imposed", reason: "in force", effectiveAt: "2026-11-15" }));
  expect(imposed.consequences.map((e: any) => [e.recordId, e.to])).toEqual([[second, "triggered"]]);
  const asOf = async (id: string) => (await json(await t!.get(`/api/deadlines/${id}?asOf=2027-04-01`))).status;
  expect([await asOf(first), await asOf(second)]).toEqual(["averted", "triggered"]);
});

it("refuses to retract a record's creation while records that belong to it exist, naming one; retracted first, it goes", async () => {
  t = await testApp({ seeded: false, clock: () => new Date("2026-11-30T08:00:00Z") });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const deadline = await json(
    await t.write("POST", "/api/deadlines", { threatId: threat.id, dueAt: "2026-12-20", precision: "day", wording: "Dec 20", effectiveAt: "2025-06-02" }),
  );
  const [threatCreation] = (await json(await t.get(`/api/threats/${threat.id}/history`))).items;
  const [deadlineCreation] = (await json(await t.get(`/api/deadlines/${deadline.id}/history`))).items;
  const before = await (await t.get("/api/deadlines?status=pending")).text();
  const refused = await t.write("POST", `/api/history/${threatCreation.seq}/retract`, { reason: "never happened" });
  expect(refused.status).toBe(409);
  const problem = await json(refused);
  expect(problem.detail).toContain(deadline.id);
  expect(problem.conflictsWith.seq).toBe(deadlineCreation.seq);
  expect(await (await t.get("/api/deadlines?status=pending")).text()).toBe(before);
  expect((await t.get(`/api/threats/${threat.id}`)).status).toBe(200);
  expect((await t.write("POST", `/api/history/${deadlineCreation.seq}/retract`, { reason: "never stated" })).status).toBe(200);
  expect((await t.write("POST", `/api/history/${threatCreation.seq}/retract`, { reason: "never happened" })).status).toBe(200);
  expect((await t.get(`/api/threats/${threat.id}`)).status).toBe(404);
  expect((await json(await t.get("/api/deadlines?status=pending"))).items).toEqual([]);
});

it("refuses a record dated before the record it belongs to was first stated, or belonging to one whose creation was retracted", async () => {
  t = await testApp({ seeded: false, clock: () => new Date("2026-11-30T08:00:00Z") });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const [threatCreation] = (await json(await t.get(`/api/threats/${threat.id}/history`))).items;
  const early = await t.write("POST", "/api/deadlines", {
    threatId: threat.id,
    dueAt: "2026-12-20",
    precision: "day",
    wording: "w",
    effectiveAt: "2025-05-01",
  });
  expect(early.status).toBe(409);
  expect((await json(early)).conflictsWith.seq).toBe(threatCreation.seq);
  const onTime = await t.write("POST", "/api/deadlines", {
    threatId: threat.id,
    dueAt: "2026-12-20",
    precision: "day",
    wording: "w",
    effectiveAt: "2025-06-01",
  });
  expect(onTime.status).toBe(201);
  const other = await json(await t.write("POST", "/api/threats", { ...pick(threat), status: "threatened", effectiveAt: "2025-06-01" }));
  const [otherCreation] = (await json(await t.get(`/api/threats/${other.id}/history`))).items;
  expect((await t.write("POST", `/api/history/${otherCreation.seq}/retract`, { reason: "never made" })).status).toBe(200);
  const orphan = await t.write("POST", "/api/conditions", { threatId: other.id, description: "d", effect: "averts", effectiveAt: "2025-07-01" });
  expect(orphan.status).toBe(409);
  expect((await json(await t.get("/api/conditions"))).items).toEqual([]);
});

it("lets a scenario gather a threat older than itself", async () => {
  t = await testApp({ clock: () => new Date("2026-11-30T08:00:00Z") });
  const res = await t.write("POST", "/api/threats", {
    scenarioId: "scenario-us-china-rare-earth-tariffs",
    issuerId: "gov-us",
    targetIds: ["gov-cn"],
    measure: "tariff",
    covers: "all goods",
    summary: "Fentanyl tariff",
    ratePercent: 20,
    status: "imposed",
    effectiveAt: "2025-03-04",
  });
  expect(res.status).toBe(201);
});

it("gives a deadline of a threat's condition its threat, so the threat's end cancels it and the pending view shows the threat's status", async () => {
  t = await testApp({ seeded: false, clock: () => new Date("2026-11-30T08:00:00Z") });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const condition = await json(
    await t.write("POST", "/api/conditions", { threatId: threat.id, description: "Beijing cuts output", effect: "averts", effectiveAt: "2025-06-01" }),
  );
  const deadline = await json(
    await t.write("POST", "/api/deadlines", {
      conditionId: condition.id,
      dueAt: "2026-12-20",
      precision: "day",
      wording: "by 20 December",
      effectiveAt: "2025-06-02",
    }),
  );
  expect(deadline.threatId).toBe(threat.id);
  const withdrawn = await json(
    await t.write("POST", `/api/threats/${threat.id}/status`, { status: "withdrawn", reason: "dropped", effectiveAt: "2026-11-01" }),
  );
  expect(withdrawn.consequences.map((e: any) => [e.recordId, e.to])).toEqual([[deadline.id, "cancelled"]]);
  const before = (await json(await t.get("/api/deadlines?status=pending&asOf=2026-10-01"))).items;
  expect(before.map((d: any) => [d.id, d.threat?.status])).toEqual([[deadline.id, "threatened"]]);
  const other = await json(await t.write("POST", "/api/threats", { ...pick(threat), status: "threatened", effectiveAt: "2025-06-01" }));
  const mismatched = await t.write("POST", "/api/deadlines", {
    conditionId: condition.id,
    threatId: other.id,
    dueAt: "2026-12-20",
    precision: "day",
    wording: "w",
    effectiveAt: "2025-06-02",
  });
  expect(mismatched.status).toBe(422);
  expect((await json(mismatched)).errors.map((e: any) => e.field)).toEqual(["conditionId"]);
});

it("lists a threat under an actor it targets only as of when its terms name that actor", async () => {
  t = await testApp({ clock: () => new Date("2026-11-30T08:00:00Z") });
  const threat = await json(
    await t.write("POST", "/api/threats", {
      scenarioId: "scenario-us-china-rare-earth-tariffs",
      issuerId: "gov-us",
      targetIds: ["gov-cn"],
      measure: "tariff",
      covers: "steel",
      summary: "Steel tariff",
      ratePercent: 25,
      effectiveAt: "2025-11-01",
    }),
  );
  const widened = await t.write("POST", `/api/threats/${threat.id}/terms`, { targetIds: ["gov-cn", "gov-jp"], effectiveAt: "2026-06-01", reason: "widened" });
  expect(widened.status).toBe(200);
  const ids = async (query: string) => (await json(await t!.get(`/api/threats?${query}`))).items.map((r: any) => r.id);
  expect(await ids("actor=gov-jp&asOf=2026-05-01")).toEqual([]);
  expect(await ids("actor=gov-jp&asOf=2026-07-01")).toEqual([threat.id]);
  expect(await ids("actor=gov-us&asOf=2026-05-01")).toContain(threat.id);
});

it("reads a quarter or week due date given mid-period as the whole period its label names: overdue once it has passed", async () => {
  t = await testApp({ seeded: false, clock: () => new Date("2026-11-30T08:00:00Z") });
  const scenario = await json(await t.write("POST", "/api/scenarios", { title: "S", summary: "s", effectiveAt: "2026-01-01" }));
  const quarter = await json(
    await t.write("POST", "/api/deadlines", {
      scenarioId: scenario.id,
      dueAt: "2026-11-15",
      precision: "quarter",
      wording: "in Q4",
      effectiveAt: "2026-01-01",
    }),
  );
  const week = await json(
    await t.write("POST", "/api/deadlines", {
      scenarioId: scenario.id,
      dueAt: "2026-12-09",
      precision: "week",
      wording: "that week",
      effectiveAt: "2026-01-01",
    }),
  );
  const row = async (id: string, asOf: string) => (await json(await t!.get(`/api/deadlines?asOf=${asOf}`))).items.find((d: any) => d.id === id);
  expect(await row(quarter.id, "2026-12-31")).toMatchObject({ dueLabel: "Q4 2026", daysRemaining: 0, overdue: false });
  expect(await row(quarter.id, "2027-01-10")).toMatchObject({ dueLabel: "Q4 2026", daysRemaining: -10, overdue: true });
  // 9 December 2026 is a Wednesday: its week runs from Monday 7 to Sunday 13 December.
  expect(await row(week.id, "2026-12-13")).toMatchObject({ dueLabel: "week of 7 December 2026", daysRemaining: 0, overdue: false });
  expect(await row(week.id, "2026-12-14")).toMatchObject({ overdue: true, daysRemaining: -1 });
  const calendar = await (await t.get("/calendar.ics")).text();
  expect(calendar).toContain("DTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20270101");
  expect(calendar).toContain("DTSTART;VALUE=DATE:20261207\r\nDTEND;VALUE=DATE:20261214");
});

it("refuses to retract a lapse by terms alone (it follows from the suspension, and the expiry it triggers would stay): 409, nothing changes", async () => {
  t = await testApp({ seeded: false, clock: () => new Date("2026-11-30T08:00:00Z") });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const suspended = await json(
    await t.write("POST", `/api/threats/${threat.id}/status`, suspension({ effectiveAt: "2025-11-10", until: "2026-11-10" }, "threatened")),
  );
  const lapse = suspended.consequences.find((e: any) => e.recordId === threat.id && e.byTerms);
  const before = await (await t.get(`/api/threats/${threat.id}`)).text();
  const res = await t.write("POST", `/api/history/${lapse.seq}/retract`, { reason: "it did not lapse" });
  expect(res.status).toBe(409);
  expect((await json(res)).detail).toContain(String(suspended.entry.seq));
  expect(await (await t.get(`/api/threats/${threat.id}`)).text()).toBe(before);
  // Retracting the suspension itself takes its lapse and expiry with it.
  expect((await t.write("POST", `/api/history/${suspended.entry.seq}/retract`, { reason: "never suspended" })).status).toBe(200);
  expect((await json(await t.get(`/api/threats/${threat.id}`))).status).toBe("threatened");
});
