/**
 * History rollups: samples folded into fixed buckets of `intervalMs` starting at the span's start
 * (which for a date range is local midnight in the point's zone). The streaming fold here is the
 * reference every backend must agree with; Postgres computes the same in SQL.
 */
import { HIS_NUMBER, type HisPage, HisPageBuilder, type HisValue, hisValueAt } from "./his-page.ts";
import type { HisSpan } from "./ports.ts";

export const FOLDS = ["avg", "min", "max", "sum", "count", "first", "last"] as const;
export type Fold = (typeof FOLDS)[number];

export interface RollupRequest {
  readonly intervalMs: number;
  readonly fold: Fold;
}

/** Most buckets one rollup may produce, so a tiny interval over a long span cannot run away. */
export const MAX_BUCKETS = 1_000_000;

export function isFold(s: unknown): s is Fold {
  return typeof s === "string" && (FOLDS as readonly string[]).includes(s);
}

/**
 * Rules: avg, min, max and sum take the bucket's Numbers other than NaN (a bucket without one has
 * no row) and keep the unit of the first of them; INF and -INF take part as numbers, so a sum of
 * both is NaN. count counts every sample (unitless), NaN included; first and last answer the
 * earliest and latest sample as they are, NaN too. Rows are stamped with the bucket's start.
 */
export async function* foldPages(
  pages: AsyncIterable<HisPage>,
  span: HisSpan,
  req: RollupRequest,
  pageRows = 10_000,
): AsyncGenerator<HisPage, void, undefined> {
  let out = new HisPageBuilder(pageRows);
  let rows = 0;
  let bucket = Number.NaN;
  let acc: Acc = fresh();
  const flush = () => {
    const v = result(acc, req.fold);
    if (v !== undefined) {
      out.value(bucket, v);
      rows++;
    }
  };
  for await (const p of pages) {
    for (let i = 0; i < p.count; i++) {
      const ts = p.ts[i] as number;
      const b = span.start + Math.floor((ts - span.start) / req.intervalMs) * req.intervalMs;
      if (b !== bucket) {
        if (!Number.isNaN(bucket)) flush();
        if (rows >= pageRows) {
          yield out.build();
          out = new HisPageBuilder(pageRows);
          rows = 0;
        }
        bucket = b;
        acc = fresh();
      }
      add(acc, p, i);
    }
  }
  if (!Number.isNaN(bucket)) flush();
  if (rows > 0) yield out.build();
}

interface Acc {
  count: number;
  nums: number;
  sum: number;
  min: number;
  max: number;
  unit: string | null | undefined;
  first: HisValue | undefined;
  last: HisValue | undefined;
}

function fresh(): Acc {
  return {
    count: 0,
    nums: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    unit: undefined,
    first: undefined,
    last: undefined,
  };
}

function add(a: Acc, p: HisPage, i: number): void {
  const v = hisValueAt(p, i);
  a.count++;
  a.first ??= v;
  a.last = v;
  if (p.kind[i] !== HIS_NUMBER) return;
  const n = p.num[i] as number;
  // A NaN sample says "no reading", so it must not turn a bucket's avg, sum, min or max into NaN.
  if (Number.isNaN(n)) return;
  if (a.nums === 0) {
    const t = p.textIdx[i] as number;
    a.unit = t < 0 ? null : (p.text[t] as string);
  }
  a.nums++;
  a.sum += n;
  a.min = Math.min(a.min, n);
  a.max = Math.max(a.max, n);
}

function withUnit(n: number, unit: string | null | undefined): HisValue {
  const b = new HisPageBuilder(1);
  b.number(0, n, unit);
  return hisValueAt(b.build(), 0);
}

function result(a: Acc, fold: Fold): HisValue | undefined {
  switch (fold) {
    case "count":
      return a.count;
    case "first":
      return a.first;
    case "last":
      return a.last;
    default:
      if (a.nums === 0) return undefined;
      if (fold === "sum") return withUnit(a.sum, a.unit);
      if (fold === "avg") return withUnit(a.sum / a.nums, a.unit);
      return withUnit(fold === "min" ? a.min : a.max, a.unit);
  }
}
