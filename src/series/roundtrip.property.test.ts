/**
 * Properties of the chunked write/read path over random series, zones and frequencies: what
 * toChunks then fromChunks gives back is exactly the on-grid non-NaN input, edges trimmed; update
 * never erases a value with NaN; replace leaves exactly the new data.
 * The on-grid oracle is built from calendar.ts alone (chunk start, length, timeAt), whose exact
 * values calendar.test.ts pins down.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkIndexOf, chunkLength, chunkStartMs, type Grid, makeGrid, timeAt } from "./calendar.ts";
import { fromChunks, toChunks } from "./grid.ts";
import { planSet, type SetMode } from "./merge.ts";
import type { ChunkAxis, DenseChunk, Points } from "./model.ts";
import { normalisePoints } from "./versions.ts";

const ZONES = [
  "Europe/Paris",
  "America/New_York",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "UTC",
] as const;
const FREQS = ["15min", "30min", "1h", "1D"] as const;
const AXES: readonly ChunkAxis[] = ["year", "year,month"];
const T_MIN = Date.UTC(1995, 0, 1);
const T_MAX = Date.UTC(2035, 0, 1);

const gridArb = fc
  .record({ zone: fc.constantFrom(...ZONES), freq: fc.constantFrom(...FREQS), axis: fc.constantFrom(...AXES) })
  .map(({ zone, freq, axis }) => makeGrid(zone, axis, freq));

/** One raw point: on the grid (a chunk near the base, a position in it), or beside it, or NaN. */
const rawPointArb = fc.record({
  chunkOffset: fc.integer({ min: 0, max: 3 }),
  // A position in the chunk; negative ones count from its end, where DST bites.
  pos: fc.oneof(fc.nat(), fc.integer({ min: -3, max: 2 })),
  // 0 = on the grid; otherwise shifted off it by this many ms (less than a step).
  jitter: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 899_999 })),
  value: fc.oneof(fc.double(), fc.constant(Number.NaN), fc.integer({ min: -1000, max: 1000 })),
});

type RawPoint = typeof rawPointArb extends fc.Arbitrary<infer T> ? T : never;

const caseArb = fc.record({
  grid: gridArb,
  base: fc.integer({ min: T_MIN, max: T_MAX }),
  raw: fc.array(rawPointArb, { maxLength: 60 }),
});

function buildSeries(grid: Grid, base: number, raw: readonly RawPoint[]): Points {
  const c0 = chunkIndexOf(grid, base);
  const seen = new Map<number, number>();
  for (const r of raw) {
    const c = c0 + r.chunkOffset;
    const n = chunkLength(grid, c);
    const t = timeAt(grid, c, r.pos < 0 ? n + r.pos : r.pos % n) + r.jitter;
    seen.set(t, r.value);
  }
  const index = [...seen.keys()];
  return normalisePoints(
    index,
    index.map((t) => seen.get(t) as number),
  );
}

/** Each chunk's start, length and (daily grids) points, from calendar.ts alone, memoised. */
const chunkFacts = new WeakMap<Grid, Map<number, { start: number; n: number; days?: Set<number> }>>();

/** True when `t` is a point of its chunk's grid. */
function onGrid(grid: Grid, t: number): boolean {
  let byChunk = chunkFacts.get(grid);
  if (!byChunk) {
    byChunk = new Map();
    chunkFacts.set(grid, byChunk);
  }
  const c = chunkIndexOf(grid, t);
  let f = byChunk.get(c);
  if (!f) {
    const n = chunkLength(grid, c);
    f = { start: chunkStartMs(grid, c), n };
    if (grid.freq.days !== undefined) f.days = new Set(Array.from({ length: n }, (_, i) => timeAt(grid, c, i)));
    byChunk.set(c, f);
  }
  if (f.days) return f.days.has(t);
  const step = grid.freq.stepMs as number;
  const d = t - f.start;
  return d % step === 0 && d / step < f.n;
}

/** The non-NaN (time, value) pairs of a series. */
function present(p: Points): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < p.index.length; i++) {
    const v = p.values[i] as number;
    if (!Number.isNaN(v)) out.push([p.index[i] as number, v]);
  }
  return out;
}

function expectSamePairs(a: [number, number][], b: [number, number][]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    expect(a[i]?.[0]).toBe(b[i]?.[0]);
    // Object.is: -0 and 0 must come back as they went in.
    expect(Object.is(a[i]?.[1], b[i]?.[1])).toBe(true);
  }
}

function checkShape(p: Points, grid: Grid): void {
  const n = p.index.length;
  let ascending = true;
  for (let i = 1; i < n; i++) if (!((p.index[i] as number) > (p.index[i - 1] as number))) ascending = false;
  expect(ascending).toBe(true);
  if (n > 0) {
    expect(Number.isNaN(p.values[0] as number)).toBe(false);
    expect(Number.isNaN(p.values[n - 1] as number)).toBe(false);
  }
  expect(Array.from(p.index).filter((t) => !onGrid(grid, t))).toEqual([]);
}

const RUNS = { numRuns: 150 };

