import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ByteReader,
  ByteWriter,
  bigUvarintSize,
  unzigzag32,
  unzigzag64,
  uvarintSize,
  zigzag32,
  zigzag64,
} from "./bytes.ts";
import { FrameError } from "./model.ts";

function invalid(f: () => unknown): void {
  expect(f).toThrow(FrameError);
  try {
    f();
  } catch (e) {
    expect((e as FrameError).code).toBe("invalid");
  }
}

describe("zigzag", () => {
  it("maps small magnitudes of either sign to small numbers", () => {
    expect([0, -1, 1, -2, 2].map(zigzag32)).toEqual([0, 1, 2, 3, 4]);
    expect([0n, -1n, 1n, -2n].map(zigzag64)).toEqual([0n, 1n, 2n, 3n]);
    expect(zigzag32(-2147483648)).toBe(0xffffffff);
    expect(zigzag64(-(2n ** 63n))).toBe(2n ** 64n - 1n);
  });
  it("round-trips every 32- and 64-bit value", () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => unzigzag32(zigzag32(v)) === v));
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => unzigzag64(zigzag64(v)) === v));
  });
});

describe("varints", () => {
  it("round-trip with the sizes uvarintSize and bigUvarintSize predict", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
        fc.array(fc.nat({ max: 0xffffffff })),
        (bigs, nums) => {
          const w = new ByteWriter(1);
          for (const b of bigs) w.bigUvarint(b);
          for (const n of nums) w.uvarint(n);
          const bytes = w.finish();
          const size = bigs.reduce((a, b) => a + bigUvarintSize(b), 0) + nums.reduce((a, n) => a + uvarintSize(n), 0);
          expect(bytes.length).toBe(size);
          const r = new ByteReader(bytes);
          expect(bigs.map(() => r.bigUvarint())).toEqual(bigs);
          expect(nums.map(() => r.uvarint())).toEqual(nums);
          r.end();
        },
      ),
    );
  });
  it("rejects truncated, overlong, too long and too large varints", () => {
    invalid(() => new ByteReader(Uint8Array.of(0x80)).uvarint());
    invalid(() => new ByteReader(Uint8Array.of(0x80, 0x00)).uvarint());
    invalid(() => new ByteReader(Uint8Array.of(0x81, 0x00)).bigUvarint());
    invalid(() => new ByteReader(new Uint8Array(11).fill(0x80)).bigUvarint());
    invalid(() =>
      new ByteReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02)).bigUvarint(),
    );
    invalid(() => new ByteReader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x10)).uvarint());
    invalid(() => new ByteReader(Uint8Array.of(0x0b)).uvarint(10));
    expect(new ByteReader(Uint8Array.of(0x0a)).uvarint(10)).toBe(10);
  });
});

describe("ByteReader", () => {
  it("reads fixed-width numbers little-endian and refuses to read past the end", () => {
    const w = new ByteWriter(1);
    w.f64(-0);
    w.f32(1.5);
    w.i32(-7);
    w.i64(-(2n ** 63n));
    const r = new ByteReader(w.finish());
    expect(Object.is(r.f64(), -0)).toBe(true);
    expect(r.f32()).toBe(1.5);
    expect(r.i32()).toBe(-7);
    expect(r.i64()).toBe(-(2n ** 63n));
    invalid(() => r.u8());
    invalid(() => new ByteReader(new Uint8Array(7)).f64());
    invalid(() => new ByteReader(new Uint8Array(3)).take(4));
  });
  it("end() reports trailing bytes", () => {
    const r = new ByteReader(Uint8Array.of(1, 2));
    r.u8();
    invalid(() => r.end());
  });
});
