import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rewriteInForceOf } from "../../src/db/in-force.ts";
import { COMPONENTS_PER_PAIR } from "../../src/domain/in-force.ts";
import { SCENARIO, type TestApp, testApp } from "../helpers/app.ts";
import { contentChecksum } from "../helpers/database.ts";

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 10);
const iso = (ms: number) => new Date(ms).toISOString();
const json = async (res: Response) => (await res.json()) as any;

let t: TestApp;
let now = START;
beforeEach(async () => {
  now = START;
  t = await testApp({ clock: () => new Date(now) });
});
afterEach(() => t.close());

async function measure(body: Record<string, unknown>): Promise<string> {
  const res = await t.write("POST", "/api/threats", {
    scenarioId: SCENARIO,
    issuerId: "gov-us",
    targetIds: ["gov-cn"],
    measure: "tariff",
    covers: "Chinese goods",
    summary: "a tariff",
    status: "imposed",
    effectiveAt: iso(START - 30 * DAY),
    ...body,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json(res)).id;
}

const inForce = async (query: string) => {
  const res = await t.get(`/api/in-force?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
};
const pair = (view: any, issuerId: string, targetId: string) => view.totals.find((p: any) => p.issuerId === issuerId && p.targetId === targetId);

describe("terms over time and the in-force view", () => {
  it("counts a person's measure for the government they speak for: a 100% by Donald Trump and a 20% of the US government are one US → China total of 120%", async () => {
    // The seed's person-donald-trump speaks for gov-us (as the seed's 100% threat is his).
    const seedThreat = await measure({ issuerId: "person-donald-trump", ratePercent: 100, summary: "an additional 100%" });
    const reciprocal = await measure({ ratePercent: 20, authority: "IEEPA", summary: "reciprocal" });
    const view = await inForce("limit=50");
    expect(view.items.map((i: any) => [i.threatId, i.issuerId]).sort()).toEqual(
      [
        [reciprocal, "gov-us"],
        [seedThreat, "person-donald-trump"],
      ].sort(),
    );
    expect(view.totals.filter((p: any) => p.targetId === "gov-cn")).toEqual([
      {
        issuerId: "gov-us",
        targetId: "gov-cn",
        ratePercent: 120,
        componentCount: 2,
        components: [
          { threatId: seedThreat, issuerId: "person-donald-trump", ratePercent: 100, authority: null },
          { threatId: reciprocal, issuerId: "gov-us", ratePercent: 20, authority: "IEEPA" },
        ],
      },
    ]);
    // A page holding only the person's measure still gives the government's whole total.
    const byPerson = await inForce("issuer=person-donald-trump&limit=50");
    expect(byPerson.items.map((i: any) => i.threatId)).toEqual([seedThreat]);
    expect(pair(byPerson, "gov-us", "gov-cn")).toMatchObject({ ratePercent: 120, componentCount: 2 });
    // The desk says who issued each part.
    const desk = await (await t.get("/in-force")).text();
    expect(desk).toContain("100% (authority not stated, by Donald Trump)");
  });

  it("adds rates as the decimals they were stated in (0.1% + 0.2% is 0.3%), and refuses a rate stated finer than 4 decimals", async () => {
    await measure({ issuerId: "gov-jp", ratePercent: 0.1, summary: "a tenth" });
    await measure({ issuerId: "gov-jp", ratePercent: 0.2, summary: "two tenths" });
    expect(pair(await inForce("limit=50"), "gov-jp", "gov-cn")).toMatchObject({ ratePercent: 0.3, componentCount: 2 });
    const fine = await t.write("POST", "/api/threats", {
      scenarioId: SCENARIO,
      issuerId: "gov-jp",
      measure: "tariff",
      summary: "too fine",
      ratePercent: 0.12345,
    });
    expect(fine.status).toBe(422);
    expect((await json(fine)).errors).toContainEqual(expect.objectContaining({ field: "ratePercent", problem: "at most 4 decimals" }));
  });

  it("a rate cut scheduled for a later day: the old rate before it, the new one after, totals follow; known earlier, the cut is not there", async () => {
    const reciprocal = await measure({ ratePercent: 20, authority: "IEEPA", summary: "reciprocal" });
    const fentanyl = await measure({ ratePercent: 10, authority: "IEEPA", summary: "fentanyl" });
    const recordedBefore = iso(now);
    now += 60_000;
    const cutAt = START + 20 * DAY;
    const cut = await t.write("POST", `/api/threats/${reciprocal}/terms`, { ratePercent: 10, effectiveAt: iso(cutAt), reason: "Rate cut announced" });
    expect(cut.status, await cut.clone().text()).toBe(200);
    const cutBody = await json(cut);
    const entry = cutBody.entry;
    expect(entry).toMatchObject({ change: "terms", values: { ratePercent: 10 }, effectiveAt: iso(cutAt) });
    // The threat now still has the old rate, with the cut scheduled.
    expect(cutBody.record).toMatchObject({ ratePercent: 20, authority: "IEEPA", covers: "Chinese goods", targetIds: ["gov-cn"] });

    const before = await inForce(`asOf=${iso(cutAt - DAY)}&within=5`);
    expect(before.items.map((i: any) => i.threatId).sort()).toEqual([reciprocal, fentanyl].sort());
    expect(pair(before, "gov-us", "gov-cn")).toMatchObject({ ratePercent: 30 });
    expect(pair(before, "gov-us", "gov-cn").components).toEqual(
      expect.arrayContaining([
        { threatId: reciprocal, issuerId: "gov-us", ratePercent: 20, authority: "IEEPA" },
        { threatId: fentanyl, issuerId: "gov-us", ratePercent: 10, authority: "IEEPA" },
      ]),
    );
    expect(before.upcoming).toEqual([expect.objectContaining({ threatId: reciprocal, change: "terms", values: { ratePercent: 10 }, effectiveAt: iso(cutAt) })]);
    expect(before.nextCursor).toBeNull();

    const after = await inForce(`asOf=${iso(cutAt + DAY)}`);
    expect(pair(after, "gov-us", "gov-cn")).toMatchObject({ ratePercent: 20 });
    expect(after.items.find((i: any) => i.threatId === reciprocal)).toMatchObject({ ratePercent: 10, authority: "IEEPA" });
    // As known before the cut was recorded, the later day still has the old rate.
    const knownEarlier = await inForce(`asOf=${iso(cutAt + DAY)}&knownAt=${recordedBefore}`);
    expect(pair(knownEarlier, "gov-us", "gov-cn")).toMatchObject({ ratePercent: 30 });

    // The threat read at either side of the cut carries the terms then as its own fields.
    expect(await json(await t.get(`/api/threats/${reciprocal}?asOf=${iso(cutAt - DAY)}`))).toMatchObject({ ratePercent: 20 });
    expect(await json(await t.get(`/api/threats/${reciprocal}?asOf=${iso(cutAt + DAY)}`))).toMatchObject({ ratePercent: 10 });

    // One timeline: the creation, the move to imposed, the cut with its old and new values.
    const history = (await json(await t.get(`/api/threats/${reciprocal}/history`))).items;
    expect(history.map((h: any) => h.change)).toEqual(["status", "status", "terms"]);
    expect(history[2]).toMatchObject({ values: { ratePercent: 10 }, before: { ratePercent: 20 } });

    // Once in force, the CSV lists the measures with their rate.
    now = cutAt + 2 * DAY;
    const csv = await t.get("/api/in-force?format=csv");
    expect(csv.headers.get("Content-Type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toContain("ratePercent");
    expect(lines).toHaveLength(3);

    // Retracted, the cut is gone from every read.
    now += 60_000;
    expect((await t.write("POST", `/api/history/${entry.seq}/retract`, { reason: "Misreported" })).status).toBe(200);
    expect(pair(await inForce(`asOf=${iso(cutAt + DAY)}`), "gov-us", "gov-cn")).toMatchObject({ ratePercent: 30 });
  });

  it("a measure struck down; every measure under the same authority listed by authority, at the read time", async () => {
    const a = await measure({ ratePercent: 10, authority: "IEEPA", summary: "a" });
    const b = await measure({ ratePercent: 25, authority: "ieepa", summary: "b", targetIds: ["gov-cn", "gov-kr"] });
    const other = await measure({ ratePercent: 25, authority: "Section 232", summary: "steel" });
    const later = await measure({ ratePercent: 5, authority: "Section 301", summary: "moves to IEEPA later" });
    const deadline = await t.write("POST", "/api/deadlines", {
      threatId: a,
      dueAt: iso(START + 60 * DAY),
      precision: "day",
      wording: "review",
      effectiveAt: iso(START - 10 * DAY),
    });
    expect(deadline.status).toBe(201);
    now += 60_000;
    const struck = await t.write("POST", `/api/threats/${a}/status`, { status: "struck-down", reason: "Court ruling", effectiveAt: iso(START - DAY) });
    expect(struck.status, await struck.clone().text()).toBe(200);
    expect((await json(struck)).consequences).toEqual([expect.objectContaining({ recordKind: "deadline", to: "cancelled" })]);
    now += 60_000;
    expect(
      (await t.write("POST", `/api/threats/${later}/terms`, { authority: "IEEPA", effectiveAt: iso(START + 10 * DAY), reason: "New legal basis" })).status,
    ).toBe(200);

    const ids = async (q: string) => ((await json(await t.get(`/api/threats?${q}`))).items as any[]).map((x) => x.id).sort();
    expect(await ids("authority=IEEPA")).toEqual([a, b].sort());
    expect(await ids(`authority=IEEPA&asOf=${iso(START + 11 * DAY)}`)).toEqual([a, b, later].sort());
    expect(await ids("authority=IEEPA&status=struck-down")).toEqual([a]);
    expect(await ids("authority=section%20232")).toEqual([other]);

    const view = await inForce(`asOf=${iso(START)}`);
    expect(view.items.map((i: any) => i.threatId).sort()).toEqual([b, other, later].sort());
    expect(pair(view, "gov-us", "gov-cn")).toMatchObject({ ratePercent: 55 });
    expect(pair(view, "gov-us", "gov-kr")).toMatchObject({ ratePercent: 25, components: [{ threatId: b, ratePercent: 25, authority: "ieepa" }] });
    expect((await inForce(`asOf=${iso(START)}&target=gov-kr`)).items.map((i: any) => i.threatId)).toEqual([b]);
    // Before the ruling took effect, the struck-down measure was in force.
    expect((await inForce(`asOf=${iso(START - 2 * DAY)}`)).items.map((i: any) => i.threatId)).toContain(a);
  });

  it("announced is not yet in force; superseded names its successor; a re-issue names an ended measure", async () => {
    const announced = await measure({ ratePercent: 15, authority: "Section 301", status: "announced", effectiveAt: iso(START - DAY) });
    now += 60_000;
    expect(
      (await t.write("POST", `/api/threats/${announced}/status`, { status: "imposed", reason: "Takes effect", effectiveAt: iso(START + 5 * DAY) })).status,
    ).toBe(200);
    expect((await inForce(`asOf=${iso(START)}`)).items).toEqual([]);
    expect((await inForce(`asOf=${iso(START)}&within=10`)).upcoming).toEqual([
      expect.objectContaining({ threatId: announced, change: "status", to: "imposed" }),
    ]);
    expect((await inForce(`asOf=${iso(START + 6 * DAY)}`)).items.map((i: any) => i.threatId)).toEqual([announced]);

    now = START + 10 * DAY;
    const successor = await measure({ ratePercent: 12, authority: "Section 301", effectiveAt: iso(now) });
    const noSuccessor = await t.write("POST", `/api/threats/${announced}/status`, { status: "superseded", reason: "Replaced" });
    expect(noSuccessor.status).toBe(422);
    expect((await json(noSuccessor)).errors[0].field).toBe("supersededById");
    const unknown = await t.write("POST", `/api/threats/${announced}/status`, { status: "superseded", reason: "Replaced", supersededById: "threat-nope" });
    expect((await json(unknown)).errors[0]).toMatchObject({ field: "supersededById" });
    // Not replaced before its successor was first stated: the link would point at a measure that did not exist then.
    const tooEarly = await t.write("POST", `/api/threats/${announced}/status`, {
      status: "superseded",
      reason: "Replaced",
      supersededById: successor,
      effectiveAt: iso(now - DAY),
    });
    expect(tooEarly.status).toBe(409);
    expect(await json(tooEarly)).toMatchObject({ conflictsWith: { recordId: successor } });
    const superseded = await t.write("POST", `/api/threats/${announced}/status`, { status: "superseded", reason: "Replaced", supersededById: successor });
    expect(superseded.status, await superseded.clone().text()).toBe(200);
    const supersededBody = await json(superseded);
    expect(supersededBody.record).toMatchObject({ status: "superseded", supersededById: successor });
    expect(supersededBody.entry.values).toEqual({ supersededById: successor });

    const notEnded = await t.write("POST", "/api/threats", {
      scenarioId: SCENARIO,
      issuerId: "gov-us",
      measure: "tariff",
      covers: "x",
      summary: "x",
      reissuesId: successor,
    });
    expect(notEnded.status).toBe(422);
    expect((await json(notEnded)).errors[0].field).toBe("reissuesId");
    const reissue = await measure({ reissuesId: announced, ratePercent: 15, authority: "Section 122", effectiveAt: iso(now) });
    expect(await json(await t.get(`/api/threats/${reissue}`))).toMatchObject({ reissuesId: announced, authority: "Section 122" });
  });

  it("is complete past the old 5,000-measure budget: every page, totals over all measures of a pair, every upcoming change", async () => {
    // 12,000 measures written in bulk, then projected by the app's own rule (as the migration and the benchmark do):
    // the even ones imposed since before START, the odd ones announced and imposed from START + 10 days.
    const bulk = (i: number) => `threat-bulk-${String(i).padStart(5, "0")}`;
    await t.db.rawTransaction((conn) => {
      conn
        .prepare(`INSERT INTO "Actor" ("id", "name", "kind") VALUES ('bulk-issuer', 'Bulk issuer', 'government'), ('bulk-target', 'Bulk target', 'government')`)
        .run();
      const threat = conn.prepare(
        `INSERT INTO "Threat" ("id", "scenarioId", "issuerId", "measure", "covers", "summary", "ratePercent", "authority", "status", "createdAt", "updatedAt")
         VALUES (?, ?, 'bulk-issuer', 'tariff', 'x', 'bulk', 1, 'law', ?, ?, ?)`,
      );
      const target = conn.prepare(`INSERT INTO "ThreatTarget" ("threatId", "actorId", "initial") VALUES (?, 'bulk-target', 1)`);
      const entry = conn.prepare(
        `INSERT INTO "StatusChange" ("recordKind", "recordId", "from", "to", "effectiveAt", "recordedAt", "reason", "by") VALUES ('threat', ?, ?, ?, ?, ?, 'bulk', 'test')`,
      );
      const at = (ms: number) => iso(ms).replace("Z", "+00:00");
      for (let i = 0; i < 12_000; i++) {
        const later = i % 2 === 1;
        threat.run(bulk(i), SCENARIO, later ? "announced" : "imposed", at(START - 40 * DAY), at(START - 40 * DAY));
        target.run(bulk(i));
        entry.run(bulk(i), null, "threatened", at(START - 40 * DAY), at(START - 40 * DAY));
        entry.run(bulk(i), "threatened", later ? "announced" : "imposed", at(START - 30 * DAY), at(START - 40 * DAY));
        if (later) entry.run(bulk(i), "announced", "imposed", at(START + 10 * DAY), at(START - 40 * DAY));
      }
      rewriteInForceOf(
        conn,
        Array.from({ length: 12_000 }, (_, i) => bulk(i)),
      );
    });
    const items: string[] = [];
    const upcoming: string[] = [];
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const page = await inForce(`asOf=${iso(START)}&issuer=bulk-issuer&limit=500${cursor ? `&cursor=${cursor}` : ""}`);
      pages++;
      items.push(...page.items.map((i: any) => i.threatId));
      upcoming.push(...page.upcoming.map((u: any) => u.threatId));
      expect(page.items.length).toBeLessThanOrEqual(500);
      if (page.items.length)
        expect(page.totals).toEqual([expect.objectContaining({ issuerId: "bulk-issuer", targetId: "bulk-target", ratePercent: 6_000, componentCount: 6_000 })]);
      expect(page.totals[0]?.components.length ?? COMPONENTS_PER_PAIR).toBe(COMPONENTS_PER_PAIR);
      cursor = page.nextCursor;
    }
    const even = Array.from({ length: 6_000 }, (_, i) => bulk(2 * i));
    expect(items).toEqual(even);
    expect(upcoming.sort()).toEqual(Array.from({ length: 6_000 }, (_, i) => bulk(2 * i + 1)));
    expect(pages).toBeGreaterThanOrEqual(12);
    // From START + 10 days all 12,000 are in force: one pair, every measure.
    const later = await inForce(`asOf=${iso(START + 11 * DAY)}&target=bulk-target&limit=1`);
    expect(later.totals).toEqual([expect.objectContaining({ ratePercent: 12_000, componentCount: 12_000 })]);
    expect((await t.get("/api/in-force?cursor=nonsense")).status).toBe(422);
  });

  it("a suspension lapses back into force at its end with no write then; a measure changed out of tariffs leaves the totals", async () => {
    const id = await measure({ ratePercent: 25, authority: "Section 301", summary: "steel" });
    now += 60_000;
    const suspended = await t.write("POST", `/api/threats/${id}/status`, {
      status: "suspended",
      reason: "Truce",
      effectiveAt: iso(START),
      until: iso(START + 30 * DAY),
      // biome-ignore lint/suspicious/noThenProperty: the API's field name
      then: "imposed",
    });
    expect(suspended.status, await suspended.clone().text()).toBe(200);
    expect((await inForce(`asOf=${iso(START + 29 * DAY)}`)).items.map((i: any) => i.threatId)).not.toContain(id);
    const lapsed = await inForce(`asOf=${iso(START + 30 * DAY + 1000)}`);
    expect(lapsed.items.find((i: any) => i.threatId === id)).toMatchObject({ ratePercent: 25, since: iso(START + 30 * DAY) });
    expect(pair(lapsed, "gov-us", "gov-cn").components).toContainEqual({ threatId: id, issuerId: "gov-us", ratePercent: 25, authority: "Section 301" });

    now += 60_000;
    // What kind of measure it is is a term: changed (or corrected) by a terms entry, not edited in place.
    expect((await t.write("PATCH", `/api/threats/${id}`, { measure: "sanction" })).status).toBe(422);
    const kind = await t.write("POST", `/api/threats/${id}/terms`, { measure: "sanction", effectiveAt: iso(START + 30 * DAY + 1000), reason: "a ban now" });
    expect(kind.status, await kind.clone().text()).toBe(200);
    const edited = await inForce(`asOf=${iso(START + 31 * DAY)}`);
    expect(edited.items.find((i: any) => i.threatId === id)).toMatchObject({ measure: "sanction" });
    expect(pair(edited, "gov-us", "gov-cn")?.components ?? []).not.toContainEqual(expect.objectContaining({ threatId: id }));
  });

  it("refuses bad terms with 422 naming the field, and changes nothing", async () => {
    const id = await measure({ ratePercent: 10 });
    const before = contentChecksum(t.db);
    const cases: [Record<string, unknown>, string][] = [
      [{ effectiveAt: iso(START), reason: "r" }, "ratePercent"],
      [{ ratePercent: -1, effectiveAt: iso(START), reason: "r" }, "ratePercent"],
      [{ targetIds: ["actor-nope"], effectiveAt: iso(START), reason: "r" }, "targetIds.0"],
      [{ ratePercent: 5, effectiveAt: iso(START + 11 * 366 * DAY), reason: "r" }, "effectiveAt"],
      [{ ratePercent: 5, reason: "r" }, "effectiveAt"],
    ];
    for (const [body, field] of cases) {
      const res = await t.write("POST", `/api/threats/${id}/terms`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await json(res)).errors.map((e: any) => e.field)).toContain(field);
    }
    const tooEarly = await t.write("POST", `/api/threats/${id}/terms`, { ratePercent: 5, effectiveAt: iso(START - 365 * DAY), reason: "r" });
    expect(tooEarly.status).toBe(409);
    expect(contentChecksum(t.db)).toBe(before);
    expect((await t.get("/api/in-force?within=99999")).status).toBe(422);
  });
});
