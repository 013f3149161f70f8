/**
 * The Worker on a clock the test moves: leases, level-8 expiries and token lifetimes are tested by
 * advancing time, never by sleeping. The objects a test touches are put on the same clock.
 */
import { createExecutionContext, env, runInDurableObject } from "cloudflare:test";
import { ManualClock } from "../../src/clock.ts";
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

  constructor(startMs = Date.now() + AHEAD_MS) {
    this.clock = new ManualClock(startMs);
    this.worker = composeWorker(this.clock);
  }

  advance(ms: number): void {
    this.clock.advance(ms);
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
    const project = new URL(url).pathname.split("/")[2];
    const headers = new Headers(init.headers);
    if (project) {
      await this.adopt(project);
      if (!headers.has("authorization")) {
        headers.set("authorization", `Bearer ${await mintToken(project, "admin", undefined, this.clock.now())}`);
      }
    }
    return this.worker.fetch(new Request(url, { ...init, headers }), { ...env, ...over }, createExecutionContext());
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
