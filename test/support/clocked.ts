/**
 * The Worker on a clock the test moves: leases, level-8 expiries and token lifetimes are tested by
 * advancing time, never by sleeping. The objects a test touches are put on the same clock.
 */
import {
  createExecutionContext,
  createScheduledController,
  env,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { ManualClock, systemClock } from "../../src/clock.ts";
import { type SqlObject, USE_CLOCK } from "../../src/durable/shell.ts";
import type { Env } from "../../src/env.ts";
import { composeWorker, type WorkerHandlers } from "../../src/worker.ts";
import { mintToken } from "./auth.ts";
import { BASE } from "./haystack-http.ts";

/** A day ahead of real time, so no alarm the test arms fires by itself while the test runs. */
export const AHEAD_MS = 86_400_000;

export class ClockedWorker {
  readonly clock: ManualClock;
  readonly worker: WorkerHandlers;
  readonly #onClock = new Set<string>();
  readonly #contexts: ExecutionContext[] = [];

  /** Env overrides every request and cron run sees (e.g. a sync source's token secret). */
  over: Partial<Env> = {};
  /** Outbound requests (sync pulls) that fail before reaching the peer, for interruption tests. */
  outboundFault: ((url: string) => boolean) | undefined;

  constructor(startMs = Date.now() + AHEAD_MS) {
    this.clock = new ManualClock(startMs);
    // A sync pull's peer is this same Worker, reached in this isolate: another instance of our server.
    // Waits between retries pass on this clock, at once.
    this.worker = composeWorker(this.clock, {
      fetch: (input, init) => this.#outbound(new Request(input, init)),
      sleep: async (ms) => this.clock.advance(ms),
    });
  }

  async #outbound(req: Request): Promise<Response> {
    if (this.outboundFault?.(req.url)) throw new TypeError(`network connection lost (test fault) for ${req.url}`);
    const ctx = createExecutionContext();
    this.#contexts.push(ctx);
    return this.worker.fetch(req, { ...env, ...this.over }, ctx);
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** Puts a series store's object on this clock (its sources' due times and updated_at follow it). */
  async adoptStore(project: string, store: string): Promise<void> {
    const name = `${project}/${store}`;
    if (this.#onClock.has(name)) return;
    await runInDurableObject(env.SERIES.getByName(name), (o: SqlObject) => o[USE_CLOCK](this.clock));
    this.#onClock.add(name);
  }

  /** Puts a project's objects (project and auth) on this clock. */
  async adopt(project: string): Promise<void> {
    if (this.#onClock.has(project)) return;
    const use = (o: SqlObject) => o[USE_CLOCK](this.clock);
    await runInDurableObject(env.PROJECT.getByName(project), use);
    await runInDurableObject(env.AUTH.getByName(project), use);
    this.#onClock.add(project);
  }

  /** A request as the project's server admin (token minted on this clock) unless it brings its own. */
  async fetch(url: string, init: RequestInit = {}, over: Partial<Env> = {}): Promise<Response> {
    const [, root, project, store] = new URL(url).pathname.split("/");
    const headers = new Headers(init.headers);
    if (root === "ts" && project && store) await this.adoptStore(project, store);
    if (project) {
      await this.adopt(project);
      if (!headers.has("authorization")) {
        headers.set("authorization", `Bearer ${await mintToken(project, "admin", undefined, this.clock.now())}`);
      }
    }
    const ctx = createExecutionContext();
    this.#contexts.push(ctx);
    return this.worker.fetch(new Request(url, { ...init, headers }), { ...env, ...this.over, ...over }, ctx);
  }

  /** Waits for the work requests left running (`waitUntil`), once their bodies have been read. */
  async settle(): Promise<void> {
    for (const ctx of this.#contexts.splice(0)) await waitOnExecutionContext(ctx);
  }

  /** The cron, as the platform would fire it now on this clock. */
  async cron(): Promise<void> {
    const controller = createScheduledController({ scheduledTime: new Date(this.clock.now()), cron: "*/15 * * * *" });
    const ctx = createExecutionContext();
    await this.worker.scheduled(controller, { ...env, ...this.over }, ctx);
    await waitOnExecutionContext(ctx);
  }

  post(project: string, op: string, body: string): Promise<Response> {
    return this.fetch(`${BASE}/api/${project}/${op}`, {
      method: "POST",
      headers: { "content-type": "text/zinc" },
      body,
    });
  }

  get(project: string, op: string, query = ""): Promise<Response> {
    return this.fetch(`${BASE}/api/${project}/${op}${query ? `?${query}` : ""}`);
  }
}

const onSystemClock = composeWorker(systemClock);

/**
 * A request handled in this isolate rather than through SELF, as the server admin. For tests that
 * break a body off mid-stream on purpose: across the SELF binding workerd reports that as an
 * uncaught exception of its own, which would hide real ones.
 */
export async function localFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const project = new URL(url).pathname.split("/")[2];
  const headers = new Headers(init.headers);
  if (project && !headers.has("authorization")) headers.set("authorization", `Bearer ${await mintToken(project)}`);
  return onSystemClock.fetch(new Request(url, { ...init, headers }), env, createExecutionContext());
}
