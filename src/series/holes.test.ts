import { describe, expect, it } from "vitest";
import { SeriesError } from "./errors.ts";
import { findHoles } from "./holes.ts";
import type { Points } from "./model.ts";

const N = Number.NaN;
const ms = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const D = 24 * H;
const pts = (index: number[], values: number[]): Points => ({
  index: Float64Array.from(index),
  values: Float64Array.from(values),
});
const iso = (holes: { fromMs: number; toMs: number }[]) =>
  holes.map((h) => [new Date(h.fromMs).toISOString().slice(0, 16), new Date(h.toMs).toISOString().slice(0, 16)]);

describe("findHoles (HoLcStore's tests_basics.test_find_holes)", () => {
  const sd = ms("2024-01-01T00:00:00Z");
  const ed = ms("2024-01-11T00:00:00Z");
  const days = Array.from({ length: 11 }, (_, i) => sd + i * D);
  const series = (nullDays: number[]) =>
    pts(
      days,
      days.map((_, i) => (nullDays.includes(i + 1) ? N : 10)),
    );
  const q = { startMs: sd, endMs: ed, freq: "D" };

  it("reports no hole for a complete series", () => {
    expect(findHoles(series([]), q)).toEqual([]);
  });

  it("reports each inclusive NaN run by its first and last expected point", () => {
    expect(iso(findHoles(series([2, 3]), q))).toEqual([["2024-01-02T00:00", "2024-01-03T00:00"]]);
    expect(iso(findHoles(series([2, 3, 5, 6, 7, 8]), q))).toEqual([
      ["2024-01-02T00:00", "2024-01-03T00:00"],
      ["2024-01-05T00:00", "2024-01-08T00:00"],
    ]);
  });

  it("reports a series with no point as one hole from start to end exactly", () => {
    expect(findHoles(pts([], []), { ...q, startMs: sd + 1 })).toEqual([{ fromMs: sd + 1, toMs: ed }]);
  });
});

describe("findHoles on other grids", () => {
  const t0 = ms("2024-03-01T00:00:00Z");

  it("counts absent and off-grid points as missing, ignores points outside [start, end]", () => {
    const p = pts([t0 - 30 * 60_000, t0, t0 + 45 * 60_000, t0 + 90 * 60_000, t0 + 5 * H], [1, 1, 1, 1, 1]);
    const holes = findHoles(p, { startMs: t0, endMs: t0 + 3 * H, freq: "30min" });
    // Expected points every 30 min from t0 to t0+3h; only t0 and t0+90min are there.
    expect(holes).toEqual([
      { fromMs: t0 + 30 * 60_000, toMs: t0 + 60 * 60_000 },
      { fromMs: t0 + 120 * 60_000, toMs: t0 + 180 * 60_000 },
    ]);
  });

  it("anchors the expected grid at start and stops at the last step within end", () => {
    const p = pts([t0 + 15 * 60_000], [1]);
    expect(findHoles(p, { startMs: t0 + 15 * 60_000, endMs: t0 + H + 50 * 60_000, freq: "1h" })).toEqual([
      { fromMs: t0 + 75 * 60_000, toMs: t0 + 75 * 60_000 },
    ]);
  });

  it("reports the whole expected grid when no value is in range, and nothing when end < start", () => {
    const p = pts([t0 - H], [1]);
    expect(findHoles(p, { startMs: t0, endMs: t0 + 2 * H + 1, freq: "1h" })).toEqual([
      { fromMs: t0, toMs: t0 + 2 * H },
    ]);
    expect(findHoles(p, { startMs: t0, endMs: t0 - 1, freq: "1h" })).toEqual([]);
  });

  it("widens holes by the margin (HoLcStore's freq_margin)", () => {
    const p = pts([t0, t0 + 3 * H], [1, 1]);
    expect(findHoles(p, { startMs: t0, endMs: t0 + 3 * H, freq: "1h", marginMs: H })).toEqual([
      { fromMs: t0, toMs: t0 + 3 * H },
    ]);
  });

  it("steps daily grids on the zone's calendar across DST (Paris, October)", () => {
    const start = ms("2024-10-26T00:00:00+02:00");
    const oct27 = ms("2024-10-27T00:00:00+02:00");
    const oct28 = ms("2024-10-28T00:00:00+01:00");
    const oct29 = ms("2024-10-29T00:00:00+01:00");
    // A point 24 h after Oct 27 midnight is 23:00 local: not the expected Oct 28 point.
    const p = pts([start, oct27, oct27 + D, oct29], [1, 1, 1, 1]);
    expect(findHoles(p, { startMs: start, endMs: oct29, freq: "1D", zone: "Europe/Paris" })).toEqual([
      { fromMs: oct28, toMs: oct28 },
    ]);
    // In UTC the same instants are 22:00 and 23:00: a UTC daily grid from `start` finds other holes.
    expect(findHoles(p, { startMs: start, endMs: oct29, freq: "1D" })).toEqual([
      { fromMs: oct29 - H, toMs: oct29 - H },
    ]);
  });

  it("costs nothing per grid point: a 1s grid over 50 years answers at once", () => {
    const start = ms("2000-01-01T00:00:00Z");
    const end = ms("2050-01-01T00:00:00Z");
    const began = performance.now();
    const holes = findHoles(pts([start + 1000], [1]), { startMs: start, endMs: end, freq: "1s" });
    expect(performance.now() - began).toBeLessThan(100);
    expect(holes).toEqual([
      { fromMs: start, toMs: start },
      { fromMs: start + 2000, toMs: end },
    ]);
  });

  it("refuses bad bounds, margins, zones and frequencies with SeriesError", () => {
    const p = pts([t0], [1]);
    const bad = [
      { startMs: N, endMs: t0, freq: "1h" },
      { startMs: t0, endMs: 9e15, freq: "1h" },
      { startMs: t0, endMs: t0, freq: "1h", marginMs: -1 },
      { startMs: t0, endMs: t0, freq: "1D", zone: "Mars/Olympus" },
      { startMs: t0, endMs: t0, freq: "7min" },
    ];
    for (const q of bad) expect(() => findHoles(p, q)).toThrow(SeriesError);
  });
});
