/**
 * A history chart of one or several points with range presets, custom dates and drag-to-zoom.
 * Each fetch reads every point through a rollup sized to the window, so zooming in refetches
 * finer buckets and a year stays at a couple of thousand rows per point.
 */
import { haystackToIana } from "../../../haystack/time/tz.ts";
import { type TimeChart, timeChart } from "../../app/chart.ts";
import { h } from "../../app/dom.ts";
import { attempt } from "../../app/status.ts";
import {
  foldFor,
  type HisPoint,
  type HisWindow,
  intervalFor,
  isPreset,
  mergeSeries,
  PRESETS,
  rangeOf,
  readRollup,
} from "./his.ts";

export interface HisPanel {
  readonly el: HTMLElement;
  destroy(): void;
}

export interface HisPanelOptions {
  readonly project: string;
  readonly points: readonly HisPoint[];
  readonly window: HisWindow;
  /** Told when the user picks another preset or dates (to keep it in the URL). */
  readonly onWindow?: (w: HisWindow) => void;
  readonly height?: number;
}

/** Window as URL text: a preset id, or `start..end` dates. */
export function windowParam(w: HisWindow): string | undefined {
  if (w.kind === "preset") return w.id;
  if (w.kind === "dates") return `${w.start}..${w.end}`;
  return undefined;
}

export function windowFromParam(s: string | null, fallback: HisWindow): HisWindow {
  if (isPreset(s)) return { kind: "preset", id: s };
  const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(s ?? "");
  return m ? { kind: "dates", start: m[1] as string, end: m[2] as string } : fallback;
}

export function hisPanel(opts: HisPanelOptions): HisPanel {
  const { project, points } = opts;
  let base: HisWindow = opts.window;
  let chart: TimeChart | undefined;
  let generation = 0;
  const tz = points[0]?.tz;
  // Points carry Haystack zone names (`Denver`); the chart formats with Intl, which needs IANA.
  const ianaTz = tz ? haystackToIana(tz) : undefined;

  const info = h("span", { class: "hs-chart-info muted", "data-testid": "chart-info" });
  const box = h("div", { class: "chart hs-chart", "data-ready": "false" });
  const presetButtons = PRESETS.map((p) =>
    h(
      "button",
      {
        type: "button",
        "data-preset": p.id,
        onclick: () => pick({ kind: "preset", id: p.id }),
      },
      p.title,
    ),
  );
  const today = new Date().toISOString().slice(0, 10);
  const startIn = h("input", { type: "date", "aria-label": "Start date", value: today, max: today });
  const endIn = h("input", { type: "date", "aria-label": "End date", value: today, max: today });
  const custom = h(
    "form",
    {
      class: "hs-custom",
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        if (!startIn.value || !endIn.value) return;
        const [s, e] = startIn.value <= endIn.value ? [startIn.value, endIn.value] : [endIn.value, startIn.value];
        pick({ kind: "dates", start: s, end: e });
      },
    },
    startIn,
    h("span", { class: "muted" }, "–"),
    endIn,
    h("button", { type: "submit" }, "Show"),
  );
  const reset = h("button", { type: "button", hidden: true, onclick: () => void load(base) }, "Reset zoom");
  const el = h(
    "section",
    { class: "hs-his" },
    h("div", { class: "hs-his-bar" }, h("div", { class: "hs-presets", role: "group" }, presetButtons), custom, reset),
    box,
    info,
  );

  function mark(): void {
    for (const b of presetButtons) {
      b.classList.toggle("on", base.kind === "preset" && b.dataset.preset === base.id);
    }
    if (base.kind === "dates") {
      startIn.value = base.start;
      endIn.value = base.end;
    }
  }

  function pick(w: HisWindow): void {
    base = w;
    mark();
    opts.onWindow?.(w);
    void load(w);
  }

  async function load(w: HisWindow): Promise<void> {
    const mine = ++generation;
    box.dataset.ready = "false";
    reset.hidden = w.kind !== "span";
    const { range, spanMs } = rangeOf(w);
    const interval = intervalFor(spanMs);
    const series = await attempt(() => Promise.all(points.map((p) => readRollup(project, p, range, interval.text))));
    if (!series || mine !== generation) return;
    const data = mergeSeries(series);
    const n = data.x.length;
    info.textContent = `${interval.text} buckets (rollup ${[...new Set(points.map(foldFor))].join("/")}) · ${n.toLocaleString()} point${n === 1 ? "" : "s"}${tz ? ` · ${tz} time` : ""}`;
    box.dataset.interval = interval.text;
    box.dataset.points = String(n);
    if (chart) chart.setData(data);
    else {
      chart = timeChart(box, data, {
        series: points.map((p) => ({ label: p.dis, ...(p.unit ? { unit: p.unit } : {}) })),
        height: opts.height ?? 320,
        ...(ianaTz ? { tz: ianaTz } : {}),
        onZoom: (r) => void load(r ? { kind: "span", startMs: r.min * 1000, endMs: r.max * 1000 } : base),
      });
    }
    // uPlot draws on the next frame; flag after it so tests read a painted canvas.
    requestAnimationFrame(() => {
      if (mine === generation) box.dataset.ready = "true";
    });
  }

  mark();
  void load(base);
  return {
    el,
    destroy() {
      generation++;
      chart?.destroy();
    },
  };
}
