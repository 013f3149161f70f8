/**
 * The bench Worker (bench/worker/wrangler.toml) started once under wrangler's local runtime and
 * shared by every bench file, with the credentials to call it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { unstable_startWorker } from "wrangler";
import ws from "ws";
import { applyMigrations, dropDatabase, ensureDatabase } from "../../scripts/pg-setup.ts";
import { buildExplorer } from "../../scripts/ui-build.ts";
import { deriveKeys } from "../../src/auth/keys.ts";
import { issueAuthToken } from "../../src/auth/tokens.ts";
import { useLocalProxy } from "../../src/storage/postgres/connect.ts";
import { onFinish } from "../harness.ts";

// No network here: keep wrangler from fetching the Request.cf object.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

/** Bench-only secrets, also in bench/worker/wrangler.toml. */
export const BENCH_SECRET = "bench-only-auth-secret-0123456789abcdef";
export const BENCH_ADMIN_PASSWORD = "bench-admin-password";

/**
 * The project a series sync pull reads from (bench/series.bench.ts), and the bench Worker's
 * secret holding a viewer token for it: a registered source names the secret, never the token.
 * The secret is minted at start (tokens expire), so it lives here and not in wrangler.toml.
 */
export const SYNC_SOURCE_PROJECT = "bench-ts-src";
export const SYNC_TOKEN_SECRET = "BENCH_SYNC_TOKEN";

const PROXY_SCRIPT = fileURLToPath(new URL("../../scripts/pg-ws-proxy.ts", import.meta.url));
const STAND_IN_SCRIPT = fileURLToPath(new URL("../../scripts/upstash-stand-in.ts", import.meta.url));

type Running = Awaited<ReturnType<typeof unstable_startWorker>>;
const running = new Map<string, Promise<{ worker: Running; base: string }>>();

/**
 * The TStorage double the bridge benchmarks start (bench/tstorage-bridge.bench.ts), named to the
 * bench Worker as target `bench` of every project, with its control port.
 */
export const TSTORAGE_BENCH = { port: 5497, controlPort: 5496 };

/** The bench database and stand-in (bench/worker/wrangler.pg.toml names both). */
export const BENCH_PG = { databaseUrl: "postgres://hayloft:hayloft@127.0.0.1:5432/hayloft_bench", proxyPort: 5499 };

/** The Upstash REST stand-in of the bench Worker (bench/worker/wrangler.upstash.toml names it). */
export const BENCH_UPSTASH = {
  port: 5494,
  token: "bench-only-upstash-token",
  keyPrefix: "hlbench",
  redisUrl: "redis://127.0.0.1:6379",
};

/**
 * A stand-in in a process of its own, as Neon's proxy and Upstash are services of their own: in
 * this process it would share one thread with the client reading the Worker's replies, and slow both.
 */
async function spawnScript(script: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${script} exited ${code}`)));
    child.stdout?.once("data", () => resolve());
  });
  child.removeAllListeners("exit");
  return child;
}

function spawnPgProxy(port: number): Promise<ChildProcess> {
  return spawnScript(PROXY_SCRIPT, [String(port)]);
}

/** The bench Upstash stand-in running, and the bench prefix's keys of earlier runs gone. */
let upstashReady: Promise<void> | undefined;
export function benchUpstash(clear: (pattern: string) => Promise<void>): Promise<void> {
  upstashReady ??= (async () => {
    await clear(`${BENCH_UPSTASH.keyPrefix}:*`);
    const standIn = await spawnScript(STAND_IN_SCRIPT, [
      String(BENCH_UPSTASH.port),
      BENCH_UPSTASH.token,
      BENCH_UPSTASH.redisUrl,
    ]);
    onFinish(() => standIn.kill());
  })();
  return upstashReady;
}

/** A fresh, migrated bench database behind a running stand-in, once per run. */
let pgReady: Promise<void> | undefined;
export function benchPostgres(): Promise<void> {
  pgReady ??= (async () => {
    const proxy = await spawnPgProxy(BENCH_PG.proxyPort);
    onFinish(() => proxy.kill());
    useLocalProxy(`127.0.0.1:${BENCH_PG.proxyPort}`, ws);
    await dropDatabase(BENCH_PG.databaseUrl);
    await ensureDatabase(BENCH_PG.databaseUrl);
    await applyMigrations(BENCH_PG.databaseUrl);
  })();
  return pgReady;
}

type BenchStorage = "do" | "postgres" | "upstash";
const CONFIGS: Readonly<Record<BenchStorage, string>> = {
  do: "./wrangler.toml",
  postgres: "./wrangler.pg.toml",
  upstash: "./wrangler.upstash.toml",
};

/**
 * One local Worker per backend for every figure; the embedded default is in memory (unpersisted).
 * Upstash's stand-in must be started first (benchUpstash).
 */
export function startBenchWorker(storage: BenchStorage = "do"): Promise<{ worker: Running; base: string }> {
  let r = running.get(storage);
  if (!r) {
    r = launch(storage);
    running.set(storage, r);
  }
  return r;
}

let explorerBuilt: Promise<void> | undefined;

async function launch(storage: BenchStorage): Promise<{ worker: Running; base: string }> {
  // Every bench Worker serves the explorer's assets, so they must exist before it starts.
  explorerBuilt ??= buildExplorer();
  await explorerBuilt;
  if (storage === "postgres") await benchPostgres();
  if (storage === "upstash" && !upstashReady) throw new Error("start the Upstash stand-in first (benchUpstash)");
  const worker = await unstable_startWorker({
    config: new URL(CONFIGS[storage], import.meta.url).pathname,
    bindings: {
      [SYNC_TOKEN_SECRET]: { type: "secret_text", value: await syncSourceToken() },
      TSTORAGE_TARGETS: { type: "plain_text", value: JSON.stringify({ bench: `127.0.0.1:${TSTORAGE_BENCH.port}` }) },
      // A million NDJSON records are about 110 MB.
      TSTORAGE_MAX_PUT_BYTES: { type: "plain_text", value: String(256 * 1024 * 1024) },
    },
    dev: { persist: false, inspector: false, watch: false, logLevel: "error", server: { port: 0 } },
  });
  await worker.ready;
  const url = await worker.url;
  onFinish(() => worker.dispose());
  return { worker, base: url.origin };
}

/** A viewer token for SYNC_SOURCE_PROJECT, long enough for any bench run. */
async function syncSourceToken(): Promise<string> {
  const keys = await deriveKeys(BENCH_SECRET);
  const { token } = await issueAuthToken(keys, {
    user: "admin",
    project: SYNC_SOURCE_PROJECT,
    role: "viewer",
    nowMs: Date.now(),
    ttlMs: 86_400_000,
  });
  return token;
}

const tokens = new Map<string, Promise<string>>();

/** `Authorization` for the server admin of `project`, as a SCRAM login would have issued it. */
export function adminAuth(project: string): Promise<string> {
  let t = tokens.get(project);
  if (!t) {
    t = deriveKeys(BENCH_SECRET).then(async (keys) => {
      const { token } = await issueAuthToken(keys, {
        user: "admin",
        project,
        role: "admin",
        nowMs: Date.now(),
        ttlMs: 3_600_000,
      });
      return `Bearer ${token}`;
    });
    tokens.set(project, t);
  }
  return t;
}

/** The project named by a `/api/{project}/...` or `/ts/{project}/...` URL. */
function projectOf(url: string): string {
  return new URL(url).pathname.split("/")[2] ?? "";
}

/** fetch as the server admin of the URL's project. */
export async function adminFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", await adminAuth(projectOf(url)));
  return fetch(url, { ...init, headers });
}
