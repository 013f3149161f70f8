import { describe, expect, it } from "vitest";
import { SyncError } from "./errors.ts";
import { type HttpPolicy, requestJson, retryAfterMs } from "./http.ts";

type Answer = Response | Error | (() => Response);

/** A fetch answering from a script, recording each call's init; and a policy around it. */
function scripted(answers: Answer[], over: Partial<HttpPolicy> = {}) {
  const calls: RequestInit[] = [];
  const slept: number[] = [];
  let clock = Date.UTC(2026, 0, 1);
  const policy: HttpPolicy = {
    fetch: async (_url, init) => {
      calls.push(init ?? {});
      const a = answers.shift();
      if (a === undefined) throw new Error("script ran out");
      if (a instanceof Error) throw a;
      return typeof a === "function" ? a() : a;
    },
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
    now: () => clock,
    authorization: "Token abc",
    deadlineMs: Number.POSITIVE_INFINITY,
    maxBodyBytes: 1000,
    retries: 3,
    rateLimitWaits: 5,
    maxRetryAfterMs: 60_000,
    requestTimeoutMs: 1000,
    ...over,
  };
  return { policy, calls, slept, now: () => clock };
}

const ok = (body = '{"ok":1}') => new Response(body, { status: 200 });
const status = (n: number, headers: Record<string, string> = {}, body = "") =>
  new Response(body, { status: n, headers });
const GET = { method: "GET" as const, url: "https://remote/ts/p/s/updates/?since=x" };

async function failure(p: Promise<unknown>): Promise<SyncError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof SyncError)) throw new Error(`expected a SyncError, got ${String(e)}`);
  return e;
}

