/**
 * The explorer's static files as `wrangler dev` serves them from the Worker's assets, before any
 * route: the page with its security headers, hashed bundles, and the API untouched beside.
 */
import { describe, expect, inject, it } from "vitest";

describe("the explorer's assets", () => {
  it("serves /ui/ with a strict CSP, no framing, no sniffing and no referrer", async () => {
    const { base } = inject("browser");
    const res = await fetch(`${base}/ui/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await res.text();
    const script = /<script type="module" crossorigin src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${base}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect((await js.text()).length).toBeGreaterThan(10_000);
    // Without the slash, a redirect to the app.
    const bare = await fetch(`${base}/ui`, { redirect: "manual" });
    expect([301, 307, 308]).toContain(bare.status);
    expect(bare.headers.get("location")).toMatch(/\/ui\/$/);
  });

  it("leaves the API and its auth as they were", async () => {
    const { base } = inject("browser");
    const root = await fetch(`${base}/`);
    expect(((await root.json()) as { name: string }).name).toBe("hayloft");
    expect((await fetch(`${base}/api/demo/about`)).status).toBe(401);
  });
});
