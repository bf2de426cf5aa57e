import { afterEach, expect, it } from "vitest";
import { AGREEMENT_COMMITMENTS } from "../../src/db/records.ts";
import { type TestApp, testApp } from "../helpers/app.ts";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

it("answers an agreement at a past knownAt the same whatever commitments are recorded later", async () => {
  let now = Date.parse("2026-11-30T08:00:00Z");
  t = await testApp({ clock: () => new Date(now) });
  const app = t;
  const created = async (path: string, body: Record<string, unknown>) => {
    const res = await app.write("POST", path, body);
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const agreementId = await created("/api/agreements", {
    title: "A long truce",
    partyIds: ["gov-us", "gov-cn"],
    status: "in-force",
    effectiveAt: "2026-01-01",
  });
  const commitment = (i: number) =>
    created("/api/commitments", { agreementId, partyId: "gov-cn", description: `commitment ${i}`, kind: "other", effectiveAt: "2026-01-02" });
  for (let i = 0; i < AGREEMENT_COMMITMENTS; i++) await commitment(i);
  now += 60_000;
  const read = `/api/agreements/${agreementId}?asOf=2026-06-01&knownAt=${new Date(now).toISOString()}`;
  now += 60_000;
  const before = await (await t.get(read)).text();
  expect(JSON.parse(before).commitmentsTruncated).toBe(false);
  now += 60_000;
  for (let i = 0; i < 3; i++) await commitment(AGREEMENT_COMMITMENTS + i);
  expect(await (await t.get(read)).text()).toBe(before);
}, 60_000);
