/**
 * The bench Worker (bench/worker/wrangler.toml) started once under wrangler's local runtime and
 * shared by every bench file, with the credentials to call it.
 */
import { unstable_startWorker } from "wrangler";
import { deriveKeys } from "../../src/auth/keys.ts";
import { issueAuthToken } from "../../src/auth/tokens.ts";
import { onFinish } from "../harness.ts";

// No network here: keep wrangler from fetching the Request.cf object.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

/** Bench-only secrets, also in bench/worker/wrangler.toml. */
export const BENCH_SECRET = "bench-only-auth-secret-0123456789abcdef";
export const BENCH_ADMIN_PASSWORD = "bench-admin-password";

type Running = Awaited<ReturnType<typeof unstable_startWorker>>;
let running: Promise<{ worker: Running; base: string }> | undefined;

/** One local Worker for every figure, with an in-memory (unpersisted) store. */
export function startBenchWorker(): Promise<{ worker: Running; base: string }> {
  running ??= (async () => {
    const worker = await unstable_startWorker({
      config: new URL("./wrangler.toml", import.meta.url).pathname,
      dev: { persist: false, inspector: false, watch: false, logLevel: "error", server: { port: 0 } },
    });
    await worker.ready;
    const url = await worker.url;
    onFinish(() => worker.dispose());
    return { worker, base: url.origin };
  })();
  return running;
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

/** The project named by a `/api/{project}/...` URL. */
function projectOf(url: string): string {
  return new URL(url).pathname.split("/")[2] ?? "";
}

/** fetch as the server admin of the URL's project. */
export async function adminFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", await adminAuth(projectOf(url)));
  return fetch(url, { ...init, headers });
}