describe("requestJson", () => {
  it("sends the policy's headers, never follows redirects, and parses the JSON body", async () => {
    const s = scripted([ok()]);
    expect(await requestJson(s.policy, { method: "POST", url: "https://remote/pack/", body: "[]" })).toEqual({ ok: 1 });
    const init = s.calls[0] as RequestInit;
    const headers = new Headers(init.headers);
    expect(headers.get("Authorization")).toBe("Token abc");
    expect(headers.get("Content-Type")).toBe("application/json");
    expect(headers.get("Accept")).toBe("application/json");
    expect(headers.get("User-Agent")).toMatch(/^hayloft-sync\//);
    expect(init.redirect).toBe("manual");
    expect(init.body).toBe("[]");
    expect(init.signal).toBeInstanceOf(AbortSignal);
  });

  it("waits out 429 for Retry-After seconds or an HTTP date, then goes on", async () => {
    const s = scripted([
      status(429, { "Retry-After": "3" }),
      () => status(429, { "Retry-After": new Date(s.now() + 7000).toUTCString() }),
      ok(),
    ]);
    expect(await requestJson(s.policy, GET)).toEqual({ ok: 1 });
    expect(s.slept).toEqual([3000, 7000]);
  });

  it("backs off on 429 without Retry-After", async () => {
    const s = scripted([status(429), status(429), ok()]);
    await requestJson(s.policy, GET);
    expect(s.slept).toEqual([500, 1000]);
  });

  it("gives up on 429 after the allowed waits, or at once when the wait is too long or past the deadline", async () => {
    const many = scripted(
      [status(429, { "Retry-After": "1" }), status(429, { "Retry-After": "1" }), status(429, { "Retry-After": "2" })],
      {
        rateLimitWaits: 2,
      },
    );
    const e = await failure(requestJson(many.policy, GET));
    expect(e.code).toBe("rate_limited");
    expect(e.details.retryAfterMs).toBe(2000);
    expect(many.slept).toEqual([1000, 1000]);

    const long = scripted([status(429, { "Retry-After": "3600" })]);
    expect((await failure(requestJson(long.policy, GET))).details).toMatchObject({
      status: 429,
      retryAfterMs: 3_600_000,
    });
    expect(long.slept).toEqual([]);

    const late = scripted([status(429, { "Retry-After": "10" })], { deadlineMs: Date.UTC(2026, 0, 1) + 5000 });
    expect((await failure(requestJson(late.policy, GET))).code).toBe("rate_limited");
    expect(late.slept).toEqual([]);
  });

  it("retries network errors, timeouts, 408 and 5xx with backoff", async () => {
    const s = scripted([new TypeError("fetch failed"), status(503), status(408), ok()]);
    expect(await requestJson(s.policy, GET)).toEqual({ ok: 1 });
    expect(s.slept).toEqual([500, 1000, 2000]);
  });

  it("fails with unavailable after the retries", async () => {
    const s = scripted([status(500), status(502), status(500), status(504), ok()]);
    const e = await failure(requestJson(s.policy, GET));
    expect(e.code).toBe("unavailable");
    expect(e.message).toContain("HTTP 504");
    expect(s.calls.length).toBe(4);
    expect(s.slept).toEqual([500, 1000, 2000]);

    const net = scripted([new TypeError("connection refused")], { retries: 0 });
    expect(await failure(requestJson(net.policy, GET))).toMatchObject({
      code: "unavailable",
      message: expect.stringContaining("connection refused"),
    });
  });

  it("does not retry past the deadline", async () => {
    const s = scripted([status(500), status(500)], { deadlineMs: Date.UTC(2026, 0, 1) + 700 });
    expect((await failure(requestJson(s.policy, GET))).code).toBe("unavailable");
    expect(s.calls.length).toBe(2);
  });

  it.each([
    [401, "unauthorized"],
    [403, "forbidden"],
    [404, "not_found"],
    [400, "rejected"],
    [405, "rejected"],
  ])("fails at once on %i (%s), quoting the remote", async (code, name) => {
    const s = scripted([status(code, {}, '{"detail":"Invalid token.\\n"}'), ok()]);
    const e = await failure(requestJson(s.policy, GET));
    expect(e.code).toBe(name);
    expect(e.details.status).toBe(code);
    expect(e.message).toContain(`HTTP ${code}: {"detail":"Invalid token.`);
    expect(e.message).not.toContain("\n");
    expect(s.calls.length).toBe(1);
  });

  it("refuses to follow a redirect", async () => {
    const s = scripted([status(302, { Location: "https://elsewhere/steal" })]);
    const e = await failure(requestJson(s.policy, GET));
    expect(e).toMatchObject({
      code: "rejected",
      message: expect.stringContaining("https://elsewhere/steal not followed"),
    });
  });

  it("refuses bodies over the limit, by Content-Length or while reading", async () => {
    const declared = scripted([new Response("x".repeat(10), { headers: { "Content-Length": "5000" } })]);
    expect((await failure(requestJson(declared.policy, GET))).code).toBe("too_large");
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 1;
        c.enqueue(new Uint8Array(300));
      },
    });
    const streamed = scripted([new Response(endless)]);
    expect((await failure(requestJson(streamed.policy, GET))).code).toBe("too_large");
    expect(pulled).toBeLessThan(10);
  });

  it("reads a body in many pieces", async () => {
    const pieces = ['{"a":', "[1,2", ",3]}"].map((p) => new TextEncoder().encode(p));
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of pieces) c.enqueue(p);
        c.close();
      },
    });
    expect(await requestJson(scripted([new Response(body)]).policy, GET)).toEqual({ a: [1, 2, 3] });
  });

  it("says protocol when the body is not JSON", async () => {
    const s = scripted([new Response("<h1>Server Error</h1>", { headers: { "Content-Type": "text/html" } })]);
    expect(await failure(requestJson(s.policy, GET))).toMatchObject({
      code: "protocol",
      message: expect.stringContaining("text/html"),
    });
  });

  it("uses the request's own fetch when given one", async () => {
    const s = scripted([]);
    let used = false;
    const via: typeof fetch = async () => {
      used = true;
      return ok();
    };
    await requestJson(s.policy, { method: "GET", url: "https://remote/pack/", body: "[]", via });
    expect(used).toBe(true);
  });
});

describe("retryAfterMs", () => {
  it("reads seconds and HTTP dates, and nothing else", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs(" 0 ", now)).toBe(0);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs("-5", now)).toBeNull();
  });
});
