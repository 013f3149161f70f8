/**
 * The op contract: an op reads a request grid and answers a grid, possibly streamed. Ops see
 * storage only through the ports, so they run unchanged on every backend. No Hono here.
 */
import type { Config } from "../../../config.ts";
import type { RowSource } from "../../../haystack/codec/stream.ts";
import type { HCol, HDict, HGrid } from "../../../haystack/kinds/index.ts";
import type { WatchClient } from "../../../storage/do/client.ts";
import type { ProjectStore } from "../../../storage/ports.ts";

export interface OpContext {
  readonly project: string;
  readonly store: ProjectStore;
  readonly watches: WatchClient;
  readonly config: Config;
  readonly nowMs: number;
  /** Host name the request came to (about's serverName). */
  readonly host: string;
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
  run(req: HGrid, cx: OpContext): Promise<HGrid | GridOut>;
}
