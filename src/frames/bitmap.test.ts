import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countBits, packBits, packedSize, unpackBits } from "./bitmap.ts";
import { FrameError } from "./model.ts";

describe("bitmap", () => {
  it("packs LSB first, Arrow's layout", () => {
    expect([...packBits(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 1, 1))]).toEqual([0x81, 0x01]);
    expect(packBits(new Uint8Array(0)).length).toBe(0);
  });
  it("round-trips and counts", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 100 }), (bits) => {
        const packed = packBits(Uint8Array.from(bits));
        expect(packed.length).toBe(packedSize(bits.length));
        expect([...unpackBits(packed, bits.length)]).toEqual(bits);
        expect(countBits(packed)).toBe(bits.filter((b) => b === 1).length);
      }),
    );
  });
  it("refuses bytes other than 0 and 1, wrong sizes and stray high bits", () => {
    expect(() => packBits(Uint8Array.of(2))).toThrow(FrameError);
    expect(() => unpackBits(Uint8Array.of(1), 9)).toThrow(FrameError);
    expect(() => unpackBits(Uint8Array.of(1, 0), 3)).toThrow(FrameError);
    expect(() => unpackBits(Uint8Array.of(0x08), 3)).toThrow(FrameError);
    expect([...unpackBits(Uint8Array.of(0x04), 3)]).toEqual([0, 0, 1]);
  });
});
