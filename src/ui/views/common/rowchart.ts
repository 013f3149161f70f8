/**
 * A line chart over row numbers, for frames whose index is not a time: app/chart.ts's timeChart
 * always reads x as epoch seconds. Same look (colours, sizing) as the time chart.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface RowChart {
  destroy(): void;
}

/** The first colour of app/chart.ts's palette, so both kinds of chart read the same. */
const COLOUR = "#2a6df4";

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function rowChart(container: HTMLElement, y: readonly (number | null)[], label: string, height = 320): RowChart {
  const fg = cssVar("--fg", "#1d1f21");
  const grid = cssVar("--line", "#dcdfe3");
  const axis: uPlot.Axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const width = () => Math.max(200, container.clientWidth);
  const plot = new uPlot(
    {
      width: width(),
      height,
      series: [{ label: "row" }, { label, stroke: COLOUR, width: 1.5, spanGaps: false, points: { show: false } }],
      axes: [axis, axis],
      scales: { x: { time: false } },
      cursor: { drag: { x: true, y: false, setScale: true } },
    },
    [y.map((_, i) => i), y as (number | null)[]] as uPlot.AlignedData,
    container,
  );
  const resize = new ResizeObserver(() => plot.setSize({ width: width(), height }));
  resize.observe(container);
  return {
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}