describe("toChunks then fromChunks", () => {
  it("gives back exactly the on-grid non-NaN input, edges trimmed, interior NaN only on the grid", () => {
    fc.assert(
      fc.property(caseArb, ({ grid, base, raw }) => {
        const series = buildSeries(grid, base, raw);
        const kept = present(series).filter(([t]) => onGrid(grid, t));
        const { chunks, offGrid } = toChunks(series, grid);
        expect(offGrid).toBe(present(series).length - kept.length);
        for (let i = 0; i < chunks.length; i++) {
          const c = chunks[i] as DenseChunk;
          if (i > 0) expect(c.chunkIndex).toBeGreaterThan((chunks[i - 1] as DenseChunk).chunkIndex);
          expect(c.startMs).toBe(chunkStartMs(grid, c.chunkIndex));
          expect(c.values.length).toBe(chunkLength(grid, c.chunkIndex));
          expect(c.values.some((v) => !Number.isNaN(v))).toBe(true);
        }
        const back = fromChunks(chunks, grid);
        expectSamePairs(present(back), kept);
        checkShape(back, grid);
      }),
      RUNS,
    );
  });

  it("a window [start, end] gives back exactly the kept points inside it", () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.integer({ min: -40 * 86_400_000, max: 200 * 86_400_000 }),
        fc.nat(400 * 86_400_000),
        (c, a, len) => {
          const series = buildSeries(c.grid, c.base, c.raw);
          const start = c.base + a;
          const end = start + len;
          const kept = present(series).filter(([t]) => onGrid(c.grid, t) && t >= start && t <= end);
          const back = fromChunks(toChunks(series, c.grid).chunks, c.grid, start, end);
          expectSamePairs(present(back), kept);
          checkShape(back, c.grid);
        },
      ),
      RUNS,
    );
  });
});

/** A series' stored chunks, as a backend would keep them (null = tombstone). */
type Store = Map<number, Float64Array | null>;

function apply(store: Store, mode: SetMode, series: Points, grid: Grid): void {
  const incoming = toChunks(series, grid).chunks;
  const existing = [...store].map(([chunkIndex, values]) => ({ chunkIndex, values }));
  const plan = planSet(mode, incoming, existing);
  for (const c of plan.write) store.set(c.chunkIndex, c.values);
  for (const i of plan.tombstone) store.set(i, null);
}

function read(store: Store, grid: Grid): Points {
  const live = [...store]
    .filter((e): e is [number, Float64Array] => e[1] !== null)
    .sort((a, b) => a[0] - b[0])
    .map(([chunkIndex, values]) => ({ chunkIndex, startMs: chunkStartMs(grid, chunkIndex), values }));
  return fromChunks(live, grid);
}

const twoSeriesArb = fc.record({
  grid: gridArb,
  base: fc.integer({ min: T_MIN, max: T_MAX }),
  old: fc.array(rawPointArb, { maxLength: 40 }),
  neu: fc.array(rawPointArb, { maxLength: 40 }),
});

describe("merge rules over whole series", () => {
  it("update: new values win, old values stay where the new series has none (NaN never erases)", () => {
    fc.assert(
      fc.property(twoSeriesArb, ({ grid, base, old, neu }) => {
        const a = buildSeries(grid, base, old);
        const b = buildSeries(grid, base, neu);
        const store: Store = new Map();
        apply(store, "create", a, grid);
        apply(store, "update", b, grid);
        const expected = new Map(present(a).filter(([t]) => onGrid(grid, t)));
        for (const [t, v] of present(b)) if (onGrid(grid, t)) expected.set(t, v);
        const want = [...expected].sort((x, y) => x[0] - y[0]);
        expectSamePairs(present(read(store, grid)), want);
      }),
      RUNS,
    );
  });

  it("replace: leaves exactly the new data, whatever was there", () => {
    fc.assert(
      fc.property(twoSeriesArb, ({ grid, base, old, neu }) => {
        const a = buildSeries(grid, base, old);
        const b = buildSeries(grid, base, neu);
        const store: Store = new Map();
        apply(store, "create", a, grid);
        apply(store, "replace", b, grid);
        expectSamePairs(
          present(read(store, grid)),
          present(b).filter(([t]) => onGrid(grid, t)),
        );
        // Every chunk the new data does not cover is a tombstone, none is left live with old data.
        const covered = new Set(toChunks(b, grid).chunks.map((c) => c.chunkIndex));
        for (const [i, v] of store) if (!covered.has(i)) expect(v).toBeNull();
      }),
      RUNS,
    );
  });

  it("create: conflicts exactly when a live chunk is already there", () => {
    fc.assert(
      fc.property(twoSeriesArb, ({ grid, base, old, neu }) => {
        const a = buildSeries(grid, base, old);
        const b = buildSeries(grid, base, neu);
        const store: Store = new Map();
        apply(store, "create", a, grid);
        const taken = new Set(toChunks(a, grid).chunks.map((c) => c.chunkIndex));
        const clash = toChunks(b, grid).chunks.some((c) => taken.has(c.chunkIndex));
        if (clash) expect(() => apply(store, "create", b, grid)).toThrow(/already has data/);
        else expect(() => apply(store, "create", b, grid)).not.toThrow();
      }),
      RUNS,
    );
  });
});
