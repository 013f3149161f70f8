/**
 * The series demo: three stores in the demo project, one per HoLcStore model, so `GET /ts/demo/...`
 * answers on a fresh clone. Values are pure functions of (series, instant), so a reseed gives the
 * same data. Seeding defines each store once and writes its data only when the store is new.
 */
import type { Points, SeriesKey, StoreDef } from "../series/model.ts";
import type { SeriesApi } from "../timeseries/api.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Years of hourly load curves in the chunked store. */
export const DEMO_LOAD_YEARS = 3;

export const DEMO_STORES: Readonly<Record<string, StoreDef>> = {
  load: {
    kind: "chunked",
    keys: [
      { name: "site", type: "str" },
      { name: "kind", type: "str" },
    ],
    zone: "Europe/Paris",
    dtype: "float64",
    chunkAxis: "year,month",
    freq: "1h",
    sync: true,
  },
  forecast: {
    kind: "versioned",
    keys: [
      { name: "prm", type: "str" },
      { name: "client_id", type: "int" },
    ],
    zone: "Europe/Paris",
    dtype: "float64",
  },
  tariffs: {
    kind: "series",
    keys: [
      { name: "year", type: "int" },
      { name: "kind", type: "str" },
    ],
    zone: "Europe/Paris",
    dtype: "float64",
  },
};

function hash(n: number, seed: number): number {
  let x = Math.imul((n ^ seed) >>> 0, 0x9e3779b1);
  x = Math.imul(x ^ (x >>> 15), 0x85ebca6b);
  return ((x ^ (x >>> 13)) >>> 0) / 4_294_967_296;
}

/** A building's hourly load (kW): a daily and a yearly cycle, lower at weekends, with noise. */
function load(ts: number, seed: number): number {
  const hourOfDay = (((ts / HOUR) % 24) + 24) % 24;
  const day = Math.floor(ts / DAY);
  const weekend = (day + 4) % 7 >= 5;
  const daily = Math.max(0, Math.sin(((hourOfDay - 6) / 24) * 2 * Math.PI));
  const yearly = Math.cos((((ts / DAY) % 365.25) / 365.25) * 2 * Math.PI);
  const base = 40 + 15 * yearly + (weekend ? 10 : 60) * daily;
  return Math.round((base + 5 * (hash(Math.floor(ts / HOUR), seed) - 0.5)) * 100) / 100;
}

/** Solar output (kW): daylight only, more in summer. */
function pv(ts: number, seed: number): number {
  const hourOfDay = (((ts / HOUR) % 24) + 24) % 24;
  const summer = 0.6 + 0.4 * Math.cos((((ts / DAY) % 365.25) / 365.25 - 0.5) * 2 * Math.PI);
  const sun = Math.max(0, Math.sin(((hourOfDay - 5) / 14) * Math.PI));
  return Math.round(30 * summer * sun * (0.7 + 0.3 * hash(Math.floor(ts / HOUR), seed)) * 100) / 100;
}

function hourly(fromMs: number, toMs: number, f: (ts: number) => number): Points {
  const n = Math.max(0, Math.floor((toMs - fromMs) / HOUR));
  const index = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    index[i] = fromMs + i * HOUR;
    values[i] = f(fromMs + i * HOUR);
  }
  return { index, values };
}

export interface SeriesDemoResult {
  readonly seeded: string[];
  readonly points: number;
}

/** Defines the demo stores and fills those that were new, up to the hour before `nowMs`. */
export async function seedSeriesDemo(open: (store: string) => SeriesApi, nowMs: number): Promise<SeriesDemoResult> {
  const seeded: string[] = [];
  let points = 0;
  const end = Math.floor(nowMs / HOUR) * HOUR;
  for (const [name, def] of Object.entries(DEMO_STORES)) {
    const api = open(name);
    if (!(await api.define(def))) continue;
    seeded.push(name);
    if (name === "load") {
      const start = end - DEMO_LOAD_YEARS * 365 * DAY;
      for (const [site, seed] of [
        ["alpha", 1],
        ["beta", 2],
      ] as const) {
        const l = hourly(start, end, (t) => load(t, seed));
        const p = hourly(start, end, (t) => pv(t, seed));
        await api.set([site, "load"] as SeriesKey, l, "update");
        await api.set([site, "pv"] as SeriesKey, p, "update");
        points += l.index.length + p.index.length;
      }
    } else if (name === "forecast") {
      // Three forecasts of the next week, each issued a day later and covering a day less.
      for (let v = 0; v < 3; v++) {
        const f = hourly(end + v * DAY, end + 7 * DAY, (t) => load(t, 10 + v));
        await api.setVersioned(["alpha", 1], f, true);
        points += f.index.length;
      }
    } else {
      for (const year of [2025, 2026]) {
        const from = Date.UTC(year, 0, 1);
        const days = 365;
        const index = new Float64Array(days);
        const values = new Float64Array(days);
        for (let d = 0; d < days; d++) {
          index[d] = from + d * DAY;
          values[d] =
            Math.round((0.15 + 0.05 * Math.cos((d / 365) * 2 * Math.PI) + 0.02 * hash(d, year)) * 10000) / 10000;
        }
        await api.setSeries([year, "spot"], { index, values }, "set");
        points += days;
      }
    }
  }
  return { seeded, points };
}
