/**
 * Calendar chunking in a store's zone, numbered as HoLcStore numbers chunks: a chunk holds one
 * local calendar year (index = year) or month (index = year * 12 + month - 1), and its grid starts
 * at local midnight of its first day. Sub-daily grids step in absolute time from there and stop
 * before the next chunk's start (Paris, 1h: October 2024 has 745 points, March 2024 743); daily
 * grids put each point at local midnight. So after a DST change inside a chunk, sub-daily points
 * keep their absolute spacing: in Lord Howe (30-minute DST) an hourly October chunk's points fall
 * at :30 local after the change, exactly as pandas' date_range (and so HoLcStore) lays them out.
 * Zone facts come from src/haystack/time (one zone implementation), which names zones the
 * Haystack way (`Paris` for `Europe/Paris`).
 */
import { civilFromDays, daysFromCivil } from "../haystack/kinds/calendar.ts";
import { HDate } from "../haystack/kinds/date.ts";
import { haystackToIana, ianaToHaystack, offsetSeconds } from "../haystack/time/tz.ts";
import { startOfDay } from "../haystack/time/zoned.ts";
import { SeriesError } from "./errors.ts";
import { DAY_MS, type Freq, isSubDaily, parseFreq } from "./freq.ts";
import type { ChunkAxis, ChunkedDef } from "./model.ts";

export interface Grid {
  /** IANA zone the chunks are cut in. */
  readonly zone: string;
  readonly axis: ChunkAxis;
  readonly freq: Freq;
}

/** First and last instants a series may hold: years 1 to 9999, the range ISO 8601 writes plainly. */
export const MIN_MS = -62_135_596_800_000;
export const MAX_MS = 253_402_300_799_999;

/** Most points one chunk may hold (32 MB of float64): keeps a chunk a bounded allocation. */
export const MAX_CHUNK_POINTS = 1 << 22;

/** Most a zone's offset has ever moved at once (double summer time), for the size bound. */
const MAX_SHIFT_MS = 2 * 3_600_000;

/** The grid of a chunked store's definition. Throws SeriesError `invalid` on a bad zone or freq. */
export function gridOf(def: ChunkedDef): Grid {
  return makeGrid(def.zone, def.chunkAxis, def.freq);
}

/**
 * A grid from its parts, checked: a zone this runtime resolves, a known axis, a parseable
 * frequency, and chunks no longer than MAX_CHUNK_POINTS (1s steps need month chunks).
 */
export function makeGrid(zone: string, axis: ChunkAxis, freq: string | Freq): Grid {
  if (!isKnownZone(zone)) throw new SeriesError("invalid", `unknown time zone '${String(zone).slice(0, 64)}'`);
  if (axis !== "year" && axis !== "year,month") {
    throw new SeriesError("invalid", `invalid chunk axis '${String(axis).slice(0, 20)}': expected year or year,month`);
  }
  const f = typeof freq === "string" ? parseFreq(freq) : parseFreq(freq.text);
  const maxDays = axis === "year" ? 366 : 31;
  const maxPoints = isSubDaily(f) ? Math.ceil((maxDays * DAY_MS + MAX_SHIFT_MS) / f.stepMs) : maxDays;
  if (maxPoints > MAX_CHUNK_POINTS) {
    throw new SeriesError(
      "invalid",
      `frequency ${f.text} with ${axis} chunks gives up to ${maxPoints} points a chunk (limit ${MAX_CHUNK_POINTS}): use year,month chunks or a longer step`,
    );
  }
  return Object.freeze({ zone, axis, freq: f });
}

const known = new Map<string, boolean>();
const MAX_KNOWN = 1_000;

/**
 * True when `iana` names a zone this runtime knows and the Haystack zone code resolves to the
 * same zone (so `Foo/Paris`, which Haystack would read as `Paris`, is refused).
 */
export function isKnownZone(iana: string): boolean {
  if (typeof iana !== "string" || iana.length === 0 || iana.length > 64) return false;
  const hit = known.get(iana);
  if (hit !== undefined) return hit;
  let ok = false;
  const back = haystackToIana(ianaToHaystack(iana));
  if (back !== undefined) {
    const a = resolvedZone(iana);
    ok = a !== undefined && a === resolvedZone(back);
  }
  if (known.size >= MAX_KNOWN) known.clear();
  known.set(iana, ok);
  return ok;
}

function resolvedZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The Haystack zone name the time code wants; refuses a grid built by hand with a bad zone. */
export function tzOf(grid: Grid): string {
  if (!isKnownZone(grid.zone))
    throw new SeriesError("invalid", `unknown time zone '${String(grid.zone).slice(0, 64)}'`);
  return ianaToHaystack(grid.zone);
}

/** Throws SeriesError `invalid` unless `ms` is an instant between years 1 and 9999. */
export function checkInstant(ms: number, what = "timestamp"): void {
  if (!(ms >= MIN_MS && ms <= MAX_MS)) {
    throw new SeriesError("invalid", `${what} out of range (years 1 to 9999): ${ms}`);
  }
}

/** Days since 1970-01-01 of the local date of `ms` in Haystack zone `tz`. */
export function localDay(tz: string, ms: number): number {
  return Math.floor((ms + offsetSeconds(tz, ms) * 1000) / DAY_MS);
}

