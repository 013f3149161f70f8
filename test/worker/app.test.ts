import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { readZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import worker from "../../src/index.ts";

async function call(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://hayloft.test${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("GET /", () => {
  it("says what it is, with package.json's name and version", async () => {
    const res = await call("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.name).toBe(pkg.name);
    expect(body.version).toBe(pkg.version);
    expect(body.description).toBe(pkg.description);
    expect(body.storage).toBe("do");
    expect(body.faces).toEqual([
      expect.objectContaining({ id: "haystack", root: "/api/{project}/{op}", live: true }),
      expect.objectContaining({ id: "series", root: "/ts/{project}/{store}/", live: true }),
      expect.objectContaining({ id: "frames", root: "/frames/{project}/{collection}/", live: true }),
      expect.objectContaining({ id: "tstorage", root: "/tstorage/{project}/{target}/", live: true }),
    ]);
  });
});

describe("unknown paths", () => {
  it("answer 404 with the problem body", async () => {
    const res = await call("/no/such/thing");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "No route for GET /no/such/thing" } });
  });
});

function problemOf(text: string): [string, string] {
  const b = JSON.parse(text) as { error: { code: string; message: string } };
  return [b.error.code, b.error.message];
}

function gridErrorOf(text: string): [string, string] {
  const meta = readZincGrid(text).meta;
  return [String(meta.get("errCode")), String(meta.get("dis"))];
}

describe("bad config", () => {
  it.each([
    ["mongo", /STORAGE must be "do", "postgres" or "upstash"/],
    // Upstash without its URL: refused, never quietly served from DO SQLite.
    ["upstash", /UPSTASH_REDIS_REST_URL is required/],
  ])("STORAGE=%s: every request fails loudly with a 500 naming the variable", async (storage, message) => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const path of ["/", "/api/p/about"]) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`http://hayloft.test${path}`), { ...env, STORAGE: storage }, ctx);
      expect(res.status).toBe(500);
      const text = await res.text();
      // A problem body on `/`, an error grid on the Haystack face.
      const [code, said] = path === "/" ? problemOf(text) : gridErrorOf(text);
      expect(code).toBe("bad_config");
      expect(said).toMatch(message);
    }
    expect(logged).toHaveBeenCalledTimes(2);
    logged.mockRestore();
  });
});
