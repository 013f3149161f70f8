/** Shared pieces of the frames storage contract: a collection, segments, versions and a state dump. */
import type { Schema } from "../../../src/frames/model.ts";
import { StoreError } from "../../../src/storage/errors.ts";
import type {
  CollectionRecord,
  CommitPlan,
  CommitResult,
  FramesPort,
  Json,
  SegmentPut,
  SegmentRecord,
  VersionOp,
  VersionWrite,
} from "../../../src/storage/frames-port.ts";

/** Registers one case; the runner gives it a fresh port whose collection was never created. */
export type FramesCase = (title: string, fn: (p: FramesPort) => Promise<void>) => void;

export const NOW = Date.UTC(2024, 0, 1);

export const RECORD: CollectionRecord = {
  createdMs: NOW,
  rules: [
    { rule: "not_null", column: "x" },
    { rule: "range", column: "x", min: 0, max: 10.5 },
  ],
  metadata: { owner: "ops", tags: ["a", "b"], nested: { deep: true, n: null } },
};

export const SCHEMA: Schema = {
  index: { kind: "timestamp", name: "index" },
  fields: [
    { name: "x", dtype: "float64", nullable: true },
    { name: "s", dtype: "string", nullable: false },
  ],
};

/** `n` deterministic pseudo-random bytes (blobs are opaque to storage). */
export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function seedOf(text: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16_777_619);
  return h >>> 0;
}

/** The blob `segPut(item, id)` stages at `ordinal`. */
export function blobOf(item: string, id: string, ordinal: number, size = 16 + 8 * ordinal): Uint8Array {
  return bytes(size, seedOf(`${item}/${id}/${ordinal}`));
}

/** A segment record with statistics of every JSON shape a stats object takes. */
export function segment(id: string, rows = 3): SegmentRecord {
  return {
    id,
    rows,
    min: "1704067200000000000",
    max: "-9223372036854775808",
    columns: [
      {
        name: "x",
        dtype: "float64",
        stats: { rows, nullCount: 1, nanCount: 0, min: -1.5, max: "Infinity" },
        bytes: 24,
      },
      { name: "s", dtype: "string", stats: { rows, nullCount: 0, min: "ä", max: "z😀" }, bytes: 40 },
    ],
  };
}

/** A segment of `item` with its three blobs (index, x, s). */
export function segPut(item: string, id: string): SegmentPut {
  return { item, segment: segment(id), blobs: [0, 1, 2].map((o) => blobOf(item, id, o)) };
}

export function vw(
  item: string,
  version: number,
  segments: readonly string[],
  extra: Partial<VersionWrite> = {},
): VersionWrite {
  return {
    item,
    version,
    op: "write",
    rows: 3 * segments.length,
    schema: SCHEMA,
    zone: "Europe/Paris",
    metadata: { source: "test", v: version },
    segments,
    ...extra,
  };
}

/** Creates the port's collection with RECORD. */
export async function created(p: FramesPort, nowMs = NOW): Promise<FramesPort> {
  await p.commit({ createCollection: { record: RECORD, overwrite: false } }, nowMs);
  return p;
}

export interface WriteOpts {
  /** Ids of segments earlier versions list, kept in front of the new ones. */
  readonly keep?: readonly string[];
  readonly nowMs?: number;
  readonly op?: VersionOp;
  readonly metadata?: { readonly [k: string]: Json };
  readonly plan?: CommitPlan;
}

/** Stages `fresh` segments of `item` and commits version `version` listing `keep` then `fresh`. */
export async function write(
  p: FramesPort,
  item: string,
  version: number,
  fresh: readonly string[],
  opts: WriteOpts = {},
): Promise<CommitResult> {
  const nowMs = opts.nowMs ?? NOW;
  if (fresh.length > 0)
    await p.putSegments(
      fresh.map((id) => segPut(item, id)),
      nowMs,
    );
  const extra: Partial<VersionWrite> = {
    ...(opts.op ? { op: opts.op } : {}),
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
  };
  const versions = [vw(item, version, [...(opts.keep ?? []), ...fresh], extra)];
  return p.commit({ ...opts.plan, versions }, nowMs);
}

/** The code of the StoreError `p` rejects with, or "no error". */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StoreError) return e.code;
    throw e;
  }
  return "no error";
}

/**
 * Whether two byte arrays are equal: `toEqual` walks a typed array element by element through its
 * generic equality, minutes for megabytes.
 */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < b.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A short fingerprint of bytes, so states holding blobs compare with `toEqual`. */
export function digest(b: Uint8Array): string {
  let h = 2_166_136_261;
  for (let i = 0; i < b.byteLength; i++) h = Math.imul(h ^ (b[i] as number), 16_777_619);
  return `${b.byteLength}:${(h >>> 0).toString(16)}`;
}

/** Fingerprints of a segment's three blobs, or the error code reading them gives. */
export async function blobState(p: FramesPort, item: string, id: string): Promise<string[] | string> {
  try {
    const [got] = await p.blobs([{ item, segment: id, ordinals: [0, 1, 2] }]);
    return (got ?? []).map(digest);
  } catch (e) {
    if (e instanceof StoreError) return e.code;
    throw e;
  }
}

/**
 * Everything the port shows about `items`, `segments` (item/id pairs) and `snapshots`: compared
 * before and after a failed commit to show it changed nothing.
 */
export async function dump(
  p: FramesPort,
  items: readonly string[],
  segments: readonly (readonly [string, string])[] = [],
  snapshots: readonly string[] = [],
): Promise<unknown> {
  const out: { [k: string]: unknown } = {
    collection: await p.collection(),
    listed: await p.items({ limit: 1000, deleted: true }),
    snapshots: await p.snapshots(),
  };
  for (const name of items) {
    const head = await p.item(name);
    const all = [];
    for (let v = 0; v < (head?.nextVersion ?? 0) + 1; v++) all.push(await p.version(name, v));
    out[`item ${name}`] = { head, versions: await p.versions(name), all };
  }
  for (const [item, id] of segments) out[`segment ${item}/${id}`] = await blobState(p, item, id);
  for (const s of snapshots) out[`snapshot ${s}`] = await p.snapshot(s);
  return out;
}
