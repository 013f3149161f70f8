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

/**
 * Pixels of the charts' first series colour (#2a6df4, app/chart.ts) in the canvas under
 * `selector`: proof the chart was drawn, not just laid out. A chart drawn empty has none.
 */
export function chartPixels(page: Page, selector: string): Promise<number> {
  return page.evaluate<number>(`(() => {
    const c = document.querySelector(${JSON.stringify(`${selector} canvas`)});
    if (!c || c.width === 0) return 0;
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 128 && Math.abs(d[i] - 0x2a) < 40 && Math.abs(d[i + 1] - 0x6d) < 40 && Math.abs(d[i + 2] - 0xf4) < 40) n++;
    }
    return n;
  })()`);
}

/** Whether the page fits its width (no sideways scroll), e.g. at phone width. */
export function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth");
}
