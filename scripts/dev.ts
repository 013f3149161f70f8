/**
 * `npm run dev`: local secrets in .dev.vars (made once), a ready admin token for the demo
 * project and a curl line to try, then `wrangler dev` serving the demo. Extra arguments go to
 * wrangler (e.g. `npm run dev -- --port 8799`).
 */
import { spawn } from "node:child_process";
import ws from "ws";
import { useLocalProxy } from "../src/storage/postgres/connect.ts";
import { devToken, ensureDevSecrets } from "./dev-vars.ts";
import { applyMigrations, ensureDatabase } from "./pg-setup.ts";
import { startPgProxy } from "./pg-ws-proxy.ts";

const DEMO = "demo";
const DEV_TOKEN_TTL_MS = 12 * 3_600_000;

const args = process.argv.slice(2);
const portAt = args.indexOf("--port");
const port = portAt >= 0 ? args[portAt + 1] : "8787";
const s = ensureDevSecrets();
const token = await devToken(s, DEMO, "admin", DEV_TOKEN_TTL_MS);

if (s.created.length > 0) console.log(`Wrote ${s.created.join(" and ")} to .dev.vars (local only).`);
console.log(`
Local admin: ${s.adminUser} / ${s.adminPassword}   (ADMIN_USER / ADMIN_PASSWORD in .dev.vars)
Token for project "${DEMO}" (admin, 12 h):
  ${token}
Try:
  curl -H 'Authorization: Bearer ${token}' 'http://localhost:${port}/api/${DEMO}/read?filter=point%20and%20his'
Another project or role: npm run token -- <project> [viewer|operator|admin]
`);

const vars = ["--var", `DEMO_PROJECT:${DEMO}`];
if (process.env.STORAGE === "postgres") {
  // The Neon driver reaches local Postgres through the WebSocket stand-in, run here for wrangler.
  const databaseUrl = process.env.DATABASE_URL ?? "postgres://hayloft:hayloft@127.0.0.1:5432/hayloft_dev";
  const proxy = await startPgProxy(Number(process.env.PG_WS_PROXY_PORT ?? 5488));
  const wsProxy = `127.0.0.1:${proxy.port}`;
  useLocalProxy(wsProxy, ws);
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);
  console.log(`Postgres: ${new URL(databaseUrl).pathname.slice(1)} migrated, through ${wsProxy}`);
  vars.push("--var", "STORAGE:postgres", "--var", `DATABASE_URL:${databaseUrl}`, "--var", `PG_WS_PROXY:${wsProxy}`);
}

const child = spawn("npx", ["wrangler", "dev", ...vars, ...args], {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
