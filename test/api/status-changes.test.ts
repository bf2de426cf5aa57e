import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NOVEMBER_DEADLINE, RARE_EARTH_CONDITION, SCENARIO, SOURCE, TARIFF_THREAT, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(() => t.close());

const changeStatus = (collection: string, id: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  t.write("POST", `/api/${collection}/${id}/status`, { reason: "Reported by Reuters", ...body }, headers);

async function pendingAsOf(asOf: string) {
  const res = await t.get(`/api/deadlines?status=pending&asOf=${asOf}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { id: string; status: string; overdue: boolean; daysRemaining: number }[] }).items;
}

describe("status changes", () => {
  it("refuse to create a record dated after now, with 422 naming effectiveAt, and create nothing", async () => {
    const before = contentChecksum(t.db);
    const res = await t.write("POST", "/api/threats", {
      scenarioId: SCENARIO,
      issuerId: "gov-us",
      targetIds: ["gov-cn"],
      measure: "tariff",
      covers: "all goods",
      summary: "a threat dated ahead",
      status: "threatened",
      effectiveAt: "2027-01-01",
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toMatch(/effectiveAt.*must not be after now/);
    expect(contentChecksum(t.db)).toBe(before);
    // The same threat dated today is created, and answered.
    const today = await t.write("POST", "/api/threats", {
      scenarioId: SCENARIO,
      issuerId: "gov-us",
      targetIds: ["gov-cn"],
      measure: "tariff",
      covers: "all goods",
      summary: "a threat dated today",
      status: "threatened",
      effectiveAt: new Date().toISOString().slice(0, 10),
    });
    expect(today.status).toBe(201);
  });

  it("refuse a deadline whose condition belongs to another threat, with 422 naming conditionId, and create nothing", async () => {
    const other = (await (
      await t.write("POST", "/api/threats", {
        scenarioId: SCENARIO,
        issuerId: "gov-us",
        targetIds: ["gov-cn"],
        measure: "tariff",
        covers: "all goods",
        summary: "another threat",
        status: "threatened",
      })
    ).json()) as { id: string };
    const condition = (await (
      await t.write("POST", "/api/conditions", { threatId: other.id, description: "unless", effect: "averts", status: "open" })
    ).json()) as { id: string };
    const before = contentChecksum(t.db);
    const res = await t.write("POST", "/api/deadlines", {
      threatId: TARIFF_THREAT,
      conditionId: condition.id,
      dueAt: "2027-03-01",
      precision: "day",
      wording: "by March",
      status: "pending",
    });
    expect(res.status).toBe(422);
    const problem = JSON.stringify(await res.json());
    expect(problem).toMatch(/conditionId.*belongs to threat/);
    expect(problem).toContain(other.id);
    expect(contentChecksum(t.db)).toBe(before);
    // With its own threat it is a deadline of both.
    const own = await t.write("POST", "/api/deadlines", {
      threatId: other.id,
      conditionId: condition.id,
      dueAt: "2027-03-01",
      precision: "day",
      wording: "by March",
      status: "pending",
    });
    expect(own.status).toBe(201);
  });

  it("answer with the record exactly as a read right after gives it, for a threat (read with the write) and for others", async () => {
    // A threat's answer is read inside its write, on the writer; a condition's through Prisma after the commit.
    for (const [collection, id, body] of [
      // biome-ignore lint/suspicious/noThenProperty: the API's word for what a suspension returns to
      ["threats", TARIFF_THREAT, { status: "suspended", until: "2027-11-10", then: "imposed" }],
      ["conditions", RARE_EARTH_CONDITION, { status: "met" }],
      ["threats", TARIFF_THREAT, { status: "imposed", effectiveAt: "2027-01-12T00:00:00Z" }],
    ] as const) {
      const res = await changeStatus(collection, id, body);
      expect(res.status, JSON.stringify(body)).toBe(200);
      const answered = ((await res.json()) as { record: unknown }).record;
      expect(answered).toEqual(await (await t.get(`/api/${collection}/${id}`)).json());
    }
  });

  it("records a change in the record, its history and /api/changes, with the new ETag", async () => {
    const res = await changeStatus("threats", TARIFF_THREAT, { status: "suspended", effectiveAt: "2025-10-30T08:00:00Z" });
    expect(res.status).toBe(200);
    expect(res.headers.get("ETag")).toBe('"2"');
    const body = (await res.json()) as any;
    expect(body.record).toMatchObject({ id: TARIFF_THREAT, status: "suspended", version: 2 });
    expect(body.entry).toMatchObject({
      recordKind: "threat",
      recordId: TARIFF_THREAT,
      from: "threatened",
      to: "suspended",
      by: "admin",
      correction: false,
      causedBy: null,
    });
    expect(body.entry.effectiveAt).toBe("2025-10-30T08:00:00.000Z");

    const history = (await (await t.get(`/api/threats/${TARIFF_THREAT}/history`)).json()) as any;
    expect(history.items.map((e: any) => [e.from, e.to])).toEqual([
      [null, "threatened"],
      ["threatened", "suspended"],
    ]);
    const changes = (await (await t.get("/api/changes?since=2026-01-01")).json()) as any;
    expect(changes.items.some((e: any) => e.seq === body.entry.seq)).toBe(true);
    // A range of one day holds that day: effectiveTo as a date means its end, effectiveFrom its start.
    const oneDay = (await (await t.get("/api/changes?effectiveFrom=2025-10-30&effectiveTo=2025-10-30")).json()) as any;
    expect(oneDay.items.map((e: any) => e.seq)).toContain(body.entry.seq);
    expect(oneDay.items.every((e: any) => e.effectiveAt.startsWith("2025-10-30"))).toBe(true);
    const dayAfter = (await (await t.get("/api/changes?effectiveFrom=2025-10-30T08:00:01Z&effectiveTo=2025-10-30")).json()) as any;
    expect(dayAfter.items.map((e: any) => e.seq)).not.toContain(body.entry.seq);
    // An effective range that ends before it begins is a mistake, not an empty answer.
    const backwards = await t.get("/api/changes?effectiveFrom=2026-02-01&effectiveTo=2026-01-01");
    expect(backwards.status).toBe(422);
    expect(await backwards.json()).toMatchObject({ errors: [{ field: "query.effectiveTo", problem: "must not be before effectiveFrom" }] });
    const detail = await t.get(`/api/threats/${TARIFF_THREAT}`);
    expect(detail.headers.get("ETag")).toBe('"2"');
  });

  it("answers 409 naming the allowed next statuses for a forbidden move, and changes nothing", async () => {
    const before = contentChecksum(t.db);
    const res = await changeStatus("threats", "threat-us-software-export-sanctions", { status: "suspended" });
    expect(res.status).toBe(409);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ status: 409, from: "considering", to: "suspended" });
    expect(body.allowed).toEqual(["threatened", "announced", "imposed", "withdrawn"]);
    expect(body.detail).toContain("threatened, announced, imposed, withdrawn");
    const same = await changeStatus("conditions", RARE_EARTH_CONDITION, { status: "open" });
    expect(same.status).toBe(409);
    expect(contentChecksum(t.db)).toBe(before);
  });

  it("refuses to leave a final status except by an explicit correction, recorded as such", async () => {
    expect((await changeStatus("threats", TARIFF_THREAT, { status: "withdrawn" })).status).toBe(200);
    const refused = await changeStatus("threats", TARIFF_THREAT, { status: "threatened" });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as any).detail).toContain('"withdrawn" is final');
    const corrected = await changeStatus("threats", TARIFF_THREAT, { status: "threatened", correction: true, reason: "Withdrawal was misreported" });
    expect(corrected.status).toBe(200);
    expect(((await corrected.json()) as any).entry).toMatchObject({ correction: true, from: "withdrawn", to: "threatened" });
  });

  it("answers 422 naming the field for an unknown status, a missing reason, or an effective time more than 10 years ahead", async () => {
    const unknown = await changeStatus("deadlines", NOVEMBER_DEADLINE, { status: "overdue" });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as any).errors[0]).toMatchObject({ field: "status" });
    const noReason = await t.write("POST", `/api/deadlines/${NOVEMBER_DEADLINE}/status`, { status: "triggered" });
    expect(noReason.status).toBe(422);
    expect(((await noReason.json()) as any).errors.map((e: any) => e.field)).toContain("reason");
    const future = await changeStatus("deadlines", NOVEMBER_DEADLINE, { status: "triggered", effectiveAt: "2099-01-01" });
    expect(future.status).toBe(422);
    expect(((await future.json()) as any).errors[0].field).toBe("effectiveAt");
    const badDate = await changeStatus("deadlines", NOVEMBER_DEADLINE, { status: "triggered", effectiveAt: "2025-02-30" });
    expect(((await badDate.json()) as any).errors[0].field).toBe("effectiveAt");
  });

  it("honours If-Match: a stale version gets 412 and changes nothing", async () => {
    const stale = await changeStatus("events", "event-trump-xi-bilateral-apec", { status: "held" }, { "If-Match": '"7"' });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as any).currentVersion).toBe(1);
    const fresh = await changeStatus("events", "event-trump-xi-bilateral-apec", { status: "held" }, { "If-Match": '"1"' });
    expect(fresh.status).toBe(200);
    const again = await changeStatus(
      "events",
      "event-trump-xi-bilateral-apec",
      { status: "cancelled", correction: true, reason: "mistaken entry" },
      { "If-Match": '"1"' },
    );
    expect(again.status).toBe(412);
  });

  it("attaches evidence that must be a verbatim quote of the source", async () => {
    const bad = await changeStatus("threats", TARIFF_THREAT, { status: "imposed", evidence: { sourceId: SOURCE, quote: "tariffs are now in force" } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as any).errors[0].field).toBe("evidence.quote");
    const missing = await changeStatus("threats", TARIFF_THREAT, { status: "imposed", evidence: { sourceId: "nope", quote: "x" } });
    expect(((await missing.json()) as any).errors[0].field).toBe("evidence.sourceId");
    const ok = await changeStatus("threats", TARIFF_THREAT, {
      status: "imposed",
      evidence: { sourceId: SOURCE, quote: "he will impose an additional 100% tariff" },
    });
    expect(ok.status).toBe(200);
    const entry = ((await ok.json()) as any).entry;
    expect(entry).toMatchObject({ sourceId: SOURCE });
    expect(entry.evidenceId).toMatch(/^ev-/);
  });
});

describe("consequences", () => {
  it("an averting condition met averts the pending deadlines, in the same change, naming the cause", async () => {
    const res = await changeStatus("conditions", RARE_EARTH_CONDITION, { status: "met", effectiveAt: "2025-10-30T10:00:00Z" });
    const body = (await res.json()) as any;
    expect(body.consequences).toHaveLength(1);
    expect(body.consequences[0]).toMatchObject({
      recordKind: "deadline",
      recordId: NOVEMBER_DEADLINE,
      from: "pending",
      to: "averted",
      causedBy: body.entry.seq,
    });
    expect(body.consequences[0].effectiveAt).toBe("2025-10-30T10:00:00.000Z");
    const deadline = (await (await t.get(`/api/deadlines/${NOVEMBER_DEADLINE}`)).json()) as any;
    expect(deadline.status).toBe("averted");
  });

  it("a threat imposed triggers its pending deadlines; withdrawn cancels them", async () => {
    const imposed = (await (await changeStatus("threats", TARIFF_THREAT, { status: "imposed" })).json()) as any;
    expect(imposed.consequences.map((c: any) => [c.recordId, c.to])).toEqual([[NOVEMBER_DEADLINE, "triggered"]]);
    const other = await testApp();
    const withdrawn = (await (await other.write("POST", `/api/threats/${TARIFF_THREAT}/status`, { status: "withdrawn", reason: "r" })).json()) as any;
    expect(withdrawn.consequences.map((c: any) => c.to)).toEqual(["cancelled"]);
    await other.close();
  });

  it("a correction sets nothing off", async () => {
    const res = (await (await changeStatus("threats", TARIFF_THREAT, { status: "imposed", correction: true, reason: "Was already imposed" })).json()) as any;
    expect(res.consequences).toEqual([]);
  });
});

describe("extensions and rescheduling", () => {
  it("extending a deadline needs a new due date and creates the pending successor, linked to it", async () => {
    const missing = await changeStatus("deadlines", NOVEMBER_DEADLINE, { status: "extended" });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as any).errors[0].field).toBe("newDueAt");
    const res = await changeStatus("deadlines", NOVEMBER_DEADLINE, { status: "extended", newDueAt: "2025-12-10", newPrecision: "day" });
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    const successor = (await (await t.get(`/api/deadlines/${body.successorDeadlineId}`)).json()) as any;
    expect(successor).toMatchObject({ status: "pending", precision: "day", extendsId: NOVEMBER_DEADLINE, threatId: TARIFF_THREAT });
    expect(successor.dueAt).toBe("2025-12-10T00:00:00.000Z");
    const history = (await (await t.get(`/api/deadlines/${body.successorDeadlineId}/history`)).json()) as any;
    expect(history.items[0]).toMatchObject({ from: null, to: "pending", causedBy: body.entry.seq });
  });

  it("a new date given to a move that takes none is refused, naming it, not dropped unread", async () => {
    const before = contentChecksum(t.db);
    const threat = await changeStatus("threats", TARIFF_THREAT, { status: "withdrawn", newDueAt: "2025-11-10" });
    expect(threat.status).toBe(422);
    expect(((await threat.json()) as any).errors[0]).toMatchObject({ field: "newDueAt" });
    const deadline = await changeStatus("deadlines", NOVEMBER_DEADLINE, { status: "cancelled", newDueAt: "2025-11-10", newWording: "by 10 November" });
    expect(((await deadline.json()) as any).errors.map((e: any) => e.field).sort()).toEqual(["newDueAt", "newWording"]);
    const event = await changeStatus("events", "event-trump-xi-bilateral-apec", { status: "held", newStartsAt: "2025-11-20" });
    expect(((await event.json()) as any).errors[0]).toMatchObject({ field: "newStartsAt" });
    expect(contentChecksum(t.db)).toBe(before);
  });

  it("a postponed event is rescheduled only with its new date", async () => {
    expect((await changeStatus("events", "event-trump-xi-bilateral-apec", { status: "postponed" })).status).toBe(200);
    const missing = await changeStatus("events", "event-trump-xi-bilateral-apec", { status: "scheduled" });
    expect(((await missing.json()) as any).errors[0].field).toBe("newStartsAt");
    const ok = await changeStatus("events", "event-trump-xi-bilateral-apec", { status: "scheduled", newStartsAt: "2025-11-20" });
    expect(((await ok.json()) as any).record).toMatchObject({ status: "scheduled", startsAt: "2025-11-20T00:00:00.000Z", precision: "day" });
  });

  it("scenarios move among developing, escalating and de-escalating, and resolved is final", async () => {
    expect((await changeStatus("scenarios", SCENARIO, { status: "de-escalating" })).status).toBe(200);
    expect((await changeStatus("scenarios", SCENARIO, { status: "resolved" })).status).toBe(200);
    expect((await changeStatus("scenarios", SCENARIO, { status: "developing" })).status).toBe(409);
  });
});

describe("pending deadlines as of a past day", () => {
  it("shows the 1 November 2025 tariff deadline as of 2025-10-24, and keeps showing it after it is averted", async () => {
    const before = await pendingAsOf("2025-10-24");
    expect(before.map((d) => d.id)).toEqual([NOVEMBER_DEADLINE]);
    // "starting in November": the period runs to 30 November, so 37 days remain on 24 October.
    expect(before[0]).toMatchObject({ status: "pending", overdue: false, daysRemaining: 37 });

    await changeStatus("conditions", RARE_EARTH_CONDITION, { status: "met", effectiveAt: "2025-10-30T10:00:00Z" });
    expect(await pendingAsOf("2025-10-24")).toHaveLength(1);
    expect(await pendingAsOf("2025-10-31")).toHaveLength(0);
    const now = (await (await t.get("/api/deadlines?status=pending")).json()) as any;
    expect(now.items).toHaveLength(0);
    const asOfAverted = (await (await t.get("/api/deadlines?status=averted&asOf=2025-10-31")).json()) as any;
    expect(asOfAverted.items.map((d: any) => d.id)).toEqual([NOVEMBER_DEADLINE]);
  });

  it("marks a pending deadline overdue once its whole period has passed, and honours within", async () => {
    const dec = await pendingAsOf("2025-12-02");
    expect(dec[0]).toMatchObject({ overdue: true, daysRemaining: -2 });
    const within = (await (await t.get("/api/deadlines?status=pending&asOf=2025-10-24&within=5")).json()) as any;
    expect(within.items).toHaveLength(0);
    const within10 = (await (await t.get("/api/deadlines?status=pending&asOf=2025-10-24&within=10")).json()) as any;
    expect(within10.items).toHaveLength(1);
  });

  it("does not know of deadlines before they were recorded", async () => {
    expect(await pendingAsOf("2025-10-01")).toEqual([]);
  });

  it("filters by scenario, actor and topic", async () => {
    const q = async (qs: string) => ((await (await t.get(`/api/deadlines?status=pending&${qs}`)).json()) as any).items.length;
    expect(await q(`scenario=${SCENARIO}`)).toBe(1);
    // A scenario the tracker does not know is refused (test/api/filter-ids.test.ts), not listed as empty.
    expect((await t.get("/api/deadlines?status=pending&scenario=other")).status).toBe(422);
    expect(await q("actor=gov-cn")).toBe(1);
    expect(await q("actor=person-he-lifeng")).toBe(0);
    expect(await q("topic=topic-rare-earths")).toBe(1);
    expect(await q("q=November")).toBe(1);
    expect(await q("q=100%25")).toBe(1); // "%" is a literal, not a wildcard
    expect(await q("q=%25%25")).toBe(0);
  });

  it("refuses bad asOf, within and status values with 422 naming the field", async () => {
    for (const [qs, field] of [
      ["asOf=2025-02-30", "query.asOf"],
      ["within=-1", "query.within"],
      ["within=100000", "query.within"],
      ["status=overdue", "query.status"],
      ["limit=501", "query.limit"],
      ["cursor=garbage", "query.cursor"],
    ]) {
      const res = await t.get(`/api/deadlines?${qs}`);
      expect(res.status, qs).toBe(422);
      expect(((await res.json()) as any).errors[0].field, qs).toBe(field);
    }
  });
});
