import { afterEach, expect, it } from "vitest";
import { createCornDeal, createThreat, type TestApp, testApp } from "../helpers/app.ts";

// A deadline, commitment or condition cannot be stated under a record that had already ended
// (decision 025): 409 naming the owner, its ending and when; once that ending is retracted, the same
// request succeeds. Stated back-dated before the end, it is created and gets the end's consequence.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const json = async (r: Response) => (await r.json()) as any;
/** The fields that create another threat like this one. */
const threatFields = (threat: any) => ({
  scenarioId: threat.scenario?.id ?? threat.scenarioId,
  issuerId: threat.issuer?.id ?? threat.issuerId,
  measure: "tariff",
  covers: "goods",
  summary: "another tariff",
});

const refusedNaming = async (res: Response, owner: string, ending: { seq: number; to: string }, on: string) => {
  expect(res.status, await res.clone().text()).toBe(409);
  const body = await json(res);
  expect(body.type).toContain("chain-conflict");
  expect(body.detail).toContain(owner);
  expect(body.detail).toContain(`"${ending.to}"`);
  expect(body.detail).toContain(on);
  expect(body.conflictsWith.seq).toBe(ending.seq);
};

it("refuses a commitment stated after its agreement was terminated, and takes it once the termination is retracted", async () => {
  let now = Date.parse("2026-11-20T08:00:00Z");
  t = await testApp({ clock: () => new Date(now) });
  const { agreement } = await createCornDeal(t);
  const terminated = await json(
    await t.write("POST", `/api/agreements/${agreement.id}/status`, { status: "terminated", reason: "called off", effectiveAt: "2026-03-15" }),
  );
  const soy = { agreementId: agreement.id, partyId: "gov-cn", description: "Buy soy", kind: "purchase", effectiveAt: "2026-04-01" };
  const before = await (await t.get(`/api/commitments?agreement=${agreement.id}`)).text();

  await refusedNaming(await t.write("POST", "/api/commitments", soy), agreement.id, terminated.entry, "2026-03-15");
  // Nothing was written: the list reads as before.
  expect(await (await t.get(`/api/commitments?agreement=${agreement.id}`)).text()).toBe(before);
  // Nor a condition or a deadline of the agreement.
  await refusedNaming(
    await t.write("POST", "/api/conditions", { agreementId: agreement.id, description: "if corn is bought", effect: "averts", effectiveAt: "2026-04-01" }),
    agreement.id,
    terminated.entry,
    "2026-03-15",
  );
  await refusedNaming(
    await t.write("POST", "/api/deadlines", {
      agreementId: agreement.id,
      dueAt: "2026-12-01",
      precision: "day",
      wording: "by December",
      effectiveAt: "2026-04-01",
    }),
    agreement.id,
    terminated.entry,
    "2026-03-15",
  );

  // Stated back-dated before the end, it is created and lapses with the agreement, caused by the termination.
  const early = await t.write("POST", "/api/commitments", { ...soy, effectiveAt: "2026-02-01" });
  expect(early.status).toBe(201);
  const earlyId = (await json(early)).id;
  expect((await json(await t.get(`/api/commitments/${earlyId}?asOf=2026-03-01`))).status).toBe("pending");
  expect((await json(await t.get(`/api/commitments/${earlyId}?asOf=2026-03-16`))).status).toBe("lapsed");

  now += 60_000;
  const retracted = await t.write("POST", `/api/history/${terminated.entry.seq}/retract`, { reason: "it was not terminated" });
  expect(retracted.status).toBe(200);
  now += 60_000;
  const later = await t.write("POST", "/api/commitments", soy);
  expect(later.status, await later.clone().text()).toBe(201);
  const laterId = (await json(later)).id;
  expect((await json(await t.get(`/api/commitments/${laterId}?asOf=2026-11-01`))).status).toBe("pending");
});

it("refuses a deadline stated after its threat was withdrawn, or after its condition was met, and not after an end announced for later", async () => {
  const now = Date.parse("2026-11-20T08:00:00Z");
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  const condition = await json(
    await t.write("POST", "/api/conditions", { threatId: threat.id, description: "unless talks resume", effect: "averts", effectiveAt: "2025-06-01" }),
  );
  const met = await json(
    await t.write("POST", `/api/conditions/${condition.id}/status`, { status: "met", reason: "talks resumed", effectiveAt: "2025-07-01" }),
  );
  await refusedNaming(
    await t.write("POST", "/api/deadlines", {
      conditionId: condition.id,
      dueAt: "2025-09-01",
      precision: "day",
      wording: "by September",
      effectiveAt: "2025-08-01",
    }),
    condition.id,
    met.entry,
    "2025-07-01",
  );

  const withdrawn = await json(
    await t.write("POST", `/api/threats/${threat.id}/status`, { status: "withdrawn", reason: "dropped", effectiveAt: "2025-10-01" }),
  );
  const deadline = { threatId: threat.id, dueAt: "2026-01-01", precision: "day", wording: "by January" };
  await refusedNaming(await t.write("POST", "/api/deadlines", { ...deadline, effectiveAt: "2025-10-01" }), threat.id, withdrawn.entry, "2025-10-01");
  await refusedNaming(await t.write("POST", "/api/deadlines", { ...deadline, effectiveAt: "2025-11-01" }), threat.id, withdrawn.entry, "2025-10-01");
  // Before the withdrawal, it is created and cancelled by it.
  const early = await json(await t.write("POST", "/api/deadlines", { ...deadline, effectiveAt: "2025-09-01" }));
  expect((await json(await t.get(`/api/deadlines/${early.id}?asOf=2025-10-02`))).status).toBe("cancelled");

  // An end announced for later refuses nothing before it: the deadline is pending until then.
  const other = await json(await t.write("POST", "/api/threats", { ...threatFields(threat), status: "threatened", effectiveAt: "2025-06-01" }));
  await t.write("POST", `/api/threats/${other.id}/status`, { status: "withdrawn", reason: "to be dropped", effectiveAt: "2027-01-01" });
  const ahead = await t.write("POST", "/api/deadlines", { ...deadline, threatId: other.id, dueAt: "2027-06-01", effectiveAt: "2026-11-01" });
  expect(ahead.status).toBe(201);
  const aheadId = (await json(ahead)).id;
  expect((await json(await t.get(`/api/deadlines/${aheadId}?asOf=2026-12-31`))).status).toBe("pending");
  expect((await json(await t.get(`/api/deadlines/${aheadId}?asOf=2027-01-02`))).status).toBe("cancelled");
});

