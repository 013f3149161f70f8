/**
 * HoLcStore's find_holes for one series (its check_ts_completeness): the series is reindexed on
 * the expected grid `date_range(start, end, freq)` and every maximal run of grid points with no
 * value (absent, off the grid, or NaN) is a hole, reported by its first and last grid point
 * (both inclusive), optionally widened by a margin. A series with no point at all is one hole
 * from `start` to `end` exactly. The face runs it once per prm over the combined versions.
 */
import { HDateTime } from "../haystack/kinds/datetime.ts";
import { ianaToHaystack } from "../haystack/time/tz.ts";
import { plusDays } from "../haystack/time/zoned.ts";
import { checkInstant, isKnownZone, localDay } from "./calendar.ts";
import { SeriesError } from "./errors.ts";
import { type Freq, isSubDaily, parseFreq } from "./freq.ts";
import type { Points } from "./model.ts";

export interface HoleQuery {
  /** First expected point (inclusive): the grid is anchored here, as pandas' date_range is. */
  readonly startMs: number;
  /** Last instant an expected point may have (inclusive). */
  readonly endMs: number;
  /** Expected step (HoLcStore's default is 30min): absolute for s/min/h, local days for D. */
  readonly freq: string | Freq;
  /** IANA zone whose calendar daily steps follow (same local time each day); default UTC. */
  readonly zone?: string;
  /** Widen each hole by this much on both sides (HoLcStore's freq_margin; find_holes uses 0). */
  readonly marginMs?: number;
}

/** A run of missing expected points: its first and last point, both inclusive. */
export interface Hole {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The holes of `points` (ascending, distinct) on the grid of `q`. Work is proportional to the
 * number of points, not of grid points, so a fine grid over a long span costs nothing extra.
 * Example: daily points on Jan 1, 4 and 11 with start Jan 1 and end Jan 11 (1D) ->
 * [{Jan 2, Jan 3}, {Jan 5, Jan 10}].
 */
export function findHoles(points: Points, q: HoleQuery): Hole[] {
  checkInstant(q.startMs, "start");
  checkInstant(q.endMs, "end");
  const margin = q.marginMs ?? 0;
  if (!Number.isFinite(margin) || margin < 0) throw new SeriesError("invalid", `invalid hole margin: ${margin}`);
  const expected = expectedGrid(q);
  if (points.index.length === 0) return [{ fromMs: q.startMs, toMs: q.endMs }];
  if (expected.count <= 0) return [];
  const holes: Hole[] = [];
  const hole = (a: number, b: number) =>
    holes.push({ fromMs: expected.time(a) - margin, toMs: expected.time(b) + margin });
  let prev = -1;
  for (let i = 0; i < points.index.length; i++) {
    const t = points.index[i] as number;
    if (t < q.startMs || t > q.endMs || Number.isNaN(points.values[i] as number)) continue;
    const k = expected.position(t);
    if (k < 0 || k <= prev) continue;
    if (k > prev + 1) hole(prev + 1, k - 1);
    prev = k;
  }
  if (prev < expected.count - 1) hole(prev + 1, expected.count - 1);
  return holes;
}

/** The expected grid: how many points, the instant of point k, and the point at an instant (-1: none). */
interface Expected {
  readonly count: number;
  time(k: number): number;
  position(t: number): number;
}

function expectedGrid(q: HoleQuery): Expected {
  const f = typeof q.freq === "string" ? parseFreq(q.freq) : parseFreq(q.freq.text);
  const start = q.startMs;
  if (isSubDaily(f)) {
    const step = f.stepMs;
    const count = q.endMs < start ? 0 : Math.floor((q.endMs - start) / step) + 1;
    return {
      count,
      time: (k) => start + k * step,
      position: (t) => {
        const k = (t - start) / step;
        return k >= 0 && k < count && Number.isInteger(k) && start + k * step === t ? k : -1;
      },
    };
  }
  const zone = q.zone ?? "UTC";
  if (!isKnownZone(zone)) throw new SeriesError("invalid", `unknown time zone '${String(zone).slice(0, 64)}'`);
  const tz = ianaToHaystack(zone);
  const days = f.days ?? 1;
  const anchor = HDateTime.of(start, tz);
  const day0 = localDay(tz, start);
  const time = (k: number) => plusDays(anchor, k * days).ms;
  let last = Math.floor((localDay(tz, q.endMs) - day0) / days);
  while (last >= 0 && time(last) > q.endMs) last--;
  const count = q.endMs < start ? 0 : last + 1;
  return {
    count,
    time,
    position: (t) => {
      const d = localDay(tz, t) - day0;
      if (d < 0 || d % days !== 0) return -1;
      const k = d / days;
      return k < count && time(k) === t ? k : -1;
    },
  };
}
