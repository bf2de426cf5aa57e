import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RARE_EARTH_CONDITION, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

const RARE_EARTH_THREAT = "threat-cn-rare-earth-export-controls";

let t: TestApp;
/** The server's clock, moved on by the tests so recorded times differ; it starts after the seed was recorded. */
let now: Date;
const later = (days: number) => {
  now = new Date(now.getTime() + days * 86_400_000);
};
beforeEach(async () => {
  now = new Date(Date.now() + 60_000);
  t = await testApp({ clock: () => new Date(now) });
});
afterEach(() => t.close());

const json = async (res: Response) => (await res.json()) as any;

async function created(path: string, body: Record<string, unknown>): Promise<any> {
  const res = await t.write("POST", path, body);
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
  return json(res);
}

async function changed(collection: string, id: string, body: Record<string, unknown>): Promise<any> {
  const res = await t.write("POST", `/api/${collection}/${id}/status`, { reason: "Reported", ...body });
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
  return json(res);
}

/** A truce between the US and China in force from 10 November 2025 for a year, with commitments on both sides. */
async function truce() {
  const agreement = await created("/api/agreements", {
    title: "US-China trade truce",
    partyIds: ["gov-us", "gov-cn"],
    status: "in-force",
    effectiveAt: "2025-11-10T00:00:00Z",
    expiresAt: "2026-11-10T00:00:00Z",
    expiryWording: "for one year",
  });
  const soybeans = await created("/api/commitments", {
    agreementId: agreement.id,
    partyId: "gov-cn",
    description: "Buy 12 million tonnes of US soybeans",
    kind: "purchase",
    dueAt: "2025-12-01T00:00:00Z",
    precision: "month",
    wording: "by the end of 2025",
    effectiveAt: "2025-11-10T00:00:00Z",
  });
  const rareEarths = await created("/api/commitments", {
    agreementId: agreement.id,
    partyId: "gov-cn",
    description: "Suspend the October rare-earth export controls",
    kind: "suspension",
    affectsThreatIds: [RARE_EARTH_THREAT],
    dueAt: "2026-06-01T00:00:00Z",
    wording: "by June 2026",
    precision: "month",
    effectiveAt: "2025-11-10T00:00:00Z",
  });
  const tariffCut = await created("/api/commitments", {
    agreementId: agreement.id,
    partyId: "gov-us",
    description: "Cut the fentanyl tariff from 20% to 10%",
    kind: "tariff-cut",
    affectsThreatIds: [TARIFF_THREAT],
    dueAt: "2025-11-10T00:00:00Z",
    precision: "day",
    wording: "from 10 November",
    effectiveAt: "2025-11-10T00:00:00Z",
  });
  return { agreement, soybeans, rareEarths, tariffCut };
}

async function pendingAsOf(asOf: string, knownAt?: string): Promise<any[]> {
  const res = await t.get(`/api/deadlines?status=pending&asOf=${asOf}${knownAt ? `&knownAt=${knownAt}` : ""}&limit=500`);
  expect(res.status).toBe(200);
  return (await json(res)).items;
}

const deadlineOf = (record: any) => record.deadlines[0].id as string;

