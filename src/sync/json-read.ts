/**
 * Typed reads of parsed JSON from the other side of the wire (a pack request on our server, a
 * page on our client). Every failure is a SeriesError `invalid` naming the path; the client turns
 * those into SyncError `protocol`.
 */
import { SeriesError } from "../series/errors.ts";
import type { Dtype } from "../series/model.ts";
import { clip, parseSince } from "./datetime.ts";

export type Rec = Record<string, unknown>;

export function asRecord(v: unknown, path: string): Rec {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new SeriesError("invalid", `${path} must be an object`);
  return v as Rec;
}

export function asArray(v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw new SeriesError("invalid", `${path} must be an array`);
  if (v.length > max) throw new SeriesError("too_large", `${path} has ${v.length} items, more than ${max}`);
  return v;
}

function get(rec: Rec, name: string, path: string): unknown {
  if (!Object.hasOwn(rec, name)) throw new SeriesError("invalid", `${path}.${name} is missing`);
  return rec[name];
}

/** A safe integer member, at least `min`. */
export function intAt(rec: Rec, name: string, path: string, min = Number.MIN_SAFE_INTEGER): number {
  const v = get(rec, name, path);
  if (!Number.isSafeInteger(v) || (v as number) < min) {
    throw new SeriesError("invalid", `${path}.${name} must be an integer >= ${min}`);
  }
  return v as number;
}

export function boolAt(rec: Rec, name: string, path: string): boolean {
  const v = get(rec, name, path);
  if (typeof v !== "boolean") throw new SeriesError("invalid", `${path}.${name} must be true or false`);
  return v;
}

export function strAt(rec: Rec, name: string, path: string): string {
  const v = get(rec, name, path);
  if (typeof v !== "string") throw new SeriesError("invalid", `${path}.${name} must be a string`);
  return v;
}

/** A string or null member (DRF's `next`). */
export function strOrNullAt(rec: Rec, name: string, path: string): string | null {
  const v = get(rec, name, path);
  if (v !== null && typeof v !== "string") throw new SeriesError("invalid", `${path}.${name} must be a string or null`);
  return v;
}

/** An ISO instant member, in microseconds. */
export function instantAt(rec: Rec, name: string, path: string): number {
  const text = strAt(rec, name, path);
  try {
    return parseSince(text);
  } catch {
    throw new SeriesError("invalid", `${path}.${name} is not an ISO instant with an offset: ${clip(text)}`);
  }
}

const DTYPES: readonly string[] = ["float64", "float32", "int64"] satisfies Dtype[];

export function dtypeAt(rec: Rec, name: string, path: string): Dtype {
  const v = strAt(rec, name, path);
  if (!DTYPES.includes(v)) throw new SeriesError("invalid", `${path}.${name} is not a known dtype: ${clip(v)}`);
  return v as Dtype;
}
