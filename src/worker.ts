/**
 * The composition root's wiring: the Worker's handlers and the Durable Object classes, built
 * from a clock and the backend chosen in src/backends.ts. src/index.ts exports the production
 * set; tests build their own with a clock they move.
 */
import { connect } from "cloudflare:sockets";
import type { AppDeps } from "./api/context.ts";
import { verifyLiveToken } from "./api/haystack/live.ts";
import { createApp } from "./app.ts";
import { backendFor } from "./backends.ts";
import type { Clock } from "./clock.ts";
import { loadConfig } from "./config.ts";
import { nothingDue, runCron, runProjectJobs } from "./durable/cron.ts";
import type { ProjectObjectDeps } from "./durable/project.ts";
import { seriesPullRunner } from "./durable/series-pulls.ts";
import type { Env } from "./env.ts";
import { http1Fetch } from "./sync/http1.ts";
import { sessionFactory } from "./tstorage/client.ts";
import type { SessionFactory } from "./tstorage/transport.ts";
import { workersConnect } from "./tstorage/transport-workers.ts";

/** How the Worker reaches other servers (sync pulls), and waits; tests bring their own. */
export interface Outbound {
  readonly fetch: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** TStorage sessions (default: the real client over Workers sockets, even when fetch is replaced). */
  readonly tstorage?: SessionFactory;
}

export function appDeps(clock: Clock, outbound?: Outbound): AppDeps {
  const tstorage = outbound?.tstorage ?? sessionFactory(workersConnect);
  if (outbound) return { clock, backend: backendFor, ...outbound, tstorage };
  return {
    clock,
    backend: backendFor,
    tstorage,
    fetch: (input, init) => fetch(input, init),
    packFetch: http1Fetch((address, options) => connect(address, options)),
  };
}

export function projectObjectDeps(clock: Clock): ProjectObjectDeps {
  return {
    clock,
    stores: (env, project, local) => backendFor(env).haystack.inObject(project, local),
    liveVerify: (env, project, token, nowMs) => verifyLiveToken(env, loadConfig(env), project, token, nowMs),
  };
}

export interface WorkerHandlers {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response>;
  scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void>;
}

/** The Worker's handlers. */
export function composeWorker(clock: Clock, outbound?: Outbound): WorkerHandlers {
  const deps = appDeps(clock, outbound);
  const app = createApp(deps);
  const runners = { project: runProjectJobs, series: seriesPullRunner(deps), frames: nothingDue };
  return {
    fetch: (request, env, ctx) => app.fetch(request, env, ctx),
    async scheduled(controller, env) {
      const config = loadConfig(env);
      const run = await runCron(env, clock.now(), runners);
      const at = new Date(controller.scheduledTime).toISOString();
      console.log(
        `cron ${controller.cron} at ${at} (storage ${config.storage.kind}): ${run.visited} due, ` +
          `${run.ran} jobs ran, ${run.failed} failed, ${run.unreachable} unreachable`,
      );
    },
  };
}
