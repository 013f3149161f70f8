/**
 * The frames demo: a `prices` collection in the demo project with three daily OHLCV items and a
 * snapshot, so `GET /frames/demo/prices/items/AAPL` answers on a fresh clone. Prices are a pure
 * function of (item, day), so a reseed gives the same data; seeding happens only when the
 * collection does not exist yet.
 */
import type { FramesService } from "../dataframes/service.ts";
import type { Frame } from "../frames/model.ts";

export const DEMO_COLLECTION = "prices";

const DAY_NS = 86_400_000_000_000n;
/** Business days from 2024-01-01 (a Monday). */
const FIRST = Date.UTC(2024, 0, 1);
const DAYS = 2 * 365;

export const DEMO_ITEMS: Readonly<
  Record<string, { readonly start: number; readonly sector: string; readonly seed: number }>
> = {
  AAPL: { start: 185, sector: "tech", seed: 1 },
  MSFT: { start: 370, sector: "tech", seed: 2 },
  XOM: { start: 100, sector: "energy", seed: 3 },
};

function noise(n: number, seed: number): number {
  let x = Math.imul((n ^ (seed * 0x9e3779b1)) >>> 0, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 4_294_967_296 - 0.5;
}

/** Rounded to cents, as quotes are. */
const cents = (v: number) => Math.round(v * 100) / 100;

/** Daily open, high, low, close and volume of an item on business days. */
export function demoPrices(item: string): Frame {
  const spec = DEMO_ITEMS[item];
  if (spec === undefined) throw new Error(`no demo item ${item}`);
  const index: bigint[] = [];
  const open: number[] = [];
  const high: number[] = [];
  const low: number[] = [];
  const close: number[] = [];
  const volume: bigint[] = [];
  let last = spec.start;
  for (let d = 0; d < DAYS; d++) {
    const weekday = (d + 1) % 7; // 2024-01-01 is a Monday
    if (weekday === 6 || weekday === 0) continue;
    const o = last * (1 + noise(d, spec.seed) * 0.01);
    const c = o * (1 + noise(d + 100_000, spec.seed) * 0.03);
    index.push(BigInt(FIRST) * 1_000_000n + BigInt(d) * DAY_NS);
    open.push(cents(o));
    close.push(cents(c));
    high.push(cents(Math.max(o, c) * (1 + Math.abs(noise(d + 200_000, spec.seed)) * 0.01)));
    low.push(cents(Math.min(o, c) * (1 - Math.abs(noise(d + 300_000, spec.seed)) * 0.01)));
    volume.push(BigInt(Math.round(1e6 * (5 + 4 * noise(d + 400_000, spec.seed)))));
    last = c;
  }
  return {
    index: { kind: "timestamp", name: "date", zone: "America/New_York", values: BigInt64Array.from(index) },
    columns: [
      { name: "open", dtype: "float64", values: Float64Array.from(open) },
      { name: "high", dtype: "float64", values: Float64Array.from(high) },
      { name: "low", dtype: "float64", values: Float64Array.from(low) },
      { name: "close", dtype: "float64", values: Float64Array.from(close) },
      { name: "volume", dtype: "int64", values: BigInt64Array.from(volume) },
    ],
  };
}

/** Creates and fills the demo collection unless it exists; answers whether it seeded. */
export async function seedFramesDemo(svc: FramesService): Promise<boolean> {
  try {
    await svc.info();
    return false;
  } catch (err) {
    if ((err as { code?: string }).code !== "not_found") throw err;
  }
  try {
    await svc.create({
      rules: [
        { id: "close-positive", kind: "range", column: "close", min: 0 },
        { id: "one-row-per-day", kind: "unique_index" },
      ],
      metadata: { description: "Daily prices (demo data)" },
    });
  } catch (err) {
    // Another isolate is seeding it.
    if ((err as { code?: string }).code === "conflict") return false;
    throw err;
  }
  await svc.transact(
    Object.entries(DEMO_ITEMS).map(([item, spec]) => ({
      op: "write" as const,
      item,
      frame: demoPrices(item),
      options: { metadata: { source: "demo", sector: spec.sector } },
    })),
  );
  await svc.createSnapshot("initial", { metadata: { note: "as seeded" } });
  return true;
}
