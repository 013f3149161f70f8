/**
 * `npm run dev`: local secrets in .dev.vars (made once), a ready admin token for the demo
 * project and a curl line to try, then `wrangler dev` serving the demo, which it warms up at once.
 * Extra arguments go to wrangler (e.g. `npm run dev -- --port 8799`).
 *
 * Settings: PORT (or --port, default 8787), INSPECTOR_PORT (or --inspector-port; else wrangler
 * picks a free one), STORAGE=postgres with DATABASE_URL and PG_WS_PROXY_PORT (the driver's
 * WebSocket stand-in, default 5488), STORAGE=upstash (with UPSTASH_REDIS_REST_URL and
 * UPSTASH_REDIS_REST_TOKEN for a real Upstash database; without them, the Upstash REST stand-in over
 * the local Redis at REDIS_URL (default redis://127.0.0.1:6379) on UPSTASH_STAND_IN_PORT, default
 * 8079; UPSTASH_KEY_PREFIX, default hl, prefixes every key), DEMO_PROJECT (default demo; empty for none),
 * TSTORAGE_DOUBLE_PORT (the TStorage test double, seeded with demo meters and bound to the demo
 * project as TStorage target "demo"; default 2025, 0 for any free port) and TSTORAGE_DOUBLE_MODE
 * (real, as the server behaves; or mock, as the vendor's mock does).
 *
 * SIGINT, SIGTERM and SIGHUP, or losing the npm that started us (see lifeline.ts), stop wrangler
 * with everything it started, then the stand-in; the process ends as the signal would have ended
 * it.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import ws from "ws";
import { useLocalProxy } from "../src/storage/postgres/connect.ts";
import { warmDemo } from "./demo-warmup.ts";
import { devToken, ensureDevSecrets } from "./dev-vars.ts";
import { watchAncestors } from "./lifeline.ts";
import { applyMigrations, ensureDatabase } from "./pg-setup.ts";
import { type PgProxy, startPgProxy } from "./pg-ws-proxy.ts";
import { firstTaken, type PortUse, portInUseMessage } from "./ports.ts";
import { type GroupExit, type ProcessGroup, spawnGroup } from "./process-group.ts";
import { demoRecords } from "./tstorage/demo-seed.ts";
import { type DoubleServer, startDouble } from "./tstorage/double.ts";
import { buildExplorer } from "./ui-build.ts";
import { type StandIn, startUpstashStandIn } from "./upstash-stand-in.ts";
import { removeSecretsFile, writeSecretsFile } from "./wrangler-secrets.ts";

const DEMO = process.env.DEMO_PROJECT ?? "demo";
const TOKEN_PROJECT = DEMO || "demo";
const DEV_TOKEN_TTL_MS = 12 * 3_600_000;
const DEFAULT_DATABASE_URL = "postgres://hayloft:hayloft@127.0.0.1:5432/hayloft_dev";

/** One line on stderr and a non-zero exit, for mistakes the user can fix: no stack. */
function fail(line: string): never {
  console.error(line);
  process.exit(1);
}

/** The value of `--name V` or `--name=V` among wrangler's arguments. */
function flag(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === name) return args[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

function portNumber(text: string, source: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) fail(`${source} must be a port number (1-65535), got ${text}`);
  return n;
}

const args = process.argv.slice(2);
const postgres = process.env.STORAGE === "postgres";
const upstash = process.env.STORAGE === "upstash";
// A real Upstash database when its URL is given; otherwise the local stand-in over Redis.
const standInWanted = upstash && !process.env.UPSTASH_REDIS_REST_URL;
const host = flag(args, "--ip") ?? "localhost";
const portFlag = flag(args, "--port");
const port = portNumber(portFlag ?? process.env.PORT ?? "8787", portFlag ? "--port" : "PORT");
const inspectorFlag = flag(args, "--inspector-port");
const inspectorText = inspectorFlag ?? process.env.INSPECTOR_PORT;
const proxyPort = portNumber(process.env.PG_WS_PROXY_PORT ?? "5488", "PG_WS_PROXY_PORT");
const standInPort = portNumber(process.env.UPSTASH_STAND_IN_PORT ?? "8079", "UPSTASH_STAND_IN_PORT");
const doublePortText = process.env.TSTORAGE_DOUBLE_PORT ?? "2025";
const doublePort = doublePortText === "0" ? 0 : portNumber(doublePortText, "TSTORAGE_DOUBLE_PORT");
const doubleMode = process.env.TSTORAGE_DOUBLE_MODE ?? "real";
if (doubleMode !== "mock" && doubleMode !== "real")
  fail(`TSTORAGE_DOUBLE_MODE must be mock or real, got ${doubleMode}`);

