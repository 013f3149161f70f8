/** Signing in and out of the explorer in Chromium: SCRAM in the page, API keys, refusals. */
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { openBrowser, type Session, shot, signIn } from "./browser.ts";

let s: Session;
beforeEach(async () => {
  s = await openBrowser();
});
afterEach(async () => {
  await s.close();
});

describe("sign in", () => {
  it("signs in with a password through SCRAM and keeps the token out of URLs and cookies", async () => {
    const requests: string[] = [];
    s.page.on("request", (r) => requests.push(r.url()));
    await signIn(s.page);
    await expect.poll(() => s.page.textContent("#who")).toContain("admin");
    const stored = await s.page.evaluate<string | null>("sessionStorage.getItem('hayloft.session')");
    const token = (JSON.parse(stored ?? "{}") as { token?: string }).token;
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(requests.some((u) => u.includes(token as string))).toBe(false);
    expect(await s.context.cookies()).toEqual([]);
    await shot(s.page, "signed-in");
    expect(s.problems).toEqual([]);
  });

  it("shows a wrong password as an error in the page and stays on sign-in", async () => {
    const t = inject("browser");
    await s.page.goto("/ui/");
    await s.page.fill("#user", t.adminUser);
    await s.page.fill("#password", "not-the-password");
    await s.page.click("#signin-password button[type=submit]");
    await expect.poll(() => s.page.textContent("#error")).toMatch(/auth_failed|password|credentials/i);
    expect(s.page.url()).not.toMatch(/haystack/);
  });

  it("accepts a pasted token or key, and signs out", async () => {
    const t = inject("browser");
    await s.page.goto("/ui/");
    await s.page.fill("#apikey", t.adminToken);
    await s.page.click("#signin-key button[type=submit]");
    await s.page.waitForURL(/#\/demo\/haystack/);
    await s.page.click("#who button");
    await s.page.waitForSelector("#signin-password");
    expect(await s.page.evaluate<string | null>("sessionStorage.getItem('hayloft.session')")).toBeNull();
  });
});
