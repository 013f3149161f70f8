/**
 * Time charts on uPlot (canvas, tens of thousands of points at 60 fps): one x axis of epoch
 * seconds, one line per series, drag to zoom (double-click resets), sized to its container, and
 * colours that follow the page's light or dark scheme. The chart draws what it is given: callers
 * fetch rollups for long ranges so a chart never holds millions of points.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  readonly label: string;
  /** Shown after values in the legend and on the axis (a Haystack unit, a column's unit). */
  readonly unit?: string;
}

export interface ChartData {
  /** Epoch seconds, ascending. */
  readonly x: ArrayLike<number>;
  /** One array per series, aligned with x; null leaves a gap. */
  readonly ys: readonly ArrayLike<number | null>[];
}

export interface TimeChart {
  readonly plot: uPlot;
  setData(data: ChartData): void;
  destroy(): void;
}

const PALETTE = ["#2a6df4", "#e8710a", "#1e8e3e", "#d93025", "#9334e6", "#12a4af", "#f538a0", "#7c6f00"];

export interface ChartOptions {
  readonly series: readonly ChartSeries[];
  readonly height?: number;
  /** Called with the new x range (epoch seconds) after the user zooms; undefined when reset. */
  readonly onZoom?: (range: { min: number; max: number } | undefined) => void;
  /** The IANA zone times are shown in (the point's tz); the browser's when absent. */
  readonly tz?: string;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function timeChart(container: HTMLElement, data: ChartData, opts: ChartOptions): TimeChart {
  const fg = cssVar("--fg", "#1d1f21");
  const grid = cssVar("--line", "#dcdfe3");
  const axis = (unit?: string): uPlot.Axis => ({
    stroke: fg,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    ...(unit ? { label: unit, labelSize: 18 } : {}),
  });
  const units = [...new Set(opts.series.map((s) => s.unit ?? ""))];
  const scaleOf = (unit: string | undefined) => `u:${unit ?? ""}`;
  let zoomed = false;
  const width = () => Math.max(200, container.clientWidth);
  const plot = new uPlot(
    {
      width: width(),
      height: opts.height ?? 320,
      ...(opts.tz ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), opts.tz as string) } : {}),
      series: [
        {},
        ...opts.series.map((s, i) => ({
          label: s.unit ? `${s.label} (${s.unit})` : s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          scale: scaleOf(s.unit),
          spanGaps: false,
          points: { show: false },
        })),
      ],
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        ...units.slice(0, 2).map((u, i) => ({ ...axis(u), scale: scaleOf(u), side: i === 0 ? 3 : 1 })),
      ],
      scales: { x: { time: true } },
      cursor: { drag: { x: true, y: false, setScale: true } },
      hooks: {
        setSelect: [],
        setScale: [
          (u, key) => {
            if (key !== "x" || !opts.onZoom) return;
            const { min, max } = u.scales.x ?? {};
            if (min === undefined || max === undefined || min === null || max === null) return;
            const full = u.data[0];
            const isFull =
              full.length === 0 || (min <= (full[0] as number) && max >= (full[full.length - 1] as number));
            if (isFull && !zoomed) return;
            zoomed = !isFull;
            opts.onZoom(isFull ? undefined : { min, max });
          },
        ],
      },
    },
    toAligned(data),
    container,
  );
  const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: opts.height ?? 320 }));
  resize.observe(container);
  return {
    plot,
    setData(d) {
      zoomed = false;
      plot.setData(toAligned(d));
    },
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}

function toAligned(d: ChartData): uPlot.AlignedData {
  return [d.x as number[], ...d.ys.map((y) => y as (number | null)[])] as uPlot.AlignedData;
}
