/**
 * `npm run dev`: local secrets in .dev.vars (made once), a ready admin token for the demo
 * project and a curl line to try, then `wrangler dev` serving the demo. Extra arguments go to
 * wrangler (e.g. `npm run dev -- --port 8799`).
 */
import { spawn } from "node:child_process";
import { devToken, ensureDevSecrets } from "./dev-vars.ts";

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

const child = spawn("npx", ["wrangler", "dev", "--var", `DEMO_PROJECT:${DEMO}`, ...args], {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
