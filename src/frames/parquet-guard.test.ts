/**
 * The Parquet guard against damaged input: hand-made files (v1 pages, which hyparquet-writer never
 * writes, and the exact byte patterns that made hyparquet spin or over-allocate) and random damage
 * to real files. The corrupted-bytes property has no clock in it: it passes by finishing.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { ByteWriter } from "hyparquet-writer/src/bytewriter.js";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { parquetWriteBuffer } from "hyparquet-writer/src/index.js";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import { serializeTCompactProtocol } from "hyparquet-writer/src/thrift.js";
import { describe, expect, it } from "vitest";
import { type Frame, FrameError } from "./model.ts";
import { frameToParquet, parquetToFrame } from "./parquet.ts";
import { guardParquet } from "./parquet-guard.ts";

const PAR1 = new TextEncoder().encode("PAR1");
// parquet.thrift numbers used below.
const INT32 = 1;
const BYTE_ARRAY = 6;
const BOOLEAN = 0;
const PLAIN = 0;
const RLE = 3;
const RLE_DICTIONARY = 8;
const DELTA_BINARY_PACKED = 5;
const DELTA_BYTE_ARRAY = 7;
const UNCOMPRESSED = 0;
const SNAPPY = 1;

type Thrift = { [key: `field_${number}`]: unknown };

interface CraftPage {
  readonly header: Thrift;
  readonly body: Uint8Array;
}

/** A data page v1 header. */
function v1(values: number, encoding: number, size: number, compressed = size): Thrift {
  return {
    field_1: 0,
    field_2: size,
    field_3: compressed,
    field_5: { field_1: values, field_2: encoding, field_3: RLE, field_4: RLE },
  };
}

/** A data page v2 header (levels uncompressed, values compressed when the chunk's codec says so). */
function v2(values: number, nulls: number, encoding: number, defBytes: number, size: number): Thrift {
  return {
    field_1: 3,
    field_2: size,
    field_3: size,
    field_8: { field_1: values, field_2: nulls, field_3: values, field_4: encoding, field_5: defBytes, field_6: 0 },
  };
}

function dictPage(values: number, size: number): Thrift {
  return { field_1: 2, field_2: size, field_3: size, field_7: { field_1: values, field_2: PLAIN } };
}

/** One file of one column `x` in one row group holding exactly the pages given. */
function craft(opts: {
  type: number;
  optional: boolean;
  rows: number;
  pages: readonly CraftPage[];
  codec?: number;
  footer?: (meta: Thrift) => Thrift;
  chunk?: (chunk: Thrift) => Thrift;
  schema?: (leaf: Thrift) => Thrift[];
}): Uint8Array {
  const w = new ByteWriter();
  w.appendBytes(PAR1);
  const start = w.offset;
  for (const p of opts.pages) {
    serializeTCompactProtocol(w, p.header);
    w.appendBytes(p.body);
  }
  const size = BigInt(w.offset - start);
  const utf8 = opts.type === BYTE_ARRAY ? { field_6: 0 } : {};
  const chunk: Thrift = {
    field_1: opts.type,
    field_2: [PLAIN, RLE],
    field_3: ["x"],
    field_4: opts.codec ?? UNCOMPRESSED,
    field_5: BigInt(opts.rows),
    field_6: size,
    field_7: size,
    field_9: BigInt(start),
  };
  const meta: Thrift = {
    field_1: 2,
    field_2: [
      { field_4: "root", field_5: 1 },
      ...(opts.schema ?? ((l) => [l]))({ field_1: opts.type, field_3: opts.optional ? 1 : 0, field_4: "x", ...utf8 }),
    ],
    field_3: BigInt(opts.rows),
    field_4: [
      {
        field_1: [{ field_2: BigInt(start), field_3: opts.chunk ? opts.chunk(chunk) : chunk }],
        field_2: size,
        field_3: BigInt(opts.rows),
      },
    ],
  };
  const m0 = w.offset;
  serializeTCompactProtocol(w, opts.footer ? opts.footer(meta) : meta);
  w.appendUint32(w.offset - m0);
  w.appendBytes(PAR1);
  return w.getBytes();
}

