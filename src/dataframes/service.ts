/**
 * One collection's operations over its storage port: PyStore's (collections, items, metadata,
 * snapshots, list by metadata) on ArcticDB's model (every change a version, reads as_of a version,
 * a snapshot or a time, pruning, copy-on-write segments). Runs where the request runs (the
 * Worker), for every backend: the port is the only thing that differs.
 */
import type { Clock } from "../clock.ts";
import { FrameError } from "../frames/model.ts";
import { EVOLVE_STRATEGIES, parseRules } from "../frames/rules.ts";
import { StoreError } from "../storage/errors.ts";
import {
  type CollectionRecord,
  type FramesPort,
  MAX_FRAMES_PAGE,
  type SnapshotHead,
  type SnapshotRecord,
  type Strategy,
  type VersionHead,
  type VersionRecord,
} from "../storage/frames-port.ts";
import type {
  AsOf,
  BatchResult,
  CollectionInfo,
  ItemInfo,
  ItemSummary,
  Meta,
  Op,
  OpResult,
  ReadRequest,
  ReadResult,
} from "./api.ts";
import { checkMetadata, checkName } from "./names.ts";
import { applyOp } from "./ops.ts";
import { readVersion } from "./read.ts";
import { SEGMENT_ROWS } from "./segments.ts";
import { Txn } from "./txn.ts";

/** Staged segments older than this that no version lists are freed by the next sweep. */
export const SWEEP_GRACE_MS = 60 * 60 * 1000;
/** Chosen items one snapshot may name (a snapshot of every item has no such bound). */
export const MAX_SNAPSHOT_ITEMS = 10_000;
/** Item lookups sent together. */
const LOOKUPS_AT_ONCE = 32;
/** Steps in one transaction or batch. */
export const MAX_OPS = 1000;

export interface CreateCollection {
  readonly rules?: unknown;
  readonly metadata?: Meta;
  readonly overwrite?: boolean;
}

export interface Prune {
  /** Keep the newest `keep` versions (at least 1: the latest always stays). */
  readonly keep?: number;
  /** Prune versions made before this time (epoch ms); the latest always stays. */
  readonly beforeMs?: number;
}

function missing(collection: string): FrameError {
  return new FrameError("not_found", `no collection ${JSON.stringify(collection)}`, collection);
}

export class FramesService {
  constructor(
    readonly name: string,
    readonly port: FramesPort,
    readonly clock: Clock,
    /** Rows per written segment; tests use small ones to see segment-level behaviour. */
    readonly segmentRows: number = SEGMENT_ROWS,
  ) {
    checkName("collection", name);
  }