/** First instant of local day `day` (days since 1970-01-01); see startOfDay for DST gaps. */
export function dayStartMs(tz: string, day: number): number {
  const [y, m, d] = civilFromDays(day);
  return startOfDay(new HDate(y, m, d), tz).ms;
}

/** Chunk index of a local calendar day. */
function chunkOfDay(axis: ChunkAxis, day: number): number {
  const [y, m] = civilFromDays(day);
  return axis === "year" ? y : y * 12 + m - 1;
}

/** First local day (days since 1970-01-01) of chunk `c`. */
export function chunkFirstDay(grid: Grid, c: number): number {
  if (!Number.isInteger(c)) throw new SeriesError("invalid", `invalid chunk index: ${c}`);
  if (grid.axis === "year") return daysFromCivil(c, 1, 1);
  const y = Math.floor(c / 12);
  return daysFromCivil(y, c - y * 12 + 1, 1);
}

const MIN_CHUNK_DAY = daysFromCivil(1, 1, 1);
const MAX_CHUNK_DAY = daysFromCivil(9999, 12, 1);

function checkChunk(grid: Grid, c: number): number {
  const day = chunkFirstDay(grid, c);
  if (day < MIN_CHUNK_DAY || day > MAX_CHUNK_DAY) {
    throw new SeriesError("invalid", `chunk index out of range (years 1 to 9999): ${c}`);
  }
  return day;
}

/**
 * HoLcStore's chunk_index of the local date of `ms` in the grid's zone: the year, or
 * year * 12 + month - 1. Example (Paris, months): 2024-01-01T00:00+01:00 -> 24288.
 */
export function chunkIndexOf(grid: Grid, ms: number): number {
  checkInstant(ms);
  return chunkOfDay(grid.axis, localDay(tzOf(grid), ms));
}

/** Local midnight of the chunk's first day (or the first instant of that day, across a DST gap). */
export function chunkStartMs(grid: Grid, chunkIndex: number): number {
  return dayStartMs(tzOf(grid), checkChunk(grid, chunkIndex));
}

/** Where one chunk's grid lies: what toChunks and fromChunks need, computed once per chunk. */
export interface ChunkLayout {
  readonly chunkIndex: number;
  readonly startMs: number;
  /** The next chunk's start: every point of this chunk is before it. */
  readonly endMs: number;
  readonly length: number;
  /** Daily grids: the instant of each point (local midnights). */
  readonly times?: Float64Array;
}

/** The layout of chunk `c` of `grid`. */
export function chunkLayout(grid: Grid, c: number): ChunkLayout {
  const tz = tzOf(grid);
  const first = checkChunk(grid, c);
  const next = chunkFirstDay(grid, c + 1);
  const startMs = dayStartMs(tz, first);
  const endMs = dayStartMs(tz, next);
  const f = grid.freq;
  if (isSubDaily(f)) {
    return { chunkIndex: c, startMs, endMs, length: Math.ceil((endMs - startMs) / f.stepMs) };
  }
  const times = dailyTimes(tz, first, next - first, f.days ?? 1);
  return { chunkIndex: c, startMs, endMs, length: times.length, times };
}

/**
 * Local midnights from day `first`, every `step` days, for the days of a span of `spanDays`.
 * A day a zone skipped (Pacific/Apia, 2011-12-30) starts when the next day does, so two points
 * share an instant; readers keep the later one, which is the day that really exists.
 */
export function dailyTimes(tz: string, first: number, spanDays: number, step: number): Float64Array {
  const n = Math.max(0, Math.ceil(spanDays / step));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = dayStartMs(tz, first + i * step);
  return out;
}

/** Grid points from the chunk's start up to (excluding) the next chunk's start. */
export function chunkLength(grid: Grid, chunkIndex: number): number {
  const f = grid.freq;
  if (isSubDaily(f)) {
    const tz = tzOf(grid);
    const first = checkChunk(grid, chunkIndex);
    const span = dayStartMs(tz, chunkFirstDay(grid, chunkIndex + 1)) - dayStartMs(tz, first);
    return Math.ceil(span / f.stepMs);
  }
  const first = checkChunk(grid, chunkIndex);
  return Math.ceil((chunkFirstDay(grid, chunkIndex + 1) - first) / (f.days ?? 1));
}

/**
 * The instant of grid point `i` of chunk `chunkIndex`: start + i * step on a sub-daily grid,
 * local midnight of the chunk's first day + i * days on a daily one.
 */
export function timeAt(grid: Grid, chunkIndex: number, i: number): number {
  if (!Number.isInteger(i) || i < 0) throw new SeriesError("invalid", `invalid grid position: ${i}`);
  const f = grid.freq;
  if (isSubDaily(f)) return chunkStartMs(grid, chunkIndex) + i * f.stepMs;
  const first = checkChunk(grid, chunkIndex);
  return dayStartMs(tzOf(grid), first + i * (f.days ?? 1));
}

/**
 * The chunk indexes whose local dates touch [startMs, endMs] (both inclusive); `from > to` when
 * the interval is empty.
 */
export function chunkSpan(grid: Grid, startMs: number, endMs: number): { readonly from: number; readonly to: number } {
  const from = chunkIndexOf(grid, startMs);
  const to = chunkIndexOf(grid, endMs);
  return startMs > endMs ? { from, to: from - 1 } : { from, to };
}
