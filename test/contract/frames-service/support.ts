/** What the frames service cases share: frames built from plain values, and reading back. */
import { expect } from "vitest";
import type { ReadRequest } from "../../../src/dataframes/api.ts";
import type { FramesService } from "../../../src/dataframes/service.ts";
import type { Column, Frame } from "../../../src/frames/model.ts";
import { concatFrames } from "../../../src/frames/rows.ts";
import type { FramesPort } from "../../../src/storage/frames-port.ts";

export type Open = () =>
  | Promise<{ svc: FramesService; port: CountingPort }>
  | { svc: FramesService; port: CountingPort };
export type ServiceCase = (title: string, fn: (svc: FramesService, port: CountingPort) => Promise<void>) => void;

export const DAY_NS = 86_400_000_000_000n;
export const T0 = 1_704_067_200_000_000_000n; // 2024-01-01T00:00:00Z

/** A timestamp-indexed frame of float64 `price` (and optional more columns) on days `days`. */
export function prices(days: readonly number[], price: (d: number) => number, more: Column[] = []): Frame {
  return {
    index: { kind: "timestamp", name: "date", values: BigInt64Array.from(days.map((d) => T0 + BigInt(d) * DAY_NS)) },
    columns: [{ name: "price", dtype: "float64", values: Float64Array.from(days, price) }, ...more],
  };
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** Everything a read yields, as one frame (null when it yields no rows). */
export async function readAll(svc: FramesService, item: string, req: ReadRequest = {}): Promise<Frame | null> {
  const r = await svc.read(item, req);
  const parts: Frame[] = [];
  for await (const f of r.frames) if (f.index.values.length > 0) parts.push(f);
  return parts.length === 0 ? null : concatFrames(parts);
}

/** The index as day numbers from T0. */
export function days(f: Frame | null): number[] {
  return f === null ? [] : Array.from(f.index.values, (v) => Number((v - T0) / DAY_NS));
}

export function col(f: Frame | null, name: string): unknown[] {
  if (f === null) return [];
  const c = f.columns.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no column ${name}`);
  const vals =
    c.dtype === "category"
      ? Array.from(c.values.codes, (k) => c.values.dictionary[k])
      : Array.from(c.values as ArrayLike<unknown>);
  return vals.map((v, i) => (c.valid !== undefined && c.valid[i] === 0 ? null : v));
}

export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return "resolved";
}

/** A port that counts the blobs and segments read through it (what pruning must save). */
export interface CountingPort extends FramesPort {
  readonly counts: { blobs: number; blobCalls: number; putSegments: number };
}

export function counting(port: FramesPort): CountingPort {
  const counts = { blobs: 0, blobCalls: 0, putSegments: 0 };
  return new Proxy(port, {
    get(target, prop, receiver) {
      if (prop === "counts") return counts;
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      if (prop === "blobs") {
        return async (refs: Parameters<FramesPort["blobs"]>[0]) => {
          counts.blobCalls++;
          counts.blobs += refs.reduce((n, r) => n + r.ordinals.length, 0);
          return target.blobs(refs);
        };
      }
      if (prop === "putSegments") {
        return async (segs: Parameters<FramesPort["putSegments"]>[0], now: number) => {
          counts.putSegments += segs.length;
          return target.putSegments(segs, now);
        };
      }
      return v.bind(target);
    },
  }) as CountingPort;
}

/** Everything observable of a collection, to compare before and after a refused change. */
export async function stateOf(svc: FramesService): Promise<unknown> {
  const items = await svc.items({ deleted: true });
  const out: Record<string, unknown> = { items, snapshots: await svc.snapshots() };
  for (const it of items) {
    const versions = await svc.versions(it.name);
    const data = it.version === null ? null : await readAll(svc, it.name);
    out[it.name] = {
      versions,
      data:
        data === null
          ? null
          : { days: days(data), cols: data.columns.map((c) => [c.name, c.dtype, col(data, c.name)]) },
    };
  }
  return out;
}

export function sameState(a: unknown, b: unknown): void {
  expect(b).toEqual(a);
}
