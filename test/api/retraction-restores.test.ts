import { afterEach, expect, it } from "vitest";
import { createCornDeal, createThreat, type TestApp, testApp } from "../helpers/app.ts";
import { rowCounts } from "../helpers/database.ts";

// What a change of its owner owes a deadline or commitment, whenever that becomes known: when a mistake that
// kept it from following is retracted (issue 9.5), or when the record is stated back-dated before the change (9.1, 9.2). Decision 007.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;
/** A deadline of a threat, due on a day, stated at `effectiveAt`: its id. */
const deadlineOf = async (threatId: string, dueAt: string, wording: string, effectiveAt: string) => {
  const res = await t!.write("POST", "/api/deadlines", { threatId, dueAt, precision: "day", wording, effectiveAt });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json(res)).id as string;
};

it("retracting a deadline marked averted by mistake lets the threat imposed after it trigger the deadline, as of the imposition", async () => {
  let now = Date.parse("2026-11-30T08:00:00Z");
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const deadline = await deadlineOf(threat.id, "2027-01-01", "by January", "2025-06-01");
  const mistake = await json(await t.write("POST", `/api/deadlines/${deadline}/status`, { status: "averted", reason: "misread", effectiveAt: "2026-11-01" }));
  const imposed = await json(await t.write("POST", `/api/threats/${threat.id}/status`, { status: "imposed", reason: "in force", effectiveAt: "2026-11-15" }));
  // The deadline was not pending on 15 November as then known: nothing to trigger.
  expect(imposed.consequences).toEqual([]);
  now += 60_000;
  const before = new Date(now).toISOString();
  now += 60_000;
  const pastRead = `/api/deadlines/${deadline}?asOf=2026-11-20&knownAt=${before}`;
  const pastAnswer = await (await t.get(pastRead)).text();
  expect(JSON.parse(pastAnswer).status).toBe("averted");

  const res = await t.write("POST", `/api/history/${mistake.entry.seq}/retract`, { reason: "it was not averted" });
  expect(res.status).toBe(200);
  const body = await json(res);
  expect(body.retracted.map((e: any) => e.seq)).toEqual([mistake.entry.seq]);
  expect(body.restored.map((e: any) => [e.recordId, e.to, e.effectiveAt, e.causedBy])).toEqual([
    [deadline, "triggered", "2026-11-15T00:00:00.000Z", imposed.entry.seq],
  ]);
  expect((await json(await t.get(`/api/deadlines/${deadline}?asOf=2026-11-10`))).status).toBe("pending");
  expect((await json(await t.get(`/api/deadlines/${deadline}?asOf=2026-11-20`))).status).toBe("triggered");
  expect((await json(await t.get(`/api/deadlines?status=pending&asOf=2026-11-20`))).items.map((d: any) => d.id)).not.toContain(deadline);
  // What the tracker said before the retraction is what it still says for that knowledge.
  expect(await (await t.get(pastRead)).text()).toBe(pastAnswer);
  // Retracting the imposition takes the restored trigger with it.
  const undo = await json(await t.write("POST", `/api/history/${imposed.entry.seq}/retract`, { reason: "not imposed" }));
  expect(undo.retracted.map((e: any) => [e.recordId, e.to])).toEqual([
    [threat.id, "imposed"],
    [deadline, "triggered"],
  ]);
  expect((await json(await t.get(`/api/deadlines/${deadline}?asOf=2026-11-20`))).status).toBe("pending");
});

