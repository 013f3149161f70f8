/** A page in Debian's Chromium (scripts/chromium.ts) for each browser test, and its helpers. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { inject } from "vitest";
import { launchChromium } from "../../scripts/chromium.ts";

export interface Session {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and failed page loads seen so far: a test asserts there were none. */
  readonly problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(viewport = { width: 1280, height: 800 }): Promise<Session> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport, baseURL: inject("browser").base });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    // Chromium logs every non-2xx answer, the SCRAM exchange's 401s included; tests assert on
    // the answers themselves, so only the page's own errors count here.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return {
    browser,
    context,
    page,
    problems,
    async close() {
      await browser.close();
    },
  };
}

/** Signs in through the form with the demo admin's password (SCRAM in the page). */
export async function signIn(page: Page): Promise<void> {
  const t = inject("browser");
  await page.goto("/ui/");
  await page.fill("#project", t.project);
  await page.fill("#user", t.adminUser);
  await page.fill("#password", t.adminPassword);
  await page.click("#signin-password button[type=submit]");
  await page.waitForURL(/#\/demo\/haystack/);
}

/** Saves a screenshot under test-results/browser/NAME.png and returns its path. */
export async function shot(page: Page, name: string): Promise<string> {
  const dir = inject("browser").shots;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
