/**
 * Watch behaviour, independent of where entities live: leases, ids and a change cursor per watch,
 * answered through any backend's ChangeFeed. Runs inside the project Durable Object, which
 * serialises calls, so a poll's read-then-advance of the cursor cannot interleave with another.
 */

import { StoreError } from "../storage/errors.ts";
import { randomHex } from "../storage/ids.ts";
import type { ChangeFeed } from "../storage/ports.ts";
import type { PollResult, SubRequest, SubResult } from "../storage/watches.ts";
import type { WatchTable } from "./table.ts";

/** haxall's lease rules: 1 min when not asked, never more than 1 h. */
export const DEFAULT_LEASE_MS = 60_000;
export const MAX_LEASE_MS = 3_600_000;
export const MIN_LEASE_MS = 1_000;

/** Where lease ends are kept so they fire when nobody polls (the object's job table). */
export interface LeaseTimer {
  set(watchId: string, due: number): Promise<void>;
  clear(watchId: string): Promise<void>;
}

export function clampLease(ms: number | undefined): number {
  if (ms === undefined || !Number.isFinite(ms)) return DEFAULT_LEASE_MS;
  return Math.min(MAX_LEASE_MS, Math.max(MIN_LEASE_MS, Math.round(ms)));
}

function newWatchId(): string {
  return `w-${randomHex(12)}`;
}

function unknownWatch(id: string | undefined): StoreError {
  return new StoreError("not_found", `Unknown or expired watch ${id ?? ""}`.trim());
}

export class WatchService {
  constructor(
    private readonly table: WatchTable,
    private readonly leases: LeaseTimer,
    private readonly changes: ChangeFeed,
  ) {}

  async sub(req: SubRequest): Promise<SubResult> {
    let watchId = req.watchId;
    let leaseMs: number;
    let cursor: number;
    if (watchId === undefined) {
      watchId = newWatchId();
      leaseMs = clampLease(req.leaseMs);
      cursor = await this.changes.cursor();
      this.table.create({ id: watchId, dis: req.dis ?? "", leaseMs, expires: req.nowMs + leaseMs, cursor });
    } else {
      const w = this.#live(watchId, req.nowMs);
      leaseMs = req.leaseMs === undefined ? w.leaseMs : clampLease(req.leaseMs);
      cursor = w.cursor;
      this.table.update(watchId, leaseMs, req.nowMs + leaseMs, cursor);
    }
    this.table.addIds(watchId, req.ids);
    await this.leases.set(watchId, req.nowMs + leaseMs);
    return { watchId, leaseMs };
  }

  /** Removes ids from a watch, or closes it. Unknown watches are ignored, as haxall does. */
  async unsub(watchId: string, ids: readonly string[] | "close"): Promise<void> {
    if (!this.table.get(watchId)) return;
    if (ids === "close") {
      this.table.delete(watchId);
      await this.leases.clear(watchId);
    } else {
      this.table.removeIds(watchId, ids);
    }
  }

  async poll(watchId: string, refresh: boolean, nowMs: number): Promise<PollResult> {
    const w = this.#live(watchId, nowMs);
    const ids = this.table.ids(watchId);
    const set = await this.changes.changedSince(w.cursor, ids);
    this.table.update(watchId, w.leaseMs, nowMs + w.leaseMs, set.cursor);
    await this.leases.set(watchId, nowMs + w.leaseMs);
    return { leaseMs: w.leaseMs, ids: refresh ? ids : set.changed };
  }

  /** Ends every watch whose lease has run out (the alarm's job). */
  expire(nowMs: number): readonly string[] {
    return this.table.expire(nowMs);
  }

  #live(watchId: string, nowMs: number) {
    const w = this.table.get(watchId);
    if (!w) throw unknownWatch(watchId);
    if (w.expires <= nowMs) {
      this.table.delete(watchId);
      throw unknownWatch(watchId);
    }
    return w;
  }
}
