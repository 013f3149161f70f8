/**
 * Grid frequencies, spelled as pandas spells them (HoLcStore's STORE_FREQ is a pandas string).
 * Two families, with pandas' own meaning in a zone-aware `date_range`:
 * - sub-daily steps (`s`, `min`/`T`, `h`/`H`) are absolute time: 1h is 3,600,000 ms, so a day
 *   across a DST change has 23 or 25 hourly points;
 * - daily steps (`D`) are local calendar days: each point sits at local midnight.
 */
import { SeriesError } from "./errors.ts";

export interface Freq {
  /** Canonical text, readable by pandas: "15min", "1h", "10s", "1D". */
  readonly text: string;
  /** Sub-daily grids: the absolute step in milliseconds. */
  readonly stepMs?: number;
  /** Daily and longer grids: the step in local calendar days. */
  readonly days?: number;
}

export const DAY_MS = 86_400_000;

/** Longest daily step accepted: beyond a year every chunk would hold one point anyway. */
export const MAX_DAYS = 366;

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  S: 1000,
  min: 60_000,
  T: 60_000,
  h: 3_600_000,
  H: 3_600_000,
};

const FREQ_RE = /^([0-9]{0,9})(s|S|min|T|h|H|D|d)$/;

/**
 * Parses a pandas frequency. A missing count means 1 (`"h"` is `"1h"`).
 * Sub-daily steps must divide 24h exactly, so that a day splits into whole steps and a zone
 * without DST has every day's grid start at local midnight.
 * Example: `parseFreq("15T")` is `{ text: "15min", stepMs: 900000 }`; `parseFreq("D")` is
 * `{ text: "1D", days: 1 }`. Throws SeriesError `invalid` otherwise.
 */
export function parseFreq(text: string): Freq {
  const m = typeof text === "string" && text.length <= 16 ? FREQ_RE.exec(text) : null;
  if (!m) {
    throw new SeriesError(
      "invalid",
      `invalid frequency ${JSON.stringify(String(text).slice(0, 40))}: expected a count and a unit, e.g. 15min, 30min, 1h, 10s, 1D`,
    );
  }
  const n = m[1] === "" ? 1 : Number(m[1]);
  const unit = m[2] as string;
  if (n < 1) throw new SeriesError("invalid", `invalid frequency '${text}': the count must be at least 1`);
  if (unit === "D" || unit === "d") {
    if (n > MAX_DAYS) throw new SeriesError("invalid", `invalid frequency '${text}': at most ${MAX_DAYS}D`);
    return Object.freeze({ text: `${n}D`, days: n });
  }
  const stepMs = n * (UNIT_MS[unit] as number);
  if (stepMs > DAY_MS || DAY_MS % stepMs !== 0) {
    throw new SeriesError(
      "invalid",
      `invalid frequency '${text}': a sub-daily step must divide 24h exactly (e.g. 5min, 15min, 1h, 2h, 6h), so every day of a chunk's grid starts at local midnight; use nD for daily steps`,
    );
  }
  return Object.freeze({ text: canonicalStep(stepMs), stepMs });
}

/** The shortest pandas spelling of an absolute step: the largest unit it is a whole number of. */
function canonicalStep(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  return `${ms / 1000}s`;
}

/** True for a grid stepping in absolute time (s, min, h), false for calendar days. */
export function isSubDaily(freq: Freq): freq is Freq & { readonly stepMs: number } {
  return freq.stepMs !== undefined;
}
