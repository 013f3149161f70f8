/**
 * Test helpers for the text codecs: random frames of every dtype with nulls, a plain view of a
 * frame to compare with, and bodies split into chunks for the streaming readers.
 */
import fc from "fast-check";
import { expect } from "vitest";
import {
  type Column,
  DTYPES,
  type DType,
  type Frame,
  FrameError,
  type FrameErrorCode,
  frameLength,
} from "../../src/frames/model.ts";

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function valuesOf(dtype: DType, n: number): fc.Arbitrary<Column["values"]> {
  switch (dtype) {
    case "float64":
      return fc.array(fc.double(), { minLength: n, maxLength: n }).map((xs) => Float64Array.from(xs));
    case "float32":
      return fc.array(fc.float(), { minLength: n, maxLength: n }).map((xs) => Float32Array.from(xs));
    case "int64":
    case "timestamp":
      return fc
        .array(fc.bigInt({ min: I64_MIN, max: I64_MAX }), { minLength: n, maxLength: n })
        .map((xs) => BigInt64Array.from(xs));
    case "int32":
      return fc.array(fc.integer(), { minLength: n, maxLength: n }).map((xs) => Int32Array.from(xs));
    case "bool":
      return fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((xs) => Uint8Array.from(xs, Number));
    case "string":
      return fc.array(fc.string({ unit: "binary" }), { minLength: n, maxLength: n });
    case "category":
      return fc.array(fc.constantFrom("x", "y, z", 'q"uo', "line\nbreak"), { minLength: n, maxLength: n }).map((xs) => {
        const dictionary = [...new Set(xs)];
        return { codes: Int32Array.from(xs, (x) => dictionary.indexOf(x)), dictionary };
      });
  }
}

function columnOf(name: string, dtype: DType, n: number): fc.Arbitrary<Column> {
  const valid = fc.option(fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }), { nil: undefined });
  return fc
    .tuple(valuesOf(dtype, n), valid)
    .map(([values, v]) => ({ name, dtype, values, ...(v ? { valid: Uint8Array.from(v) } : {}) }) as Column);
}

/** A frame with one column of each dtype (in a random subset), 0..maxRows rows. */
export function frameArb(maxRows = 12): fc.Arbitrary<Frame> {
  return fc.integer({ min: 0, max: maxRows }).chain((n) =>
    fc
      .tuple(
        fc.constantFrom<"timestamp" | "int64">("timestamp", "int64"),
        fc.array(fc.bigInt({ min: I64_MIN, max: I64_MAX }), { minLength: n, maxLength: n }),
        fc.subarray([...DTYPES]),
      )
      .chain(([kind, index, dtypes]) =>
        fc.tuple(...dtypes.map((d) => columnOf(`c ${d}`, d, n))).map(
          (columns): Frame => ({
            index: { kind, name: "index", values: BigInt64Array.from(index) },
            columns,
          }),
        ),
      ),
  );
}

/** A frame as plain rows of plain values (null for null; category as its string). */
export function plain(f: Frame, nonFiniteIsNull = false): unknown {
  const n = frameLength(f);
  const cols = f.columns.map((c) => {
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) {
      if (c.valid !== undefined && c.valid[i] === 0) out.push(null);
      else if (c.dtype === "category") out.push(c.values.dictionary[c.values.codes[i] as number]);
      else {
        const v = c.values[i];
        out.push(nonFiniteIsNull && typeof v === "number" && !Number.isFinite(v) ? null : v);
      }
    }
    return { name: c.name, dtype: c.dtype, values: out };
  });
  return { index: { kind: f.index.kind, name: f.index.name, values: [...f.index.values] }, cols };
}

/** The body as chunks cut at the given offsets. */
export function chunks(body: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const c of [...cuts, body.length]) {
    out.push(body.subarray(at, c));
    at = c;
  }
  return out;
}

export async function* stream(parts: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Runs f and expects a FrameError with `code` (and a message matching `message`). */
export function fails(f: () => unknown, code: FrameErrorCode, message?: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FrameError);
    expect((e as FrameError).code).toBe(code);
    if (message) expect((e as FrameError).message).toMatch(message);
    return;
  }
  expect.fail(`expected FrameError ${code}`);
}

export async function failsAsync(f: () => Promise<unknown>, code: FrameErrorCode, message?: RegExp): Promise<void> {
  const e = await f().then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(FrameError);
  expect((e as FrameError).code).toBe(code);
  if (message) expect((e as FrameError).message).toMatch(message);
}
