import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteReader, ByteWriter } from "./bytes.ts";
import { DTYPE_CODES, decodeChunk, encodeChunk, MAX_CHUNK_ROWS } from "./chunk-codec.ts";
import { readFloatArray, readInt64s, writeFloats, writeInt64s } from "./chunk-values.ts";
import { FrameError } from "./model.ts";

/** Writes the values (the writer picks raw, deltas or delta-of-deltas) and reads them back. */
function roundTrip(vals: readonly bigint[]): bigint[] {
  const w = new ByteWriter();
  writeInt64s(w, BigInt64Array.from(vals));
  const r = new ByteReader(w.finish());
  const out: bigint[] = [];
  readInt64s(r, vals.length, (i, v) => {
    out[i] = v;
  });
  r.end();
  return out;
}

const MAX = (1n << 63n) - 1n;
const MIN = -(1n << 63n);

describe("int64 sections decode exactly on the number fast path and off it", () => {
  it("keeps extremes, wraps and deltas across the 2^52 and 2^49 edges", () => {
    const cases: bigint[][] = [
      [MIN, MAX, MIN, MAX, 0n, -1n],
      [MAX, MAX, MAX],
      [0n, 1n << 52n, 2n << 52n, 3n << 52n, (1n << 52n) + 1n],
      [1_704_067_200_000_000_000n, 1_704_067_260_000_000_000n, 1_704_067_320_000_000_000n],
      [0n, (1n << 49n) - 1n, 1n << 49n, -(1n << 49n), 5n],
      Array.from({ length: 50 }, (_, i) => BigInt.asIntN(64, BigInt(i) * BigInt(i) * 4_503_599_627_370_495n)),
      Array.from({ length: 50 }, (_, i) => MAX - BigInt(i) * 3n),
    ];
    for (const c of cases) expect(roundTrip(c)).toEqual(c);
  });

  it("round-trips any int64 sequence, including slowly and wildly changing ones", () => {
    const wild = fc.array(fc.bigInt({ min: MIN, max: MAX }), { maxLength: 40 });
    const steady = fc
      .tuple(fc.bigInt({ min: MIN, max: MAX }), fc.bigInt({ min: -(1n << 54n), max: 1n << 54n }), fc.nat(60))
      .map(([start, step, n]) => Array.from({ length: n }, (_, i) => BigInt.asIntN(64, start + step * BigInt(i))));
    fc.assert(
      fc.property(fc.oneof(wild, steady), (vals) => {
        expect(roundTrip(vals)).toEqual(vals);
      }),
      { numRuns: 500 },
    );
  });
});

describe("the regular int64 layout", () => {
  it("stores a regular sequence as two varints and reads it back, floats on a decimal grid too", () => {
    const w = new ByteWriter();
    const index = BigInt64Array.from(
      { length: 65_536 },
      (_, i) => 1_704_067_200_000_000_000n + BigInt(i) * 900_000_000_000n,
    );
    writeInt64s(w, index);
    const bytes = w.finish();
    expect(bytes.length).toBeLessThan(24);
    const out: bigint[] = [];
    readInt64s(new ByteReader(bytes), index.length, (i, v) => {
      out[i] = v;
    });
    expect(out).toEqual(Array.from(index));
    const floats = Float64Array.from({ length: 1000 }, (_, i) => (i + 1) / 10);
    const fw = new ByteWriter();
    writeFloats(fw, floats, 8, "auto");
    expect(Array.from(readFloatArray(new ByteReader(fw.finish()), floats.length, 8))).toEqual(Array.from(floats));
  });

  it("refuses a regular section of fewer than two values, and chunks past MAX_CHUNK_ROWS", () => {
    const w = new ByteWriter();
    w.u8(3);
    w.bigUvarint(0n);
    w.bigUvarint(2n);
    expect(() => readInt64s(new ByteReader(w.finish()), 1, () => {})).toThrow(/regular/);
    // A header claiming more rows than a chunk may hold: refused before anything is allocated.
    const big = new ByteWriter();
    for (const b of [0x48, 0x43, 1, DTYPE_CODES.int64, 0]) big.u8(b);
    big.uvarint(MAX_CHUNK_ROWS + 1);
    big.uvarint(3);
    for (const b of [3, 0, 2]) big.u8(b);
    expect(() => decodeChunk(big.finish())).toThrow(FrameError);
    expect(() => encodeChunk({ dtype: "int32", values: new Int32Array(MAX_CHUNK_ROWS + 1) })).toThrow(/at most/);
  });
});
