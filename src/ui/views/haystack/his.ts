/**
 * History for charts: range presets as hisRead ranges, the rollup interval that keeps each series
 * at most MAX_BUCKETS buckets, and hisRead replies turned into chart columns. Every read goes
 * through the server's rollup (`rollup` + `interval`), so however long the range, the browser gets
 * at most a couple of thousand rows per point.
 */
import { haystack } from "../../app/api.ts";
import type { ChartData } from "../../app/chart.ts";
import { type HDictJson, kindOf, numberOf } from "./hval.ts";

/** Buckets per series a chart asks for at most: about one per pixel column of a wide screen. */
export const MAX_BUCKETS = 2_000;

export const PRESETS = [
  { id: "today", title: "Today" },
  { id: "yesterday", title: "Yesterday" },
  { id: "7d", title: "Last 7 days" },
  { id: "30d", title: "Last 30 days" },
  { id: "1y", title: "Last year" },
] as const;
export type PresetId = (typeof PRESETS)[number]["id"];

/** A chart's time window: a preset, custom dates (inclusive), or an exact zoomed span. */
export type HisWindow =
  | { readonly kind: "preset"; readonly id: PresetId }
  | { readonly kind: "dates"; readonly start: string; readonly end: string }
  | { readonly kind: "span"; readonly startMs: number; readonly endMs: number };

const DAY_MS = 86_400_000;
const PRESET_DAYS: Record<PresetId, number> = { today: 1, yesterday: 1, "7d": 7, "30d": 30, "1y": 365 };

export function isPreset(s: string | null | undefined): s is PresetId {
  return PRESETS.some((p) => p.id === s);
}

/** A UTC dateTime in Zinc, as hisRead ranges take it: `2026-01-01T00:00:00Z UTC`. */
function zincUtc(ms: number): string {
  return `${new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")} UTC`;
}

/** The hisRead `range` text and the span's length (to size the rollup interval). */
export function rangeOf(w: HisWindow, nowMs = Date.now()): { range: string; spanMs: number } {
  if (w.kind === "dates") {
    const span = Date.parse(w.end) - Date.parse(w.start) + DAY_MS;
    return { range: `${w.start},${w.end}`, spanMs: Number.isFinite(span) ? Math.max(DAY_MS, span) : DAY_MS };
  }
  if (w.kind === "span") {
    return { range: `${zincUtc(w.startMs)},${zincUtc(w.endMs)}`, spanMs: Math.max(1000, w.endMs - w.startMs) };
  }
  if (w.id === "today" || w.id === "yesterday") return { range: w.id, spanMs: DAY_MS };
  const span = PRESET_DAYS[w.id] * DAY_MS;
  return { range: `${zincUtc(nowMs - span)},${zincUtc(nowMs)}`, spanMs: span };
}

/** Bucket sizes a chart uses, as Zinc durations, shortest first. */
const INTERVALS: readonly (readonly [number, string])[] = [
  [1_000, "1s"],
  [5_000, "5s"],
  [15_000, "15s"],
  [30_000, "30s"],
  [60_000, "1min"],
  [300_000, "5min"],
  [900_000, "15min"],
  [1_800_000, "30min"],
  [3_600_000, "1h"],
  [7_200_000, "2h"],
  [10_800_000, "3h"],
  [21_600_000, "6h"],
  [43_200_000, "12h"],
  [DAY_MS, "1day"],
  [2 * DAY_MS, "2day"],
  [7 * DAY_MS, "7day"],
  [14 * DAY_MS, "14day"],
  [30 * DAY_MS, "30day"],
  [91 * DAY_MS, "91day"],
  [365 * DAY_MS, "365day"],
];

/** The shortest interval giving at most `max` buckets over `spanMs`. */
export function intervalFor(spanMs: number, max = MAX_BUCKETS): { ms: number; text: string } {
  for (const [ms, text] of INTERVALS) if (Math.ceil(spanMs / ms) <= max) return { ms, text };
  const last = INTERVALS[INTERVALS.length - 1] as readonly [number, string];
  return { ms: last[0], text: last[1] };
}

/** What a chart needs of a point record. */
export interface HisPoint {
  readonly id: string;
  readonly dis: string;
  readonly unit?: string;
  readonly tz?: string;
  /** The point's `kind` tag: Number (default), Bool or Str. */
  readonly kind: string;
}

export function hisPointOf(rec: HDictJson): HisPoint | undefined {
  const id = kindOf(rec.id) === "ref" ? String((rec.id as { val: string }).val) : undefined;
  if (!id) return undefined;
  const dis = typeof rec.dis === "string" ? rec.dis : ((rec.id as { dis?: string }).dis ?? `@${id}`);
  return {
    id,
    dis,
    ...(typeof rec.unit === "string" ? { unit: rec.unit } : {}),
    ...(typeof rec.tz === "string" ? { tz: rec.tz } : {}),
    kind: typeof rec.kind === "string" ? rec.kind : "Number",
  };
}

/** Numbers average; Bools and Strs keep the bucket's last sample (an average means nothing). */
export function foldFor(p: HisPoint): "avg" | "last" {
  return p.kind === "Number" ? "avg" : "last";
}

export interface Series {
  readonly x: Float64Array;
  readonly y: (number | null)[];
}

function chartVal(v: unknown): number | null {
  if (typeof v === "boolean") return v ? 1 : 0;
  const n = numberOf(v);
  return n && Number.isFinite(n.val) ? n.val : null;
}

/** One point's rolled-up history. */
export async function readRollup(project: string, p: HisPoint, range: string, interval: string): Promise<Series> {
  const g = await haystack(project, "hisRead", { id: `@${p.id}`, range, rollup: foldFor(p), interval });
  const x = new Float64Array(g.rows.length);
  const y: (number | null)[] = new Array(g.rows.length);
  g.rows.forEach((r, i) => {
    const ts = r.ts as { val?: string } | undefined;
    x[i] = Date.parse(ts?.val ?? "") / 1000;
    y[i] = chartVal(r.val);
  });
  return { x, y };
}

/** Several series on one x axis (the union of their times), null where one has no bucket. */
export function mergeSeries(all: readonly Series[]): ChartData {
  if (all.length === 1) return { x: (all[0] as Series).x, ys: [(all[0] as Series).y] };
  const xs = [...new Set(all.flatMap((s) => Array.from(s.x)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = all.map((s) => {
    const y: (number | null)[] = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => {
      y[at.get(x) as number] = s.y[i] ?? null;
    });
    return y;
  });
  return { x: xs, ys };
}
