import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TARIFF_THREAT, TEST_TOKEN } from "../helpers/app.ts";
import { CHROMIUM, hasChromium, launchChromium, shot } from "../helpers/browser.ts";
import { useServedTestApp } from "../helpers/server.ts";

const ARTICLE = readFileSync(resolve(import.meta.dirname, "../fixtures/intake/china-canada-canola.txt"), "utf8");

describe.skipIf(!hasChromium)("adding an article through the desk, in a real Chromium", () => {
  const served = useServedTestApp();
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(() => browser?.close());

  it("stores a pasted article, confirms a proposed deadline with its quote, and finds it pending on the desk", async () => {
    const page = await browser.newPage();
    // Fail on the step that is stuck, well inside the test's own timeout.
    page.setDefaultTimeout(8_000);
    await page.goto(`${served.url}/`);
    await page.click("nav >> text=Add an article");
    await page.fill("#token", TEST_TOKEN);
    await page.click("#token-form button");
    await page.waitForSelector("#token-state:has-text('Signed in as')");

    await page.fill("#intake-title", "China threatens canola curbs over Canada's EV surcharge");
    await page.fill("#intake-publisher", "Test wire");
    await page.selectOption("#intake-kind", "wire");
    await page.fill("#intake-published", "2026-01-15");
    await page.fill("#intake-text", ARTICLE);
    await Promise.all([page.waitForURL(/\/intake\/source-/), page.click("#intake-form button[type=submit]")]);

    const highlighted = page.locator(".intake-article mark.proposal-date", { hasText: "by the end of February" });
    await expect(highlighted.count()).resolves.toBe(1);
    const proposal = page.locator("ol.proposals > li", { has: page.locator("blockquote", { hasText: "“by the end of February”" }) });
    await expect(proposal.locator("strong").textContent()).resolves.toBe("Date: February 2026 (month precision)");
    await proposal.locator("summary", { hasText: "Record as a new deadline" }).click();
    const form = proposal.locator("form[data-action=deadline]");
    await expect(form.locator("input[name=dueAt]").inputValue()).resolves.toBe("2026-02-01");
    await expect(form.locator("select[name=precision]").inputValue()).resolves.toBe("month");
    await form.locator("input[name=owner]").fill(`threatId:${TARIFF_THREAT}`);
    await form.locator("button[type=submit]").click();
    const result = form.locator("[data-role=result].done, [data-role=result].error");
    await result.waitFor();
    await expect(result.textContent()).resolves.toContain("Recorded as a pending deadline.");
    await shot(page, "intake-proposals");

    // The "unless" clause becomes an open condition of the same threat, with the clause as its quote.
    const clause = page.locator("ol.proposals > li[data-kind=condition]", { hasText: "unless Ottawa drops" });
    await clause.locator("summary", { hasText: "Record as a new condition" }).click();
    const conditionForm = clause.locator("form[data-action=condition]");
    await conditionForm.locator("input[name=threatId]").fill(TARIFF_THREAT);
    await conditionForm.locator("button[type=submit]").click();
    const recorded = conditionForm.locator("[data-role=result].done, [data-role=result].error");
    await recorded.waitFor();
    await expect(recorded.textContent()).resolves.toContain("Recorded as an open condition.");
    const threat = await (await served.t.get(`/api/threats/${TARIFF_THREAT}`)).json();
    const condition = threat.conditions.find((c: { description: string }) => c.description.startsWith("unless Ottawa drops"));
    expect(condition).toMatchObject({ effect: "averts", status: "open" });

    // A figure attached as evidence that disputes a fact, in someone's words.
    const figure = page.locator("ol.proposals > li[data-kind=percentage]", { hasText: "75.8 percent" });
    await figure.locator("summary", { hasText: "Attach as evidence" }).click();
    const evidenceForm = figure.locator("form[data-action=evidence]");
    await evidenceForm.locator("input[name=record]").fill(`threats/${TARIFF_THREAT}`);
    await evidenceForm.locator("select[name=stance]").selectOption("disputes");
    // The speaker is found by typing part of his name: the field's suggestions become the API's matches.
    await evidenceForm.locator("input[name=speakerId]").pressSequentially("Xi Jin");
    const suggested = () => page.locator("datalist#intake-actors option").evaluateAll((os) => (os as HTMLOptionElement[]).map((o) => `${o.value} ${o.label}`));
    await expect.poll(suggested, { timeout: 5_000 }).toEqual(["person-xi-jinping Xi Jinping"]);
    await evidenceForm.locator("input[name=speakerId]").fill("person-xi-jinping");
    await evidenceForm.locator("button[type=submit]").click();
    const attached = evidenceForm.locator("[data-role=result].done, [data-role=result].error");
    await attached.waitFor();
    await expect(attached.textContent()).resolves.toBe("Attached (disputes, verbatim).");
    const disputed = await (await served.t.get(`/api/threats/${TARIFF_THREAT}`)).json();
    expect(disputed.disputed).toBe(true);

    await page.goto(`${served.url}/`);
    const row = page.locator("table.deadlines tbody tr", { hasText: "“by the end of February”" });
    await expect(row.count()).resolves.toBe(1);
    await expect(row.locator("td").first().textContent()).resolves.toContain("February 2026");
    const id = await row.getAttribute("id");
    const deadline = await (await served.t.get(`/api/deadlines/${id}`)).json();
    expect(deadline.evidence).toEqual([expect.objectContaining({ quote: "by the end of February", verification: "verbatim" })]);
    await page.close();
  });

  it("records what an article of 27 November 2025 reported as in effect from that day, with records typed by their bare ids", async () => {
    const stored = await served.t.write("POST", "/api/sources", {
      title: "Talks to resume",
      publisher: "Test wire",
      kind: "wire",
      publishedAt: "2025-11-27",
      text: "Officials said on Thursday that the trade talks would resume by the end of January, after the meeting in Busan.",
    });
    expect(stored.status).toBe(201);
    const { id: sourceId } = (await stored.json()) as { id: string };
    const page = await browser.newPage();
    page.setDefaultTimeout(8_000);
    await page.goto(`${served.url}/intake/${sourceId}`);
    await page.fill("#token", TEST_TOKEN);
    await page.click("#token-form button");
    await page.waitForSelector("#token-state:has-text('Signed in as')");
    const proposal = page.locator("ol.proposals > li", { has: page.locator("blockquote", { hasText: "“by the end of January”" }) });

    await proposal.locator("summary", { hasText: "Record as a new deadline" }).click();
    const form = proposal.locator("form[data-action=deadline]");
    await expect(form.locator("input[name=effectiveAt]").inputValue()).resolves.toBe("2025-11-27");
    // A bare id the list does not offer: the page finds which kind has it.
    await form.locator("input[name=owner]").fill(TARIFF_THREAT);
    await form.locator("button[type=submit]").click();
    const result = form.locator("[data-role=result].done, [data-role=result].error");
    await result.waitFor();
    await expect(result.textContent()).resolves.toContain("Recorded as a pending deadline.");
    const href = (await result.locator("a").getAttribute("href"))!;
    const asOfDecember = await served.t.get(`${href}?asOf=2025-12-01`);
    expect(asOfDecember.status).toBe(200);
    expect(await asOfDecember.json()).toMatchObject({ threatId: TARIFF_THREAT, status: "pending", wording: "by the end of January" });
    expect((await served.t.get(`${href}?asOf=2025-11-26`)).status).toBe(404);

    await proposal.locator("summary", { hasText: "Record a status change with this quote" }).click();
    const status = proposal.locator("form[data-action=status]");
    await expect(status.locator("input[name=effectiveAt]").inputValue()).resolves.toBe("2025-11-27");
    await status.locator("input[name=record]").fill("no-such-record");
    await status.locator("textarea[name=reason]").fill("The meeting took place in Busan");
    await status.locator("select[name=status]").selectOption("held");
    await status.locator("button[type=submit]").click();
    const refused = status.locator("[data-role=result].error");
    await refused.waitFor();
    await expect(refused.textContent()).resolves.toContain("No record with the id “no-such-record”");
    await status.locator("input[name=record]").fill("event-trump-xi-bilateral-apec");
    await status.locator("button[type=submit]").click();
    const changed = status.locator("[data-role=result].done");
    await changed.waitFor();
    await expect(changed.textContent()).resolves.toBe("Recorded: scheduled → held.");
    const history = await (await served.t.get("/api/events/event-trump-xi-bilateral-apec/history")).json();
    expect(history.items.at(-1)).toMatchObject({ to: "held", effectiveAt: "2025-11-27T00:00:00.000Z", sourceId });
    await page.close();
  });
});

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium)`);
