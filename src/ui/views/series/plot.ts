/**
 * One series over a window, read as NDJSON and cut off at MAX_POINTS so a window of years at a
 * fine step never hangs the page, then drawn with app/chart.ts. A single-series answer is a
 * `{"t", "v"}` line per point; a multi-series one (a versioned store's `version=all`) a
 * `{"keys", "version", "index", "values"}` line per series, drawn as one line each.
 */
import { type ChartSeries, type TimeChart, timeChart } from "../../app/chart.ts";
import { h } from "../../app/dom.ts";
import { align, type XY } from "../common/align.ts";
import { count } from "../common/format.ts";
import { streamNdjson } from "../common/ndjson.ts";
import { type SeriesKeys, type StoreInfo, storeBase } from "./api.ts";
import type { TimeWindow } from "./window.ts";

/** Points drawn at most: uPlot stays quick well beyond this, the JSON parsing is what costs. */
export const MAX_POINTS = 200_000;

interface Loaded {
  readonly lines: { readonly label: string; readonly xy: XY }[];
  readonly points: number;
  readonly truncated: boolean;
}

async function load(
  project: string,
  store: StoreInfo,
  keys: SeriesKeys,
  w: TimeWindow,
  signal: AbortSignal,
): Promise<Loaded> {
  const q = new URLSearchParams(keys);
  if (w.startMs !== undefined) q.set("start", new Date(w.startMs).toISOString());
  if (w.endMs !== undefined) q.set("end", new Date(w.endMs).toISOString());
  // A series store answers every match unless told the keys name exactly one.
  if (store.definition.kind === "series") q.set("flat", "true");
  q.set("format", "ndjson");
  const single: { x: number[]; y: (number | null)[] } = { x: [], y: [] };
  const lines: Loaded["lines"][number][] = [];
  let points = 0;
  // A series store answers a series whole, whatever the window: the window is applied here too.
  const lo = w.startMs === undefined ? Number.NEGATIVE_INFINITY : w.startMs / 1000;
  const hi = w.endMs === undefined ? Number.POSITIVE_INFINITY : w.endMs / 1000;
  const inside = (x: number) => x >= lo && x <= hi;
  const { stopped } = await streamNdjson(
    `${storeBase(project, store.name)}/series?${q}`,
    (line) => {
      const l = line as {
        t?: string;
        v?: number | null;
        version?: number;
        index?: string[];
        values?: (number | null)[];
      };
      if (l.t !== undefined) {
        const x = Date.parse(l.t) / 1000;
        if (!inside(x)) return true;
        single.x.push(x);
        single.y.push(l.v ?? null);
        points++;
      } else if (l.index) {
        const xy: { x: number[]; y: (number | null)[] } = { x: [], y: [] };
        l.index.forEach((t, i) => {
          const x = Date.parse(t) / 1000;
          if (inside(x) && points + xy.x.length < MAX_POINTS) {
            xy.x.push(x);
            xy.y.push(l.values?.[i] ?? null);
          }
        });
        lines.push({ label: l.version === undefined ? "series" : `version ${l.version}`, xy });
        points += xy.x.length;
      }
      return points < MAX_POINTS;
    },
    { signal },
  );
  if (single.x.length > 0) lines.unshift({ label: Object.values(keys).join(" / ") || "value", xy: single });
  return { lines, points, truncated: stopped };
}

export interface SeriesPlot {
  readonly el: HTMLElement;
  show(keys: SeriesKeys, w: TimeWindow): Promise<void>;
  destroy(): void;
}

export function seriesPlot(project: string, store: StoreInfo): SeriesPlot {
  const box = h("div", { class: "chart fx-chart", id: "fx-series-chart" });
  const note = h("p", { class: "muted fx-note", id: "fx-series-note" });
  const el = h("div", { class: "fx-plot" }, note, box);
  let chart: TimeChart | undefined;
  let running: AbortController | undefined;
  const clear = () => {
    chart?.destroy();
    chart = undefined;
    box.replaceChildren();
  };
  return {
    el,
    async show(keys, w) {
      running?.abort();
      const ctl = new AbortController();
      running = ctl;
      const got = await load(project, store, keys, w, ctl.signal);
      if (ctl.signal.aborted) return;
      clear();
      if (got.points === 0) {
        note.textContent = "No values in this window.";
        return;
      }
      note.textContent = got.truncated
        ? `Showing the first ${count(got.points, "point")} only: narrow the window to see the rest.`
        : count(got.points, "point");
      note.classList.toggle("bad", got.truncated);
      const series: ChartSeries[] = got.lines.map((l) => ({ label: l.label }));
      chart = timeChart(box, align(got.lines.map((l) => l.xy)), {
        series,
        ...(store.definition.zone ? { tz: store.definition.zone } : {}),
      });
    },
    destroy() {
      running?.abort();
      clear();
    },
  };
}