  async #collection(): Promise<CollectionRecord> {
    const c = await this.port.collection();
    if (c === null) throw missing(this.name);
    return c;
  }

  #info(c: CollectionRecord): CollectionInfo {
    return { name: this.name, createdMs: c.createdMs, rules: c.rules, metadata: c.metadata };
  }

  async create(opts: CreateCollection = {}): Promise<CollectionInfo> {
    const rules = opts.rules ?? [];
    parseRules(rules);
    if (opts.metadata) checkMetadata(opts.metadata);
    const record: CollectionRecord = {
      createdMs: this.clock.now(),
      rules: rules as CollectionRecord["rules"],
      metadata: opts.metadata ?? {},
    };
    try {
      await this.port.commit({ createCollection: { record, overwrite: opts.overwrite ?? false } }, record.createdMs);
    } catch (err) {
      if (err instanceof StoreError && err.code === "conflict") {
        throw new FrameError(
          "conflict",
          `collection ${JSON.stringify(this.name)} exists: create with overwrite to replace it`,
          this.name,
        );
      }
      throw err;
    }
    return this.#info(record);
  }

  async info(): Promise<CollectionInfo> {
    return this.#info(await this.#collection());
  }

  /** Replaces the rules and/or metadata; rules apply to writes from now on. */
  async configure(change: { readonly rules?: unknown; readonly metadata?: Meta }): Promise<CollectionInfo> {
    await this.#collection();
    if (change.rules !== undefined) parseRules(change.rules);
    if (change.metadata !== undefined) checkMetadata(change.metadata);
    await this.port.commit(
      {
        ...(change.rules === undefined ? {} : { collectionRules: change.rules as CollectionRecord["rules"] }),
        ...(change.metadata === undefined ? {} : { collectionMetadata: change.metadata }),
      },
      this.clock.now(),
    );
    return this.info();
  }

  async drop(): Promise<void> {
    await this.#collection();
    await this.port.drop();
  }

  async items(q: { where?: Meta; after?: string; limit?: number; deleted?: boolean } = {}): Promise<ItemSummary[]> {
    await this.#collection();
    const limit = q.limit ?? MAX_FRAMES_PAGE;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_FRAMES_PAGE) {
      throw new FrameError("invalid", `limit must be 1 to ${MAX_FRAMES_PAGE}`);
    }
    if (q.where !== undefined) checkMetadata(q.where);
    const rows = await this.port.items({
      limit,
      ...(q.where === undefined ? {} : { where: q.where }),
      ...(q.after === undefined ? {} : { after: q.after }),
      ...(q.deleted ? { deleted: true } : {}),
    });
    return rows.map((r) => ({
      name: r.name,
      version: r.latest,
      updatedMs: r.updatedMs,
      strategy: r.strategy,
      metadata: r.metadata,
    }));
  }

  /** The version an `asOf` names (default: the latest), or not_found. */
  async resolve(item: string, asOf?: AsOf): Promise<VersionRecord> {
    checkName("item", item);
    await this.#collection();
    const gone = (what: string) => new FrameError("not_found", `item ${JSON.stringify(item)} has no ${what}`, item);
    if (asOf === undefined) {
      const r = await this.port.item(item);
      if (r === null || r.latest === null) throw new FrameError("not_found", `no item ${JSON.stringify(item)}`, item);
      const v = await this.port.version(item, r.latest);
      if (v === null) throw new StoreError("conflict", `item ${JSON.stringify(item)} changed during the read: retry`);
      return v;
    }
    if ("version" in asOf) {
      const v = await this.port.version(item, asOf.version);
      if (v === null) throw gone(`version ${asOf.version}`);
      return v;
    }
    if ("snapshot" in asOf) {
      const s = await this.port.snapshot(asOf.snapshot);
      if (s === null) throw new FrameError("not_found", `no snapshot ${JSON.stringify(asOf.snapshot)}`, asOf.snapshot);
      const n = s.versions[item];
      if (n === undefined) throw gone(`version in snapshot ${JSON.stringify(asOf.snapshot)}`);
      const v = await this.port.version(item, n);
      if (v === null) throw gone(`version ${n}`);
      return v;
    }
    const v = await this.port.versionAt(item, asOf.atMs);
    if (v === null) throw gone(`version made by ${new Date(asOf.atMs).toISOString()}`);
    return v;
  }

  async item(item: string, asOf?: AsOf): Promise<ItemInfo> {
    const v = await this.resolve(item, asOf);
    const r = await this.port.item(item);
    const first = v.segments[0];
    const last = v.segments[v.segments.length - 1];
    return {
      name: item,
      version: v.version,
      op: v.op,
      createdMs: v.createdMs,
      rows: v.rows,
      schema: v.schema,
      ...(v.zone === undefined ? {} : { zone: v.zone }),
      metadata: v.metadata,
      strategy: r?.strategy ?? "strict",
      segments: v.segments.length,
      bytes: v.segments.reduce((n, s) => n + s.columns.reduce((m, c) => m + c.bytes, 0), 0),
      ...(first && last ? { min: first.min, max: last.max } : {}),
    };
  }

  async read(item: string, req: ReadRequest = {}): Promise<ReadResult> {
    const v = await this.resolve(item, req.asOf);
    return readVersion(this.port, item, v, req);
  }

  /** Runs steps as one transaction: all commit together or none does. */
  async transact(ops: readonly Op[]): Promise<OpResult[]> {
    if (ops.length > MAX_OPS) throw new FrameError("too_large", `at most ${MAX_OPS} steps per request`);
    const tx = new Txn(this.port, await this.#collection(), this.clock.now(), this.segmentRows);
    const results: OpResult[] = [];
    try {
      for (const op of ops) {
        checkName("item", op.item);
        results.push(await applyOp(tx, op));
      }
      const changed = results.some((r) => r.version === null || "segmentsWritten" in r);
      if (changed) await tx.commit();
    } catch (err) {
      await tx.discard();
      throw err;
    }
    // Deletions are rare and already free segments: a good moment to free what crashed writers staged.
    if (ops.some((o) => o.op === "delete")) await this.#sweepQuietly();
    return results;
  }

  /** One step (write, append, update, ...) committed on its own. */
  async apply(op: Op): Promise<OpResult> {
    return (await this.transact([op]))[0] as OpResult;
  }

  /**
   * A streamed step: `steps` yields ops (an append per batch of a streamed body) applied in order
   * to one transaction, committed only after the last, so the body is never held whole and a
   * failure anywhere changes nothing.
   */
  async stream(steps: AsyncIterable<Op>): Promise<OpResult | null> {
    const tx = new Txn(this.port, await this.#collection(), this.clock.now(), this.segmentRows);
    let last: OpResult | null = null;
    let n = 0;
    try {
      for await (const op of steps) {
        if (++n > 1_000_000) throw new FrameError("too_large", "too many batches in one stream");
        checkName("item", op.item);
        last = await applyOp(tx, op);
      }
      if (last !== null) await tx.commit();
    } catch (err) {
      await tx.discard();
      throw err;
    }
    return last;
  }

  /** Steps each committed on its own; a failure is reported for its item and the rest go on. */
  async batch(ops: readonly Op[]): Promise<BatchResult[]> {
    if (ops.length > MAX_OPS) throw new FrameError("too_large", `at most ${MAX_OPS} steps per request`);
    const out: BatchResult[] = [];
    for (const op of ops) {
      try {
        out.push({ item: op.item, ok: await this.apply(op) });
      } catch (err) {
        if (err instanceof FrameError || err instanceof StoreError) {
          out.push({ item: op.item, error: { code: err.code, message: err.message } });
        } else throw err;
      }
    }
    return out;
  }

  async setStrategy(item: string, strategy: Strategy): Promise<void> {
    if (!EVOLVE_STRATEGIES.includes(strategy)) {
      throw new FrameError("invalid", `strategy must be one of ${EVOLVE_STRATEGIES.join(", ")}`);
    }
    const r = await this.resolveItem(item);
    await this.port.commit(
      { expect: [{ item, latest: r.latest }], strategies: [{ item, strategy }] },
      this.clock.now(),
    );
  }

  async resolveItem(item: string) {
    checkName("item", item);
    await this.#collection();
    const r = await this.port.item(item);
    if (r === null || r.latest === null) throw new FrameError("not_found", `no item ${JSON.stringify(item)}`, item);
    return r;
  }

  async versions(item: string): Promise<VersionHead[]> {
    checkName("item", item);
    await this.#collection();
    const r = await this.port.item(item);
    if (r === null) throw new FrameError("not_found", `no item ${JSON.stringify(item)}`, item);
    return this.port.versions(item);
  }

  /** Prunes old versions (those a snapshot names stay readable through it). */
  async prune(item: string, p: Prune): Promise<{ pruned: number[]; freedSegments: number }> {
    if (p.keep === undefined && p.beforeMs === undefined) throw new FrameError("invalid", "give keep or before");
    if (p.keep !== undefined && (!Number.isSafeInteger(p.keep) || p.keep < 1)) {
      throw new FrameError("invalid", "keep must be an integer of at least 1");
    }
    const r = await this.resolveItem(item);
    const all = await this.port.versions(item);
    const pruned = all
      .filter(
        (v, i) =>
          v.version !== r.latest &&
          ((p.keep !== undefined && i >= p.keep) || (p.beforeMs !== undefined && v.createdMs < p.beforeMs)),
      )
      .map((v) => v.version);
    if (pruned.length === 0) return { pruned, freedSegments: 0 };
    const res = await this.port.commit(
      { expect: [{ item, latest: r.latest }], dropVersions: [{ item, versions: pruned }] },
      this.clock.now(),
    );
    await this.#sweepQuietly();
    return { pruned, freedSegments: res.freedSegments };
  }

  async snapshots(): Promise<SnapshotHead[]> {
    await this.#collection();
    return this.port.snapshots();
  }

  async snapshot(name: string): Promise<SnapshotRecord> {
    checkName("snapshot", name);
    await this.#collection();
    const s = await this.port.snapshot(name);
    if (s === null) throw new FrameError("not_found", `no snapshot ${JSON.stringify(name)}`, name);
    return s;
  }

  /**
   * Names the latest version of every live item (or of `items`): no data is copied, so it costs a
   * row per item.
   */
  async createSnapshot(
    name: string,
    opts: { items?: readonly string[]; metadata?: Meta } = {},
  ): Promise<SnapshotRecord> {
    checkName("snapshot", name);
    if (opts.metadata) checkMetadata(opts.metadata);
    await this.#collection();
    const versions: Record<string, number> = {};
    if (opts.items !== undefined) {
      if (opts.items.length > MAX_SNAPSHOT_ITEMS) {
        throw new FrameError("too_large", `a snapshot names at most ${MAX_SNAPSHOT_ITEMS} chosen items`);
      }
      for (const item of opts.items) checkName("item", item);
      // The collection was checked above: only the items are read, a batch of lookups at a time.
      for (let at = 0; at < opts.items.length; at += LOOKUPS_AT_ONCE) {
        const names = opts.items.slice(at, at + LOOKUPS_AT_ONCE);
        const found = await Promise.all(names.map((name) => this.port.item(name)));
        found.forEach((r, k) => {
          const item = names[k] as string;
          if (r === null || r.latest === null)
            throw new FrameError("not_found", `no item ${JSON.stringify(item)}`, item);
          versions[item] = r.latest;
        });
      }
    } else {
      let after: string | undefined;
      for (;;) {
        const page = await this.port.items({ limit: MAX_FRAMES_PAGE, ...(after === undefined ? {} : { after }) });
        for (const r of page) if (r.latest !== null) versions[r.name] = r.latest;
        if (page.length < MAX_FRAMES_PAGE) break;
        after = page[page.length - 1]?.name;
      }
    }
    const now = this.clock.now();
    const record: SnapshotRecord = {
      name,
      createdMs: now,
      metadata: opts.metadata ?? {},
      items: Object.keys(versions).length,
      versions,
    };
    const expect = Object.entries(versions).map(([item, latest]) => ({ item, latest }));
    try {
      await this.port.commit({ expect, createSnapshot: record }, now);
    } catch (err) {
      if (err instanceof StoreError && err.code === "conflict" && (await this.port.snapshot(name)) !== null) {
        throw new FrameError("conflict", `snapshot ${JSON.stringify(name)} exists`, name);
      }
      throw err;
    }
    return record;
  }

  async dropSnapshot(name: string): Promise<void> {
    checkName("snapshot", name);
    await this.#collection();
    try {
      await this.port.commit({ dropSnapshot: name }, this.clock.now());
    } catch (err) {
      if (err instanceof StoreError && err.code === "not_found") {
        throw new FrameError("not_found", `no snapshot ${JSON.stringify(name)}`, name);
      }
      throw err;
    }
  }

  /** Frees staged segments no commit listed; failures here must not hide the caller's error. */
  async #sweepQuietly(): Promise<void> {
    try {
      await this.port.sweep(this.clock.now(), SWEEP_GRACE_MS);
    } catch {
      // The next sweep frees them.
    }
  }
}
