import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAccount } from "../../src/db/accounts.ts";
import { SECTION_PAGE } from "../../src/db/sql/scenario-view.ts";
import { TARIFF_THREAT, TEST_TOKEN, type TestApp, testApp } from "../helpers/app.ts";
import { CHROMIUM, hasChromium, launchChromium, shot } from "../helpers/browser.ts";
import { addBulkScenarioRecords } from "../helpers/bulk-scenario.ts";
import { listen } from "../helpers/server.ts";

const SCENARIO_PAGE = "/scenarios/scenario-us-china-rare-earth-tariffs";

let t: TestApp;
let server: { url: string; stop: () => Promise<void> };
let browser: Browser;

async function setToken(page: Page, token: string) {
  await page.fill("#token", token);
  await page.click("#token-form button");
  await page.waitForSelector("#token-state:has-text('Signed in as')");
}

describe.skipIf(!hasChromium)("the desk in a real Chromium", () => {
  beforeAll(async () => {
    t = await testApp();
    server = await listen(t);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await t?.close();
  });

  it("shows the 1 November 2025 tariff deadline on the desk as of 2025-10-24", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.fill("#asOf", "2025-10-24");
    await page.click("form.asof button");
    await page.waitForURL(/asOf=2025-10-24/);
    await expect(page.locator("h1").textContent()).resolves.toBe("Pending deadlines as of 2025-10-24");
    const row = page.locator("table.deadlines tbody tr").first();
    await expect(row.textContent()).resolves.toContain("November 2025");
    await expect(row.textContent()).resolves.toContain("“starting in November”");
    await expect(row.textContent()).resolves.toContain("in 37 days");
    await shot(page, "desk-as-of-2025-10-24");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "desk-phone");
    await page.close();
  });

  it("records a status change through the form, and the timeline shows it with its consequence and who recorded it", async () => {
    const { token } = await addAccount(t.db, "Ed Editor", "editor");
    const page = await browser.newPage();
    await page.goto(`${server.url}${SCENARIO_PAGE}`);
    await setToken(page, token);
    await expect(page.locator("#token-state").textContent()).resolves.toBe("Signed in as Ed Editor (editor).");
    const condition = page.locator("#condition-beijing-eases-rare-earth-restrictions");
    await condition.locator("summary").click();
    await condition.locator("select[name=status]").selectOption("met");
    await condition.locator("textarea[name=reason]").fill("Beijing suspended the new rare-earth export controls");
    await Promise.all([page.waitForEvent("load"), condition.locator("button[type=submit]").click()]);
    const timeline = await page.locator("ol.timeline").textContent();
    expect(timeline).toContain("open → met");
    expect(timeline).toContain("Beijing suspended the new rare-earth export controls");
    expect(timeline).toContain("pending → averted");
    expect(timeline).toContain("by Ed Editor");
    await expect(page.locator("#token-state").textContent()).resolves.toBe("Signed in as Ed Editor (editor).");
    await shot(page, "scenario-after-status-change");
    await page.close();
  });

  it("shows the API's error inline for a change that is no longer allowed", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}${SCENARIO_PAGE}`);
    await setToken(page, TEST_TOKEN);
    // Someone else withdraws the threat while this page is open.
    const withdrawn = await t.write("POST", `/api/threats/${TARIFF_THREAT}/status`, { status: "withdrawn", reason: "Called off" });
    expect(withdrawn.status).toBe(200);
    const threat = page.locator(`#${TARIFF_THREAT}`);
    await threat.locator("summary").first().click();
    const form = threat.locator("form.status").first();
    await form.locator("select[name=status]").selectOption("imposed");
    await form.locator("textarea[name=reason]").fill("Tariff took effect");
    await form.locator("button[type=submit]").click();
    const error = form.locator("[data-role=result].error");
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('cannot move from "withdrawn" to "imposed"');
    await shot(page, "scenario-forbidden-change");
    await page.close();
  });

  it("retracts a mistaken entry from the timeline: as known now it is gone, as known before it still shows", async () => {
    const page = await browser.newPage();
    // A mistake: the bilateral meeting recorded as held a week before it was due.
    const held = await t.write("POST", "/api/events/event-trump-xi-bilateral-apec/status", {
      status: "held",
      reason: "Reported held",
      effectiveAt: "2025-10-23T12:00:00Z",
    });
    expect(held.status).toBe(200);
    const { seq, recordedAt } = ((await held.json()) as { entry: { seq: number; recordedAt: string } }).entry;
    await page.goto(`${server.url}${SCENARIO_PAGE}`);
    await setToken(page, TEST_TOKEN);
    const entry = page.locator(`#entry-${seq}`);
    await entry.locator("summary").click();
    await entry.locator("textarea[name=reason]").fill("Wrong date: the meeting was on 30 October");
    await Promise.all([page.waitForEvent("load"), entry.locator("button[type=submit]").click()]);
    await expect(page.locator(`#entry-${seq}`).getAttribute("class")).resolves.toBe("retracted");
    await expect(page.locator("#event-trump-xi-bilateral-apec .badge").first().textContent()).resolves.toBe("scheduled");
    // The right entry, at its right time.
    const right = await t.write("POST", "/api/events/event-trump-xi-bilateral-apec/status", {
      status: "held",
      reason: "Met in Busan",
      effectiveAt: "2025-10-30T12:00:00Z",
    });
    expect(right.status).toBe(200);
    // As of 25 October, as known before the retraction, the mistake still shows; as known now, it does not.
    await page.goto(`${server.url}${SCENARIO_PAGE}?asOf=2025-10-25&knownAt=${encodeURIComponent(recordedAt)}`);
    await expect(page.locator("#event-trump-xi-bilateral-apec .badge").first().textContent()).resolves.toBe("held");
    await page.goto(`${server.url}${SCENARIO_PAGE}?asOf=2025-10-25`);
    await expect(page.locator("#event-trump-xi-bilateral-apec .badge").first().textContent()).resolves.toBe("scheduled");
    await shot(page, "scenario-after-retraction");
    await page.close();
  });

  it("with private reads, shows the sign-in form instead of a page, then the page once a reader's token is given", async () => {
    const closed = await testApp({ privateReads: true });
    const closedServer = await listen(closed);
    try {
      const { token } = await addAccount(closed.db, "Rita Reader", "reader");
      const page = await browser.newPage();
      await page.goto(`${closedServer.url}${SCENARIO_PAGE}`);
      await expect(page.locator("#sign-in-needed").textContent()).resolves.toContain("needs a token");
      await page.fill("#token", token);
      await Promise.all([page.waitForEvent("load"), page.click("#token-form button")]);
      await page.waitForSelector("#token-state:has-text('Signed in as Rita Reader (reader).')");
      await expect(page.locator("h2#timeline").textContent()).resolves.toBe("Timeline");
      await page.click("#sign-out");
      await page.reload();
      await page.locator("#sign-in-needed").waitFor();
      await page.close();
    } finally {
      await closedServer.stop();
      await closed.close();
    }
  });

  it("extends a deadline from the desk: by default at its own precision, with the new date as its wording; or as the form says", async () => {
    const created = await t.write("POST", "/api/deadlines", {
      scenarioId: "scenario-us-china-rare-earth-tariffs",
      dueAt: "2025-01-01",
      precision: "month",
      wording: "early in the new year",
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const successorOf = (old: string) =>
      t.db.reader.prepare(`SELECT "id", "precision", "wording" FROM "Deadline" WHERE "extendsId" = ?`).get(old) as {
        id: string;
        precision: string;
        wording: string;
      };
    const extend = async (page: Page, deadlineId: string, fill: (form: ReturnType<Page["locator"]>) => Promise<void>) => {
      const row = page.locator(`tr[id="${deadlineId}"]`);
      await row.locator("summary").click();
      const form = row.locator("form.status");
      await form.locator("select[name=status]").selectOption("extended");
      await form.locator("textarea[name=reason]").fill("Both sides agreed to more time");
      await fill(form);
      await Promise.all([page.waitForEvent("load"), form.locator("button[type=submit]").click()]);
    };
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await setToken(page, TEST_TOKEN);
    await extend(page, id, (form) => form.locator("input[name=newDueAt]").fill("2025-03-01"));
    const first = successorOf(id);
    expect(first).toMatchObject({ precision: "month", wording: "March 2025" });
    await expect(page.locator(`tr[id="${first.id}"]`).textContent()).resolves.toContain("“March 2025”");
    await extend(page, first.id, async (form) => {
      await form.locator("input[name=newDueAt]").fill("2025-04-20");
      await form.locator("select[name=newPrecision]").selectOption("day");
      await form.locator("input[name=newWording]").fill("by 20 April");
    });
    expect(successorOf(first.id)).toMatchObject({ precision: "day", wording: "by 20 April" });
    await page.close();
  });

  it("pages through a large scenario's events with the “more” link, keeping the page's asOf", async () => {
    const large = await testApp();
    addBulkScenarioRecords(large.db);
    const largeServer = await listen(large);
    try {
      const page = await browser.newPage();
      await page.goto(`${largeServer.url}${SCENARIO_PAGE}`);
      await page.fill("#asOf", "2026-06-01");
      await Promise.all([page.waitForURL(/asOf=2026-06-01/), page.click("form.asof button")]);
      const events = page.locator("#events ~ section.card[id^=event-]");
      await expect(events.count()).resolves.toBe(SECTION_PAGE);
      const lastOnFirst = await events.last().getAttribute("id");
      await Promise.all([page.waitForURL(/section=events&after=/), page.click("text=More events")]);
      expect(page.url()).toContain("asOf=2026-06-01");
      await expect(page.locator("h2#events").textContent()).resolves.toBe("Events");
      const next = page.locator("section.card[id^=event-]");
      await expect(next.count()).resolves.toBe(SECTION_PAGE);
      expect(await next.first().getAttribute("id")).not.toBe(lastOnFirst);
      // Only that section; the way back keeps the instant too.
      await expect(page.locator("h2#threats").count()).resolves.toBe(0);
      await shot(page, "scenario-more-events");
      await Promise.all([page.waitForURL((url) => !url.search.includes("section=")), page.click("text=← The whole scenario")]);
      expect(page.url()).toContain("asOf=2026-06-01");
      await expect(page.locator("h2#threats").count()).resolves.toBe(1);
      await page.close();
    } finally {
      await largeServer.stop();
      await large.close();
    }
  }, 60_000);

  it("highlights every evidence quote on the source page, linked to its record", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/sources/src-benzinga-trump-xi-apec`);
    const marks = page.locator(".article mark");
    expect(await marks.count()).toBeGreaterThan(15);
    const tariff = page.locator(".article mark", { hasText: "additional 100% tariff" }).first();
    await expect(tariff.locator("a").getAttribute("href")).resolves.toBe(`${SCENARIO_PAGE}#${TARIFF_THREAT}`);
    await shot(page, "source-highlights");
    await page.close();
  });
});

if (!hasChromium) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium)`);
