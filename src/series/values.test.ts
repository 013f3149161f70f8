import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeriesError } from "./errors.ts";
import { lz4FrameEncode } from "./lz4.ts";
import type { Dtype } from "./model.ts";
import { decodeValues, dtypeSize, encodeValues, packValues, unpackValues } from "./values.ts";

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof SeriesError) return e.code;
    throw e;
  }
  throw new Error("expected a SeriesError, got a result");
}

/** Equal element by element, NaN equal to NaN and -0 distinct from 0. */
function sameValues(a: Float64Array, b: ArrayLike<number>): boolean {
  return a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));
}

describe("encodeValues / decodeValues", () => {
  it("float64 is numpy's little-endian float64, NaN included", () => {
    const values = Float64Array.of(1, -2.5, Number.NaN, -0, Number.POSITIVE_INFINITY, 5e-324);
    const bytes = encodeValues(values, "float64");
    expect(hex(bytes.subarray(0, 16))).toBe("000000000000f03f00000000000004c0");
    expect(sameValues(decodeValues(bytes, "float64"), values)).toBe(true);
  });

  it("float32 rounds to float32 and refuses values beyond its range", () => {
    const bytes = encodeValues(Float64Array.of(0.1, Number.NaN, 3e38), "float32");
    expect(bytes.length).toBe(12);
    expect(hex(bytes.subarray(0, 4))).toBe("cdcccc3d");
    expect(sameValues(decodeValues(bytes, "float32"), [Math.fround(0.1), Number.NaN, Math.fround(3e38)])).toBe(true);
    expect(codeOf(() => encodeValues(Float64Array.of(1, 1e39), "float32"))).toBe("invalid");
    expect(codeOf(() => encodeValues(Float64Array.of(-3.5e38), "float32"))).toBe("invalid");
  });

  it("int64 keeps integers up to ±2^53 and marks missing with -2^63", () => {
    const values = Float64Array.of(1, -1, Number.NaN, 2 ** 53, -(2 ** 53), 4294967296, -4294967297, 0);
    const bytes = encodeValues(values, "int64");
    expect(hex(bytes.subarray(0, 24))).toBe("0100000000000000ffffffffffffffff0000000000000080");
    expect(hex(bytes.subarray(40, 56))).toBe("0000000001000000fffffffffeffffff");
    expect(sameValues(decodeValues(bytes, "int64"), values)).toBe(true);
  });

  it("int64 refuses what it cannot hold exactly", () => {
    for (const v of [1.5, 2 ** 53 + 2, -(2 ** 53) - 2, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(
        codeOf(() => encodeValues(Float64Array.of(0, v), "int64")),
        String(v),
      ).toBe("invalid");
    }
    // Stored by someone else: 2^53 + 1 has no float64.
    for (const word of ["0100000000002000", "00000000000000c0", "ffffffffffffdfff", "ffffffffffffff7f"]) {
      expect(
        codeOf(() => decodeValues(Uint8Array.from(Buffer.from(word, "hex")), "int64")),
        word,
      ).toBe("invalid");
    }
    expect(decodeValues(Uint8Array.from(Buffer.from("000000000000e0ff", "hex")), "int64")[0]).toBe(-(2 ** 53));
  });

  it("refuses a byte count that is not a whole number of values", () => {
    expect(codeOf(() => decodeValues(new Uint8Array(12), "float64"))).toBe("bad_frame");
    expect(codeOf(() => decodeValues(new Uint8Array(6), "float32"))).toBe("bad_frame");
    expect(codeOf(() => decodeValues(new Uint8Array(9), "int64"))).toBe("bad_frame");
    expect(decodeValues(new Uint8Array(0), "float64").length).toBe(0);
  });

  it("decodes unaligned views and never aliases its input", () => {
    const backing = new Uint8Array(17);
    const bytes = backing.subarray(1);
    bytes.set(encodeValues(Float64Array.of(7, 8), "float64"));
    const out = decodeValues(bytes, "float64");
    bytes.fill(0);
    expect(Array.from(out)).toEqual([7, 8]);
    const values = Float64Array.of(3);
    const encoded = encodeValues(values, "float64");
    values[0] = 4;
    expect(decodeValues(encoded, "float64")[0]).toBe(3);
  });

  it("round-trips whatever each dtype holds", () => {
    const cases: [Dtype, fc.Arbitrary<number>][] = [
      ["float64", fc.double()],
      ["float32", fc.float()],
      ["int64", fc.oneof(fc.maxSafeInteger(), fc.constant(Number.NaN), fc.constantFrom(2 ** 53, -(2 ** 53)))],
    ];
    for (const [dtype, arb] of cases) {
      fc.assert(
        fc.property(fc.array(arb, { maxLength: 200 }), (xs) => {
          const values = Float64Array.from(xs);
          const bytes = encodeValues(values, dtype);
          expect(bytes.length).toBe(xs.length * dtypeSize(dtype));
          expect(sameValues(decodeValues(bytes, dtype), values)).toBe(true);
        }),
        { numRuns: 200 },
      );
    }
  });
});

describe("packValues / unpackValues", () => {
  it("packs no values as HoLcStore's tombstone frame", () => {
    expect(hex(packValues(new Float64Array(0), "float64"))).toBe("04224d1860408200000000");
    expect(unpackValues(packValues(new Float64Array(0), "float64"), "float64", 0).length).toBe(0);
  });

  it("round-trips through the LZ4 frame, with the count checked", () => {
    const values = Float64Array.from({ length: 745 }, (_, i) => (i % 50 < 3 ? Number.NaN : (i % 24) * 3));
    for (const dtype of ["float64", "float32", "int64"] as const) {
      const blob = packValues(values, dtype);
      expect(blob.length).toBeLessThan(values.length * dtypeSize(dtype));
      expect(sameValues(unpackValues(blob, dtype), values)).toBe(true);
      expect(sameValues(unpackValues(blob, dtype, 745), values)).toBe(true);
      expect(codeOf(() => unpackValues(blob, dtype, 744))).toBe("bad_frame");
      expect(codeOf(() => unpackValues(blob, dtype, 746))).toBe("bad_frame");
    }
  });

  it("refuses a blob declaring more than the expected count without decoding it", () => {
    // Declares 64 MB: refused as a count mismatch, not a memory problem.
    const blob = lz4FrameEncode(new Uint8Array(24));
    new DataView(blob.buffer).setUint32(6, 64 * 1024 * 1024, true);
    expect(codeOf(() => unpackValues(blob, "float64", 3))).toBe("bad_frame");
    expect(codeOf(() => unpackValues(lz4FrameEncode(new Uint8Array(20)), "float64"))).toBe("bad_frame");
    expect(codeOf(() => unpackValues(Uint8Array.of(1, 2, 3), "float64"))).toBe("bad_frame");
  });

  it("reads HoLcStore's captured chunks", () => {
    const url = new URL("../../test/fixtures/series/holcstore-wire/01_full_sync.server.jsonl", import.meta.url);
    const pack = readFileSync(url, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { path: string; response_body: string })
      .find((r) => r.path.endsWith("/pack/"));
    const items = JSON.parse(pack?.response_body ?? "[]") as { blob: string; attrs: Record<string, unknown> }[];
    const first = items.find((i) => i.attrs.kind === "load" && i.attrs.chunk_index === 24288);
    const values = unpackValues(new Uint8Array(Buffer.from(first?.blob ?? "", "base64")), "float64", 744);
    expect(sameValues(values.subarray(0, 4), [Number.NaN, 106.4715, 112.502, 117.6807])).toBe(true);
    // Re-packed, the chunk is byte for byte the blob HoLcStore served.
    expect(Buffer.from(packValues(values, "float64")).toString("base64")).toBe(first?.blob);
  });
});
