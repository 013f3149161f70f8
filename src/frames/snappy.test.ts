import fc from "fast-check";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import { describe, expect, it } from "vitest";
import { SnappyError, snappyDecompress } from "./snappy.ts";

describe("snappyDecompress", () => {
  it("inverts hyparquet-writer's compressor on random and repetitive data (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(40), (noise, repeats) => {
        const input = new Uint8Array(noise.length * (repeats + 1));
        for (let r = 0; r <= repeats; r++) input.set(noise, r * noise.length);
        const packed = snappyCompress(input);
        expect(snappyDecompress(packed, input.length)).toEqual(input);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a size other than the stream's, lengths past either end, copies before the start", () => {
    const packed = snappyCompress(new TextEncoder().encode("hello hello hello hello"));
    expect(() => snappyDecompress(packed, 22)).toThrow(SnappyError);
    // Literal of 4-byte length 0xfffffffa: the pattern that sent hyparquet's decoder backwards.
    expect(() => snappyDecompress(Uint8Array.from([10, 0xfc, 0xfa, 0xff, 0xff, 0xff]), 10)).toThrow(SnappyError);
    // A copy (1-byte offset 5) before anything was written.
    expect(() => snappyDecompress(Uint8Array.from([4, 0x01, 0x05]), 4)).toThrow(SnappyError);
    // A literal longer than the output.
    expect(() => snappyDecompress(Uint8Array.from([1, 0x04, 0x61, 0x62]), 1)).toThrow(SnappyError);
    // A preamble that never ends.
    expect(() => snappyDecompress(new Uint8Array(9).fill(0xff), 1)).toThrow(SnappyError);
  });

  it("ends with a result or a SnappyError on any bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(200), (bytes, size) => {
        try {
          expect(snappyDecompress(bytes, size).length).toBe(size);
        } catch (e) {
          expect(e).toBeInstanceOf(SnappyError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
