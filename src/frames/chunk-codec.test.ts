import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lz4FrameEncode } from "../series/lz4.ts";
import { CHUNK_VERSION, type Chunk, chunkInfo, decodeChunk, encodeChunk } from "./chunk-codec.ts";
import { DTYPES, type DType, FrameError } from "./model.ts";

function invalid(f: () => unknown): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FrameError);
  expect((err as FrameError).code).toBe("invalid");
}

/** What a chunk should decode to: null rows hold the dtype's zero; no `valid` when nothing is null. */
function normalise(c: Chunk): Chunk {
  const valid = c.valid?.includes(0) ? c.valid : undefined;
  const keep = (i: number) => valid === undefined || valid[i] === 1;
  const base = { dtype: c.dtype, ...(valid ? { valid } : {}) };
  switch (c.dtype) {
    case "string":
      return { ...base, dtype: c.dtype, values: c.values.map((v, i) => (keep(i) ? v : "")) };
    case "category":
      return {
        ...base,
        dtype: c.dtype,
        values: { dictionary: c.values.dictionary, codes: c.values.codes.map((v, i) => (keep(i) ? v : 0)) },
      };
    case "int64":
    case "timestamp":
      return { ...base, dtype: c.dtype, values: c.values.map((v, i) => (keep(i) ? v : 0n)) };
    default:
      return { ...base, dtype: c.dtype, values: (c.values as Float64Array).map((v, i) => (keep(i) ? v : 0)) } as Chunk;
  }
}

/** Exact comparison: floats bit for bit (so -0 and NaN payloads count). */
function expectSame(actual: Chunk, expected: Chunk): void {
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.valid).toEqual(expected.valid);
  if (actual.values instanceof Float64Array || actual.values instanceof Float32Array) {
    const bytes = (a: Float64Array | Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    expect(actual.values.constructor).toBe(expected.values.constructor);
    expect(bytes(actual.values)).toEqual(bytes(expected.values as Float64Array));
  } else {
    expect(actual.values).toEqual(expected.values);
  }
}

function roundTrip(c: Chunk, opts?: Parameters<typeof encodeChunk>[1]): Uint8Array {
  const bytes = encodeChunk(c, opts);
  expectSame(decodeChunk(bytes), normalise(c));
  return bytes;
}

const surrogates = fc.string({ unit: "binary", maxLength: 6 });
const strs = fc.oneof(surrogates, fc.constantFrom("", "a", "kWh", "é", "😀", "\ud800"));

/** Readings with a few decimals, the decimal layout's case (a -0 or NaN among them forces another). */
const decimal = fc.oneof(
  fc.integer({ min: -1e7, max: 1e7 }).chain((m) => fc.integer({ min: 0, max: 7 }).map((e) => m / 10 ** e)),
  fc.constantFrom(-0, Number.NaN, 1e300, 0.1 + 0.2),
);

function chunkArb(dtype: DType): fc.Arbitrary<Chunk> {
  return fc.integer({ min: 0, max: 200 }).chain((n) => {
    const valid = fc.option(fc.uint8Array({ min: 0, max: 1, minLength: n, maxLength: n }), { nil: undefined });
    const len = { minLength: n, maxLength: n };
    const big = fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.bigInt({ min: -1000n, max: 1000n }),
      fc.constant(1_700_000_000_000_000_000n),
    );
    const values: fc.Arbitrary<Chunk["values"]> = (() => {
      switch (dtype) {
        case "float64":
          return fc.oneof(
            fc.float64Array(len),
            fc.array(decimal, len).map((a) => Float64Array.from(a)),
          );
        case "float32":
          return fc.oneof(
            fc.float32Array(len),
            fc.array(decimal, len).map((a) => Float32Array.from(a)),
          );
        case "int32":
          return fc.int32Array(len);
        case "int64":
        case "timestamp":
          return fc.array(big, len).map((a) => BigInt64Array.from(a));
        case "bool":
          return fc.uint8Array({ min: 0, max: 1, ...len });
        case "string":
          return fc.array(strs, len);
        case "category":
          return fc
            .array(strs, { minLength: n === 0 ? 0 : 1, maxLength: 20 })
            .chain((dictionary) =>
              fc
                .array(fc.integer({ min: 0, max: Math.max(0, dictionary.length - 1) }), len)
                .map((codes) => ({ dictionary, codes: Int32Array.from(codes) })),
            );
      }
    })();
    return fc
      .record({ values, valid })
      .map(({ values, valid }) => ({ dtype, values, ...(valid ? { valid } : {}) }) as Chunk);
  });
}

