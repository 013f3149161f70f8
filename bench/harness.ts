/**
 * A tiny benchmark registry. Every figure compares us with a baseline measured in the same run on
 * the same data doing the same work (README.md, "Benchmarks").
 */

/** One measured quantity and the baseline it is compared with. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What we compare against, e.g. "haystack-core". */
  readonly baseline: string;
  readonly baselineValue: number;
  /** true for throughputs (MB/s, rows/s), false for costs (ms, bytes). */
  readonly higherIsBetter: boolean;
}

/** A figure as printed and written to bench/results.json; ratio > 1 means we beat the baseline. */
export interface Result extends Figure {
  readonly ratio: number;
}

export type BenchFn = () => Figure | readonly Figure[] | Promise<Figure | readonly Figure[]>;

interface Entry {
  readonly name: string;
  readonly fn: BenchFn;
}

const registry: Entry[] = [];

/**
 * Registers a benchmark. Call at module top level in a bench/*.bench.ts file.
 *
 * @example
 * bench("zinc-read", async () => {
 *   const ours = await measure(() => readZincGrid(text));
 *   const theirs = await measure(() => ZincReader.readValue(text));
 *   return { name: "zinc-read", value: mb / (ours / 1000), unit: "MB/s", baseline: "haystack-core",
 *            baselineValue: mb / (theirs / 1000), higherIsBetter: true };
 * });
 */
export function bench(name: string, fn: BenchFn): void {
  if (registry.some((e) => e.name === name)) throw new Error(`bench: duplicate benchmark name ${name}`);
  registry.push({ name, fn });
}

const finishers: (() => unknown)[] = [];

/** Registers clean-up (stopping a local Worker) to run after every benchmark has reported. */
export function onFinish(fn: () => unknown): void {
  finishers.push(fn);
}

/** Runs the clean-up registered with `onFinish`, in order. */
export async function finish(): Promise<void> {
  for (const fn of finishers.splice(0)) await fn();
}

/**
 * Registered benchmarks with `filter` at the start of a dash-separated part of their name (all
 * when it is empty): `ui` selects ui-chart-14d but not zinc-decode-building.
 */
export function selected(filter: string): readonly Entry[] {
  return registry.filter((e) => filter === "" || e.name.startsWith(filter) || e.name.includes(`-${filter}`));
}

export function ratioOf(f: Figure): number {
  return f.higherIsBetter ? f.value / f.baselineValue : f.baselineValue / f.value;
}

export function toResult(f: Figure): Result {
  const { name, value, unit, baseline, baselineValue, higherIsBetter } = f;
  return { name, value, unit, baseline, baselineValue, ratio: ratioOf(f), higherIsBetter };
}

/**
 * The results file after a filtered run: this run's figures replace those of the same name and
 * new ones are added at the end; every other figure stays as it was. (An unfiltered run writes
 * its figures alone, so figures no benchmark makes any more go away.)
 */
export function mergeResults(previous: readonly Result[], fresh: readonly Result[]): Result[] {
  const byName = new Map(fresh.map((r) => [r.name, r]));
  const kept = previous.map((r) => byName.get(r.name) ?? r);
  const known = new Set(previous.map((r) => r.name));
  return [...kept, ...fresh.filter((r) => !known.has(r.name))];
}

/** `name: value unit (ratio x baseline-name)`, the line format the contract fixes. */
export function formatResult(r: Result): string {
  return `${r.name}: ${round(r.value)} ${r.unit} (${round(r.ratio)} x ${r.baseline})`;
}

function round(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

export interface MeasureOptions {
  /** Keep sampling until this much time has been spent (default 500 ms). */
  readonly minMs?: number;
  /** ...and at least this many timed runs (default 5). */
  readonly minRuns?: number;
}

/**
 * Median milliseconds per run of `fn`. Warms up first so the JIT has compiled the hot path, then
 * samples until both `minMs` and `minRuns` are met; the median resists GC pauses better than the mean.
 * A lazy result must be fully materialised inside `fn`, or the clock stops before the work is done.
 */
export async function measure(fn: () => unknown, options: MeasureOptions = {}): Promise<number> {
  await settleSockets();
  const minMs = options.minMs ?? 500;
  const minRuns = options.minRuns ?? 5;
  const warmUntil = performance.now() + Math.min(200, minMs / 2);
  let warmRuns = 0;
  while (warmRuns < 3 || performance.now() < warmUntil) {
    await settle(fn());
    warmRuns++;
  }
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || performance.now() - start < minMs) {
    const t0 = performance.now();
    await settle(fn());
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/**
 * Lets the event loop run for a moment; call it after long synchronous work (making or checking
 * a million rows) and before the next request. Node's fetch drops an idle connection after 4 s
 * and the local runtime closes its end soon after, but neither is noticed while the loop is
 * blocked, so the next request would go out on a socket the server has closed ("other side
 * closed"). `measure` calls it before it starts.
 */
export function settleSockets(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 100));
}

// Awaiting a plain value still costs a microtask turn; only pay it for real promises.
function settle(value: unknown): Promise<unknown> | undefined {
  return value instanceof Promise ? value : undefined;
}

function median(xs: number[]): number {
  xs.sort((a, b) => a - b);
  const mid = xs.length >> 1;
  const hi = xs[mid] ?? 0;
  return xs.length % 2 === 1 ? hi : ((xs[mid - 1] ?? hi) + hi) / 2;
}