const uses: PortUse[] = [{ port, host, flag: "--port", env: "PORT" }];
if (inspectorText !== undefined) {
  const p = portNumber(inspectorText, inspectorFlag ? "--inspector-port" : "INSPECTOR_PORT");
  uses.push({
    port: p,
    host: flag(args, "--inspector-ip") ?? "127.0.0.1",
    flag: "--inspector-port",
    env: "INSPECTOR_PORT",
  });
}
if (postgres) uses.push({ port: proxyPort, host: "127.0.0.1", env: "PG_WS_PROXY_PORT" });
if (standInWanted) uses.push({ port: standInPort, host: "127.0.0.1", env: "UPSTASH_STAND_IN_PORT" });
if (doublePort !== 0) uses.push({ port: doublePort, host: "127.0.0.1", env: "TSTORAGE_DOUBLE_PORT" });
const busy = await firstTaken(uses);
if (busy) fail(portInUseMessage(busy));

const s = ensureDevSecrets();
const token = await devToken(s, TOKEN_PROJECT, "admin", DEV_TOKEN_TTL_MS);
const urlHost = host === "*" || host === "0.0.0.0" || host === "::" ? "localhost" : host;
const base = `http://${urlHost.includes(":") ? `[${urlHost}]` : urlHost}:${port}`;

if (s.created.length > 0) console.log(`Wrote ${s.created.join(" and ")} to .dev.vars (local only).`);
console.log(`
Local admin: ${s.adminUser} / ${s.adminPassword}   (ADMIN_USER / ADMIN_PASSWORD in .dev.vars)
Token for project "${TOKEN_PROJECT}" (admin, 12 h):
  ${token}
Try:
  curl -H 'Authorization: Bearer ${token}' '${base}/api/${TOKEN_PROJECT}/read?filter=point%20and%20his'
Another project or role: npm run token -- <project> [viewer|operator|admin]
Log in with a password: HAYLOFT_URL=${base} npm run -s login -- ${s.adminUser}
Explorer: ${base}/ui/  (sign in as ${s.adminUser} with the password above)
`);

// ---- stopping: one path for signals, a lost parent, and wrangler ending on its own

let group: ProcessGroup | undefined;
let proxy: PgProxy | undefined;
let standIn: StandIn | undefined;
let tstorage: DoubleServer | undefined;
let secretsFile = false;
let stopSignal: NodeJS.Signals | undefined;
let finishing = false;
const warmup = new AbortController();

async function finish(exit: GroupExit | undefined): Promise<never> {
  warmup.abort();
  await proxy?.close();
  await standIn?.close();
  await tstorage?.close();
  if (secretsFile) removeSecretsFile();
  if (stopSignal) {
    // End as the signal would have ended us, so a shell or supervisor sees what happened.
    process.removeAllListeners(stopSignal);
    process.kill(process.pid, stopSignal);
  }
  process.exit(exit?.code ?? 1);
}

function stop(signal: NodeJS.Signals): void {
  if (stopSignal) {
    // A second Ctrl-C: do not wait for a clean stop.
    if (group) void group.stop("SIGKILL");
    else process.exit(1);
    return;
  }
  stopSignal = signal;
  warmup.abort();
  // Before wrangler starts, the set-up below sees stopSignal and finishes instead.
  if (!group || finishing) return;
  finishing = true;
  // A hang-up means the terminal is gone: wrangler stops on SIGTERM as cleanly as on Ctrl-C.
  void group.stop(signal === "SIGHUP" ? "SIGTERM" : signal).then(finish);
}

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => stop(sig));
watchAncestors(() => stop("SIGHUP"));

// ---- starting

const vars = DEMO ? ["--var", `DEMO_PROJECT:${DEMO}`] : [];
const extra: string[] = [];
if (!portFlag) extra.push("--port", String(port));
if (inspectorText !== undefined && !inspectorFlag) extra.push("--inspector-port", inspectorText);
const env: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
/** Secrets for wrangler dev beyond .dev.vars, handed over in a generated file. */
const secrets: Record<string, string> = {};

