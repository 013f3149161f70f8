/**
 * One all-or-nothing change to a collection: the items it touches as drafts (what each will hold
 * once committed), the segments it has staged, and the one commit that makes it all visible. A
 * single write is a transaction of one step; a transaction request, a streamed append (a step per
 * batch) and a batch item are the same machinery.
 *
 * Staged segments go to the port as soon as a step makes them, so a long streamed append holds
 * only the segments it is working on; blobs it must read back come from a small cache or the port.
 */

import { type Frame, FrameError, type Schema } from "../frames/model.ts";
import { concatFrames } from "../frames/rows.ts";
import { conform } from "../frames/rules.ts";
import { StoreError } from "../storage/errors.ts";
import type {
  BlobRef,
  CollectionRecord,
  CommitPlan,
  CommitResult,
  FramesPort,
  ItemRecord,
  SegmentPut,
  SegmentRecord,
  Strategy,
  VersionOp,
  VersionWrite,
} from "../storage/frames-port.ts";
import type { Meta } from "./api.ts";
import { ordinalsOf, SEGMENT_ROWS, segmentFrame } from "./segments.ts";

/** What an item holds at a point of a transaction. */
export interface Content {
  readonly schema: Schema;
  readonly zone?: string;
  readonly metadata: Meta;
  readonly segments: readonly SegmentRecord[];
  readonly rows: number;
}

export interface Draft {
  readonly name: string;
  /** The item as the transaction found it (null: never written). */
  readonly found: ItemRecord | null;
  /** Current content (null: absent or deleted). */
  content: Content | null;
  strategy: Strategy;
  strategyChanged: boolean;
  deleted: boolean;
  next: number;
  /** Latest version number in this transaction (found or made). */
  version: number | null;
}

/** Bytes of staged blobs kept in memory for re-reading; past it they are read from the port. */
const CACHE_BYTES = 32 * 1024 * 1024;
/** Bytes per putSegments / blobs call, under the RPC message limit. */
const CALL_BYTES = 8 * 1024 * 1024;

export class Txn {
  readonly #port: FramesPort;
  readonly collection: CollectionRecord;
  readonly #drafts = new Map<string, Draft>();
  readonly #versions: VersionWrite[] = [];
  readonly #deletes: string[] = [];
  readonly #cache = new Map<string, readonly Uint8Array[]>();
  #cached = 0;
  readonly #stagedIds: { item: string; id: string }[] = [];
  #pending: SegmentPut[] = [];
  #pendingBytes = 0;
  /** Blobs fetched (reads of stored data), for tests and read stats. */
  blobsRead = 0;

  constructor(
    port: FramesPort,
    collection: CollectionRecord,
    readonly nowMs: number,
    /** Rows per segment written (segments.ts SEGMENT_ROWS unless a test wants small ones). */
    readonly segmentRows: number = SEGMENT_ROWS,
  ) {
    this.#port = port;
    this.collection = collection;
  }

  /** Segments this transaction staged. */
  get staged(): number {
    return this.#stagedIds.length;
  }

  /** Frees what this transaction staged (after a failure: nothing lists it). Never throws. */
  async discard(): Promise<void> {
    this.#pending = [];
    this.#pendingBytes = 0;
    for (let at = 0; at < this.#stagedIds.length; at += 1000) {
      try {
        await this.#port.discard(this.#stagedIds.slice(at, at + 1000));
      } catch {
        // A sweep frees them once they pass its grace period.
      }
    }
  }

  /** The item's draft, loaded from the port on first use. */
  async draft(name: string): Promise<Draft> {
    const have = this.#drafts.get(name);
    if (have) {
      if (have.deleted)
        throw new FrameError("conflict", `item ${JSON.stringify(name)} was deleted earlier in this transaction`, name);
      return have;
    }
    const found = await this.#port.item(name);
    let content: Content | null = null;
    if (found !== null && found.latest !== null) {
      const v = await this.#port.version(name, found.latest);
      if (v === null) throw new StoreError("conflict", `item ${JSON.stringify(name)} changed during the read: retry`);
      content = {
        schema: v.schema,
        ...(v.zone === undefined ? {} : { zone: v.zone }),
        metadata: v.metadata,
        segments: v.segments,
        rows: v.rows,
      };
    }
    const d: Draft = {
      name,
      found,
      content,
      strategy: found?.strategy ?? "strict",
      strategyChanged: false,
      deleted: false,
      next: found?.nextVersion ?? 0,
      version: found?.latest ?? null,
    };
    this.#drafts.set(name, d);
    return d;
  }

  /** The draft's content, or not_found. */
  async existing(name: string): Promise<{ d: Draft; c: Content }> {
    const d = await this.draft(name);
    if (d.content === null) throw new FrameError("not_found", `no item ${JSON.stringify(name)}`, name);
    return { d, c: d.content };
  }

