/**
 * The 17-level priority array of a writable point (Ops.fandoc #pointWrite), as an immutable value.
 * Level 1 is the highest priority, 8 is manual override (the only level that may be timed),
 * 17 is the default. The effective value is the lowest-numbered level holding a value.
 * Level names and the timed-override rules follow haxall's hxPoint (WriteRec.fan, WriteMgr.fan).
 */
import { HaystackError } from "../errors.ts";
import type { HNumber } from "../kinds/number.ts";
import { equals } from "../kinds/value.ts";
import { approxDuration, MAX_DURATION_MS } from "../time/duration.ts";
import { isPointVal, jsonToPointVal, type PointVal, type PointValJson, pointValToJson } from "./json.ts";

export type { PointVal, PointValJson } from "./json.ts";

export const LEVEL_COUNT = 17;
/** The only level a duration (timed override) is accepted at. */
export const MANUAL_LEVEL = 8;
export const DEFAULT_LEVEL = 17;

/** Display names per level, index 0 = level 1; the exact strings of haxall's WriteRec.levelDis. */
export const LEVEL_DIS: readonly string[] = [
  "1 (emergency)",
  "2",
  "3",
  "4",
  "5",
  "6",
  "7",
  "8 (manual)",
  "9",
  "10",
  "11",
  "12",
  "13",
  "14",
  "15",
  "16",
  "def",
];

/** One occupied level. `expiresAt` (epoch ms) only on a timed level-8 override. */
export interface PriorityEntry {
  readonly val: Exclude<PointVal, null>;
  readonly who: string;
  readonly expiresAt?: number;
}

/** Index i holds level i + 1; always LEVEL_COUNT long. Never mutated. */
export interface PriorityArray {
  readonly levels: readonly (PriorityEntry | null)[];
}

export const EMPTY_PRIORITY_ARRAY: PriorityArray = Object.freeze({
  levels: Object.freeze(new Array<PriorityEntry | null>(LEVEL_COUNT).fill(null)),
});

export interface WriteRequest {
  /** 1..17. */
  readonly level: number;
  /** The value, or null to release ("auto") the level. */
  readonly val: PointVal;
  /** Who is writing; must be non-empty (haxall rejects an empty who). */
  readonly who: string;
  /**
   * Timed override, level 8 only: the entry expires at nowMs + durationMs. Whole milliseconds,
   * 1..MAX_DURATION_MS (parseDuration gives such a value), so the instant stays an integer.
   */
  readonly durationMs?: number;
  readonly nowMs: number;
}

export interface EffectiveValue {
  readonly val: Exclude<PointVal, null>;
  readonly level: number;
}

/** One row of the pointWrite read form. `expires` is the time left, written to be read at a glance. */
export interface PriorityRow {
  readonly level: number;
  readonly levelDis: string;
  readonly val: PointVal;
  readonly who: string | null;
  readonly expires?: HNumber;
  readonly expiresAt?: number;
}

function invalid(msg: string): HaystackError {
  return new HaystackError("invalid_value", msg);
}

function checkNow(nowMs: number): void {
  if (!Number.isFinite(nowMs)) throw invalid(`invalid time: ${nowMs}`);
}

/** An entry counts until its expiry instant; at `expiresAt` itself it is gone. */
function live(e: PriorityEntry | null | undefined, nowMs: number): e is PriorityEntry {
  return e != null && (e.expiresAt === undefined || nowMs < e.expiresAt);
}

/**
 * Writes (or with `val: null` releases) one level and returns the new array; returns `arr`
 * itself when nothing changes, so callers can skip persisting. Writing level 8 without a
 * duration makes it permanent, clearing an earlier expiry.
 * Throws `invalid_value` for a level outside 1..17, a duration at another level or not a whole
 * number of milliseconds in 1..MAX_DURATION_MS, a value that is not Number/Bool/Str/null, or an
 * empty `who`.
 * Example: `write(EMPTY_PRIORITY_ARRAY, { level: 8, val: num(72, "°F"), who: "ops", durationMs: 3_600_000, nowMs })`.
 */
export function write(arr: PriorityArray, req: WriteRequest): PriorityArray {
  const { level, val, who, durationMs, nowMs } = req;
  if (!Number.isInteger(level) || level < 1 || level > LEVEL_COUNT) {
    throw invalid(`invalid level: ${String(level)} (must be 1..${LEVEL_COUNT})`);
  }
  if (!isPointVal(val)) throw invalid("value must be a Number, Bool, Str or null");
  if (typeof who !== "string" || who.length === 0) throw invalid("who must be a non-empty Str");
  checkNow(nowMs);
  let expiresAt: number | undefined;
  if (durationMs !== undefined) {
    if (level !== MANUAL_LEVEL) throw invalid(`a duration is only allowed at level ${MANUAL_LEVEL}, not ${level}`);
    // A fraction of a millisecond would reach storage as a non-integer expiry instant.
    if (!Number.isSafeInteger(durationMs) || durationMs < 1 || durationMs > MAX_DURATION_MS) {
      throw invalid(`invalid duration: ${durationMs} ms (must be whole milliseconds, 1ms to 100yr)`);
    }
    // A release ignores the duration, as haxall's pointOverride does.
    if (val !== null) expiresAt = nowMs + durationMs;
    if (expiresAt !== undefined && !Number.isSafeInteger(expiresAt)) throw invalid(`invalid time: ${nowMs}`);
  }
  const next: PriorityEntry | null =
    val === null ? null : expiresAt === undefined ? { val, who } : { val, who, expiresAt };
  const prev = arr.levels[level - 1] ?? null;
  if (sameEntry(prev, next)) return arr;
  const levels = arr.levels.slice();
  levels[level - 1] = next;
  return { levels: Object.freeze(levels) };
}