describe("encodeChunk / decodeChunk round trip", () => {
  it("holds for random columns of every dtype with random nulls, compressed or not", () => {
    for (const dtype of DTYPES) {
      fc.assert(
        fc.property(
          chunkArb(dtype),
          fc.boolean(),
          fc.constantFrom("auto", "raw", "shuffled") as fc.Arbitrary<"auto" | "raw" | "shuffled">,
          (c, compress, floats) => {
            const bytes = roundTrip(c, { compress, floats });
            const info = chunkInfo(bytes);
            expect(info).toMatchObject({ version: CHUNK_VERSION, dtype, hasNulls: c.valid?.includes(0) ?? false });
          },
        ),
        { numRuns: 60 },
      );
    }
  });

  it("keeps -0, infinities and NaN payloads bit for bit", () => {
    const f64 = new Float64Array([-0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 5e-324]);
    new DataView(f64.buffer).setBigUint64(8 * 4, 0x7ff8_0000_dead_beefn, true);
    const f32 = new Float32Array([-0, Number.NaN, 1.5]);
    new DataView(f32.buffer).setUint32(4, 0x7fc0_1234, true);
    for (const compress of [true, false]) {
      roundTrip({ dtype: "float64", values: f64 }, { compress });
      roundTrip({ dtype: "float32", values: f32 }, { compress });
    }
    const back = decodeChunk(encodeChunk({ dtype: "float64", values: f64 })).values as Float64Array;
    expect(Object.is(back[0], -0)).toBe(true);
    expect(new DataView(back.buffer).getBigUint64(32, true)).toBe(0x7ff8_0000_dead_beefn);
  });

  it("keeps -0 among decimal readings (a bigint has no -0)", () => {
    for (const values of [
      [-0, 1.5],
      [0.1, -0, -0.1],
      [-0.04, 2],
    ]) {
      roundTrip({ dtype: "float64", values: Float64Array.from(values) });
      roundTrip({ dtype: "float32", values: Float32Array.from(values) });
    }
  });

  it("writes exact decimals as scaled integers, and anything else as floats", () => {
    const small = (values: number[]) =>
      encodeChunk({ dtype: "float64", values: Float64Array.from(values) }, { compress: false });
    expect(small([12.5, 12.6, 12.4]).length).toBeLessThan(20);
    expect(small([0.1 + 0.2, 1]).length).toBeGreaterThan(16);
    expect(small([1e300]).length).toBeGreaterThan(8);
    roundTrip({ dtype: "float64", values: Float64Array.of(0.1 + 0.2, 1.25e-7, 2 ** 53 + 2, 1e-6) });
    roundTrip({ dtype: "float32", values: Float32Array.of(0.1, 3.3, 16777217) });
  });

  it("encodes empty chunks of every dtype", () => {
    const empty: Record<DType, Chunk> = {
      float64: { dtype: "float64", values: new Float64Array(0) },
      float32: { dtype: "float32", values: new Float32Array(0) },
      int64: { dtype: "int64", values: new BigInt64Array(0) },
      int32: { dtype: "int32", values: new Int32Array(0) },
      bool: { dtype: "bool", values: new Uint8Array(0) },
      string: { dtype: "string", values: [] },
      timestamp: { dtype: "timestamp", values: new BigInt64Array(0), valid: new Uint8Array(0) },
      category: { dtype: "category", values: { dictionary: ["a"], codes: new Int32Array(0) } },
    };
    for (const c of Object.values(empty)) {
      const bytes = roundTrip(c);
      expect(bytes.length).toBeLessThan(16);
      expect(chunkInfo(bytes).rows).toBe(0);
    }
  });

  it("stores no bitmap when nothing is null, and null rows decode as the dtype's zero", () => {
    const allValid = encodeChunk({ dtype: "int32", values: Int32Array.of(1, 2), valid: Uint8Array.of(1, 1) });
    expect(decodeChunk(allValid).valid).toBeUndefined();
    expect(allValid).toEqual(encodeChunk({ dtype: "int32", values: Int32Array.of(1, 2) }));
    const back = decodeChunk(
      encodeChunk({ dtype: "string", values: ["x", "junk", "z"], valid: Uint8Array.of(1, 0, 1) }),
    );
    expect(back).toEqual({ dtype: "string", values: ["x", "", "z"], valid: Uint8Array.of(1, 0, 1) });
    const allNull = { dtype: "float64" as const, values: new Float64Array(1000).fill(7), valid: new Uint8Array(1000) };
    expect(encodeChunk(allNull).length).toBeLessThan(60);
    roundTrip(allNull);
  });

  it("keeps lone surrogates and any Unicode in strings and dictionaries", () => {
    const values = ["\ud800", "a\udc00b", "😀", "\u0000", "ñ", "", "\udbff\udfff", "\ud83d"];
    roundTrip({ dtype: "string", values }, { compress: false });
    roundTrip({ dtype: "string", values: [...values, ...values, ...values] });
    roundTrip({ dtype: "category", values: { dictionary: values, codes: Int32Array.of(0, 7, 1) } });
  });

  it("writes repetitive strings as a dictionary, which pays", () => {
    const units = ["kWh", "m³", "°C"];
    const values = Array.from({ length: 3000 }, (_, i) => units[i % 3] as string);
    const dict = encodeChunk({ dtype: "string", values }, { compress: false });
    const unique = Array.from({ length: 3000 }, (_, i) => `meter-${i}`);
    const plain = encodeChunk({ dtype: "string", values: unique }, { compress: false });
    // Plain costs about a length byte plus the bytes; a 3-entry dictionary about one code byte.
    expect(dict.length).toBeLessThan(3000 + 30);
    expect(plain.length).toBeGreaterThan(unique.join("").length + 3000);
    roundTrip({ dtype: "string", values });
  });
});

