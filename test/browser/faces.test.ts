/**
 * The Series, Frames and TStorage views in Chromium against the real dev server and its demo:
 * charts are checked by their pixels (the canvas must hold the series colour), not only the DOM.
 */
import type { Page } from "playwright-core";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { chartPixels, fitsWidth, openBrowser, type Session, shot, signIn } from "./browser.ts";

let s: Session | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** A store that pulls part of the demo's `load` store from the same server, for "Pull now". */
const PULLED = "faces_pulled";

async function api(path: string, method: string, body?: unknown): Promise<void> {
  const t = inject("browser");
  const res = await fetch(`${t.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${t.adminToken}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

beforeAll(async () => {
  await api(`/ts/demo/${PULLED}`, "PUT", {
    kind: "chunked",
    keys: { site: "str", kind: "str" },
    freq: "1h",
    sync: true,
  });
  await api(`/ts/demo/${PULLED}/sources/demo`, "PUT", {
    url: `${inject("browser").base}/ts/demo/load/`,
    tokenSecret: "DEMO_SYNC_TOKEN",
    filters: { site: "beta", kind: "pv" },
  });
});

const rowCount = (page: Page, selector: string) => page.locator(`${selector} .vt-row`).count();

describe("series view", () => {
  it("lists stores and series, draws a series over a window, and pulls a source as admin", async () => {
    s = await openBrowser();
    const { page } = s;
    page.setDefaultTimeout(15_000);
    await signIn(page);
    await page.goto("/ui/#/demo/series");
    await page.click("#fx-stores [data-store=load]");
    await expect.poll(() => rowCount(page, "#fx-series-list")).toBe(4);
    await page.locator("#fx-series-list .vt-row", { hasText: "alpha" }).filter({ hasText: "load" }).click();
    await page.waitForURL(/k\.site=alpha/);
    // The default window is the last week up to the series' last value: 7 days of hourly values.
    await expect.poll(() => page.textContent("#fx-series-note")).toMatch(/^1[67]\d points$/);
    await expect.poll(() => chartPixels(page, "#fx-series-chart"), { timeout: 10_000 }).toBeGreaterThan(300);
    await page.click("[data-preset=month]");
    await expect.poll(() => page.textContent("#fx-series-note")).toMatch(/^7[0-9]{2} points$/);
    expect(page.url()).toMatch(/from=.*to=/);
    // Three years of hourly values in one go: streamed and drawn without hanging the page.
    await page.click("[data-preset=all]");
    await expect.poll(() => page.textContent("#fx-series-note"), { timeout: 15_000 }).toMatch(/^2[56],\d{3} points$/);
    await expect.poll(() => chartPixels(page, "#fx-series-chart")).toBeGreaterThan(1000);
    await page.click("[data-preset=month]");
    await expect.poll(() => page.textContent("#fx-series-note")).toMatch(/^7[0-9]{2} points$/);
    await shot(page, "series");

    await page.click(`#fx-stores [data-store=${PULLED}]`);
    const source = page.locator("#fx-sources [data-source=demo]");
    await expect.poll(() => source.textContent()).toContain("never pulled");
    await expect.poll(() => page.textContent("#fx-picker-note")).toContain("No series");
    await source.locator("button.fx-pull", { hasText: "Pull now" }).click();
    await expect.poll(() => page.textContent("#fx-sources .fx-outcome"), { timeout: 20_000 }).toMatch(/^Pulled: /);
    // The list is read again after the pull: the cursor moved.
    expect(await source.textContent()).not.toContain("never pulled");
    // ...and the store's series are listed again: the pulled one is there.
    await expect.poll(() => rowCount(page, "#fx-series-list")).toBe(1);
    expect(await page.textContent("#fx-series-list .vt-row")).toMatch(/beta.*pv/);
    expect(await page.isVisible("#error")).toBe(false);
    await shot(page, "series-sources");
    expect(s.problems).toEqual([]);
  });

  it("hides Pull now from a session that is not an admin's, and fits a phone", async () => {
    s = await openBrowser({ width: 375, height: 800 });
    const { page } = s;
    // An API key's session has no known role: the view treats it as not an admin.
    await page.goto("/ui/");
    await page.fill("#apikey", inject("browser").adminToken);
    await page.click("#signin-key button[type=submit]");
    await page.waitForURL(/#\/demo\/haystack/);
    await page.goto(`/ui/#/demo/series/${PULLED}`);
    await page.waitForSelector("#fx-sources [data-source=demo]");
    expect(await page.locator("#fx-sources button.fx-pull").count()).toBe(0);
    await page.goto("/ui/#/demo/series/tariffs?k.year=2025&k.kind=spot");
    await expect.poll(() => page.textContent("#fx-series-note")).toBe("365 points");
    // A series store sends the whole series; the view keeps to the window all the same.
    await page.fill("#fx-start", "2025-06-01T00:00");
    await page.fill("#fx-end", "2025-06-30T23:59");
    await page.click(".fx-window button[type=submit]");
    await expect.poll(() => page.textContent("#fx-series-note")).toBe("30 points");
    await expect.poll(() => chartPixels(page, "#fx-series-chart")).toBeGreaterThan(100);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, "series-phone");
    expect(s.problems).toEqual([]);
  });
});