function bytes(...parts: (number | Uint8Array | readonly number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") out.push(p);
    else out.push(...p);
  }
  return Uint8Array.from(out);
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
}

function hybrid(values: number[], width: number): Uint8Array {
  const w = new ByteWriter();
  writeRleBitPackedHybrid(w, values, width);
  return w.getBytes();
}

function int32s(values: readonly number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FrameError) return e.code;
    throw e;
  }
  return "ok";
}

/** An OPTIONAL INT32 column [5, null, 7] as one v1 page: length-prefixed levels, then PLAIN values. */
function optionalInt32V1(): Uint8Array {
  const levels = hybrid([1, 0, 1], 1);
  const body = bytes(u32(levels.length), levels, int32s([5, 7]));
  return craft({ type: INT32, optional: true, rows: 3, pages: [{ header: v1(3, PLAIN, body.length), body }] });
}

describe("data page v1 files (what pyarrow and Spark write by default)", () => {
  it("reads levels and PLAIN values", async () => {
    const f = await parquetToFrame(optionalInt32V1());
    expect(Array.from(f.columns[0]?.values as Int32Array)).toEqual([5, 0, 7]);
    expect(f.columns[0]?.valid).toEqual(Uint8Array.from([1, 0, 1]));
  });

  it("reads a dictionary page and RLE_DICTIONARY indices, SNAPPY-compressed", async () => {
    const dict = bytes(u32(1), 0x61, u32(2), 0x62, 0x63); // "a", "bc"
    const data = bytes(1, hybrid([1, 0, 0, 1, 1], 1)); // bit width 1, then the indices
    const cd = snappyCompress(dict);
    const cv = snappyCompress(data);
    const file = craft({
      type: BYTE_ARRAY,
      optional: false,
      rows: 5,
      codec: SNAPPY,
      pages: [
        { header: { ...dictPage(2, dict.length), field_3: cd.length }, body: cd },
        { header: v1(5, RLE_DICTIONARY, data.length, cv.length), body: cv },
      ],
    });
    const f = await parquetToFrame(file);
    expect(f.columns[0]?.values).toEqual(["bc", "a", "a", "bc", "bc"]);
  });

  it("reads RLE booleans", async () => {
    const runs = hybrid([1, 1, 0, 1], 1);
    const body = bytes(u32(runs.length), runs);
    const file = craft({ type: BOOLEAN, optional: false, rows: 4, pages: [{ header: v1(4, RLE, body.length), body }] });
    expect(Array.from((await parquetToFrame(file)).columns[0]?.values as Uint8Array)).toEqual([1, 1, 0, 1]);
  });

  it("refuses a dictionary index past the dictionary instead of reading it as null", async () => {
    const dict = bytes(u32(1), 0x61);
    const data = bytes(2, hybrid([0, 3], 2));
    const file = craft({
      type: BYTE_ARRAY,
      optional: true,
      rows: 2,
      pages: [
        { header: dictPage(1, dict.length), body: dict },
        { header: v1(2, RLE_DICTIONARY, 4 + 2 + data.length), body: bytes(u32(2), 0x04, 0x01, data) },
      ],
    });
    expect(await code(parquetToFrame(file))).toBe("invalid");
  });
});