describe("encodeChunk refuses bad input with FrameError('invalid')", () => {
  it("values of the wrong type, validity of the wrong length or not 0/1, codes outside the dictionary", () => {
    invalid(() => encodeChunk({ dtype: "int64", values: new Float64Array(2) } as unknown as Chunk));
    invalid(() => encodeChunk({ dtype: "string", values: "ab" } as unknown as Chunk));
    invalid(() => encodeChunk({ dtype: "nope", values: [] } as unknown as Chunk));
    invalid(() => encodeChunk({ dtype: "string", values: ["a", 1] } as unknown as Chunk));
    invalid(() =>
      encodeChunk({ dtype: "category", values: { dictionary: [null], codes: Int32Array.of(0) } } as unknown as Chunk),
    );
    invalid(() => encodeChunk({ dtype: "int32", values: new Int32Array(2), valid: new Uint8Array(3) }));
    invalid(() => encodeChunk({ dtype: "int32", values: new Int32Array(2), valid: Uint8Array.of(1, 2) }));
    invalid(() => encodeChunk({ dtype: "category", values: { dictionary: ["a"], codes: Int32Array.of(0, 1) } }));
    invalid(() => encodeChunk({ dtype: "category", values: { dictionary: ["a"], codes: Int32Array.of(-1) } }));
    // A bad code under a null is never read, so it is fine.
    roundTrip({
      dtype: "category",
      values: { dictionary: ["a"], codes: Int32Array.of(0, 9) },
      valid: Uint8Array.of(1, 0),
    });
  });
});