describe("series view, too many points", () => {
  it("stops reading at the point cap and says so, rather than hanging the page", async () => {
    s = await openBrowser();
    const { page } = s;
    // 250,000 points of one minute each (a window the demo's hourly stores cannot give).
    const t0 = Date.parse("2020-01-01T00:00:00Z");
    const lines = Array.from(
      { length: 250_000 },
      (_, i) => `{"t":"${new Date(t0 + i * 60_000).toISOString()}","v":${Math.sin(i / 500).toFixed(3)}}`,
    );
    await page.route("**/ts/demo/load/series?**", (r) =>
      r.fulfill({ status: 200, contentType: "application/x-ndjson", body: `${lines.join("\n")}\n` }),
    );
    await signIn(page);
    await page.goto("/ui/#/demo/series/load?k.site=alpha&k.kind=load&from=2020-01-01T00:00:00Z");
    await expect
      .poll(() => page.textContent("#fx-series-note"), { timeout: 20_000 })
      .toBe("Showing the first 200,000 points only: narrow the window to see the rest.");
    await expect.poll(() => chartPixels(page, "#fx-series-chart")).toBeGreaterThan(300);
    expect(s.problems).toEqual([]);
  });
});

describe("frames view", () => {
  it("opens a collection and an item: facts, versions, rows and a column chart", async () => {
    s = await openBrowser();
    const { page } = s;
    await signIn(page);
    await page.goto("/ui/#/demo/frames");
    await page.click("#fx-collections [data-collection=prices]");
    await expect.poll(() => page.textContent("#fx-snapshots")).toContain("initial");
    await page.click("#fx-items a:text-is('AAPL')");
    await page.waitForSelector("#fx-rows .vt-row");
    expect(await rowCount(page, "#fx-rows")).toBeGreaterThan(10);
    expect(await page.textContent("#fx-rows .vt-head")).toContain("close");
    expect(await page.textContent("#fx-metadata")).toContain("sector");
    expect(await page.textContent("#fx-versions")).toMatch(/write.*522.*initial/);
    await page.selectOption("#fx-column", "close");
    await expect.poll(() => chartPixels(page, "#fx-frame-chart")).toBeGreaterThan(300);
    expect(await page.isVisible("#error")).toBe(false);
    await shot(page, "frames");
    expect(s.problems).toEqual([]);
  });
});

describe("tstorage view", () => {
  it("runs a box query into the table, and shows the bridge's error code for a bad one", async () => {
    s = await openBrowser({ width: 3840, height: 2160 });
    const { page } = s;
    await signIn(page);
    await page.goto("/ui/#/demo/tstorage");
    await page.fill("#fx-midMin", "1001");
    await page.fill("#fx-midMax", "1002");
    await page.click("#fx-box button[type=submit]");
    await expect.poll(() => page.textContent("#fx-records-note")).toMatch(/^\d+ records; acq horizon \d{4}-/);
    expect(await rowCount(page, "#fx-records")).toBeGreaterThan(10);
    const first = await page.textContent("#fx-records .vt-row");
    expect(first).toContain("1001");
    expect(first).toMatch(/\[\d+(\.\d+)?,(true|false)\]/);
    expect(page.url()).toMatch(/midMin=1001/);
    expect(await page.isVisible("#error")).toBe(false);
    await shot(page, "tstorage");

    await page.fill("#fx-cidMin", "5");
    await page.fill("#fx-cidMax", "2");
    await page.click("#fx-box button[type=submit]");
    await expect.poll(() => page.textContent("#error")).toContain("INVARG");
    expect(await page.isVisible("#error")).toBe(true);
    expect(await page.textContent("#fx-records-note")).toBe("The query failed.");
  });
});
