/**
 * Blobs of a series store as Redis holds them: base64 text. The REST client decodes every reply
 * as UTF-8 text, which would mangle raw bytes; base64 crosses exactly, at 4/3 of the size. Heads
 * (what a listing returns without bytes) are small JSON beside them.
 */
import type { Dtype } from "../../series/model.ts";
import { type Upstash, upstashCall } from "./client.ts";
import { STAGE_TTL_S } from "./program.ts";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 of `b`, built in slices (no per-byte string concatenation over megabytes). */
export function toB64(b: Uint8Array): string {
  const parts: string[] = [];
  const SLICE = 3 * 16384;
  for (let i = 0; i < b.length; i += SLICE) {
    const end = Math.min(b.length, i + SLICE);
    const out: string[] = [];
    for (let j = i; j < end; j += 3) {
      const x = b[j] as number;
      const y = j + 1 < end ? (b[j + 1] as number) : 0;
      const z = j + 2 < end ? (b[j + 2] as number) : 0;
      const n = (x << 16) | (y << 8) | z;
      out.push(
        (B64[n >>> 18] as string) +
          (B64[(n >>> 12) & 63] as string) +
          (j + 1 < end ? (B64[(n >>> 6) & 63] as string) : "=") +
          (j + 2 < end ? (B64[n & 63] as string) : "="),
      );
    }
    parts.push(out.join(""));
  }
  return parts.join("");
}

const DEC = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) DEC[B64.charCodeAt(i)] = i;

/** Bytes of base64 text we wrote (toB64); anything else is a corrupt store, reported as such. */
export function fromB64(s: string): Uint8Array {
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  if (s.length % 4 !== 0) throw new Error("a stored blob is not base64");
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const a = DEC[s.charCodeAt(i)] ?? -1;
    const b = DEC[s.charCodeAt(i + 1)] ?? -1;
    const c = s[i + 2] === "=" ? 0 : (DEC[s.charCodeAt(i + 2)] ?? -1);
    const d = s[i + 3] === "=" ? 0 : (DEC[s.charCodeAt(i + 3)] ?? -1);
    if ((a | b | c | d) < 0) throw new Error("a stored blob is not base64");
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >>> 16;
    if (o < out.length) out[o++] = (n >>> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** Length of the base64 text of `bytes` bytes. */
export function b64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** A chunk's head as stored (key and chunkIndex are in its member). */
export interface ChunkHeadRow {
  readonly startMs: number;
  readonly dtype: Dtype;
  readonly deleted: boolean;
  readonly updatedUs: number;
  /** Also names the blob key (`c:<seq>`). */
  readonly seq: number;
  /** Bytes of data; 0: no blob key. */
  readonly bytes: number;
}

/** A version's head as stored (key and version are in its member). */
export interface SeriesHeadRow {
  readonly count: number;
  readonly updatedUs: number;
  /** Names the blob key (`v:<token>`): base64 of the index, then of the values. */
  readonly token: string;
  readonly indexBytes: number;
  readonly valuesBytes: number;
}

export const parseChunkHead = (t: string): ChunkHeadRow => JSON.parse(t) as ChunkHeadRow;
export const parseSeriesHead = (t: string): SeriesHeadRow => JSON.parse(t) as SeriesHeadRow;

/** Base64 text longer than this travels alone (staged), not inside a program. */
export function bigBlobChars(u: Upstash): number {
  return Math.max(1024, Math.floor((u.target.maxRequestBytes - 8192) / 4));
}

/**
 * Writes base64 text into the staging key `key` in appended parts, each filling most of a request:
 * base64 is ASCII with nothing to escape, so a part of n characters is n bytes of request.
 */
export async function stageB64(u: Upstash, key: string, text: string): Promise<void> {
  const part = Math.max(1024, u.target.maxRequestBytes - 4096);
  await upstashCall(() => u.redis.set(key, "", { ex: STAGE_TTL_S }));
  for (let i = 0; i < text.length; i += part) {
    const slice = text.slice(i, i + part);
    await upstashCall(() => u.redis.append(key, slice));
  }
}