describe("inputs that made hyparquet spin or over-allocate are refused", () => {
  const optionalV1 = (body: Uint8Array, values = 3): Uint8Array =>
    craft({ type: INT32, optional: true, rows: values, pages: [{ header: v1(values, PLAIN, body.length), body }] });

  it("an RLE run of 2^30 values in a 3-value page", async () => {
    // Header 2^31 (even: RLE) as a 5-byte varint; hyparquet writes the value 2^30 times into its array.
    const levels = bytes(0x80, 0x80, 0x80, 0x80, 0x08, 0x01);
    const file = optionalV1(bytes(u32(levels.length), levels, int32s([1, 2, 3])));
    expect(await code(parquetToFrame(file))).toBe("invalid");
  });

  it("a bit-packed run at bit width 0 (dictionary indices of a v2 page)", async () => {
    // Header 0xffffffff reads as -1 in hyparquet: a run of -8 values counts down for 2^53 steps.
    const dict = int32s([42]);
    const data = bytes(0, 0xff, 0xff, 0xff, 0xff, 0x0f);
    const file = craft({
      type: INT32,
      optional: false,
      rows: 2,
      pages: [
        { header: dictPage(1, dict.length), body: dict },
        { header: v2(2, 0, RLE_DICTIONARY, 0, data.length), body: data },
      ],
    });
    expect(await code(parquetToFrame(file))).toBe("invalid");
  });

  it("an index bit width of 255", async () => {
    const dict = int32s([1, 2]);
    const data = bytes(255, 0x03, 0x00);
    const file = craft({
      type: INT32,
      optional: false,
      rows: 1,
      pages: [
        { header: dictPage(2, dict.length), body: dict },
        { header: v1(1, RLE_DICTIONARY, data.length), body: data },
      ],
    });
    expect(await code(parquetToFrame(file))).toBe("invalid");
  });

  it("an endless varint in a run header and in a page header", async () => {
    const levels = new Uint8Array(64).fill(0xff);
    expect(await code(parquetToFrame(optionalV1(bytes(u32(levels.length), levels))))).toBe("invalid");
    const good = optionalInt32V1();
    const header = good.indexOf(0x15, 4); // the page header's first field (i32 type): make it a varint that never ends
    const bad = bytes(good.subarray(0, header + 1), new Uint8Array(40).fill(0xff), good.subarray(header + 1));
    expect(await code(parquetToFrame(bad))).toBe("invalid");
  });

  it("a SNAPPY literal whose length wraps negative (hyparquet's decoder loops on it)", async () => {
    // Literal tag with a 4-byte length of 0xfffffffa: hyparquet's position steps back onto the tag.
    const body = bytes(10, 0xfc, 0xfa, 0xff, 0xff, 0xff);
    const file = craft({
      type: INT32,
      optional: false,
      rows: 1,
      codec: SNAPPY,
      pages: [{ header: v1(1, PLAIN, 10, body.length), body }],
    });
    expect(await code(parquetToFrame(file))).toBe("invalid");
  });

  it("a page claiming two billion values, and one past its chunk", async () => {
    const body = int32s([1]);
    const huge = craft({ type: INT32, optional: false, rows: 1, pages: [{ header: v1(2 ** 31 - 1, PLAIN, 4), body }] });
    expect(await code(parquetToFrame(huge))).toBe("invalid");
    const past = craft({ type: INT32, optional: false, rows: 1, pages: [{ header: v1(1, PLAIN, 4, 4000), body }] });
    expect(await code(parquetToFrame(past))).toBe("invalid");
  });

  it("delta blocks with no miniblocks, and DELTA_BYTE_ARRAY prefixes naming bytes that do not exist", async () => {
    // block 128, 0 miniblocks, 2 values, first value 0
    const zero = bytes(0x80, 0x01, 0x00, 0x02, 0x00);
    const noMini = craft({
      type: INT32,
      optional: false,
      rows: 2,
      pages: [{ header: v1(2, DELTA_BINARY_PACKED, zero.length), body: zero }],
    });
    expect(await code(parquetToFrame(noMini))).toBe("invalid");
    // prefixes [0, 2^30] (first value 0, min delta 2^30, bit width 0), suffixes [1, 0]
    const prefixes = bytes(0x80, 0x01, 0x04, 0x02, 0x00, 0x80, 0x80, 0x80, 0x80, 0x08, 0, 0, 0, 0);
    const suffixes = bytes(0x80, 0x01, 0x04, 0x02, 0x02, 0x01, 0, 0, 0, 0);
    const body = bytes(prefixes, suffixes, 0x61);
    const file = craft({
      type: BYTE_ARRAY,
      optional: false,
      rows: 2,
      pages: [{ header: v1(2, DELTA_BYTE_ARRAY, body.length), body }],
    });
    expect(await code(parquetToFrame(file))).toBe("invalid");
  });

  it("footers nested too deeply, lists longer than their bytes, a footer length past the file", async () => {
    let deep: Thrift = { field_1: 1 };
    for (let i = 0; i < 200; i++) deep = { field_1: deep };
    const nested = craft({ ...plainInt32(), footer: (m) => ({ ...m, field_9: deep }) });
    expect(() => guardParquet(nested)).toThrow(/nested too deeply/);
    // The footer's schema list (version field, then the list's field header, then its size and
    // element type) made to claim 2^31 structs, the footer length adjusted to match.
    const good = optionalInt32V1();
    const len = new DataView(good.buffer).getUint32(good.length - 8, true);
    const at = good.length - 8 - len;
    expect(Array.from(good.subarray(at, at + 4))).toEqual([0x15, 0x04, 0x19, 0x2c]);
    const lying = bytes(good.subarray(0, at + 3), 0xfc, 0x80, 0x80, 0x80, 0x80, 0x08, good.subarray(at + 4));
    new DataView(lying.buffer).setUint32(lying.length - 8, len + 5, true);
    expect(() => guardParquet(lying)).toThrow(/list of 2147483648/);
    expect(await code(parquetToFrame(lying))).toBe("invalid");
    const long = good.slice();
    new DataView(long.buffer).setUint32(long.length - 8, 0xffffff00, true);
    expect(await code(parquetToFrame(long))).toBe("invalid");
  });
});