it("retracting the report that superseded a consequence brings the consequence back: a commitment lapses with its agreement again", async () => {
  let now = Date.parse("2026-11-20T08:00:00Z");
  t = await testApp({ clock: () => new Date(now) });
  const app = t;
  const created = async (path: string, body: Record<string, unknown>) => {
    const res = await app.write("POST", path, body);
    expect(res.status).toBe(201);
    return json(res);
  };
  const { agreement, corn, cornDeadline } = await createCornDeal(t);
  const soy = await created("/api/commitments", {
    agreementId: agreement.id,
    partyId: "gov-cn",
    description: "Buy soy",
    kind: "purchase",
    effectiveAt: "2026-01-01",
  });
  const ends = await json(
    await t.write("POST", `/api/agreements/${agreement.id}/status`, { status: "expired", reason: "ends 1 Feb 2027", effectiveAt: "2027-02-01" }),
  );
  now += 60_000;
  const fulfilled = await json(
    await t.write("POST", `/api/commitments/${corn.id}/status`, { status: "fulfilled", reason: "bought", effectiveAt: "2026-11-19" }),
  );
  expect((await json(await t.get(`/api/commitments/${corn.id}?asOf=2027-02-02`))).status).toBe("fulfilled");
  now += 60_000;

  const res = await json(await t.write("POST", `/api/history/${fulfilled.entry.seq}/retract`, { reason: "the purchase fell through" }));
  expect(res.retracted.map((e: any) => [e.recordId, e.to])).toEqual([
    [corn.id, "fulfilled"],
    [cornDeadline, "averted"],
  ]);
  expect(res.restored.map((e: any) => [e.recordId, e.to, e.effectiveAt, e.causedBy])).toEqual([
    [corn.id, "lapsed", "2027-02-01T00:00:00.000Z", ends.entry.seq],
    [cornDeadline, "cancelled", "2027-02-01T00:00:00.000Z", expect.any(Number)],
  ]);
  expect((await json(await t.get(`/api/commitments/${corn.id}?asOf=2027-02-02`))).status).toBe("lapsed");
  expect((await json(await t.get(`/api/commitments/${corn.id}?asOf=2026-12-01`))).status).toBe("pending");
  expect((await json(await t.get(`/api/deadlines/${cornDeadline}?asOf=2027-02-02`))).status).toBe("cancelled");
  // The other commitment's lapse was never touched: it stays as first recorded.
  const soyHistory = (await json(await t.get(`/api/commitments/${soy.id}/history`))).items;
  expect(soyHistory.map((e: any) => [e.to, e.retracted !== null])).toEqual([
    ["pending", false],
    ["lapsed", false],
  ]);
});

it("refuses to retract a consequence alone while its cause stands (the rule would set it off again): 409 naming the cause, nothing changes", async () => {
  t = await testApp({ seeded: false, clock: () => new Date("2026-11-30T08:00:00Z") });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const deadline = await deadlineOf(threat.id, "2027-01-01", "by January", "2025-06-01");
  const imposed = await json(await t.write("POST", `/api/threats/${threat.id}/status`, { status: "imposed", reason: "in force", effectiveAt: "2026-11-15" }));
  const trigger = imposed.consequences[0];
  expect([trigger.recordId, trigger.to]).toEqual([deadline, "triggered"]);
  const counts = rowCounts(t.db);
  const res = await t.write("POST", `/api/history/${trigger.seq}/retract`, { reason: "not triggered" });
  expect(res.status).toBe(409);
  const problem = await json(res);
  expect(problem.conflictsWith.seq).toBe(imposed.entry.seq);
  expect(problem.detail).toContain(`retract entry ${imposed.entry.seq}`);
  expect(rowCounts(t.db)).toEqual(counts);
  // The deadline's own earlier news supersedes the consequence instead.
  const averted = await t.write("POST", `/api/deadlines/${deadline}/status`, { status: "averted", reason: "talks", effectiveAt: "2026-11-01" });
  expect(averted.status).toBe(200);
  expect((await json(await t.get(`/api/deadlines/${deadline}?asOf=2026-11-20`))).status).toBe("averted");
});

it("gives a deadline stated back-dated before its threat's imposition (recorded earlier) the trigger it would have had, at the imposition", async () => {
  t = await testApp({ seeded: false, clock: () => new Date("2026-11-30T08:00:00Z") });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const imposed = await json(await t.write("POST", `/api/threats/${threat.id}/status`, { status: "imposed", reason: "in force", effectiveAt: "2026-03-01" }));
  const created = await t.write("POST", "/api/deadlines", {
    threatId: threat.id,
    dueAt: "2026-06-01",
    precision: "day",
    wording: "by June",
    effectiveAt: "2026-01-01",
  });
  expect(created.status).toBe(201);
  const deadline = (await json(created)).id as string;
  expect((await json(await t.get(`/api/deadlines/${deadline}?asOf=2026-02-01`))).status).toBe("pending");
  expect((await json(await t.get(`/api/deadlines/${deadline}?asOf=2026-03-02`))).status).toBe("triggered");
  const history = (await json(await t.get(`/api/deadlines/${deadline}/history`))).items;
  expect(history.map((e: any) => [e.to, e.effectiveAt, e.causedBy])).toEqual([
    ["pending", "2026-01-01T00:00:00.000Z", null],
    ["triggered", "2026-03-01T00:00:00.000Z", imposed.entry.seq],
  ]);
  // Stated after the imposition, it is pending: the imposition moved only what was pending then.
  const later = await deadlineOf(threat.id, "2026-09-01", "by September", "2026-04-01");
  expect((await json(await t.get(`/api/deadlines/${later}?asOf=2026-05-01`))).status).toBe("pending");
});

