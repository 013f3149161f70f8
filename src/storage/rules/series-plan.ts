/**
 * Rules every backend of the series port (series-port.ts) shares, so DO SQLite and Postgres refuse
 * the same input with the same words and number commits the same way: plan and argument checks,
 * the commit clock, how definitions compare, and how a source's state moves.
 */
import type { Dtype, KeyMatch, StoreDef } from "../../series/model.ts";
import { StoreError } from "../errors.ts";
import type { ChunkWrite, SeriesWrite, SourceDef, WritePlan } from "../series-port.ts";

/**
 * The largest blob (a chunk's frame, an irregular series' index or values) a store takes: a month
 * of 1-second float64 values (21 MB raw, LZ4 cannot shrink noise) fits; a year of them would not
 * fit in a Worker's 128 MB anyway. DO SQLite splits blobs over its 2 MB row limit into parts
 * (do/series-blobs.ts); this bound is what keeps one write's memory and statements bounded there.
 */
export const MAX_SERIES_BLOB_BYTES = 32 * 1024 * 1024;

/** More match entries than any store has keys: a bound on the SQL a match compiles to. */
export const MAX_MATCH_ENTRIES = 16;

const DTYPES: ReadonlySet<string> = new Set<Dtype>(["float64", "float32", "int64"]);

function bad(message: string): StoreError {
  return new StoreError("invalid", message);
}

function checkBlob(what: string, b: unknown): void {
  if (!(b instanceof Uint8Array)) throw bad(`${what} is not bytes`);
  if (b.byteLength > MAX_SERIES_BLOB_BYTES) {
    throw bad(
      `${what} is ${b.byteLength} bytes, over the ${MAX_SERIES_BLOB_BYTES}-byte limit of one stored blob: ` +
        "use month chunks (chunkAxis year,month) or a coarser frequency",
    );
  }
}

function checkInt(what: string, n: unknown, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < min || n > max) {
    throw bad(
      max === Number.MAX_SAFE_INTEGER
        ? `${what} must be an integer >= ${min}`
        : `${what} must be an integer from ${min} to ${max}`,
    );
  }
}

/** Chunk indexes, versions and counts are 32-bit on every backend (Postgres `integer`). */
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * A stored key must be the canonical text of a key (series/model.ts keyText): partial-key
 * matches read it as JSON, and pages order by its text, on every backend alike.
 */
function checkKey(what: string, key: unknown): void {
  let values: unknown;
  try {
    values = typeof key === "string" ? JSON.parse(key) : undefined;
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || JSON.stringify(values) !== key) {
    throw bad(`${what} needs a key written as series keys are (the JSON array of its values)`);
  }
}

function checkChunk(c: ChunkWrite, i: number): void {
  const what = `chunk ${i}`;
  checkKey(what, c.key);
  checkInt(`${what} chunkIndex`, c.chunkIndex, INT32_MIN, INT32_MAX);
  checkInt(`${what} startMs`, c.startMs);
  if (!DTYPES.has(c.dtype)) throw bad(`${what} has an unknown dtype`);
  if (typeof c.deleted !== "boolean") throw bad(`${what} deleted must be a boolean`);
  if (c.updatedUs !== undefined) checkInt(`${what} updatedUs`, c.updatedUs, 0);
  checkBlob(`${what} data`, c.data);
}

function checkSeries(s: SeriesWrite, i: number): void {
  const what = `series ${i}`;
  checkKey(what, s.key);
  checkInt(`${what} version`, s.version, 0, INT32_MAX);
  checkInt(`${what} count`, s.count, 0, INT32_MAX);
  checkBlob(`${what} index`, s.index);
  checkBlob(`${what} values`, s.values);
}

/** Refuses a plan a backend could not store as given, before anything is written. */
export function checkPlan(plan: WritePlan): void {
  plan.chunks?.forEach(checkChunk);
  plan.series?.forEach(checkSeries);
  plan.dropChunks?.forEach((d, i) => {
    checkKey(`dropped chunk ${i}`, d.key);
    checkInt(`dropped chunk ${i} chunkIndex`, d.chunkIndex, INT32_MIN, INT32_MAX);
  });
  plan.dropSeries?.forEach((d, i) => {
    checkKey(`dropped series ${i}`, d.key);
    if (d.version !== undefined) checkInt(`dropped series ${i} version`, d.version, 0, INT32_MAX);
  });
  if (plan.cursor) {
    if (typeof plan.cursor.source !== "string" || typeof plan.cursor.next !== "string") {
      throw bad("a cursor needs a source name and its next value");
    }
  }
  const seen = new Set<string>();
  for (const c of plan.chunks ?? []) {
    // Two writes of one chunk in a commit would leave which one won to the backend's order.
    const id = `${c.chunkIndex}:${c.key}`;
    if (seen.has(id)) throw bad(`chunk ${c.chunkIndex} of ${c.key} is written twice in one commit`);
    seen.add(id);
  }
}

/** Refuses a match a backend would compile to unbounded or meaningless SQL. */
export function checkMatch(match: KeyMatch): void {
  if (match.length > MAX_MATCH_ENTRIES) throw bad(`at most ${MAX_MATCH_ENTRIES} key filters`);
  for (const m of match) {
    checkInt("a key filter position", m.pos, 0, 255);
    const t = typeof m.value;
    if (t !== "string" && t !== "boolean" && !(t === "number" && Number.isFinite(m.value))) {
      throw bad("a key filter value must be a string, a finite number or a boolean");
    }
  }
}

/** Refuses a page size or offset that is not a non-negative integer. */
export function checkPage(limit: number, offset = 0): void {
  checkInt("limit", limit, 0);
  checkInt("offset", offset, 0);
}

/** Refuses a position to read from (a seq, a time in µs, a chunk index) that is not an integer. */
export function checkFrom(what: string, n: number): void {
  checkInt(what, n);
}

/**
 * The commit's time in µs: the clock's, or 1 µs after the last commit's when the clock did not
 * move (or went back), so every commit's `updated_at` is distinct and in commit order.
 */
export function commitUs(nowMs: number, lastUs: number): number {
  if (!Number.isFinite(nowMs)) throw bad("a commit needs a finite time");
  return Math.max(Math.floor(nowMs * 1000), lastUs + 1);
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

/** A definition's stored text: JSON with sorted members, so equal definitions have equal text. */
export function defText(def: StoreDef): string {
  return JSON.stringify(canonical(def));
}

/** Refuses a source definition no pull could use. */
export function checkSource(def: SourceDef): void {
  if (typeof def.name !== "string" || def.name.length === 0) throw bad("a source needs a name");
  if (typeof def.url !== "string" || def.url.length === 0) throw bad("a source needs a URL");
  if (def.protocol !== "hayloft" && def.protocol !== "holcstore")
    throw bad("a source's protocol is hayloft or holcstore");
  checkInt("everySeconds", def.everySeconds, 0);
  for (const v of Object.values(def.filters ?? {})) {
    if (typeof v !== "string") throw bad("a source's filters are name=value strings");
  }
}

/**
 * When a (re)defined source is next due: never for a manual-only one; a scheduled one keeps the
 * time it had, or is due at once when it had none (new, or manual until now).
 */
export function dueAfterPut(def: SourceDef, kept: number | null, nowMs: number): number | null {
  if (def.everySeconds === 0) return null;
  return kept ?? nowMs;
}
