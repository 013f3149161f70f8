/**
 * Rules every backend of the frames port (frames-port.ts) shares, so DO SQLite and Postgres refuse
 * the same input with the same words: argument and plan checks made before any storage is touched,
 * and the canonical JSON that metadata equalities compare.
 */
import { StoreError } from "../errors.ts";
import {
  type CommitPlan,
  type ItemQuery,
  type Json,
  MAX_BLOB_BYTES,
  MAX_FRAMES_PAGE,
  type SegmentPut,
  type Strategy,
  type VersionOp,
} from "../frames-port.ts";

const STRATEGIES: ReadonlySet<string> = new Set<Strategy>(["strict", "add_only", "compatible"]);
const OPS: ReadonlySet<string> = new Set<VersionOp>([
  "write",
  "append",
  "update",
  "delete_range",
  "metadata",
  "evolve",
]);

function bad(message: string): StoreError {
  return new StoreError("invalid", message);
}

/**
 * JSON text with object keys sorted (by UTF-16 code units, recursively) and no spaces: equal JSON
 * values give equal text whatever their key order, so an index can match them by plain equality.
 * Numbers print as JavaScript prints them, so 1 and 1.0 are one value.
 *
 * @example canonicalJson({ b: 1, a: [2.0, { d: null, c: "x" }] }) === '{"a":[2,{"c":"x","d":null}],"b":1}'
 */
export function canonicalJson(v: Json): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x)).join(",")}]`;
  const obj = v as { readonly [k: string]: Json };
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k] as Json)}`).join(",")}}`;
}

/** An item name: any non-empty string. */
export function checkItem(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.length === 0) throw bad("An item name must be a non-empty string");
}

/** Version numbers fit Postgres `integer` (and so every backend), with room for the next one. */
export const MAX_VERSION = 2 ** 31 - 2;

function checkCount(what: string, n: unknown, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || n > max) {
    throw bad(`${what} must be an integer from 0 to ${max}`);
  }
}

/** A page size a listing takes: 0 to MAX_FRAMES_PAGE. */
export function checkLimit(limit: unknown): void {
  checkCount("limit", limit, MAX_FRAMES_PAGE);
}

/** A listing's paging: a limit of 0..MAX_FRAMES_PAGE. */
export function checkQuery(q: ItemQuery): void {
  checkLimit(q.limit);
  if (q.after !== undefined && typeof q.after !== "string") throw bad("after must be an item name");
}

/**
 * Segments to stage: named items, string ids, blobs of bytes within MAX_BLOB_BYTES. The same id
 * twice in one call is the same clash as an id already stored: `conflict`.
 */
export function checkPuts(puts: readonly SegmentPut[]): void {
  const seen = new Set<string>();
  for (const p of puts) {
    checkItem(p.item);
    if (typeof p.segment?.id !== "string" || p.segment.id.length === 0)
      throw bad("A segment id must be a non-empty string");
    const key = JSON.stringify([p.item, p.segment.id]);
    if (seen.has(key))
      throw new StoreError("conflict", `Segment ${p.segment.id} of ${p.item} is staged twice in one call`);
    seen.add(key);
    if (!Array.isArray(p.blobs)) throw bad(`Segment ${p.segment.id} has no blobs`);
    for (const b of p.blobs) {
      if (!(b instanceof Uint8Array)) throw bad(`A blob of segment ${p.segment.id} is not bytes`);
      if (b.byteLength > MAX_BLOB_BYTES) {
        throw bad(`A blob of segment ${p.segment.id} is ${b.byteLength} bytes, over the limit of ${MAX_BLOB_BYTES}`);
      }
    }
  }
}

/** The plan's shape: what can be refused before the collection is even read. */
export function checkPlan(plan: CommitPlan): void {
  for (const v of plan.versions ?? []) {
    checkItem(v.item);
    checkCount(`The version number of ${v.item}`, v.version, MAX_VERSION);
    checkCount(`The row count of ${v.item} v${v.version}`, v.rows);
    if (!OPS.has(v.op)) throw bad(`Unknown version op ${String(v.op)}`);
    const seen = new Set<string>();
    for (const s of v.segments) {
      if (typeof s !== "string") throw bad(`A segment id of ${v.item} v${v.version} is not text`);
      if (seen.has(s)) throw bad(`${v.item} v${v.version} lists segment ${s} twice`);
      seen.add(s);
    }
  }
  for (const s of plan.strategies ?? []) {
    checkItem(s.item);
    if (!STRATEGIES.has(s.strategy)) throw bad(`Unknown strategy ${String(s.strategy)}`);
  }
  for (const name of plan.deleteItems ?? []) checkItem(name);
  for (const d of plan.dropVersions ?? []) {
    checkItem(d.item);
    for (const v of d.versions) checkCount(`A version of ${d.item} to drop`, v, MAX_VERSION);
  }
  for (const e of plan.expect ?? []) {
    checkItem(e.item);
    if (e.latest !== null) checkCount(`The expected version of ${e.item}`, e.latest, MAX_VERSION);
  }
  if (plan.createSnapshot) {
    if (typeof plan.createSnapshot.name !== "string" || plan.createSnapshot.name.length === 0) {
      throw bad("A snapshot name must be a non-empty string");
    }
    for (const [item, v] of Object.entries(plan.createSnapshot.versions)) {
      checkItem(item);
      checkCount(`The version snapshot ${plan.createSnapshot.name} names of ${item}`, v, MAX_VERSION);
    }
  }
  if (plan.dropSnapshot !== undefined && (typeof plan.dropSnapshot !== "string" || plan.dropSnapshot.length === 0)) {
    throw bad("A snapshot name must be a non-empty string");
  }
}