  /** Queues segments for staging (sent in calls of bounded size). */
  async stage(segments: readonly SegmentPut[]): Promise<void> {
    for (const s of segments) {
      const bytes = s.blobs.reduce((n, b) => n + b.byteLength, 0);
      if (this.#cached + bytes <= CACHE_BYTES) {
        this.#cache.set(`${s.item}\u0000${s.segment.id}`, s.blobs);
        this.#cached += bytes;
      }
      this.#pending.push(s);
      this.#pendingBytes += bytes;
      this.#stagedIds.push({ item: s.item, id: s.segment.id });
      if (this.#pendingBytes >= CALL_BYTES) await this.#flush();
    }
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#port.putSegments(batch, this.nowMs);
  }

  /** Records a new version of the draft with the given content. */
  addVersion(d: Draft, op: VersionOp, content: Content): number {
    const version = d.next++;
    d.content = content;
    d.version = version;
    this.#versions.push({
      item: d.name,
      version,
      op,
      rows: content.rows,
      schema: content.schema,
      ...(content.zone === undefined ? {} : { zone: content.zone }),
      metadata: content.metadata,
      segments: content.segments.map((s) => s.id),
    });
    return version;
  }

  deleteItem(d: Draft): void {
    if (d.content === null && d.found?.latest == null)
      throw new FrameError("not_found", `no item ${JSON.stringify(d.name)}`, d.name);
    d.deleted = true;
    d.content = null;
    this.#deletes.push(d.name);
  }

  /**
   * The frame of some of an item's segments, in order, conformed to `schema` (columns the
   * segments lack come back null, narrower ones widened). `columns` limits what is fetched.
   */
  async readSegments(item: string, records: readonly SegmentRecord[], schema: Schema, zone?: string): Promise<Frame> {
    const names = new Set(schema.fields.map((f) => f.name));
    const frames: Frame[] = [];
    const index = { kind: schema.index.kind, name: schema.index.name, ...(zone === undefined ? {} : { zone }) };
    const refs: { rec: SegmentRecord; ords: number[] }[] = records.map((rec) => ({
      rec,
      ords: ordinalsOf(rec, names),
    }));
    const fetched = await this.blobs(
      item,
      refs.map((r) => ({ segment: r.rec.id, ordinals: r.ords, bytes: bytesOf(r.rec, r.ords) })),
    );
    refs.forEach((r, k) => {
      frames.push(conform(segmentFrame(r.rec, index, r.ords, fetched[k] as Uint8Array[]), schema));
    });
    if (frames.length === 0) throw new FrameError("invalid", "no segments to read");
    return frames.length === 1 ? (frames[0] as Frame) : concatFrames(frames);
  }

  /** Blobs of segments of one item: staged ones from the cache, the rest in bounded calls. */
  async blobs(
    item: string,
    refs: readonly { readonly segment: string; readonly ordinals: readonly number[]; readonly bytes: number }[],
  ): Promise<Uint8Array[][]> {
    await this.#flush();
    return fetchBlobs(
      this.#port,
      item,
      refs,
      (r) => {
        const hit = this.#cache.get(`${item}\u0000${r.segment}`);
        return hit === undefined ? undefined : r.ordinals.map((o) => hit[o] as Uint8Array);
      },
      (n) => {
        this.blobsRead += n;
      },
    );
  }

  /** Commits everything, or throws having changed nothing. */
  async commit(extra: Partial<CommitPlan> = {}): Promise<CommitResult> {
    await this.#flush();
    const expect = [...this.#drafts.values()]
      .filter((d) => d.version !== (d.found?.latest ?? null) || d.deleted || d.strategyChanged)
      .map((d) => ({ item: d.name, latest: d.found?.latest ?? null }));
    const strategies = [...this.#drafts.values()]
      .filter((d) => d.strategyChanged && !d.deleted)
      .map((d) => ({ item: d.name, strategy: d.strategy }));
    const plan: CommitPlan = {
      ...extra,
      expect,
      versions: this.#versions,
      strategies,
      deleteItems: this.#deletes,
    };
    return this.#port.commit(plan, this.nowMs);
  }
}

/** Bytes a fetch of these ordinals of a segment brings (the index's size is not recorded: 0). */
export function bytesOf(rec: SegmentRecord, ords: readonly number[]): number {
  return ords.reduce((n, o) => n + (o === 0 ? rec.rows : (rec.columns[o - 1]?.bytes ?? 0)), 0);
}

/** Blob refs of one item fetched in calls of at most CALL_BYTES, answers in the order asked. */
export async function fetchBlobs(
  port: FramesPort,
  item: string,
  refs: readonly { readonly segment: string; readonly ordinals: readonly number[]; readonly bytes: number }[],
  cached: (r: { readonly segment: string; readonly ordinals: readonly number[] }) => Uint8Array[] | undefined,
  counted: (blobs: number) => void,
): Promise<Uint8Array[][]> {
  const out: Uint8Array[][] = new Array(refs.length);
  let call: { at: number; ref: BlobRef }[] = [];
  let bytes = 0;
  const send = async (): Promise<void> => {
    if (call.length === 0) return;
    const got = await port.blobs(call.map((c) => c.ref));
    call.forEach((c, k) => {
      const b = got[k];
      if (b === undefined || b.length !== c.ref.ordinals.length)
        throw new StoreError("invalid", `segment ${c.ref.segment}: the store returned the wrong blobs`);
      out[c.at] = b;
      counted(b.length);
    });
    call = [];
    bytes = 0;
  };
  for (let at = 0; at < refs.length; at++) {
    const r = refs[at] as (typeof refs)[number];
    const hit = cached(r);
    if (hit !== undefined) {
      out[at] = hit;
      continue;
    }
    if (bytes + r.bytes > CALL_BYTES) await send();
    call.push({ at, ref: { item, segment: r.segment, ordinals: r.ordinals } });
    bytes += r.bytes;
  }
  await send();
  return out;
}
