/**
 * The op contract: an op reads a request grid and answers a grid, possibly streamed. Ops see
 * storage only through the ports, so they run unchanged on every backend. No Hono here.
 */
import type { Principal } from "../../../auth/principal.ts";
import type { Role } from "../../../auth/roles.ts";
import type { Config } from "../../../config.ts";
import type { RowSource } from "../../../haystack/codec/stream.ts";
import type { HCol, HDict, HGrid } from "../../../haystack/kinds/index.ts";
import type { ProjectStore } from "../../../storage/ports.ts";
import type { WatchClient } from "../../../storage/watches.ts";

export interface OpContext {
  readonly project: string;
  readonly store: ProjectStore;
  readonly watches: WatchClient;
  readonly config: Config;
  readonly nowMs: number;
  /** Host name the request came to (about's serverName). */
  readonly host: string;
  /** Who the request acts as (checked by the auth middleware before any op runs). */
  readonly principal: Principal;
  /** Revokes the request's session token, if it came with one (`close`). */
  endSession(): Promise<void>;
}

/** A grid whose rows may arrive later: the router encodes them as they come. */
export interface GridOut {
  readonly meta: HDict;
  readonly cols: readonly HCol[];
  readonly rows: RowSource;
}

export interface Op {
  readonly name: string;
  readonly summary: string;
  /** Safe to call with GET (HttpApi.fandoc: only ops without side effects). */
  readonly noSideEffects: boolean;
  /** The least role that may call it; the auth middleware refuses anyone below with 403. */
  readonly minRole: Role;
  /** It may change records (curVal, writeVal, tags): live sockets are told after it succeeds. */
  readonly changesRecords?: boolean;
  run(req: HGrid, cx: OpContext): Promise<HGrid | GridOut>;
}