function plainInt32(): { type: number; optional: boolean; rows: number; pages: CraftPage[] } {
  const body = int32s([1, 2]);
  return { type: INT32, optional: false, rows: 2, pages: [{ header: v1(2, PLAIN, body.length), body }] };
}

describe("structure the guard refuses", () => {
  const refuse = (file: Uint8Array, code: string, message: RegExp): void => {
    let error: unknown;
    try {
      guardParquet(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).code).toBe(code);
    expect((error as FrameError).message).toMatch(message);
  };

  it("accepts the hand-made file it is varied from", () => {
    expect(guardParquet(craft(plainInt32())).groups[0]?.chunks[0]?.pages).toHaveLength(1);
  });

  it("codecs other than UNCOMPRESSED and SNAPPY, chunks elsewhere, counts that disagree", () => {
    refuse(craft({ ...plainInt32(), chunk: (c) => ({ ...c, field_4: 6 }) }), "invalid", /codec 6/);
    refuse(craft({ ...plainInt32(), chunk: (c) => ({ ...c, field_9: 10_000n }) }), "invalid", /outside the data/);
    refuse(craft({ ...plainInt32(), chunk: (c) => ({ ...c, field_5: 3n }) }), "invalid", /value count/);
    refuse(craft({ ...plainInt32(), footer: (m) => ({ ...m, field_3: 5n }) }), "invalid", /row count/);
    refuse(craft({ ...plainInt32(), chunk: (c) => ({ ...c, field_1: 2 }) }), "invalid", /type differs/);
  });

  it("nested, repeated and over-wide schemas", () => {
    const nested = (l: Thrift): Thrift[] => [{ field_3: 1, field_4: "g", field_5: 1 }, l];
    refuse(craft({ ...plainInt32(), schema: nested }), "dtype_mismatch", /nested/);
    refuse(craft({ ...plainInt32(), schema: (l) => [{ ...l, field_3: 2 }] }), "dtype_mismatch", /repeated/);
    const wide = (l: Thrift): Thrift[] => Array.from({ length: 10_001 }, (_, i) => ({ ...l, field_4: `c${i}` }));
    refuse(
      craft({
        ...plainInt32(),
        schema: wide,
        footer: (m) => ({ ...m, field_2: [{ field_4: "root", field_5: 10_001 }, ...(m.field_2 as Thrift[]).slice(1)] }),
      }),
      "too_large",
      /10001 columns/,
    );
  });

  it("deprecated or misplaced encodings and pages", () => {
    const body = int32s([1, 2]);
    const grouped = craft({ ...plainInt32(), pages: [{ header: v1(2, 1, body.length), body }] });
    refuse(grouped, "invalid", /encoding 1/);
    const rleInts = craft({ ...plainInt32(), pages: [{ header: v1(2, RLE, body.length), body }] });
    refuse(rleInts, "invalid", /INT32 values encoded RLE/);
    const lateDict = craft({
      ...plainInt32(),
      pages: [
        { header: v1(1, PLAIN, 4), body: int32s([1]) },
        { header: dictPage(1, 4), body: int32s([9]) },
        { header: v1(1, PLAIN, 4), body: int32s([2]) },
      ],
    });
    refuse(lateDict, "invalid", /dictionary page after/);
    const index = craft({ ...plainInt32(), pages: [{ header: { ...v1(2, PLAIN, 8), field_1: 1 }, body }] });
    refuse(index, "invalid", /page type 1/);
    const short = craft({ ...plainInt32(), pages: [{ header: v1(1, PLAIN, 4), body: int32s([1]) }] });
    refuse(short, "invalid", /pages cover 1 of 2 rows/);
  });
});

