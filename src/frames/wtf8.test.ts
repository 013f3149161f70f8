import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameError } from "./model.ts";
import { wtf8Decode, wtf8Encode, wtf8Size } from "./wtf8.ts";

describe("WTF-8", () => {
  it("is UTF-8 byte for byte on well-formed strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        const b = wtf8Encode(s);
        expect(b).toEqual(new TextEncoder().encode(s));
        expect(wtf8Size(s)).toBe(b.length);
        expect(wtf8Decode(b)).toBe(s);
      }),
    );
  });
  it("keeps lone surrogates, which TextEncoder would replace", () => {
    for (const s of ["\ud800", "a\udfffb", "\udc00\ud800", "\ud83d\ude00\ud83d", "\ud800".repeat(5000)]) {
      const b = wtf8Encode(s);
      expect(wtf8Size(s)).toBe(b.length);
      expect(wtf8Decode(b)).toBe(s);
    }
    expect([...wtf8Encode("\ud800")]).toEqual([0xed, 0xa0, 0x80]);
  });
  it("round-trips any sequence of UTF-16 code units", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => wtf8Decode(wtf8Encode(s)) === s));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0xd7f0, max: 0xe010 })), (units) => {
        const s = String.fromCharCode(...units);
        return wtf8Decode(wtf8Encode(s)) === s;
      }),
    );
  });
  it("decodes a long string past the flush size", () => {
    const s = "é€x".repeat(10_000);
    expect(wtf8Decode(wtf8Encode(s))).toBe(s);
  });
  it("is strict: one encoding per string", () => {
    const bad = [
      [0x80], // stray continuation
      [0xc0, 0x80], // overlong NUL
      [0xe0, 0x80, 0x80], // overlong 3-byte
      [0xf0, 0x80, 0x80, 0x80], // overlong 4-byte
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xf8],
      [0xe2, 0x82], // truncated
      [0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80], // a pair as two 3-byte sequences
    ];
    for (const b of bad) expect(() => wtf8Decode(Uint8Array.from(b))).toThrow(FrameError);
    // A trail then a lead is two lone surrogates, legal.
    expect(wtf8Decode(Uint8Array.of(0xed, 0xb0, 0x80, 0xed, 0xa0, 0x80))).toBe("\udc00\ud800");
  });
});
