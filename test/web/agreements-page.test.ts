import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCENARIO, type TestApp, testApp } from "../helpers/app.ts";

/*
 * A US–China truce in force from 10 November 2025: China buys soybeans by December, the US cuts
 * a tariff from 10 November. Recorded on 1 December 2025 (the server's clock), except China's
 * purchase, reported fulfilled on 20 December (effective 15 December), and the end of the truce,
 * recorded on 5 March 2026 (effective 1 March), which lapses what was still pending.
 */
const CN = "People’s Republic of China government";
const US = "United States government";
let now = new Date("2025-12-01T12:00:00Z");
let t: TestApp;
let truceId = "";
let soybeansId = "";
let fentanylId = "";

async function created(path: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.write("POST", path, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function changed(path: string, body: Record<string, unknown>): Promise<void> {
  const res = await t.write("POST", path, body);
  expect(res.status, await res.clone().text()).toBe(200);
}

const page = async (path: string) => {
  const res = await t.get(path);
  expect(res.status).toBe(200);
  return res.text();
};

/** The text of one party's table of commitments on the page. */
const partySection = (html: string, party: string) => html.slice(html.indexOf(`${party} commits to</h4>`)).split("</section>")[0]!;

beforeAll(async () => {
  t = await testApp({ clock: () => new Date(now) });
  fentanylId = await created("/api/threats", {
    scenarioId: SCENARIO,
    issuerId: "gov-us",
    targetIds: ["gov-cn"],
    measure: "tariff",
    covers: "Chinese goods",
    summary: "Fentanyl tariff",
    ratePercent: 20,
    authority: "IEEPA",
    status: "imposed",
    effectiveAt: "2025-03-04",
  });
  truceId = await created("/api/agreements", {
    title: "US-China trade truce",
    partyIds: ["gov-us", "gov-cn"],
    status: "in-force",
    effectiveAt: "2025-11-10",
    expiresAt: "2026-11-10",
    expiryWording: "for one year",
  });
  soybeansId = await created("/api/commitments", {
    agreementId: truceId,
    partyId: "gov-cn",
    description: "Buy 12 million tonnes of US soybeans",
    kind: "purchase",
    dueAt: "2025-12-01",
    precision: "month",
    wording: "by December",
    effectiveAt: "2025-11-10",
  });
  await created("/api/commitments", {
    agreementId: truceId,
    partyId: "gov-us",
    description: "Cut the fentanyl tariff from 20% to 10%",
    kind: "tariff-cut",
    affectsThreatIds: [fentanylId],
    effectiveAt: "2025-11-10",
  });
  now = new Date("2025-12-20T12:00:00Z");
  await changed(`/api/commitments/${soybeansId}/status`, { status: "fulfilled", reason: "Purchases completed", effectiveAt: "2025-12-15" });
  now = new Date("2026-03-05T12:00:00Z");
  await changed(`/api/agreements/${truceId}/status`, { status: "terminated", reason: "Talks broke down", effectiveAt: "2026-03-01" });
});
afterAll(() => t.close());

describe("the desk's agreements page", () => {
  it("is linked from the desk's navigation, and each pending commitment's deadline on the desk links to its agreement", async () => {
    const desk = await page("/?asOf=2025-11-20");
    expect(desk).toContain('<a href="/agreements">Agreements</a>');
    expect(desk).toContain(`<a href="/agreements/${truceId}?asOf=2025-11-20#${soybeansId}">A commitment under an agreement</a>`);
    expect(desk).toContain(`<a href="/agreements/${truceId}?asOf=2025-11-20">An agreement&#39;s expiry</a>`);
  });

  it("shows each agreement on the chosen day with its parties, status, expiry and commitments per party", async () => {
    const html = await page("/agreements?asOf=2025-11-20");
    expect(html).toContain("Agreements as of 2025-11-20");
    expect(html).toContain(`<a href="/agreements/${truceId}?asOf=2025-11-20">US-China trade truce</a> <span class="badge">in-force</span>`);
    expect(html).toContain(`Parties: ${CN} · ${US}`);
    expect(html).toContain('Expires: <span class="due">10 November 2026');
    const china = partySection(html, CN);
    expect(china).toContain("Buy 12 million tonnes of US soybeans");
    expect(china).toContain("<td>purchase</td>");
    expect(china).toContain('<span class="badge">pending</span>');
    expect(china).toContain("December 2025");
    expect(china).not.toContain("Cut the fentanyl tariff");
    const us = partySection(html, US);
    expect(us).toContain("Cut the fentanyl tariff from 20% to 10%");
    expect(us).toContain("<td>tariff-cut</td>");
    expect(us).toContain("no date stated");
    // The measure it changes, with its status then, links to the scenario page that shows its terms timeline.
    expect(us).toContain(`Changes <a href="/scenarios/${SCENARIO}?asOf=2025-11-20#${fentanylId}">Fentanyl tariff</a> (imposed)`);
  });

  it("shows each commitment's status then, and the end of the agreement lapsing only what was pending", async () => {
    const december = partySection(await page("/agreements?asOf=2025-12-16"), CN);
    expect(december).toContain('<span class="badge">fulfilled</span>');
    const after = await page("/agreements?asOf=2026-03-10");
    expect(after).toContain('<span class="badge">terminated</span>');
    expect(partySection(after, CN)).toContain('<span class="badge">fulfilled</span>');
    expect(partySection(after, US)).toContain('<span class="badge">lapsed</span>');
  });

  it("shows what was known on another day: before the fulfilment was reported, the purchase was pending and overdue", async () => {
    const html = await page("/agreements?asOf=2026-01-10&knownAt=2025-12-10");
    expect(html).toContain("Agreements as of 2026-01-10, as known on 2025-12-10");
    const china = partySection(html, CN);
    expect(china).toContain('<span class="badge">pending</span>');
    expect(china).toContain("overdue");
    expect(html).toContain('<span class="badge">in-force</span>');
  });

  it("shows nothing before the agreement existed, and refuses a malformed day", async () => {
    expect(await page("/agreements?asOf=2025-11-01")).toContain("No agreement recorded by then.");
    expect((await t.get("/agreements?asOf=nope")).status).toBe(422);
  });

  it("has a page per agreement, with status forms on the live view only", async () => {
    const live = await page(`/agreements/${truceId}`);
    expect(live).toContain("US-China trade truce");
    expect(live).toContain('<span class="badge">terminated</span>');
    expect(live).toContain("“terminated” is final.");
    const past = await page(`/agreements/${truceId}?asOf=2025-11-20`);
    expect(past).not.toContain("data-endpoint=");
    expect(partySection(past, CN)).toContain('<span class="badge">pending</span>');
    expect((await t.get(`/agreements/${truceId}?asOf=2025-11-01`)).status).toBe(404);
    expect((await t.get("/agreements/agreement-none")).status).toBe(404);
  });
});

describe("the agreements page, past one page", () => {
  it("pages through every agreement without gaps or repeats, keeping the chosen day", async () => {
    const many = await testApp();
    try {
      const titles: string[] = [];
      for (let i = 0; i < 30; i++) {
        const title = `Deal ${String(i).padStart(2, "0")}`;
        const res = await many.write("POST", "/api/agreements", { title, partyIds: ["gov-us", "gov-jp"], effectiveAt: "2025-11-10" });
        expect(res.status).toBe(201);
        titles.push(title);
      }
      const seen: string[] = [];
      let next: string | null = "/agreements?asOf=2025-11-20";
      while (next) {
        const html = await (await many.get(next)).text();
        seen.push(...[...html.matchAll(/>(Deal \d\d)<\/a>/g)].map((m) => m[1]!));
        next = html.match(/<a rel="next" href="([^"]+)"/)?.[1]?.replaceAll("&amp;", "&") ?? null;
        if (next) expect(next).toContain("asOf=2025-11-20&after=");
      }
      expect(seen.sort()).toEqual(titles);
      expect((await many.get(`/agreements?after=${"x".repeat(201)}`)).status).toBe(422);
    } finally {
      await many.close();
    }
  });
});
