import { afterAll, beforeAll, expect, it } from "vitest";
import { createCornDeal, type TestApp, testApp } from "../helpers/app.ts";

// Evidence attaches one quote to any record: agreements and commitments too (issue 10), with the
// detail's evidence list and `disputed`, and the intake page offers them.

let t: TestApp;
let deal: Awaited<ReturnType<typeof createCornDeal>>;
let sourceId: string;
beforeAll(async () => {
  t = await testApp({ clock: () => new Date("2026-11-20T08:00:00Z") });
  deal = await createCornDeal(t);
  const source = await t.write("POST", "/api/sources", {
    title: "Truce terms",
    publisher: "Reuters",
    kind: "wire",
    publishedAt: "2026-01-02",
    text: "The two governments agreed a truce. China will buy corn by March. Officials doubt China will buy corn at all.",
  });
  expect(source.status).toBe(201);
  sourceId = (await source.json()).id;
});
afterAll(() => t.close());

const json = async (r: Response) => (await r.json()) as any;

it.each([
  ["agreements", () => deal.agreement.id, "The two governments agreed a truce."],
  ["commitments", () => deal.corn.id, "China will buy corn by March."],
])("attaches a quote to one of the %s, shown in its detail; a disputing one makes it disputed", async (collection, idOf, quote) => {
  const id = idOf();
  const res = await t.write("POST", `/api/${collection}/${id}/evidence`, { sourceId, quote, speakerId: "gov-cn" });
  expect(res.status, await res.clone().text()).toBe(201);
  expect(await json(res)).toMatchObject({ recordId: id, quote, stance: "supports", verification: "verbatim" });
  // The same quote again is the one already attached.
  expect((await t.write("POST", `/api/${collection}/${id}/evidence`, { sourceId, quote })).status).toBe(200);
  const detail = await json(await t.get(`/api/${collection}/${id}`));
  expect(detail.evidence.map((e: any) => [e.quote, e.stance, e.speaker?.id])).toEqual([[quote, "supports", "gov-cn"]]);
  expect(detail.disputed).toBe(false);

  const doubt = await t.write("POST", `/api/${collection}/${id}/evidence`, {
    sourceId,
    quote: "Officials doubt China will buy corn at all.",
    stance: "disputes",
  });
  expect(doubt.status).toBe(201);
  const disputed = await json(await t.get(`/api/${collection}/${id}`));
  expect(disputed.evidence.map((e: any) => e.stance).sort()).toEqual(["disputes", "supports"]);
  expect(disputed.disputed).toBe(true);
});

it("refuses a quote for an agreement that does not exist (404) and one not in the article (422), attaching nothing", async () => {
  expect((await t.write("POST", "/api/agreements/agreement-nope/evidence", { sourceId, quote: "The two governments agreed a truce." })).status).toBe(404);
  const bad = await t.write("POST", `/api/commitments/${deal.corn.id}/evidence`, { sourceId, quote: "China will buy soy." });
  expect(bad.status).toBe(422);
  expect((await json(bad)).errors[0].field).toBe("quote");
});

it("offers agreements and commitments on the intake page, for a status change and as evidence", async () => {
  const page = await (await t.get(`/intake/${sourceId}`)).text();
  expect(page).toContain(`value="agreements/${deal.agreement.id}"`);
  expect(page).toContain(`value="commitments/${deal.corn.id}"`);
});