it("lapses a commitment stated back-dated before its agreement's recorded end, with its own due date cancelled", async () => {
  t = await testApp({ clock: () => new Date("2026-11-30T08:00:00Z") });
  const agreement = await json(
    await t.write("POST", "/api/agreements", { title: "Deal", partyIds: ["gov-us", "gov-cn"], status: "in-force", effectiveAt: "2026-01-01" }),
  );
  const ends = await json(
    await t.write("POST", `/api/agreements/${agreement.id}/status`, { status: "terminated", reason: "walked out", effectiveAt: "2026-06-01" }),
  );
  const res = await t.write("POST", "/api/commitments", {
    agreementId: agreement.id,
    partyId: "gov-cn",
    description: "Buy soybeans",
    kind: "purchase",
    effectiveAt: "2026-02-01",
    dueAt: "2026-12-31",
    precision: "day",
    wording: "by the end of 2026",
  });
  expect(res.status).toBe(201);
  const commitment = await json(res);
  expect((await json(await t.get(`/api/commitments/${commitment.id}?asOf=2026-05-01`))).status).toBe("pending");
  const after = await json(await t.get(`/api/commitments/${commitment.id}?asOf=2026-06-02`));
  expect(after.status).toBe("lapsed");
  expect((await json(await t.get(`/api/deadlines/${commitment.deadlines[0].id}?asOf=2026-06-02`))).status).toBe("cancelled");
  const history = (await json(await t.get(`/api/commitments/${commitment.id}/history`))).items;
  expect(history.map((e: any) => [e.to, e.causedBy])).toEqual([
    ["pending", null],
    ["lapsed", ends.entry.seq],
  ]);
});

it("triggers the successor of a deadline extended back-dated before its threat's recorded imposition, at the imposition", async () => {
  let now = Date.parse("2026-11-30T08:00:00Z");
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const deadline = await deadlineOf(threat.id, "2026-02-01", "by February", "2025-06-01");
  const imposed = await json(await t.write("POST", `/api/threats/${threat.id}/status`, { status: "imposed", reason: "in force", effectiveAt: "2026-03-01" }));
  now += 60_000;
  const extension = await json(
    await t.write("POST", `/api/deadlines/${deadline}/status`, { status: "extended", reason: "more time", effectiveAt: "2026-01-15", newDueAt: "2026-06-01" }),
  );
  const successor = extension.successorDeadlineId as string;
  expect((await json(await t.get(`/api/deadlines/${successor}?asOf=2026-02-01`))).status).toBe("pending");
  expect((await json(await t.get(`/api/deadlines/${successor}?asOf=2026-03-02`))).status).toBe("triggered");
  const history = (await json(await t.get(`/api/deadlines/${successor}/history`))).items;
  expect(history.map((e: any) => [e.to, e.effectiveAt, e.causedBy])).toEqual([
    ["pending", "2026-01-15T00:00:00.000Z", extension.entry.seq],
    ["triggered", "2026-03-01T00:00:00.000Z", imposed.entry.seq],
  ]);
});

it("retracts a mistaken extension whose successor its threat's imposition triggered, the successor's trigger with it, and triggers the deadline again", async () => {
  let now = Date.parse("2026-11-30T08:00:00Z");
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const deadline = await deadlineOf(threat.id, "2026-02-01", "by February", "2025-06-01");
  const extension = await json(
    await t.write("POST", `/api/deadlines/${deadline}/status`, { status: "extended", reason: "more time", effectiveAt: "2026-01-15", newDueAt: "2026-06-01" }),
  );
  const successor = extension.successorDeadlineId as string;
  now += 60_000;
  const imposed = await json(await t.write("POST", `/api/threats/${threat.id}/status`, { status: "imposed", reason: "in force", effectiveAt: "2026-03-01" }));
  expect(imposed.consequences.map((e: any) => [e.recordId, e.to])).toEqual([[successor, "triggered"]]);
  now += 60_000;
  const res = await t.write("POST", `/api/history/${extension.entry.seq}/retract`, { reason: "never extended" });
  expect(res.status).toBe(200);
  const body = await json(res);
  expect(body.retracted.map((e: any) => [e.recordId, e.to])).toEqual([
    [deadline, "extended"],
    [successor, "pending"],
    [successor, "triggered"],
  ]);
  expect(body.restored.map((e: any) => [e.recordId, e.to, e.effectiveAt, e.causedBy])).toEqual([
    [deadline, "triggered", "2026-03-01T00:00:00.000Z", imposed.entry.seq],
  ]);
  expect((await t.get(`/api/deadlines/${successor}`)).status).toBe(404);
});

