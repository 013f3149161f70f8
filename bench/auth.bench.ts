/**
 * What authentication costs a request: the same `about` call through the production Worker with
 * a session token or an API key, against the Haystack router with no auth in front, in the same
 * local Worker (bench/worker). And a full SCRAM login (three round trips) against three plain calls.
 */
import { readZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { scramLogin } from "../test/support/scram-client.ts";
import { bench, measure } from "./harness.ts";
import { expect, expectEqual, okText } from "./verify.ts";
import { adminAuth, adminFetch, BENCH_ADMIN_PASSWORD, startBenchWorker } from "./worker/local.ts";

const PROJECT = `bench-auth-${Date.now()}`;
const RUNS = { minRuns: 200, minMs: 2000 };

/**
 * One `about` call, its answer checked on every run and on both sides: a refusal (401, 429) is
 * cheaper than an answer and must not be timed as one. Decoding the one-row grid costs both sides
 * alike.
 */
async function call(url: string, authorization?: string): Promise<void> {
  const r = await fetch(url, authorization ? { headers: { authorization } } : {});
  const g = readZincGrid(await okText(url, r));
  expectEqual(`${url}: rows`, g.rows.length, 1);
  const row = g.rowDict(0);
  expectEqual(`${url}: productName`, row.get("productName"), "Hayloft");
  expectEqual(`${url}: project`, row.get("project"), PROJECT);
}

async function openAbout(base: string): Promise<number> {
  const url = `${base}/bench/open/api/${PROJECT}/about`;
  await call(url);
  return measure(() => call(url), RUNS);
}

bench("auth-token-about", async () => {
  const { base } = await startBenchWorker();
  const auth = await adminAuth(PROJECT);
  const url = `${base}/api/${PROJECT}/about`;
  await call(url, auth);
  const ours = await measure(() => call(url, auth), RUNS);
  return {
    name: "auth-token-about",
    value: ours,
    unit: "ms p50",
    baseline: "same op, no auth middleware",
    baselineValue: await openAbout(base),
    higherIsBetter: false,
  };
});

bench("auth-key-about", async () => {
  const { base } = await startBenchWorker();
  const made = await adminFetch(`${base}/admin/${PROJECT}/keys`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", role: "viewer" }),
  });
  const { secret } = (await made.json()) as { secret?: string };
  expect(made.ok && typeof secret === "string", `key not made: ${made.status}`);
  const url = `${base}/api/${PROJECT}/about`;
  await call(url, `Bearer ${secret}`);
  const ours = await measure(() => call(url, `Bearer ${secret}`), RUNS);
  return {
    name: "auth-key-about",
    value: ours,
    unit: "ms p50",
    baseline: "same op, no auth middleware",
    baselineValue: await openAbout(base),
    higherIsBetter: false,
  };
});

bench("auth-scram-login", async () => {
  const { base } = await startBenchWorker();
  const url = `${base}/api/${PROJECT}/about`;
  const login = async () => {
    const s = await scramLogin((u, i) => fetch(u, i), url, "admin", BENCH_ADMIN_PASSWORD);
    expect(s.token !== undefined && s.serverVerified === true, `login failed: ${s.final?.status ?? s.first?.status}`);
    return s.token as string;
  };
  // The token a login gives must open the API, or the login timed was not a real one.
  await call(url, `Bearer ${await login()}`);
  const ours = await measure(login, { minRuns: 50, minMs: 2000 });
  const openUrl = `${base}/bench/open/api/${PROJECT}/about`;
  const three = await measure(
    async () => {
      for (let i = 0; i < 3; i++) await call(openUrl);
    },
    { minRuns: 50, minMs: 2000 },
  );
  return {
    name: "auth-scram-login",
    value: ours,
    unit: "ms p50",
    baseline: "three unauthenticated round trips",
    baselineValue: three,
    higherIsBetter: false,
  };
});