function sameEntry(a: PriorityEntry | null, b: PriorityEntry | null): boolean {
  if (a === null || b === null) return a === b;
  return a.who === b.who && a.expiresAt === b.expiresAt && equals(a.val, b.val);
}

/** The value in force at `nowMs`: the lowest-numbered live level, or null if all are empty. */
export function effective(arr: PriorityArray, nowMs: number): EffectiveValue | null {
  for (let i = 0; i < LEVEL_COUNT; i++) {
    const e = arr.levels[i];
    if (live(e, nowMs)) return { val: e.val, level: i + 1 };
  }
  return null;
}

/** Drops entries expired at `nowMs`; `arr` is returned unchanged (same object) when none are. */
export function expire(arr: PriorityArray, nowMs: number): { arr: PriorityArray; changed: boolean } {
  checkNow(nowMs);
  let levels: (PriorityEntry | null)[] | undefined;
  for (let i = 0; i < LEVEL_COUNT; i++) {
    const e = arr.levels[i];
    if (e != null && !live(e, nowMs)) {
      levels ??= arr.levels.slice();
      levels[i] = null;
    }
  }
  return levels ? { arr: { levels: Object.freeze(levels) }, changed: true } : { arr, changed: false };
}

/** The earliest expiry instant (epoch ms) in the array, for arming an alarm; undefined if none. */
export function nextExpiry(arr: PriorityArray): number | undefined {
  let min: number | undefined;
  for (const e of arr.levels) {
    if (e?.expiresAt !== undefined && (min === undefined || e.expiresAt < min)) min = e.expiresAt;
  }
  return min;
}

/** The 17 rows of the pointWrite read form at `nowMs` (expired entries show as empty). */
export function toRows(arr: PriorityArray, nowMs: number): PriorityRow[] {
  checkNow(nowMs);
  const rows: PriorityRow[] = [];
  for (let i = 0; i < LEVEL_COUNT; i++) {
    const e = arr.levels[i];
    const base = { level: i + 1, levelDis: LEVEL_DIS[i] ?? String(i + 1) };
    if (!live(e, nowMs)) rows.push({ ...base, val: null, who: null });
    else if (e.expiresAt === undefined) rows.push({ ...base, val: e.val, who: e.who });
    else {
      const expires = approxDuration(e.expiresAt - nowMs);
      rows.push({ ...base, val: e.val, who: e.who, expires, expiresAt: e.expiresAt });
    }
  }
  return rows;
}

/** Storage form: the occupied levels only, values as JSON v4. */
export interface PriorityArrayJson {
  readonly levels: readonly {
    readonly level: number;
    readonly val: PointValJson;
    readonly who: string;
    readonly expiresAt?: number;
  }[];
}

/** Plain JSON for storage (`JSON.stringify`-safe). */
export function priorityToJson(arr: PriorityArray): PriorityArrayJson {
  const levels: PriorityArrayJson["levels"][number][] = [];
  arr.levels.forEach((e, i) => {
    if (e == null) return;
    const val = pointValToJson(e.val);
    const level = i + 1;
    levels.push(
      e.expiresAt === undefined ? { level, val, who: e.who } : { level, val, who: e.who, expiresAt: e.expiresAt },
    );
  });
  return { levels };
}

/** Inverse of `priorityToJson`; throws `invalid_value` on anything malformed. */
export function priorityFromJson(json: unknown): PriorityArray {
  const list = (json as { levels?: unknown } | null)?.levels;
  if (typeof json !== "object" || json === null || !Array.isArray(list)) {
    throw invalid("priority array: no levels list");
  }
  const levels = new Array<PriorityEntry | null>(LEVEL_COUNT).fill(null);
  for (const item of list as unknown[]) {
    if (typeof item !== "object" || item === null) throw invalid("priority array: bad entry");
    const { level, val, who, expiresAt } = item as Record<string, unknown>;
    if (typeof level !== "number" || !Number.isInteger(level) || level < 1 || level > LEVEL_COUNT) {
      throw invalid(`priority array: bad level ${String(level)}`);
    }
    if (levels[level - 1] !== null) throw invalid(`priority array: level ${level} twice`);
    if (typeof who !== "string" || who.length === 0) throw invalid("priority array: bad who");
    const v = jsonToPointVal(val);
    if (v === null) throw invalid(`priority array: null value at level ${level}`);
    if (expiresAt === undefined) {
      levels[level - 1] = { val: v, who };
    } else {
      if (level !== MANUAL_LEVEL || typeof expiresAt !== "number" || !Number.isFinite(expiresAt)) {
        throw invalid(`priority array: bad expiry at level ${level}`);
      }
      levels[level - 1] = { val: v, who, expiresAt };
    }
  }
  return { levels: Object.freeze(levels) };
}
