import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_TOKEN, type TestApp, testApp } from "../helpers/app.ts";
import { hasChromium, launchChromium, shot } from "../helpers/browser.ts";
import { listen } from "../helpers/server.ts";

let t: TestApp;
let server: { url: string; stop: () => Promise<void> };
let browser: Browser;
let truceId = "";
let soybeansId = "";

async function created(path: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.write("POST", path, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe.skipIf(!hasChromium)("the agreements pages in a real Chromium", () => {
  beforeAll(async () => {
    t = await testApp();
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
      effectiveAt: "2025-11-10",
    });
    server = await listen(t);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await t?.close();
  });

  it("reaches the agreements from the navigation and shows each side's commitments as of a chosen day", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await Promise.all([page.waitForURL(/\/agreements$/), page.click("nav >> text=Agreements")]);
    await page.fill("#asOf", "2025-11-20");
    await Promise.all([page.waitForURL(/asOf=2025-11-20/), page.click("form.asof button")]);
    await expect(page.locator("h1").textContent()).resolves.toBe("Agreements as of 2025-11-20");
    const china = page.getByRole("region", { name: "People’s Republic of China government commits to" });
    await expect(china.locator("tbody tr").first().textContent()).resolves.toMatch(/Buy 12 million tonnes of US soybeans.*purchase.*pending.*December 2025/);
    const us = page.getByRole("region", { name: "United States government commits to" });
    await expect(us.locator("tbody tr").first().textContent()).resolves.toMatch(/Cut the fentanyl tariff.*tariff-cut.*pending.*no date stated/);
    await shot(page, "agreements-as-of-2025-11-20");
    // The title leads to the agreement's own page, at the same day.
    await Promise.all([page.waitForURL(new RegExp(`/agreements/${truceId}\\?asOf=2025-11-20`)), page.click(`text=US-China trade truce`)]);
    await expect(page.locator("h1").textContent()).resolves.toBe("US-China trade truce as of 2025-11-20");
    await page.close();
  });

  it("records a commitment fulfilled from the agreement's page, and shows it", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/agreements/${truceId}`);
    await page.fill("#token", TEST_TOKEN);
    await page.click("#token-form button");
    await page.waitForSelector("#token-state:has-text('Signed in as')");
    const row = page.locator(`#${soybeansId}`);
    await row.locator("summary").click();
    await row.locator("select[name=status]").selectOption("fulfilled");
    await row.locator("textarea[name=reason]").fill("Purchases completed, per USDA export sales");
    await Promise.all([page.waitForEvent("load"), row.locator("button[type=submit]").click()]);
    await expect(page.locator(`#${soybeansId} td`).nth(2).textContent()).resolves.toBe("fulfilled");
    // Its deadline was met: the warned-of miss did not happen.
    await expect(page.locator(`#${soybeansId} .due`).textContent()).resolves.toContain("averted");
    await shot(page, "agreement-after-commitment-fulfilled");
    await page.close();
  });
});
