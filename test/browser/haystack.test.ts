/**
 * The explorer's Haystack face in Chromium against the real dev server: filters (with a syntax
 * error shown at its position), the virtualised record table, a point's record view with its
 * history chart drawn through a rollup, a level-8 write, and the nav tree. One browser for the
 * file: each test starts from its own route.
 */
import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartPixels, openBrowser, type Session, shot, signIn } from "./browser.ts";

let s: Session;
let page: Page;
beforeAll(async () => {
  s = await openBrowser();
  page = s.page;
  await signIn(page);
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe("haystack face", () => {
  it("reads by filter into a table that scrolls, and shows a bad filter's error at its position", async () => {
    await page.goto("/ui/#/demo/haystack?filter=his");
    await page.waitForSelector(".vt-row");
    expect(await page.textContent(".vt-count")).toMatch(/1,846 rows/);
    // Only the rows in view are in the DOM, and scrolling draws later ones.
    const drawn = await page.locator(".vt-row").count();
    expect(drawn).toBeGreaterThan(10);
    expect(drawn).toBeLessThan(120);
    await page.locator(".vt-scroll").evaluate((el) => {
      el.scrollTop = 1500 * 28;
    });
    await page.waitForSelector('.vt-row[data-index="1500"]');
    // The live socket's server side may not be deployed: the badge says so, without page errors.
    await expect.poll(() => page.getAttribute(".hs-live", "data-state")).toMatch(/^(off|live)$/);
    await shot(page, "haystack-table");

    const calls: string[] = [];
    const onReq = (r: Request) => r.url().includes("/api/demo/read") && calls.push(r.url());
    page.on("request", onReq);
    await page.fill("#hs-filter", "point and (equip or");
    await page.click(".hs-filter button[type=submit]");
    await page.waitForSelector("#hs-filter-error:not([hidden])");
    expect(await page.textContent("#hs-filter-error .hs-msg")).toMatch(/column 20/);
    // The mark sits at offset 19: past the end, where a tag name was expected.
    expect(await page.getAttribute("#hs-filter-error mark", "data-offset")).toBe("19");
    expect(calls).toEqual([]);

    await page.fill("#hs-filter", 'point and kind=="Bool"');
    await page.click(".hs-filter button[type=submit]");
    await page.waitForURL(/filter=point/);
    await expect.poll(() => page.textContent(".vt-count")).not.toMatch(/1,846/);
    expect(await page.isHidden("#hs-filter-error")).toBe(true);
    expect(calls.length).toBe(1);
    page.off("request", onReq);
    // The filter stays in the URL: a reload reads it again.
    await page.reload();
    await page.waitForSelector(".vt-row");
    expect(await page.inputValue("#hs-filter")).toBe('point and kind=="Bool"');
  });

  it("opens a point, draws its history, and reads a year through a rollup", async () => {
    await page.goto("/ui/#/demo/haystack?filter=his");
    await page.waitForSelector(".vt-row");
    // Row 14 is a temperature on the demo building: open it by clicking the row.
    const row = page.locator(".vt-row", { hasText: "Return Air Temp" }).first();
    await row.locator(".vt-cell").nth(2).click();
    await page.waitForURL(/haystack\/rec\//);
    await page.waitForSelector('.hs-chart[data-ready="true"]');
    expect(await page.textContent("#hs-tags")).toMatch(/tz\s*Denver/);
    expect(await chartPixels(page, ".hs-chart")).toBeGreaterThan(100);

    const his: string[] = [];
    const onReq = (r: Request) => r.url().includes("/hisRead") && his.push(decodeURIComponent(r.url()));
    page.on("request", onReq);
    await page.click("[data-preset='1y']");
    await page.waitForSelector('.hs-chart[data-ready="true"][data-interval="6h"]');
    page.off("request", onReq);
    expect(his).toHaveLength(1);
    expect(his[0]).toMatch(/rollup=avg/);
    expect(his[0]).toMatch(/interval=6h/);
    const points = Number(await page.getAttribute(".hs-chart", "data-points"));
    expect(points).toBeGreaterThan(10);
    expect(points).toBeLessThanOrEqual(2_000);
    expect(await page.textContent(".hs-chart-info")).toMatch(/6h buckets/);
    expect(await chartPixels(page, ".hs-chart")).toBeGreaterThan(100);
    await shot(page, "haystack-point");

    // Dragging over a part of the chart zooms in: the window is refetched with finer buckets.
    const over = await page.locator(".hs-chart .u-over").boundingBox();
    if (!over) throw new Error("no chart overlay");
    const y = over.y + over.height / 2;
    await page.mouse.move(over.x + over.width * 0.6, y);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.8, y, { steps: 5 });
    await page.mouse.up();
    await page.waitForSelector('.hs-chart[data-ready="true"]:not([data-interval="6h"])');
    const finer = await page.getAttribute(".hs-chart", "data-interval");
    expect(finer).toMatch(/^\d+(min|h|s)$/);
    expect(await page.isVisible("text=Reset zoom")).toBe(true);
    expect(await chartPixels(page, ".hs-chart")).toBeGreaterThan(100);
  });

  it("writes level 8 of a writable point and shows the array change", async () => {
    await page.goto('/ui/#/demo/haystack?filter=point and writable and kind=="Number"');
    await page.waitForSelector(".vt-row");
    const id = (await page.locator(".vt-row a").first().textContent())?.replace("@", "") as string;
    await page.goto(`/ui/#/demo/haystack/rec/${id}`);
    await page.waitForSelector('#hs-array tr[data-level="8"]');
    expect(await page.inputValue("#hs-level")).toBe("8");
    await page.fill("#hs-value", "42");
    await page.selectOption("#hs-duration", "1h");
    await page.click("#hs-write");
    await expect.poll(() => page.textContent('#hs-array tr[data-level="8"] .hs-array-val')).toMatch(/^42/);
    expect(await page.textContent('#hs-array tr[data-level="8"]')).toMatch(/admin/);
    expect(await page.textContent(".hs-write-status")).toMatch(/Wrote 42/);
    await shot(page, "haystack-write");
    await page.click("#hs-release");
    await expect.poll(() => page.textContent('#hs-array tr[data-level="8"] .hs-array-val')).toBe("–");
    // A value of the wrong unit is refused in the page, before any request.
    await page.fill("#hs-value", "12 kW");
    await page.click("#hs-write");
    await expect.poll(() => page.textContent(".hs-write-status")).toMatch(/unit/);
  });

  it("charts several selected points", async () => {
    await page.goto('/ui/#/demo/haystack?filter=point and his and kind=="Number"');
    await page.waitForSelector(".vt-row");
    await page.locator(".hs-sel").nth(0).check();
    await page.locator(".hs-sel").nth(1).check();
    await page.click("#hs-chart-selected");
    await page.waitForURL(/haystack\/chart\?ids=/);
    await page.waitForSelector('.hs-chart[data-ready="true"]');
    expect(await page.locator(".hs-chart-points li").count()).toBe(2);
    expect(await chartPixels(page, ".hs-chart")).toBeGreaterThan(50);
    await shot(page, "haystack-chart");
  });

  it("expands the nav tree from site to equip to point", async () => {
    await page.goto("/ui/#/demo/haystack/nav");
    await page.waitForSelector('#hs-nav li[data-kind="site"]');
    await page.click('#hs-nav li[data-kind="site"] > .hs-nav-toggle');
    await page.waitForSelector('#hs-nav li[data-kind="equip"]');
    await page.locator('#hs-nav li[data-kind="equip"] > .hs-nav-toggle').first().click();
    await page.waitForSelector('#hs-nav li[data-kind="point"]');
    await page.locator('#hs-nav li[data-kind="point"] a').first().click();
    await page.waitForURL(/haystack\/rec\//);
    await page.waitForSelector("#hs-tags");
    expect(s.problems).toEqual([]);
  });

  it("fits a phone screen", async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto("/ui/#/demo/haystack?filter=site");
    await page.waitForSelector(".vt-row");
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, "haystack-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(s.problems).toEqual([]);
  });
});
