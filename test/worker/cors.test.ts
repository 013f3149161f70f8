/**
 * CORS: pages of the origins CORS_ORIGINS names may call the API (preflights answered before
 * auth, every answer readable, errors included); every other origin gets no CORS header at all,
 * and no answer ever allows credentials. The default names no origin.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { mintToken } from "../support/auth.ts";

const LISTED = "https://explorer.example.com";
const OTHER = "https://evil.example.net";

async function call(path: string, init: RequestInit, origins?: string): Promise<Response> {
  const ctx = createExecutionContext();
  const e = origins === undefined ? env : { ...env, CORS_ORIGINS: origins };
  const res = await worker.fetch(new Request(`http://hayloft.test${path}`, init), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const preflight = (origin: string, origins?: string) =>
  call(
    "/api/p/read",
    {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    },
    origins,
  );

describe("CORS", () => {
  it("by default answers no origin: a preflight gets no allow headers, an answer no Allow-Origin", async () => {
    const pre = await preflight(LISTED);
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect(pre.headers.get("access-control-allow-methods")).toBeNull();
    const res = await call("/", { headers: { origin: LISTED } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a listed origin's preflight before auth, with the methods and headers a page needs", async () => {
    const pre = await preflight(LISTED, `${LISTED}, http://localhost:5173`);
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(LISTED);
    expect(pre.headers.get("access-control-allow-methods")).toContain("POST");
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");
    expect(pre.headers.get("access-control-max-age")).toBe("600");
    expect(pre.headers.get("vary")).toContain("Origin");
    expect(pre.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("lets a listed origin read answers, refusals included, and the SCRAM headers", async () => {
    const origins = LISTED;
    const token = await mintToken("cors-p", "viewer");
    const ok = await call(
      "/api/cors-p/about",
      { headers: { origin: LISTED, authorization: `Bearer ${token}` } },
      origins,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(LISTED);
    expect(ok.headers.get("vary")).toContain("Origin");
    expect(ok.headers.get("access-control-allow-credentials")).toBeNull();
    await ok.arrayBuffer();
    // A refusal: 401 with the SCRAM challenge, which the page must be able to read.
    const refused = await call("/api/cors-p/about", { headers: { origin: LISTED } }, origins);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(LISTED);
    expect(refused.headers.get("access-control-expose-headers")).toContain("WWW-Authenticate");
    await refused.arrayBuffer();
    const missing = await call("/no/such/route", { headers: { origin: LISTED } }, origins);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("access-control-allow-origin")).toBe(LISTED);
  });

  it("gives an origin not listed nothing: no allow headers on its preflight or its answers", async () => {
    const origins = LISTED;
    const pre = await preflight(OTHER, origins);
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect(pre.headers.get("access-control-allow-headers")).toBeNull();
    const token = await mintToken("cors-p", "viewer");
    const res = await call(
      "/api/cors-p/about",
      { headers: { origin: OTHER, authorization: `Bearer ${token}` } },
      origins,
    );
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    await res.arrayBuffer();
    // An origin that only starts like a listed one is another origin.
    const near = await preflight(`${LISTED}.evil.net`, origins);
    expect(near.headers.get("access-control-allow-origin")).toBeNull();
  });
});