if (postgres) {
  // The Neon driver reaches local Postgres through the WebSocket stand-in, run here for wrangler.
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  try {
    proxy = await startPgProxy(proxyPort);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      fail(portInUseMessage({ port: proxyPort, host: "127.0.0.1", env: "PG_WS_PROXY_PORT" }));
    }
    throw err;
  }
  const wsProxy = `127.0.0.1:${proxy.port}`;
  useLocalProxy(wsProxy, ws);
  try {
    await ensureDatabase(databaseUrl);
    await applyMigrations(databaseUrl);
  } catch (err) {
    await proxy.close();
    fail(`Postgres at ${new URL(databaseUrl).host} is not ready: ${(err as Error).message}`);
  }
  console.log(`Postgres: ${new URL(databaseUrl).pathname.slice(1)} migrated, through ${wsProxy}`);
  vars.push("--var", "STORAGE:postgres", "--var", `PG_WS_PROXY:${wsProxy}`);
  secrets.DATABASE_URL = databaseUrl;
}

if (upstash) {
  let url = process.env.UPSTASH_REDIS_REST_URL;
  let token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (standInWanted) {
    // Upstash's REST API over the local Redis, run here for wrangler, with a token of this run.
    const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
    token = `dev-${crypto.randomUUID()}`;
    try {
      standIn = await startUpstashStandIn({ port: standInPort, token, redisUrl });
    } catch (err) {
      fail(`Redis at ${redisUrl} is not ready for the Upstash stand-in: ${(err as Error).message}`);
    }
    url = standIn.url;
    console.log(`Upstash: the REST stand-in at ${url} over ${redisUrl}`);
  } else {
    if (!token) fail("UPSTASH_REDIS_REST_TOKEN is required with UPSTASH_REDIS_REST_URL");
    console.log(`Upstash: ${url}`);
  }
  vars.push("--var", "STORAGE:upstash", "--var", `UPSTASH_REDIS_REST_URL:${url}`);
  const prefix = process.env.UPSTASH_KEY_PREFIX;
  if (prefix) vars.push("--var", `UPSTASH_KEY_PREFIX:${prefix}`);
  secrets.UPSTASH_REDIS_REST_TOKEN = token as string;
}

// The TStorage face's local target: the test double, in this process so it stops with us. Bound to
// the demo project (to every project when there is none), as a deployment binds its servers.
tstorage = await startDouble({ port: doublePort, mode: doubleMode, seed: demoRecords(Date.now()) });
const tstorageAddress = `127.0.0.1:${tstorage.port}`;
const tstorageTarget = DEMO ? { address: tstorageAddress, projects: [DEMO] } : tstorageAddress;
vars.push("--var", `TSTORAGE_TARGETS:${JSON.stringify({ demo: tstorageTarget })}`);
console.log(`TStorage double (${tstorage.mode}, ${tstorage.size()} demo records): ${tstorageAddress}, target "demo"`);

if (DEMO) {
  // A sync source may name this secret to pull the demo's stores into another project (README, Sync).
  secrets.DEMO_SYNC_TOKEN = await devToken(s, DEMO, "viewer", DEV_TOKEN_TTL_MS);
}

if (Object.keys(secrets).length > 0) {
  // Secrets go in a file, never on the command line (visible to anyone with `ps`).
  vars.push(...writeSecretsFile(secrets, flag(args, "--env-file") !== undefined));
  secretsFile = true;
  // Without this, wrangler ignores every env file (its CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV=false).
  env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV = "true";
}

// The explorer's assets, which wrangler serves at /ui/ (a second or two; `npm run build -- --watch`
// in another terminal rebuilds them as src/ui changes, and wrangler picks the new files up).
await buildExplorer();

// Stopped while setting up: wrangler never starts.
if (stopSignal) await finish(undefined);
// wrangler's own launcher, not npx: npm exec adds two processes that pass no signals on.
const wranglerBin = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");
group = spawnGroup(process.execPath, [wranglerBin, "dev", ...vars, ...extra, ...args], { stdio: "inherit", env });
void group.exited.then((exit) => {
  if (finishing) return;
  finishing = true;
  void finish(exit);
});

if (DEMO) {
  void warmDemo({ base, project: DEMO, token, signal: warmup.signal, log: (line) => console.log(line) });
}
