import { expect, it } from "vitest";
import { created, type TestApp, testApp } from "../helpers/app.ts";

// What kind of measure a threat is (tariff, sanction…) is one of its terms: the totals add up
// tariffs only, so correcting a mis-recorded kind must not move an answer known before the
// correction (found by review: a PATCH of `measure` changed the totals as known at a past instant).

/** Korea's 40% steel duty, imposed from 1 January 2026, on China (or on no one), created through the API. */
async function steelDuty(t: TestApp, onChina: boolean): Promise<{ issuer: string; threat: any }> {
  const scenario = await created(t, "/api/scenarios", { title: "S", summary: "s", effectiveAt: "2025-01-01" });
  const issuer = (await created(t, "/api/actors", { name: "Korea", kind: "government" })).id;
  const targetIds = onChina ? [(await created(t, "/api/actors", { name: "China", kind: "government" })).id] : [];
  const threat = await created(t, "/api/threats", {
    scenarioId: scenario.id,
    issuerId: issuer,
    targetIds,
    measure: "tariff",
    covers: "steel",
    summary: "Steel duty",
    ratePercent: 40,
    status: "imposed",
    effectiveAt: "2026-01-01",
  });
  return { issuer, threat };
}

it("corrects a measure's kind as a terms entry: answers known before it keep the old kind, the totals too", async () => {
  let now = new Date("2026-01-05T08:00:00Z");
  const t = await testApp({ seeded: false, clock: () => now });
  try {
    const { issuer, threat } = await steelDuty(t, true);
    const inForce = async (query: string) => {
      const res = await t.get(`/api/in-force?asOf=2026-06-01&issuer=${issuer}${query}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      return { kinds: body.items.map((i: any) => i.measure), totals: body.totals.map((p: any) => p.ratePercent) };
    };
    now = new Date("2026-02-01T08:00:00Z");
    expect(await inForce("&knownAt=2026-01-20")).toEqual({ kinds: ["tariff"], totals: [40] });

    // PATCH no longer edits it in place: refused, naming the field and the way to change it.
    const patched = await t.write("PATCH", `/api/threats/${threat.id}`, { measure: "sanction" });
    expect(patched.status).toBe(422);
    const problem = (await patched.json()) as any;
    expect(JSON.stringify(problem.errors ?? problem)).toMatch(/measure/);
    expect(JSON.stringify(problem)).toMatch(/\/terms/);

    // The correction: a terms entry effective from the creation, recorded on 1 February.
    const corrected = await t.write("POST", `/api/threats/${threat.id}/terms`, {
      measure: "sanction",
      effectiveAt: "2026-01-01",
      reason: "It is an import ban, not a duty: mis-recorded",
    });
    expect(corrected.status, await corrected.clone().text()).toBe(200);
    expect(((await corrected.json()) as any).record.measure).toBe("sanction");

    now = new Date("2026-03-01T08:00:00Z");
    // As known before the correction: unchanged, a 40% tariff in the totals.
    expect(await inForce("&knownAt=2026-01-20")).toEqual({ kinds: ["tariff"], totals: [40] });
    expect(await inForce("&knownAt=2026-01-20&measure=tariff")).toEqual({ kinds: ["tariff"], totals: [40] });
    // As known now: a sanction, in no tariff total.
    expect(await inForce("")).toEqual({ kinds: ["sanction"], totals: [] });
    expect(await inForce("&measure=tariff")).toEqual({ kinds: [], totals: [] });
    expect(await inForce("&measure=sanction")).toEqual({ kinds: ["sanction"], totals: [] });

    const detail = async (query: string) => ((await (await t.get(`/api/threats/${threat.id}${query}`)).json()) as any).measure;
    expect(await detail("?knownAt=2026-01-20")).toBe("tariff");
    expect(await detail("")).toBe("sanction");

    // Its history says what the kind was before the change.
    const history = (await (await t.get(`/api/threats/${threat.id}/history`)).json()) as any;
    const terms = history.items.find((i: any) => i.change === "terms");
    expect(terms.values).toEqual({ measure: "sanction" });
    expect(terms.before).toEqual({ measure: "tariff" });

    // Retracting the correction brings the tariff back as known after the retraction only.
    now = new Date("2026-04-01T08:00:00Z");
    expect((await t.write("POST", `/api/history/${terms.seq}/retract`, { reason: "It was a duty after all" })).status).toBe(200);
    now = new Date("2026-05-01T08:00:00Z");
    expect(await inForce("")).toEqual({ kinds: ["tariff"], totals: [40] });
    expect(await inForce("&knownAt=2026-03-15")).toEqual({ kinds: ["sanction"], totals: [] });
  } finally {
    await t.close();
  }
});

it("lists an upcoming change under the kind the measure has when it takes effect, as known then", async () => {
  let now = new Date("2026-01-05T08:00:00Z");
  const t = await testApp({ seeded: false, clock: () => now });
  try {
    const { threat } = await steelDuty(t, false);
    expect((await t.write("POST", `/api/threats/${threat.id}/status`, { status: "withdrawn", reason: "deal", effectiveAt: "2026-06-01" })).status).toBe(200);
    now = new Date("2026-02-01T08:00:00Z");
    expect((await t.write("POST", `/api/threats/${threat.id}/terms`, { measure: "sanction", effectiveAt: "2026-01-01", reason: "mis-recorded" })).status).toBe(
      200,
    );
    now = new Date("2026-03-01T08:00:00Z");
    const upcoming = async (query: string) =>
      ((await (await t.get(`/api/in-force?asOf=2026-05-01&within=60${query}`)).json()) as any).upcoming.map((u: any) => `${u.change} ${u.to ?? ""}`);
    expect(await upcoming("&measure=tariff&knownAt=2026-01-20")).toEqual(["status withdrawn"]);
    expect(await upcoming("&measure=sanction&knownAt=2026-01-20")).toEqual([]);
    expect(await upcoming("&measure=tariff")).toEqual([]);
    expect(await upcoming("&measure=sanction")).toEqual(["status withdrawn"]);
  } finally {
    await t.close();
  }
});
