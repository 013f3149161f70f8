/**
 * Several series with their own instants onto one x axis, as uPlot needs: the union of the x
 * values, with null where a series has no value (drawn as a gap, never as a made-up line).
 */
import type { ChartData } from "../../app/chart.ts";

export interface XY {
  readonly x: readonly number[];
  readonly y: readonly (number | null)[];
}

export function align(series: readonly XY[]): ChartData {
  if (series.length === 1) {
    const only = series[0] as XY;
    return { x: only.x, ys: [only.y] };
  }
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y: (number | null)[] = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => {
      y[at.get(x) as number] = s.y[i] ?? null;
    });
    return y;
  });
  return { x: xs, ys };
}
