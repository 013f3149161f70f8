/**
 * The series codecs inside workerd: the LZ4 frame codec and the value blobs use nothing Node has
 * and the Workers runtime lacks (the unit tests in src/series/ cover them in depth, in Node).
 */
import { describe, expect, it } from "vitest";
import { SeriesError } from "../../src/series/errors.ts";
import { lz4FrameDecode, lz4FrameEncode } from "../../src/series/lz4.ts";
import { packValues, unpackValues } from "../../src/series/values.ts";
import sample from "../fixtures/series/lz4/worker-sample.json" with { type: "json" };

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const input = fromBase64(sample.input);

describe("series LZ4 codec in workerd", () => {
  it("runs in the Workers runtime", () => {
    expect((globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent).toBe("Cloudflare-Workers");
  });

  it("reads python-lz4's frames: HoLcStore's default, with checksums, high compression", () => {
    for (const [name, frame] of Object.entries(sample.frames)) {
      expect(same(lz4FrameDecode(fromBase64(frame)), input), name).toBe(true);
    }
  });

  it("writes python-lz4's bytes", () => {
    expect(same(lz4FrameEncode(input), fromBase64(sample.frames.default))).toBe(true);
  });

  it("round-trips a chunk of values and refuses a broken one", () => {
    const values = Float64Array.from({ length: 745 }, (_, i) => (i < 5 ? Number.NaN : 100 + (i % 24)));
    const blob = packValues(values, "float64");
    const back = unpackValues(blob, "float64", 745);
    expect(Array.from(back.subarray(4, 7))).toEqual([Number.NaN, 105, 106]);
    const cut = blob.subarray(0, blob.length - 3);
    expect(() => unpackValues(cut, "float64", 745)).toThrow(SeriesError);
  });
});
