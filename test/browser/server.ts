/**
 * The browser suite's server: the real `npm run dev` (wrangler dev on the embedded default, with
 * the demo building, its history, series stores, frames and TStorage double) in a throwaway copy
 * of the project, started once per run by this project's global setup and stopped at its end.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { cleanEnv, freePort, Job, killJobs, projectCopy } from "../scripts/harness.ts";

export interface BrowserTarget {
  /** `http://127.0.0.1:PORT` of the dev server. */
  readonly base: string;
  readonly project: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  /** A 12-hour admin token for the demo project, as `npm run dev` printed it. */
  readonly adminToken: string;
  /** Where tests save their screenshots (kept after the run). */
  readonly shots: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    browser: BrowserTarget;
  }
}

const START_MS = 150_000;
export const SHOTS_DIR = join(process.cwd(), "test-results", "browser");

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const copy = projectCopy();
  const port = await freePort(18_800, 18_899);
  const inspector = await freePort(19_300, 19_399, [port]);
  const job = new Job(
    ["run", "dev", "--", "--port", String(port), "--inspector-port", String(inspector), "--ip", "127.0.0.1"],
    copy.dir,
    cleanEnv({ TSTORAGE_DOUBLE_PORT: "0", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" }),
  );
  const stop = async () => {
    try {
      process.kill(-job.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    const ended = await Promise.race([job.done.then(() => true), new Promise((r) => setTimeout(r, 8_000, false))]);
    if (!ended) killJobs();
    copy.remove();
  };
  try {
    await job.waitFor(/Demo ready in/, START_MS);
    const token = (await job.waitFor(/Token for project "demo" \(admin, 12 h\):\s+(\S+)/, 1_000))[1] as string;
    const vars = readFileSync(join(copy.dir, ".dev.vars"), "utf8");
    const password = /^ADMIN_PASSWORD="?([^"\n]*)"?$/m.exec(vars)?.[1];
    if (!password) throw new Error("no ADMIN_PASSWORD in .dev.vars");
    project.provide("browser", {
      base: `http://127.0.0.1:${port}`,
      project: "demo",
      adminUser: /^ADMIN_USER="?([^"\n]*)"?$/m.exec(vars)?.[1] || "admin",
      adminPassword: password,
      adminToken: token,
      shots: SHOTS_DIR,
    });
  } catch (e) {
    await stop();
    throw new Error(`the dev server did not start: ${(e as Error).message}\n${job.output.slice(-4000)}`);
  }
  return stop;
}