describe("column projection", () => {
  it("decodes only the columns asked for: a damaged page elsewhere is never read", async () => {
    const file = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: "a", data: Int32Array.from([1, 2, 3]), type: "INT32" },
          { name: "b", data: [4, null, 6], type: "INT32" },
        ],
        codec: "UNCOMPRESSED",
      }),
    );
    const page = guardParquet(file).groups[0]?.chunks[1]?.pages.at(-1);
    expect(page?.kind).toBe("v2");
    const bad = file.slice();
    // b's definition levels become a varint that never ends.
    bad.fill(0xff, page?.offset, (page?.offset ?? 0) + (page?.defBytes ?? 0));
    const a = await parquetToFrame(bad, { columns: ["a"] });
    expect(Array.from(a.columns[0]?.values as Int32Array)).toEqual([1, 2, 3]);
    expect(await code(parquetToFrame(bad))).toBe("invalid");
  });
});

describe("every encoding hyparquet-writer writes passes the page checks", () => {
  it("round-trips delta, byte-stream-split, RLE and dictionary columns with nulls", async () => {
    const n = 700;
    const ints = Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) - 500);
    const strs = Array.from({ length: n }, (_, i) => (i % 9 === 0 ? null : `prefix-${Math.floor(i / 3)}`));
    const file = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: "d32", data: Int32Array.from(ints), type: "INT32", encoding: "DELTA_BINARY_PACKED" },
          { name: "d64", data: BigInt64Array.from(ints, BigInt), type: "INT64", encoding: "DELTA_BINARY_PACKED" },
          { name: "dba", data: strs, type: "STRING", encoding: "DELTA_BYTE_ARRAY" },
          { name: "dlba", data: strs, type: "STRING", encoding: "DELTA_LENGTH_BYTE_ARRAY" },
          { name: "bss", data: Float64Array.from(ints, (v) => v / 3), type: "DOUBLE", encoding: "BYTE_STREAM_SPLIT" },
          { name: "rle", data: ints.map((v) => (v % 3 === 0 ? null : v > 0)), type: "BOOLEAN", encoding: "RLE" },
          { name: "dict", data: ints.map((v) => v & 7), type: "INT32", encoding: "RLE_DICTIONARY" },
        ],
        rowGroupSize: 300,
        pageSize: 256,
      }),
    );
    const f = await parquetToFrame(file);
    const col = (name: string) => f.columns.find((c) => c.name === name);
    expect(Array.from(col("d32")?.values as Int32Array)).toEqual(ints);
    expect(Array.from(col("d64")?.values as BigInt64Array)).toEqual(ints.map(BigInt));
    for (const name of ["dba", "dlba"]) {
      const c = col(name);
      expect(((c?.values ?? []) as string[]).map((s, i) => (c?.valid?.[i] === 0 ? null : s))).toEqual(strs);
    }
    expect(Array.from(col("bss")?.values as Float64Array)).toEqual(ints.map((v) => v / 3));
    const rle = col("rle");
    expect(Array.from(rle?.values as Uint8Array).map((v, i) => (rle?.valid?.[i] === 0 ? null : v === 1))).toEqual(
      ints.map((v) => (v % 3 === 0 ? null : v > 0)),
    );
    expect(Array.from(col("dict")?.values as Int32Array)).toEqual(ints.map((v) => v & 7));
  });
});

