/**
 * Index bounds as requests give them: an int64 (ns since the epoch for a timestamp index), a
 * decimal string of one, or for a timestamp index an ISO 8601 date-time (no offset = UTC).
 */
import { FrameError, type FrameIndex } from "../frames/model.ts";
import { parseIsoNs } from "../frames/predicates.ts";

export type Bound = bigint | string;

const INT = /^-?\d{1,19}$/;
const MIN = -(1n << 63n);
const MAX = (1n << 63n) - 1n;

/** The bound as an index value of `kind`, or FrameError("invalid") naming `what`. */
export function indexBound(what: string, b: Bound, kind: FrameIndex["kind"]): bigint {
  let v: bigint | undefined;
  if (typeof b === "bigint") v = b;
  else if (INT.test(b)) v = BigInt(b);
  else if (kind === "timestamp") v = parseIsoNs(b);
  if (v === undefined || v < MIN || v > MAX) {
    const form = kind === "timestamp" ? "an ISO 8601 date-time or epoch ns" : "an integer";
    throw new FrameError("invalid", `${what} must be ${form}, got ${JSON.stringify(String(b).slice(0, 64))}`);
  }
  return v;
}
