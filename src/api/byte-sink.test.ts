import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { INT64_MAX, INT64_MIN } from "../tstorage/key.ts";
import { ByteSink } from "./byte-sink.ts";

const int64 = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });

describe("int64 digits from bytes", () => {
  const text = (n: bigint): string => {
    const v = new DataView(new ArrayBuffer(8));
    v.setBigInt64(0, n, true);
    const out = new ByteSink();
    out.int64(v, 0);
    return new TextDecoder().decode(out.take());
  };

  it("equal BigInt's decimal text at the edges and around 2^53 and 1e9 multiples", () => {
    const edges = [
      0n,
      1n,
      -1n,
      INT64_MIN,
      INT64_MAX,
      INT64_MIN + 1n,
      2n ** 53n,
      2n ** 53n - 1n,
      -(2n ** 53n),
      2n ** 53n + 1n,
    ];
    for (const e of [...edges, 10n ** 18n, 10n ** 18n - 1n, 10n ** 9n * 2n ** 33n, -(10n ** 18n) - 7n]) {
      expect(text(e)).toBe(e.toString());
    }
  });

  it("equal BigInt's decimal text for random int64", () => {
    fc.assert(
      fc.property(int64, (n) => text(n) === n.toString()),
      { numRuns: 5000 },
    );
  });
});

describe("safe integers", () => {
  it("equal String(n) for every safe integer size", () => {
    const text = (n: number): string => {
      const out = new ByteSink();
      out.int(n);
      return new TextDecoder().decode(out.take());
    };
    for (const n of [
      0,
      9,
      10,
      999_999_999,
      1e9,
      1e9 + 1,
      2 ** 31,
      -(2 ** 31),
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ]) {
      expect(text(n)).toBe(String(n));
    }
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => text(n) === String(n)),
      { numRuns: 5000 },
    );
  });
});