describe("decodeChunk refuses bad bytes with FrameError('invalid')", () => {
  const sample: Chunk[] = [
    {
      dtype: "timestamp",
      values: BigInt64Array.from({ length: 500 }, (_, i) => 1_700_000_000_000_000_000n + BigInt(i) * 900_000_000_000n),
    },
    {
      dtype: "float64",
      values: Float64Array.from({ length: 300 }, (_, i) => i / 10),
      valid: Uint8Array.from({ length: 300 }, (_, i) => (i % 7 ? 1 : 0)),
    },
    { dtype: "string", values: ["a", "bb", "\ud800", "ccc"] },
    { dtype: "category", values: { dictionary: ["x", "y"], codes: Int32Array.of(0, 1, 1, 0) } },
    { dtype: "bool", values: Uint8Array.of(1, 0, 1), valid: Uint8Array.of(1, 1, 0) },
  ];

  it("another format version, bad magic, unknown dtype or flags", () => {
    const good = encodeChunk(sample[2] as Chunk);
    const with_ = (i: number, v: number) => {
      const b = good.slice();
      b[i] = v;
      return b;
    };
    invalid(() => decodeChunk(with_(2, CHUNK_VERSION + 1)));
    invalid(() => decodeChunk(with_(2, 0)));
    invalid(() => decodeChunk(with_(0, 0x50)));
    invalid(() => decodeChunk(with_(3, 0)));
    invalid(() => decodeChunk(with_(3, 99)));
    invalid(() => decodeChunk(with_(4, 4)));
    invalid(() => chunkInfo(with_(2, 9)));
    invalid(() => decodeChunk(new Uint8Array(0)));
    invalid(() => decodeChunk("HC" as unknown as Uint8Array));
  });

  it("every truncation and any trailing byte", () => {
    for (const c of sample) {
      const good = encodeChunk(c);
      for (let n = 0; n < good.length; n++) invalid(() => decodeChunk(good.subarray(0, n)));
      const longer = new Uint8Array(good.length + 1);
      longer.set(good);
      invalid(() => decodeChunk(longer));
    }
  });

  it("lying row counts and body lengths, without allocating what they claim", () => {
    const header = (dtype: number, flags: number, rows: number[], body: number[], payload: number[]) =>
      Uint8Array.from([0x48, 0x43, CHUNK_VERSION, dtype, flags, ...rows, ...body, ...payload]);
    const huge = [0xff, 0xff, 0xff, 0xff, 0x07]; // 2^31 - 1 rows
    invalid(() => decodeChunk(header(1, 0, huge, [1], [0]))); // float64, 1 byte of body
    invalid(() => decodeChunk(header(6, 0, huge, [2], [0, 0]))); // strings
    invalid(() => decodeChunk(header(5, 0, huge, [1], [0]))); // bools
    invalid(() => decodeChunk(header(8, 0, [1], [3], [0, 0x7f, 0]))); // category, 127 entries claimed
    invalid(() => decodeChunk(header(1, 1, huge, [1], [0]))); // validity of 2^31 rows in 1 byte
    invalid(() => decodeChunk(header(4, 0, [1], [0xff, 0xff, 0xff, 0xff, 0x0f], [0]))); // body past the LZ4 cap
    // A compressed body that declares 64 MiB but holds a few bytes.
    const z = lz4FrameEncode(Uint8Array.of(0, 1, 2));
    invalid(() => decodeChunk(header(4, 2, [3], [0x80, 0x80, 0x80, 0x20], [...z])));
    invalid(() => decodeChunk(header(4, 2, [3], [3], [1, 2, 3]))); // not an LZ4 frame
    // Lengths that do not add up: strings whose lengths sum past the declared total.
    invalid(() => decodeChunk(header(6, 0, [2], [5], [0, 1, 1, 1, 0x61])));
    // Codes outside the dictionary, a bitmap without a null, bits past the last row.
    invalid(() => decodeChunk(header(8, 0, [1], [5], [0, 1, 1, 1, 0x61, 1].slice(0, 5).concat([1]))));
    invalid(() => decodeChunk(header(5, 1, [2], [3], [0b11, 0, 0b11])));
    invalid(() => decodeChunk(header(5, 0, [2], [2], [0, 0b100])));
    // Decimal floats: too many decimals, more -0 positions than values, positions out of order or past the end.
    const decimalBody = (rest: number[]) => header(1, 0, [2], [rest.length], rest);
    invalid(() => decodeChunk(decimalBody([2, 7, 0, 1, 0, 0])));
    invalid(() => decodeChunk(decimalBody([2, 1, 3, 0, 1, 1, 1, 0, 0])));
    invalid(() => decodeChunk(decimalBody([2, 1, 2, 0, 0, 1, 0, 0])));
    invalid(() => decodeChunk(decimalBody([2, 1, 1, 5, 1, 0, 0])));
    expect(decodeChunk(decimalBody([2, 1, 1, 1, 1, 4, 0])).values).toEqual(Float64Array.of(0.2, -0));
    // Unknown value layouts.
    for (const dtype of [1, 3, 4, 5, 6, 8]) invalid(() => decodeChunk(header(dtype, 0, [0], [1], [9])));
  });

  it("random corruption gives a value or FrameError('invalid'), never another error", () => {
    const goods = sample.flatMap((c) => [encodeChunk(c), encodeChunk(c, { compress: false })]);
    fc.assert(
      fc.property(
        fc.constantFrom(...goods),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }),
        (good, edits) => {
          const b = good.slice();
          for (const [i, v] of edits) b[i % b.length] = v;
          try {
            decodeChunk(b);
          } catch (e) {
            expect(e).toBeInstanceOf(FrameError);
            expect((e as FrameError).code).toBe("invalid");
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** A deterministic generator, so the sizes below are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe("sizes of a typical meter frame (10,000 rows of 15-minute data)", () => {
  const n = 10_000;
  const rnd = lcg(42);
  const index = BigInt64Array.from({ length: n }, (_, i) => 1_767_225_600_000_000_000n + BigInt(i) * 900_000_000_000n);
  let level = 40;
  // A load in kW with one decimal: a daily cycle plus a random walk.
  const reading = Float64Array.from({ length: n }, (_, i) => {
    level += (rnd() - 0.5) * 2;
    return Math.round((level + 20 * Math.sin((i * 2 * Math.PI) / 96)) * 10) / 10;
  });
  const quality = Int32Array.from({ length: n }, () => (rnd() < 0.99 ? 192 : 64));
  const codes = Int32Array.from({ length: n }, () => (rnd() < 0.97 ? 0 : rnd() < 0.5 ? 1 : 2));
  const status: Chunk = { dtype: "category", values: { dictionary: ["measured", "estimated", "substituted"], codes } };

  it("float layouts: decimal beats shuffled beats raw for one-decimal readings (with LZ4)", () => {
    const size = (floats: "auto" | "raw" | "shuffled") =>
      encodeChunk({ dtype: "float64", values: reading }, { floats }).length;
    const sizes = { raw: size("raw"), shuffled: size("shuffled"), decimal: size("auto") };
    console.log("float64 reading, 10,000 rows, raw 80,000 bytes:", sizes);
    // Measured: raw+LZ4 35,271, shuffled+LZ4 31,881, decimal+LZ4 10,020 (rounding left three -0s in).
    expect(reading.some((v) => Object.is(v, -0))).toBe(true);
    expect(sizes.shuffled).toBeLessThan(sizes.raw);
    expect(sizes.decimal).toBeLessThan(sizes.shuffled / 2);
    roundTrip({ dtype: "float64", values: reading });
  });

  it("int64 layouts: delta-of-delta makes a regular index nearly free", () => {
    const dod = encodeChunk({ dtype: "timestamp", values: index });
    const raw = lz4FrameEncode(new Uint8Array(index.buffer));
    console.log("15-minute index, 10,000 rows, raw 80,000 bytes:", { dod: dod.length, rawLz4: raw.length });
    expect(dod.length).toBeLessThan(200);
    expect(dod.length).toBeLessThan(raw.length / 10);
    // An irregular index (jittered by up to a second) still takes the delta layouts' few bytes a row.
    const jitter = index.map((t) => t + BigInt(Math.floor(rnd() * 1e9)));
    expect(encodeChunk({ dtype: "timestamp", values: jitter }).length).toBeLessThan(n * 6);
    roundTrip({ dtype: "timestamp", values: jitter });
  });

  it("the whole frame fits a SQLite row many times over", () => {
    const parts = {
      index: encodeChunk({ dtype: "timestamp", values: index }).length,
      reading: encodeChunk({ dtype: "float64", values: reading }).length,
      quality: encodeChunk({ dtype: "int32", values: quality }).length,
      status: encodeChunk(status).length,
    };
    const raw = n * (8 + 8 + 4 + 4);
    const total = Object.values(parts).reduce((a, b) => a + b, 0);
    console.log(`meter frame: ${total} bytes encoded vs ${raw} raw (${((100 * total) / raw).toFixed(1)}%)`, parts);
    expect(total).toBeLessThan(raw / 10);
    expect(Math.max(...Object.values(parts))).toBeLessThan(1024 * 1024);
    roundTrip(status);
    roundTrip({ dtype: "int32", values: quality });
  });
});
