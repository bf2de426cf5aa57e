import { expect, it } from "vitest";
import { testApp } from "../helpers/app.ts";

// A measure's targets are terms with history: its upcoming changes are listed under an actor it
// targets at asOf, or once the change takes effect, as known at knownAt; not under one it used to target.

it("lists a retargeted measure's upcoming changes under the actor it targets then, not under its former target", async () => {
  let now = new Date("2026-01-05T08:00:00Z");
  const t = await testApp({ seeded: false, clock: () => now });
  try {
    const created = async (path: string, body: unknown) => {
      const res = await t.write("POST", path, body);
      expect(res.status, await res.clone().text()).toBe(201);
      return (await res.json()) as any;
    };
    const scenario = await created("/api/scenarios", { title: "S", summary: "s", effectiveAt: "2025-01-01" });
    const issuer = (await created("/api/actors", { name: "Issuer", kind: "government" })).id;
    const first = (await created("/api/actors", { name: "First target", kind: "government" })).id;
    const second = (await created("/api/actors", { name: "Second target", kind: "government" })).id;
    const threat = await created("/api/threats", {
      scenarioId: scenario.id,
      issuerId: issuer,
      targetIds: [first],
      measure: "tariff",
      covers: "steel",
      summary: "Steel tariff",
      ratePercent: 25,
      status: "imposed",
      effectiveAt: "2025-06-01",
    });
    now = new Date("2026-02-10T08:00:00Z");
    expect((await t.write("POST", `/api/threats/${threat.id}/status`, { status: "suspended", reason: "truce", effectiveAt: "2026-05-01" })).status).toBe(200);
    now = new Date("2026-02-15T08:00:00Z");
    expect((await t.write("POST", `/api/threats/${threat.id}/terms`, { targetIds: [second], effectiveAt: "2026-03-01", reason: "retargeted" })).status).toBe(
      200,
    );
    now = new Date("2026-11-30T08:00:00Z");
    const upcoming = async (query: string) => {
      const res = await t.get(`/api/in-force?within=365&${query}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as any).upcoming.map((u: any) => `${u.change} ${u.effectiveAt.slice(0, 10)}`);
    };
    // Before the retargeting: the first target has both changes (the retargeting is about it); the second, both (targeted from March).
    expect(await upcoming(`target=${first}&asOf=2026-01-10`)).toEqual(["terms 2026-03-01", "status 2026-05-01"]);
    expect(await upcoming(`target=${second}&asOf=2026-01-10`)).toEqual(["terms 2026-03-01", "status 2026-05-01"]);
    // After it: the suspension is the second target's only.
    expect(await upcoming(`target=${first}&asOf=2026-04-01`)).toEqual([]);
    expect(await upcoming(`target=${second}&asOf=2026-04-01`)).toEqual(["status 2026-05-01"]);
    // As known before the retargeting was recorded: still the first target's.
    expect(await upcoming(`target=${first}&asOf=2026-04-01&knownAt=2026-02-12`)).toEqual(["status 2026-05-01"]);
    expect(await upcoming(`target=${second}&asOf=2026-04-01&knownAt=2026-02-12`)).toEqual([]);
    // A page of one walks past the changes it leaves out, and resumes after the last one shown.
    const page = (await (await t.get(`/api/in-force?within=365&limit=1&target=${second}&asOf=2026-01-10`)).json()) as any;
    expect(page.upcoming.map((u: any) => u.change)).toEqual(["terms"]);
    const rest = (await (await t.get(`/api/in-force?within=365&limit=1&target=${second}&asOf=2026-01-10&cursor=${page.nextCursor}`)).json()) as any;
    expect(rest.upcoming.map((u: any) => u.change)).toEqual(["status"]);
  } finally {
    await t.close();
  }
});
