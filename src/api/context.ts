/** What every router and middleware of the app is typed with, and what the app is built from. */
import type { Principal } from "../auth/principal.ts";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Env } from "../env.ts";
import type { Backend } from "../storage/backend.ts";
import type { SessionFactory } from "../tstorage/transport.ts";

export interface AppEnv {
  Bindings: Env;
  /** `principal` is set by the auth middleware on every guarded route before its handler runs. */
  Variables: { config: Config; principal: Principal };
}

/** Handed down by the composition root (src/worker.ts): nothing below it chooses these. */
export interface AppDeps {
  readonly clock: Clock;
  /** The backend of the storage kind the env's config names. */
  readonly backend: (env: Env) => Backend;
  /** Outbound HTTP for sync pulls (only ever to a store's registered source URLs). */
  readonly fetch: typeof fetch;
  /** A fetch that can send a GET with a body (HoLcStore's `pack/` takes nothing else). */
  readonly packFetch?: typeof fetch;
  /** Opens TStorage sessions for the bridge (only ever to configured targets). */
  readonly tstorage: SessionFactory;
  /** Waits between a pull's retries (default: a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
}