it("refuses a due date stated under a commitment already fulfilled", async () => {
  const now = Date.parse("2026-11-20T08:00:00Z");
  t = await testApp({ clock: () => new Date(now) });
  const { corn } = await createCornDeal(t);
  const fulfilled = await json(
    await t.write("POST", `/api/commitments/${corn.id}/status`, { status: "fulfilled", reason: "bought", effectiveAt: "2026-05-01" }),
  );
  await refusedNaming(
    await t.write("POST", "/api/deadlines", {
      commitmentId: corn.id,
      dueAt: "2026-12-01",
      precision: "day",
      wording: "by December",
      effectiveAt: "2026-06-01",
    }),
    corn.id,
    fulfilled.entry,
    "2026-05-01",
  );
});

it("refuses an end recorded back-dated before a record of it was stated, naming that record; dated after it, the end lapses it", async () => {
  const now = Date.parse("2026-11-20T08:00:00Z");
  t = await testApp({ clock: () => new Date(now) });
  const { agreement } = await createCornDeal(t);
  const soy = await json(
    await t.write("POST", "/api/commitments", {
      agreementId: agreement.id,
      partyId: "gov-cn",
      description: "Buy soy",
      kind: "purchase",
      effectiveAt: "2026-04-01",
    }),
  );
  const before = await (await t.get(`/api/agreements/${agreement.id}/history`)).text();
  const early = await t.write("POST", `/api/agreements/${agreement.id}/status`, { status: "terminated", reason: "called off", effectiveAt: "2026-03-15" });
  expect(early.status).toBe(409);
  const problem = await json(early);
  expect(problem.detail).toContain(soy.id);
  expect(problem.conflictsWith).toMatchObject({ recordId: soy.id, effectiveAt: "2026-04-01T00:00:00.000Z" });
  expect(await (await t.get(`/api/agreements/${agreement.id}/history`)).text()).toBe(before);

  const ends = await t.write("POST", `/api/agreements/${agreement.id}/status`, { status: "terminated", reason: "called off", effectiveAt: "2026-05-01" });
  expect(ends.status).toBe(200);
  expect((await json(await t.get(`/api/commitments/${soy.id}?asOf=2026-05-02`))).status).toBe("lapsed");
});

it("refuses to retract the correction that re-opened an owner while a record stated under it since stands, and takes it once that record is retracted", async () => {
  const now = Date.parse("2026-11-20T08:00:00Z");
  t = await testApp({ seeded: false, clock: () => new Date(now) });
  const { threat } = await createThreat(t, { scenario: "2025-01-01", threat: "2025-06-01" });
  await t.write("POST", `/api/threats/${threat.id}/status`, { status: "withdrawn", reason: "dropped", effectiveAt: "2025-10-01" });
  const reopened = await json(
    await t.write("POST", `/api/threats/${threat.id}/status`, {
      status: "threatened",
      correction: true,
      reason: "the withdrawal was misreported",
      effectiveAt: "2025-10-01",
    }),
  );
  const deadline = await json(
    await t.write("POST", "/api/deadlines", { threatId: threat.id, dueAt: "2026-01-01", precision: "day", wording: "by January", effectiveAt: "2025-11-01" }),
  );
  const before = await (await t.get(`/api/threats/${threat.id}/history`)).text();

  // Without the correction the threat is withdrawn from 1 October: the deadline stated on 1 November would stand under an ended owner.
  const refused = await t.write("POST", `/api/history/${reopened.entry.seq}/retract`, { reason: "the withdrawal stood" });
  expect(refused.status, await refused.clone().text()).toBe(409);
  const problem = await json(refused);
  expect(problem.type).toContain("chain-conflict");
  expect(problem.detail).toContain(deadline.id);
  expect(problem.detail).toContain("2025-11-01");
  expect(problem.conflictsWith).toMatchObject({ recordId: deadline.id, effectiveAt: "2025-11-01T00:00:00.000Z" });
  // Nothing was written.
  expect(await (await t.get(`/api/threats/${threat.id}/history`)).text()).toBe(before);
  expect((await json(await t.get(`/api/threats/${threat.id}?asOf=2025-12-01`))).status).toBe("threatened");

  const created = (await json(await t.get(`/api/deadlines/${deadline.id}/history`))).items[0];
  expect((await t.write("POST", `/api/history/${created.seq}/retract`, { reason: "stated under the wrong threat" })).status).toBe(200);
  expect((await t.write("POST", `/api/history/${reopened.entry.seq}/retract`, { reason: "the withdrawal stood" })).status).toBe(200);
  expect((await json(await t.get(`/api/threats/${threat.id}?asOf=2025-12-01`))).status).toBe("withdrawn");
});