/** Files the damage starts from: ours (SNAPPY, several groups, nulls, a dictionary), and hand-made v1. */
function bases(): Uint8Array[] {
  const n = 40;
  const valid = Uint8Array.from({ length: n }, (_, i) => (i % 4 === 1 ? 0 : 1));
  const frame: Frame = {
    index: { kind: "timestamp", name: "t", values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1000n) },
    columns: [
      { name: "f", dtype: "float64", values: Float64Array.from({ length: n }, (_, i) => i / 7), valid },
      { name: "s", dtype: "string", values: Array.from({ length: n }, (_, i) => `v${i % 6}`), valid },
      { name: "b", dtype: "bool", values: Uint8Array.from({ length: n }, (_, i) => i % 2) },
      {
        name: "c",
        dtype: "category",
        values: { codes: Int32Array.from({ length: n }, (_, i) => i % 3), dictionary: ["x", "y", "z"] },
      },
    ],
  };
  return [
    frameToParquet(frame, { rowGroupRows: 15 }),
    frameToParquet(frame, { rowGroupRows: 25, compression: "none" }),
    optionalInt32V1(),
  ];
}

describe("the hyparquet these checks mirror", () => {
  it("is 1.31.5, exactly: parquet-pages walks runs as this version's loops consume them", () => {
    // Upgrading hyparquet means re-reading its encoding.js, delta.js and datapage.js against
    // src/frames/parquet-pages.ts before changing this number.
    for (const pkg of ["hyparquet", "hyparquet-writer/node_modules/hyparquet"]) {
      const url = new URL(`../../node_modules/${pkg}/package.json`, import.meta.url);
      let version: string | undefined;
      try {
        version = JSON.parse(readFileSync(url, "utf8")).version;
      } catch {
        // No nested copy: the writer shares the one hyparquet.
      }
      if (pkg === "hyparquet") expect(version).toBe("1.31.5");
      else expect(version).toBeUndefined();
    }
  });
});

describe("damaged bytes", () => {
  const files = bases();
  const damage = fc.record({
    file: fc.nat(files.length - 1),
    edits: fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.nat(255)), {
      minLength: 1,
      maxLength: 6,
    }),
    cut: fc.option(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { nil: undefined }),
  });

  it("every flip or truncation ends in a frame or a FrameError (property; passes by finishing)", {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(damage, async ({ file, edits, cut }) => {
        const good = files[file] as Uint8Array;
        let bad = good.slice();
        for (const [at, v] of edits) bad[Math.floor(at * bad.length)] = v;
        if (cut !== undefined) bad = bad.subarray(0, Math.floor(cut * bad.length));
        try {
          const f = await parquetToFrame(bad);
          expect(f.index.values.length).toBeGreaterThanOrEqual(0);
        } catch (e) {
          expect(e).toBeInstanceOf(FrameError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a flip in the first page of a column is caught or decodes consistently", async () => {
    // Every single-byte value at every offset of the small v1 file: exhaustive, not sampled.
    const good = optionalInt32V1();
    for (let at = 0; at < good.length; at++) {
      for (const v of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
        const bad = good.slice();
        bad[at] = v;
        const outcome = await code(parquetToFrame(bad));
        expect(["ok", "invalid", "dtype_mismatch", "too_large", "duplicate_column"]).toContain(outcome);
      }
    }
  });
});
