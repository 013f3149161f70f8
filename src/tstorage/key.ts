/**
 * TStorage keys: five fields, 32 bytes little-endian on the wire. 64-bit fields are BigInt so no
 * value loses precision; 32-bit fields are plain numbers.
 */
import { TStorageError } from "./status.ts";

export interface Key {
  /** Channel id, int32; valid keys have 0 <= cid. */
  readonly cid: number;
  /** Meter id, int64. */
  readonly mid: bigint;
  /** Meter object id, int32. */
  readonly moid: number;
  /** Capture time, int64 TStorage ns. */
  readonly cap: bigint;
  /** Acquisition time, int64 TStorage ns. */
  readonly acq: bigint;
}

export const INT32_MIN = -0x8000_0000;
export const INT32_MAX = 0x7fff_ffff;
export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

/** Full key bytes in a GET request or response. */
export const KEY_BYTES = 32;
/** PUTA's key without cid. */
export const PUTA_KEY_BYTES = 28;
/** PUT's key without cid and acq (the server stamps acq). */
export const PUT_KEY_BYTES = 20;

export const KEY_MIN: Key = Object.freeze({ cid: 0, mid: INT64_MIN, moid: INT32_MIN, cap: INT64_MIN, acq: INT64_MIN });
export const KEY_MAX: Key = Object.freeze({
  cid: INT32_MAX,
  mid: INT64_MAX,
  moid: INT32_MAX,
  cap: INT64_MAX,
  acq: INT64_MAX,
});

const isInt32 = (v: number): boolean => Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
const isInt64 = (v: bigint): boolean => typeof v === "bigint" && v >= INT64_MIN && v <= INT64_MAX;

/**
 * Why a key cannot be written at all (a field outside its wire type), or undefined. A negative cid
 * is encodable: a GET with one is the server's to refuse, and tests need to send it.
 */
export function keyEncodingProblem(key: Key): string | undefined {
  if (typeof key.cid !== "number" || !isInt32(key.cid)) return `cid ${String(key.cid)} is not an int32`;
  if (!isInt64(key.mid)) return `mid ${String(key.mid)} is not an int64 bigint`;
  if (typeof key.moid !== "number" || !isInt32(key.moid)) return `moid ${String(key.moid)} is not an int32`;
  if (!isInt64(key.cap)) return `cap ${String(key.cap)} is not an int64 bigint`;
  if (!isInt64(key.acq)) return `acq ${String(key.acq)} is not an int64 bigint`;
  return undefined;
}

/**
 * Why a key may not be stored, or undefined: unencodable, cid < 0, or a field at its max value
 * (such a record could never be returned, since ranges are half-open; the real server drops it and
 * the mock refuses it). Under PUT the server stamps acq, so the client's acq is not checked.
 */
export function putKeyProblem(key: Key, withAcq: boolean): string | undefined {
  const bad = keyEncodingProblem(key);
  if (bad !== undefined) return bad;
  if (key.cid < 0) return `cid ${key.cid} is negative`;
  if (key.cid === INT32_MAX) return "cid is at its max value";
  if (key.mid === INT64_MAX) return "mid is at its max value";
  if (key.moid === INT32_MAX) return "moid is at its max value";
  if (key.cap === INT64_MAX) return "cap is at its max value";
  if (withAcq && key.acq === INT64_MAX) return "acq is at its max value";
  return undefined;
}

/**
 * Why [min, max) is a range the server refuses, or undefined: a negative cid in either key, or a
 * dimension with min >= max (ranges are boxes, so one empty dimension empties the whole range).
 */
export function rangeProblem(min: Key, max: Key): string | undefined {
  if (min.cid < 0 || max.cid < 0) return "cid is negative";
  if (min.cid >= max.cid) return "cid range is empty";
  if (min.mid >= max.mid) return "mid range is empty";
  if (min.moid >= max.moid) return "moid range is empty";
  if (min.cap >= max.cap) return "cap range is empty";
  if (min.acq >= max.acq) return "acq range is empty";
  return undefined;
}

/** Whether the key lies in the box [min, max): each field on its own, not lexicographic order. */
export function inBox(key: Key, min: Key, max: Key): boolean {
  return (
    min.cid <= key.cid &&
    key.cid < max.cid &&
    min.mid <= key.mid &&
    key.mid < max.mid &&
    min.moid <= key.moid &&
    key.moid < max.moid &&
    min.cap <= key.cap &&
    key.cap < max.cap &&
    min.acq <= key.acq &&
    key.acq < max.acq
  );
}

/** Lexicographic order over (cid, mid, moid, cap, acq), the order the vendor's Key sorts by. */
export function compareKeys(a: Key, b: Key): number {
  if (a.cid !== b.cid) return a.cid < b.cid ? -1 : 1;
  if (a.mid !== b.mid) return a.mid < b.mid ? -1 : 1;
  if (a.moid !== b.moid) return a.moid < b.moid ? -1 : 1;
  if (a.cap !== b.cap) return a.cap < b.cap ? -1 : 1;
  if (a.acq !== b.acq) return a.acq < b.acq ? -1 : 1;
  return 0;
}

/** Throws INVARG unless the key can be written. */
export function assertEncodable(key: Key, what: string): void {
  const bad = keyEncodingProblem(key);
  if (bad !== undefined) throw TStorageError.invalidArgument(`${what}: ${bad}`);
}

/** Writes the full 32-byte key at `at`. The key must be encodable. */
export function writeKey(view: DataView, at: number, key: Key): void {
  view.setInt32(at, key.cid, true);
  view.setBigInt64(at + 4, key.mid, true);
  view.setInt32(at + 12, key.moid, true);
  view.setBigInt64(at + 16, key.cap, true);
  view.setBigInt64(at + 24, key.acq, true);
}

/** Reads the full 32-byte key at `at`. */
export function readKey(view: DataView, at: number): Key {
  return {
    cid: view.getInt32(at, true),
    mid: view.getBigInt64(at + 4, true),
    moid: view.getInt32(at + 12, true),
    cap: view.getBigInt64(at + 16, true),
    acq: view.getBigInt64(at + 24, true),
  };
}