describe("agreements and commitments", () => {
  it("creates an agreement in force with two parties, its expiry, and commitments on both sides with their deadlines", async () => {
    const { agreement, soybeans, rareEarths, tariffCut } = await truce();
    expect(agreement).toMatchObject({ status: "in-force", partyIds: ["gov-cn", "gov-us"], supersededById: null });
    expect(agreement.parties.map((p: any) => p.name)).toEqual(["People’s Republic of China government", "United States government"]);
    expect(agreement.deadlines).toMatchObject([{ kind: "expiry", wording: "for one year", status: "pending", agreementId: agreement.id }]);
    // A deal in force when announced starts there: one creation entry, no detour through "negotiating".
    const history = await json(await t.get(`/api/agreements/${agreement.id}/history`));
    expect(history.items.map((e: any) => [e.from, e.to, e.effectiveAt])).toEqual([[null, "in-force", "2025-11-10T00:00:00.000Z"]]);

    expect(rareEarths).toMatchObject({ status: "pending", partyId: "gov-cn", kind: "suspension", affectsThreatIds: [RARE_EARTH_THREAT] });
    expect(rareEarths.agreement).toMatchObject({ id: agreement.id, status: "in-force" });
    expect(tariffCut.deadlines).toMatchObject([{ wording: "from 10 November", precision: "day", status: "pending", commitmentId: tariffCut.id }]);

    const detail = await json(await t.get(`/api/agreements/${agreement.id}`));
    expect(detail.commitments.map((c: any) => [c.id, c.party.id, c.kind, c.deadlines.length]).sort()).toEqual(
      [soybeans, rareEarths, tariffCut].map((c) => [c.id, c.partyId, c.kind, 1]).sort(),
    );
    const byParty = await json(await t.get(`/api/commitments?agreement=${agreement.id}&actor=gov-cn`));
    expect(byParty.items.map((c: any) => c.id).sort()).toEqual([soybeans.id, rareEarths.id].sort());
    const agreementsOfUs = await json(await t.get("/api/agreements?actor=gov-us"));
    expect(agreementsOfUs.items.map((a: any) => a.id)).toEqual([agreement.id]);
  });

  it("shows commitment and agreement deadlines in the pending view with their agreementId and commitmentId", async () => {
    const { agreement, soybeans, rareEarths, tariffCut } = await truce();
    const pending = await pendingAsOf("2025-11-09T12:00:00Z");
    expect(pending.filter((d) => d.agreementId !== null)).toEqual([]);
    const later = (await pendingAsOf("2025-11-20T00:00:00Z")).filter((d) => d.agreementId === agreement.id);
    expect(later.map((d) => [d.id, d.commitmentId, d.kind]).sort()).toEqual(
      [
        [deadlineOf(soybeans), soybeans.id, "stated"],
        [deadlineOf(rareEarths), rareEarths.id, "stated"],
        [deadlineOf(tariffCut), tariffCut.id, "stated"],
        [deadlineOf(agreement), null, "expiry"],
      ].sort(),
    );
    const seeded = (await pendingAsOf("2025-11-20T00:00:00Z")).find((d) => d.threat?.id === TARIFF_THREAT);
    expect(seeded).toMatchObject({ agreementId: null, commitmentId: null });
    const byParty = await json(await t.get("/api/deadlines?status=pending&asOf=2025-11-20T00:00:00Z&actor=gov-us&limit=500"));
    expect(byParty.items.map((d: any) => d.id)).toContain(deadlineOf(tariffCut));
    expect(byParty.items.map((d: any) => d.id)).not.toContain(deadlineOf(soybeans));
  });

  it("meets one commitment's deadline without touching another commitment of the same agreement", async () => {
    const { soybeans, tariffCut } = await truce();
    const result = await changed("commitments", tariffCut.id, { status: "fulfilled", effectiveAt: "2025-11-10T00:00:00Z" });
    expect(result.consequences).toHaveLength(1);
    expect(result.consequences[0]).toMatchObject({
      recordKind: "deadline",
      recordId: deadlineOf(tariffCut),
      to: "averted",
      effectiveAt: "2025-11-10T00:00:00.000Z",
      causedBy: result.entry.seq,
    });
    expect((await json(await t.get(`/api/commitments/${soybeans.id}`))).status).toBe("pending");
    const pending = (await pendingAsOf("2025-11-20T00:00:00Z")).map((d) => d.id);
    expect(pending).toContain(deadlineOf(soybeans));
    expect(pending).not.toContain(deadlineOf(tariffCut));

    // A breach triggers the deadline it missed.
    const breach = await changed("commitments", soybeans.id, { status: "breached", effectiveAt: "2026-01-01T00:00:00Z" });
    expect(breach.consequences.map((e: any) => [e.recordId, e.to])).toEqual([[deadlineOf(soybeans), "triggered"]]);
  });

  it("lapses the pending commitments of an agreement that ends, and cancels its own pending deadlines, at the end's effective time", async () => {
    const { agreement, soybeans, rareEarths, tariffCut } = await truce();
    await changed("commitments", tariffCut.id, { status: "fulfilled", effectiveAt: "2025-11-10T00:00:00Z" });
    later(1);
    const end = await changed("agreements", agreement.id, { status: "terminated", effectiveAt: "2026-03-01T00:00:00Z" });
    expect(end.record.status).toBe("terminated");
    const moves = end.consequences.map((e: any) => [e.recordKind, e.recordId, e.to]);
    expect(moves).toEqual(
      expect.arrayContaining([
        ["deadline", deadlineOf(agreement), "cancelled"],
        ["commitment", soybeans.id, "lapsed"],
        ["commitment", rareEarths.id, "lapsed"],
        ["deadline", deadlineOf(soybeans), "cancelled"],
        ["deadline", deadlineOf(rareEarths), "cancelled"],
      ]),
    );
    expect(moves).toHaveLength(5);
    for (const e of end.consequences) expect(e.effectiveAt).toBe("2026-03-01T00:00:00.000Z");
    expect((await json(await t.get(`/api/commitments/${tariffCut.id}`))).status).toBe("fulfilled");
    const lapsed = await json(await t.get(`/api/commitments?agreement=${agreement.id}&status=lapsed`));
    expect(lapsed.items.map((c: any) => c.id).sort()).toEqual([soybeans.id, rareEarths.id].sort());
    // Before the end took effect, the commitments were pending.
    const before = await json(await t.get(`/api/commitments?agreement=${agreement.id}&status=pending&asOf=2026-02-01T00:00:00Z`));
    expect(before.items).toHaveLength(2);

    // Retracting the termination retracts what it set off.
    const retracted = await t.write("POST", `/api/history/${end.entry.seq}/retract`, { reason: "Misreported" });
    expect(retracted.status).toBe(200);
    expect((await json(retracted)).retracted).toHaveLength(6);
    expect((await json(await t.get(`/api/commitments/${soybeans.id}`))).status).toBe("pending");
  });

  it("reads agreements as of a day and as known at an instant", async () => {
    const { agreement } = await truce();
    const beforeSuspensionKnown = new Date(now.getTime() + 3_600_000).toISOString();
    later(1);
    await changed("agreements", agreement.id, { status: "suspended", effectiveAt: "2026-03-01T00:00:00Z" });
    const at = async (qs: string) => t.get(`/api/agreements/${agreement.id}?${qs}`);
    expect((await json(await at("asOf=2026-02-01T00:00:00Z"))).status).toBe("in-force");
    expect((await json(await at("asOf=2026-03-02T00:00:00Z"))).status).toBe("suspended");
    // Known before the suspension was recorded: still in force, with no ETag-bearing version.
    const known = await json(await at(`asOf=2026-03-02T00:00:00Z&knownAt=${beforeSuspensionKnown}`));
    expect(known.status).toBe("in-force");
    expect(known).not.toHaveProperty("version");
    expect((await at("asOf=2025-11-01T00:00:00Z")).status).toBe(404);
    const list = async (qs: string) => (await json(await t.get(`/api/agreements?${qs}`))).items.map((a: any) => a.id);
    expect(await list("status=in-force&asOf=2026-02-01T00:00:00Z")).toEqual([agreement.id]);
    expect(await list("status=in-force&asOf=2026-03-02T00:00:00Z")).toEqual([]);
    expect(await list(`status=in-force&asOf=2026-03-02T00:00:00Z&knownAt=${beforeSuspensionKnown}`)).toEqual([agreement.id]);
    const csv = await t.get("/api/agreements?format=csv&asOf=2026-03-02T00:00:00Z");
    expect(csv.headers.get("Content-Type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toContain("partyIds");
    expect(lines[1]).toContain("suspended");
    expect(lines[1]).toContain("gov-cn; gov-us");
  });

  it("names the agreement that supersedes another, as of when it did", async () => {
    const { agreement } = await truce();
    const successor = await created("/api/agreements", {
      title: "US-China framework agreement",
      partyIds: ["gov-us", "gov-cn"],
      status: "announced",
      effectiveAt: "2026-01-02T00:00:00Z",
    });
    const missing = await t.write("POST", `/api/agreements/${agreement.id}/status`, { status: "superseded", reason: "Replaced" });
    expect(missing.status).toBe(422);
    expect((await json(missing)).errors[0].field).toBe("supersededById");
    // Not before the successor was first stated (2 January): the link would name an agreement that did not exist then.
    const early = await t.write("POST", `/api/agreements/${agreement.id}/status`, {
      status: "superseded",
      reason: "Replaced",
      supersededById: successor.id,
      effectiveAt: "2026-01-01T00:00:00Z",
    });
    expect(early.status).toBe(409);
    await changed("agreements", agreement.id, { status: "superseded", supersededById: successor.id, effectiveAt: "2026-01-05T00:00:00Z" });
    expect((await json(await t.get(`/api/agreements/${agreement.id}`))).supersededById).toBe(successor.id);
    expect((await json(await t.get(`/api/agreements/${agreement.id}?asOf=2026-01-01T00:00:00Z`))).supersededById).toBeNull();
  });

  it("averts an agreement condition's deadlines and the agreement's others of no condition, never its expiry or its commitments'", async () => {
    const { agreement, soybeans } = await truce();
    const condition = await created("/api/conditions", {
      agreementId: agreement.id,
      description: "Washington lifts the port fees",
      effect: "averts",
      effectiveAt: "2025-11-10T00:00:00Z",
    });
    expect(condition.agreement).toMatchObject({ id: agreement.id });
    const own = await created("/api/deadlines", {
      conditionId: condition.id,
      agreementId: agreement.id,
      dueAt: "2026-02-01T00:00:00Z",
      precision: "day",
      wording: "by February",
      effectiveAt: "2025-11-10T00:00:00Z",
    });
    const other = await created("/api/conditions", {
      agreementId: agreement.id,
      description: "Beijing resumes rare-earth licences",
      effect: "averts",
      effectiveAt: "2025-11-10T00:00:00Z",
    });
    const othersDeadline = await created("/api/deadlines", {
      conditionId: other.id,
      agreementId: agreement.id,
      dueAt: "2026-02-01T00:00:00Z",
      precision: "day",
      wording: "by February",
      effectiveAt: "2025-11-10T00:00:00Z",
    });
    const met = await changed("conditions", condition.id, { status: "met", effectiveAt: "2025-12-01T00:00:00Z" });
    expect(met.consequences.map((e: any) => [e.recordId, e.to])).toEqual([[own.id, "averted"]]);
    const pending = (await pendingAsOf("2025-12-02T00:00:00Z")).map((d) => d.id);
    expect(pending).toEqual(expect.arrayContaining([othersDeadline.id, deadlineOf(agreement), deadlineOf(soybeans)]));
    // A threat's condition keeps its rule.
    const threatCondition = await changed("conditions", RARE_EARTH_CONDITION, { status: "met" });
    expect(threatCondition.consequences.length).toBeGreaterThan(0);
  });

  it("extends an agreement's expiry as a deadline of the same agreement", async () => {
    const { agreement } = await truce();
    const extended = await changed("deadlines", deadlineOf(agreement), { status: "extended", newDueAt: "2027-11-10T00:00:00Z", newWording: "for two years" });
    const successor = await json(await t.get(`/api/deadlines/${extended.successorDeadlineId}`));
    expect(successor).toMatchObject({ agreementId: agreement.id, kind: "expiry", wording: "for two years", status: "pending" });
  });

  it("refuses bad agreements, commitments and conditions with 422 naming the field, changing nothing", async () => {
    const { agreement } = await truce();
    const before = contentChecksum(t.db);
    const field = async (path: string, body: Record<string, unknown>) => {
      const res = await t.write("POST", path, body);
      expect(res.status).toBe(422);
      return (await json(res)).errors.map((e: any) => e.field);
    };
    expect(await field("/api/agreements", { title: "Solo", partyIds: ["gov-us", "gov-us"] })).toEqual(["partyIds"]);
    expect(await field("/api/agreements", { title: "Ghost", partyIds: ["gov-us", "nope"] })).toEqual(["partyIds.1"]);
    expect(await field("/api/agreements", { title: "Odd", partyIds: ["gov-us", "gov-cn"], expiryWording: "soon" })).toEqual(["expiresAt"]);
    const commitment = { agreementId: agreement.id, partyId: "person-xi-jinping", description: "x", kind: "other" };
    expect(await field("/api/commitments", commitment)).toEqual(["partyId"]);
    expect(await field("/api/commitments", { ...commitment, partyId: "gov-cn", kind: "gift" })).toEqual(["kind"]);
    expect(await field("/api/commitments", { ...commitment, partyId: "gov-cn", dueAt: "2026-01-01T00:00:00Z" })).toEqual(["wording"]);
    expect(await field("/api/commitments", { ...commitment, partyId: "gov-cn", agreementId: "nope" })).toContain("agreementId");
    const condition = { description: "x", effect: "averts" };
    expect(await field("/api/conditions", condition)).toEqual(["threatId"]);
    expect(await field("/api/conditions", { ...condition, threatId: TARIFF_THREAT, agreementId: agreement.id })).toEqual(["agreementId"]);
    expect(await field("/api/conditions", { ...condition, agreementId: "nope" })).toEqual(["agreementId"]);
    const wrongKind = await t.write("POST", `/api/threats/${TARIFF_THREAT}/status`, { status: "withdrawn", reason: "x", supersededById: agreement.id });
    expect(wrongKind.status).toBe(422);
    expect(contentChecksum(t.db)).toBe(before);
  });

  it("lists the new collections in the OpenAPI document", async () => {
    const doc = await json(await t.get("/openapi.json"));
    for (const path of ["/api/agreements", "/api/agreements/{id}/status", "/api/agreements/{id}/history", "/api/commitments", "/api/commitments/{id}"]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });
});
