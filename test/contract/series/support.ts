/** Shared pieces of the series storage contract: store definitions, chunks and bytes to write. */
import { type ChunkedDef, keyText, type SeriesKey, type VersionedDef } from "../../../src/series/model.ts";
import { StoreError } from "../../../src/storage/errors.ts";
import type { ChunkWrite, Committed, SeriesPort, SeriesWrite, WritePlan } from "../../../src/storage/series-port.ts";

/** Registers one case; the runner gives it a fresh store that was never defined. */
export type SeriesCase = (title: string, fn: (p: SeriesPort) => Promise<void>) => void;

export const NOW = Date.UTC(2024, 0, 1);
export const US = NOW * 1000;

export const CHUNKED: ChunkedDef = {
  kind: "chunked",
  keys: [
    { name: "site", type: "str" },
    { name: "n", type: "int" },
  ],
  zone: "Europe/Paris",
  dtype: "float64",
  chunkAxis: "year,month",
  freq: "1h",
  sync: true,
};

export const VERSIONED: VersionedDef = {
  kind: "versioned",
  keys: [
    { name: "prm", type: "str" },
    { name: "client_id", type: "int" },
  ],
  zone: "Europe/Paris",
  dtype: "float64",
};

export const k = (...values: SeriesKey): string => keyText(values);

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

/** A live chunk of `key` at `chunkIndex` holding `data`. */
export function cw(key: string, chunkIndex: number, extra: Partial<ChunkWrite> = {}): ChunkWrite {
  return {
    key,
    chunkIndex,
    startMs: NOW + chunkIndex * 1000,
    dtype: "float64",
    data: bytes(16, chunkIndex + key.length),
    deleted: false,
    ...extra,
  };
}

export function sw(key: string, version: number, seed = version + 1): SeriesWrite {
  return { key, version, count: 3, index: bytes(24, seed), values: bytes(24, seed + 100) };
}

/** Commits `plan` as it is. */
export function put(p: SeriesPort, plan: WritePlan, nowMs = NOW): Promise<Committed> {
  return p.write(nowMs, async () => ({ plan, result: {} }));
}

export async function defined(p: SeriesPort, def: ChunkedDef | VersionedDef = CHUNKED): Promise<SeriesPort> {
  await p.define(def, NOW);
  return p;
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

/** The message of the StoreError `p` rejects with, or "no error". */
export async function messageOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StoreError) return e.message;
    throw e;
  }
  return "no error";
}

/** Every chunk the feed holds, as `key@index#seq` (bytes left out). */
export async function feedAll(p: SeriesPort): Promise<string[]> {
  return (await p.feed(0, 1000, [], false)).map((c) => `${c.key}@${c.chunkIndex}#${c.seq}`);
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
