/**
 * The watch port: what op handlers ask of watches, wherever subscriptions are kept (today in the
 * project's Durable Object, whatever the storage backend). Ops see only this interface.
 */

export interface SubRequest {
  /** Add to this watch; absent to open a new one. */
  readonly watchId?: string;
  readonly dis?: string;
  readonly leaseMs?: number;
  readonly ids: readonly string[];
  readonly nowMs: number;
}

export interface SubResult {
  readonly watchId: string;
  readonly leaseMs: number;
}

export interface PollResult {
  readonly leaseMs: number;
  /** Ids to report: every watched id on refresh, else those changed since the last poll. */
  readonly ids: readonly string[];
}

export interface WatchClient {
  sub(req: SubRequest): Promise<SubResult>;
  /** Removes ids from a watch, or closes it; an unknown watch is ignored, as haxall does. */
  unsub(watchId: string, ids: readonly string[] | "close"): Promise<void>;
  poll(watchId: string, refresh: boolean, nowMs: number): Promise<PollResult>;
  /** Makes sure level-8 overrides are released at `at` (epoch ms) or soon after. */
  schedulePointExpiry(at: number): Promise<void>;
}