it("owes nothing for a suspension's lapse by terms: a deadline stated during the suspension stays pending past its end, as one stated before it", async () => {
  let now = Date.parse("2026-11-30T08:00:00Z");
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  const app = t;
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  await t.write("POST", `/api/threats/${threat.id}/status`, { status: "imposed", reason: "in force", effectiveAt: "2025-07-01" });
  const deadlineFrom = async (effectiveAt?: string) =>
    (await json(await app.write("POST", "/api/deadlines", { threatId: threat.id, dueAt: "2027-06-01", precision: "day", wording: "by June", effectiveAt })))
      .id as string;
  const statedBefore = await deadlineFrom("2025-12-01");
  now += 60_000;
  const suspended = await t.write("POST", `/api/threats/${threat.id}/status`, {
    status: "suspended",
    reason: "truce",
    effectiveAt: "2026-01-01",
    until: "2027-01-01",
    // biome-ignore lint/suspicious/noThenProperty: the API's field name
    then: "imposed",
  });
  expect(suspended.status).toBe(200);
  now += 60_000;
  const statedAfter = await deadlineFrom("2025-12-01");
  const statedNow = await deadlineFrom();
  for (const id of [statedBefore, statedAfter, statedNow]) expect((await json(await t.get(`/api/deadlines/${id}?asOf=2027-02-01`))).status).toBe("pending");
});

it("owes a deadline stated back-dated what the changes set off when recorded: nothing for a correction, a trigger for an imposition withdrawn at the same instant", async () => {
  let now = Date.parse("2026-11-30T08:00:00Z");
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  const app = t;
  const first = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const corrected = first.threat.id as string;
  const sameInstant = (
    await json(
      await t.write("POST", "/api/threats", {
        scenarioId: first.scenario.id,
        issuerId: first.actor.id,
        targetIds: [first.actor.id],
        measure: "tariff",
        covers: "steel",
        summary: "another tariff",
        status: "threatened",
        effectiveAt: "2025-06-01",
      }),
    )
  ).id as string;
  const deadlineOf = async (threatId: string) =>
    (await json(await app.write("POST", "/api/deadlines", { threatId, dueAt: "2027-06-01", precision: "day", wording: "by June", effectiveAt: "2025-12-01" })))
      .id as string;
  const statedBefore = [await deadlineOf(corrected), await deadlineOf(sameInstant)];
  now += 60_000;
  const status = (id: string, body: Record<string, unknown>) =>
    app.write("POST", `/api/threats/${id}/status`, { reason: "as reported", effectiveAt: "2026-03-01", ...body });
  expect((await status(corrected, { status: "imposed", correction: true })).status).toBe(200);
  expect((await status(sameInstant, { status: "imposed" })).status).toBe(200);
  now += 60_000;
  expect((await status(sameInstant, { status: "withdrawn" })).status).toBe(200);
  now += 60_000;
  const statedAfter = [await deadlineOf(corrected), await deadlineOf(sameInstant)];
  const statuses = async (ids: string[]) => Promise.all(ids.map(async (id) => (await json(await app.get(`/api/deadlines/${id}?asOf=2026-04-01`))).status));
  expect(await statuses(statedBefore)).toEqual(["pending", "triggered"]);
  expect(await statuses(statedAfter)).toEqual(["pending", "triggered"]);
});

it("retracts a deadline recorded by mistake after its threat's imposition triggered it, the trigger with it (it may not be retracted alone)", async () => {
  let now = Date.parse("2026-11-30T08:00:00Z");
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const deadline = await deadlineOf(threat.id, "2027-06-01", "by June", "2025-12-01");
  now += 60_000;
  const imposed = await json(await t.write("POST", `/api/threats/${threat.id}/status`, { status: "imposed", reason: "in force", effectiveAt: "2026-03-01" }));
  now += 60_000;
  const [creation] = (await json(await t.get(`/api/deadlines/${deadline}/history`))).items;
  const res = await t.write("POST", `/api/history/${creation.seq}/retract`, { reason: "no such deadline" });
  expect(res.status).toBe(200);
  expect((await json(res)).retracted.map((e: any) => [e.seq, e.to])).toEqual([
    [creation.seq, "pending"],
    [imposed.consequences[0].seq, "triggered"],
  ]);
  expect((await t.get(`/api/deadlines/${deadline}`)).status).toBe(404);
  expect((await json(await t.get(`/api/threats/${threat.id}`))).status).toBe("imposed");
});
