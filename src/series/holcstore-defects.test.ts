/**
 * Regression tests for HoLcStore 0.5.12's chunking defects (HOLCSTORE.md section 3), which we do
 * not copy: its grid end is computed from the last value's UTC offset, one hour off when the
 * month's last day has a DST change; yield_many rebuilds one index from the first and last chunk
 * bounds with a fixed timedelta, so gaps between chunks and 25-hour days break it.
 */
import { describe, expect, it } from "vitest";
import { chunkLength, makeGrid } from "./calendar.ts";
import { fromChunks, toChunks } from "./grid.ts";
import type { Points } from "./model.ts";

const ms = (iso: string) => Date.parse(iso);
const H = 3_600_000;

/** Hourly values 0, 1, 2... from `from` to `to` inclusive (absolute hours). */
function hourly(from: string, to: string): Points {
  const a = ms(from);
  const n = (ms(to) - a) / H + 1;
  return {
    index: Float64Array.from({ length: n }, (_, i) => a + i * H),
    values: Float64Array.from({ length: n }, (_, i) => i),
  };
}

function sameSeries(a: Points, b: Points): void {
  expect(Array.from(a.index)).toEqual(Array.from(b.index));
  expect(Array.from(a.values)).toEqual(Array.from(b.values));
}

describe("HoLcStore defects we do not copy", () => {
  const months = makeGrid("Europe/Paris", "year,month", "1h");

  it("Oct 2021, Paris, month chunks: the 31 Oct 23:00 value is kept", () => {
    // 31 Oct 2021 is the day clocks go back; HoLcStore's grid ended at 22:00 and lost the last value.
    const series = hourly("2021-10-01T00:00:00+02:00", "2021-10-31T23:00:00+01:00");
    expect(series.index).toHaveLength(745);
    const { chunks, offGrid } = toChunks(series, months);
    expect(offGrid).toBe(0);
    expect(chunks.map((c) => c.chunkIndex)).toEqual([2021 * 12 + 9]);
    expect(chunks[0]?.values).toHaveLength(745);
    expect(chunks[0]?.values[744]).toBe(744);
    const back = fromChunks(chunks, months);
    sameSeries(back, series);
    expect(back.index[744]).toBe(ms("2021-10-31T22:00:00Z"));
  });

  it("Oct 2021 ending mid-series: a later write of the last hour lands in October, not November", () => {
    const { chunks } = toChunks(hourly("2021-10-31T23:00:00+01:00", "2021-11-01T01:00:00+01:00"), months);
    expect(chunks.map((c) => [c.chunkIndex, c.values.length])).toEqual([
      [2021 * 12 + 9, 745],
      [2021 * 12 + 10, 720],
    ]);
  });

  it("Mar 2024, Paris, month chunks: no spurious one-point April chunk", () => {
    const series = hourly("2024-03-01T00:00:00+01:00", "2024-03-31T23:00:00+02:00");
    expect(series.index).toHaveLength(743);
    const { chunks } = toChunks(series, months);
    expect(chunks.map((c) => [c.chunkIndex, c.values.length])).toEqual([[2024 * 12 + 2, 743]]);
    sameSeries(fromChunks(chunks, months), series);
  });

  it("the same two months are right with year chunks and with 15min steps", () => {
    const year = makeGrid("Europe/Paris", "year", "1h");
    const oct = hourly("2021-10-01T00:00:00+02:00", "2021-10-31T23:00:00+01:00");
    const yc = toChunks(oct, year).chunks;
    expect(yc.map((c) => c.chunkIndex)).toEqual([2021]);
    sameSeries(fromChunks(yc, year), oct);
    const q = makeGrid("Europe/Paris", "year,month", "15min");
    const a = ms("2024-03-01T00:00:00+01:00");
    const n = chunkLength(q, 2024 * 12 + 2);
    const mar: Points = {
      index: Float64Array.from({ length: n }, (_, i) => a + i * 15 * 60_000),
      values: Float64Array.from({ length: n }, (_, i) => i),
    };
    expect(mar.index[n - 1]).toBe(ms("2024-03-31T23:45:00+02:00"));
    const qc = toChunks(mar, q).chunks;
    expect(qc.map((c) => c.chunkIndex)).toEqual([2024 * 12 + 2]);
    sameSeries(fromChunks(qc, q), mar);
  });

  it("a read over a series with gaps between chunks returns each chunk's points (no length mismatch)", () => {
    const jan = hourly("2024-01-01T00:00:00+01:00", "2024-01-31T23:00:00+01:00");
    const apr = hourly("2024-04-01T00:00:00+02:00", "2024-04-30T23:00:00+02:00");
    const both: Points = {
      index: Float64Array.from([...jan.index, ...apr.index]),
      values: Float64Array.from([...jan.values, ...apr.values]),
    };
    const { chunks } = toChunks(both, months);
    expect(chunks.map((c) => c.chunkIndex)).toEqual([24288, 24291]);
    sameSeries(fromChunks(chunks, months), both);
    // A window across the gap, as yield_many(start, end) reads it.
    const win = fromChunks(chunks, months, ms("2024-01-31T20:00:00Z"), ms("2024-04-01T01:00:00+02:00"));
    expect(Array.from(win.index)).toEqual([
      ms("2024-01-31T20:00:00Z"),
      ms("2024-01-31T21:00:00Z"),
      ms("2024-01-31T22:00:00Z"),
      ms("2024-03-31T22:00:00Z"),
      ms("2024-03-31T23:00:00Z"),
    ]);
    expect(Array.from(win.values)).toEqual([741, 742, 743, 0, 1]);
  });

  it("a daily store in October: 31 values, each at local midnight, across the 25-hour day", () => {
    const daily = makeGrid("Europe/Paris", "year,month", "1D");
    const midnights = Array.from({ length: 31 }, (_, i) =>
      ms(`2024-10-${String(i + 1).padStart(2, "0")}T00:00:00${i + 1 <= 26 ? "+02:00" : "+01:00"}`),
    );
    // Oct 27 itself starts at +02:00 (the change is at 03:00).
    midnights[26] = ms("2024-10-27T00:00:00+02:00");
    const series: Points = { index: Float64Array.from(midnights), values: Float64Array.from(midnights, (_, i) => i) };
    const { chunks, offGrid } = toChunks(series, daily);
    expect(offGrid).toBe(0);
    expect(chunks.map((c) => [c.chunkIndex, c.startMs, c.values.length])).toEqual([
      [24297, ms("2024-09-30T22:00:00Z"), 31],
    ]);
    sameSeries(fromChunks(chunks, daily), series);
    expect(fromChunks(chunks, daily).index[30]).toBe(ms("2024-10-30T23:00:00Z"));
  });

  it("a daily store read across September, October and November keeps every midnight", () => {
    const daily = makeGrid("Europe/Paris", "year,month", "1D");
    const days: number[] = [];
    for (let d = Date.UTC(2024, 8, 1); d <= Date.UTC(2024, 10, 30); d += 86_400_000) {
      const local = new Date(d).toISOString().slice(0, 10);
      const offset = d >= Date.UTC(2024, 9, 28) ? "+01:00" : "+02:00";
      days.push(ms(`${local}T00:00:00${offset}`));
    }
    const series: Points = { index: Float64Array.from(days), values: Float64Array.from(days, (_, i) => i) };
    const { chunks } = toChunks(series, daily);
    expect(chunks.map((c) => c.values.length)).toEqual([30, 31, 30]);
    sameSeries(fromChunks(chunks, daily), series);
  });
});
