import {
  Bool,
  type Data,
  DateDay,
  Dictionary,
  Field,
  Float64,
  Int8,
  Int32,
  Int64,
  LargeUtf8,
  List,
  makeData,
  makeVector,
  RecordBatch,
  RecordBatchReader,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampSecond,
  tableToIPC,
  Uint64,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_ARROW_LIMITS, framesFromArrow, framesFromArrowStream, frameToArrow } from "./arrow.ts";
import { type Column, DTYPES, type DType, type Frame, FrameError, isValid } from "./model.ts";

/** Each column's cells, null for a null row and category codes decoded: what must survive a trip. */
function cells(f: Frame): unknown {
  return {
    index: { ...f.index, values: [...f.index.values] },
    columns: f.columns.map((c: Column) => {
      const n = f.index.values.length;
      const row = (i: number): unknown => {
        if (!isValid(c, i)) return null;
        if (c.dtype === "category") return c.values.dictionary[c.values.codes[i] as number];
        return (c.values as ArrayLike<unknown>)[i];
      };
      return { name: c.name, dtype: c.dtype, cells: Array.from({ length: n }, (_, i) => row(i)) };
    }),
  };
}

const codeOf = async (f: () => unknown): Promise<string | undefined> => {
  try {
    await f();
  } catch (e) {
    return e instanceof FrameError ? e.code : `not a FrameError: ${e}`;
  }
  return undefined;
};

async function* chunked(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let p = 0;
  let k = 0;
  while (p < bytes.length) {
    const n = Math.max(1, sizes.length === 0 ? bytes.length : (sizes[k++ % sizes.length] as number));
    yield bytes.slice(p, p + n);
    p += n;
  }
}

async function collect(it: AsyncIterable<Frame>): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

function columnArb(dtype: DType, name: string, n: number): fc.Arbitrary<Column> {
  const valid = fc.option(fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }), { nil: undefined });
  const arr = <T>(a: fc.Arbitrary<T>) => fc.array(a, { minLength: n, maxLength: n });
  const values: fc.Arbitrary<unknown> = {
    float64: arr(fc.double()).map((xs) => Float64Array.from(xs)),
    float32: arr(fc.float()).map((xs) => Float32Array.from(xs)),
    int64: arr(i64).map((xs) => BigInt64Array.from(xs)),
    int32: arr(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })).map((xs) => Int32Array.from(xs)),
    bool: arr(fc.constantFrom(0, 1)).map((xs) => Uint8Array.from(xs)),
    string: arr(fc.string({ unit: "grapheme", maxLength: 6 })),
    timestamp: arr(i64).map((xs) => BigInt64Array.from(xs)),
    category: fc.uniqueArray(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 5 }).chain((dictionary) =>
      arr(fc.integer({ min: 0, max: dictionary.length - 1 })).map((codes) => ({
        codes: Int32Array.from(codes),
        dictionary,
      })),
    ),
  }[dtype];
  return fc
    .tuple(values, valid)
    .map(
      ([v, ok]) => ({ name, dtype, values: v, ...(ok === undefined ? {} : { valid: Uint8Array.from(ok) }) }) as Column,
    );
}

const frameArb: fc.Arbitrary<Frame> = fc.integer({ min: 0, max: 12 }).chain((n) =>
  fc
    .tuple(
      fc.constantFrom("timestamp", "int64"),
      fc.constantFrom(undefined, "UTC", "Europe/Paris"),
      fc.array(i64, { minLength: n, maxLength: n }),
      fc.subarray([...DTYPES, ...DTYPES]),
    )
    .chain(([kind, zone, idx, dtypes]) =>
      fc.tuple(...dtypes.map((d, k) => columnArb(d, `c${k}`, n))).map(
        (columns): Frame => ({
          index: {
            kind,
            name: kind === "timestamp" ? "time" : "index",
            values: BigInt64Array.from(idx),
            ...(kind === "timestamp" && zone !== undefined ? { zone } : {}),
          },
          columns,
        }),
      ),
    ),
);

/** What a frame reads back as: a timestamp index without a zone was written as UTC. */
function expected(f: Frame): unknown {
  const zone = f.index.kind === "timestamp" ? (f.index.zone ?? "UTC") : undefined;
  return cells({ ...f, index: { ...f.index, ...(zone ? { zone } : {}) } });
}

/** IPC stream bytes of vectors, with schema metadata. */
function ipc(cols: Record<string, Vector>, meta: Record<string, string> = {}): Uint8Array {
  const t = new Table(cols);
  const schema = new Schema(t.schema.fields, new Map(Object.entries(meta)));
  return tableToIPC(
    new Table(
      schema,
      t.batches.map((b) => new RecordBatch(schema, b.data)),
    ),
    "stream",
  );
}

/** A stream of one batch whose fields and data are given directly (duplicate names allowed). */
function rawIpc(fields: Field[], children: Data[], n: number): Uint8Array {
  const schema = new Schema(fields);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
  return tableToIPC(new Table(schema, [batch]), "stream");
}

/** A vector over raw int64 values (apache-arrow's builders take timestamps as ms numbers). */
function raw(type: TimestampSecond | TimestampMicrosecond, data: BigInt64Array): Vector {
  return makeVector(makeData({ type, length: data.length, nullCount: 0, data }));
}

const ts = (xs: (number | null)[]) => vectorFromArray(xs, new TimestampMillisecond("UTC"));

describe("frameToArrow / framesFromArrow", () => {
  it("round-trips random frames of every dtype with nulls", () => {
    fc.assert(
      fc.property(frameArb, (f) => {
        expect(cells(framesFromArrow(frameToArrow(f)))).toEqual(expected(f));
      }),
      { numRuns: 150 },
    );
  });

  it("round-trips through the chunked stream reader, split anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(frameArb, fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 5 }), async (f, sizes) => {
        const frames = await collect(framesFromArrowStream(chunked(frameToArrow(f), sizes)));
        expect(frames.length).toBe(1);
        expect(cells(frames[0] as Frame)).toEqual(expected(f));
      }),
      { numRuns: 60 },
    );
  });

  it("writes the Arrow types of the brief and pandas metadata naming the index", () => {
    const f: Frame = {
      index: { kind: "timestamp", name: "time", values: BigInt64Array.of(1n), zone: "America/New_York" },
      columns: [{ name: "k", dtype: "category", values: { codes: Int32Array.of(0), dictionary: ["a"] } }],
    };
    const table = new Table(batchesOf(frameToArrow(f)));
    expect(table.schema.fields.map((x) => String(x.type))).toEqual([
      "Dictionary<Int32, Utf8>",
      "Timestamp<NANOSECOND, America/New_York>",
    ]);
    const pandas = JSON.parse(table.schema.metadata.get("pandas") as string);
    expect(pandas.index_columns).toEqual(["time"]);
  });

  it("reads a table written the way pyarrow writes a pandas frame", () => {
    const meta = {
      index_columns: ["__index_level_0__"],
      column_indexes: [],
      columns: [
        {
          name: "when",
          field_name: "__index_level_0__",
          pandas_type: "datetimetz",
          metadata: { timezone: "Europe/Berlin" },
        },
      ],
    };
    const bytes = ipc(
      {
        temp: vectorFromArray([1.5, null, 3], new Float64()),
        small: vectorFromArray([1, -2, null], new Int8()),
        big: vectorFromArray([1n, 2n, 3n], new Int64()),
        on: vectorFromArray([true, null, false], new Bool()),
        label: vectorFromArray(["x", null, "zß"], new LargeUtf8()),
        site: vectorFromArray(["b", "a", "b"], new Dictionary(new Utf8(), new Int8())),
        naive: vectorFromArray([new Date(1000), null, new Date(3000)], new TimestampMillisecond()),
        __index_level_0__: raw(new TimestampMicrosecond("Europe/Berlin"), BigInt64Array.of(1000n, 2000n, 3000n)),
      },
      { pandas: JSON.stringify(meta) },
    );
    const f = framesFromArrow(bytes);
    expect(f.index).toEqual({
      kind: "timestamp",
      name: "when",
      zone: "Europe/Berlin",
      values: BigInt64Array.of(1_000_000n, 2_000_000n, 3_000_000n),
    });
    expect(cells(f)).toMatchObject({
      columns: [
        { name: "temp", dtype: "float64", cells: [1.5, null, 3] },
        { name: "small", dtype: "int32", cells: [1, -2, null] },
        { name: "big", dtype: "int64", cells: [1n, 2n, 3n] },
        { name: "on", dtype: "bool", cells: [1, null, 0] },
        { name: "label", dtype: "string", cells: ["x", null, "zß"] },
        { name: "site", dtype: "category", cells: ["b", "a", "b"] },
        { name: "naive", dtype: "timestamp", cells: [1_000_000_000n, null, 3_000_000_000n] },
      ],
    });
  });

  it("makes a pandas RangeIndex an int64 index, continued across streamed batches", async () => {
    const meta = JSON.stringify({
      index_columns: [{ kind: "range", name: null, start: 10, stop: 16, step: 2 }],
      columns: [],
    });
    const schema = new Schema([new Field("v", new Float64(), true)], new Map([["pandas", meta]]));
    const batch = (xs: number[]) => new RecordBatch({ v: vectorFromArray(xs, new Float64()).data[0] as Data });
    const bytes = RecordBatchStreamWriter.writeAll(
      [batch([1, 2]), batch([3])].map((b) => new RecordBatch(schema, b.data)),
    ).toUint8Array(true);
    expect([...framesFromArrow(bytes).index.values]).toEqual([10n, 12n, 14n]);
    const frames = await collect(framesFromArrowStream(chunked(bytes, [7])));
    expect(frames.map((f) => [...f.index.values])).toEqual([[10n, 12n], [14n]]);
    expect(frames[0]?.index.name).toBe("index");
  });

  it("falls back to a column named index, then to the first timestamp column", () => {
    const named = framesFromArrow(ipc({ t: ts([5]), index: vectorFromArray([7n], new Int64()) }));
    expect(named.index).toMatchObject({ kind: "int64", name: "index", values: BigInt64Array.of(7n) });
    expect(named.columns.map((c) => c.name)).toEqual(["t"]);
    const first = framesFromArrow(ipc({ v: vectorFromArray([1], new Float64()), t: ts([5]), u: ts([6]) }));
    expect(first.index).toMatchObject({
      kind: "timestamp",
      name: "t",
      zone: "UTC",
      values: BigInt64Array.of(5_000_000n),
    });
    const days = framesFromArrow(ipc({ d: vectorFromArray([new Date(86_400_000)], new DateDay()) }));
    expect(days.index.values).toEqual(BigInt64Array.of(86_400_000_000_000n));
  });

  it("unifies category dictionaries that differ between batches, a null entry reading as null", async () => {
    const dict = new Dictionary(new Utf8(), new Int32(), 7);
    const part = (xs: (string | null)[]) =>
      new RecordBatch({ k: vectorFromArray(xs, dict).data[0] as Data, index: ts(xs.map((_, i) => i)).data[0] as Data });
    const bytes = RecordBatchStreamWriter.writeAll([part(["a", "b"]), part(["c", "a", null])]).toUint8Array(true);
    expect(cells(framesFromArrow(bytes))).toMatchObject({
      columns: [{ name: "k", cells: ["a", "b", "c", "a", null] }],
    });
    const frames = await collect(framesFromArrowStream(chunked(bytes, [5, 11])));
    expect(frames.map((f) => (cells(f) as { columns: { cells: unknown[] }[] }).columns[0]?.cells)).toEqual([
      ["a", "b"],
      ["c", "a", null],
    ]);
    const withNullEntry = makeData({
      type: new Dictionary(new Utf8(), new Int32()),
      length: 2,
      nullCount: 0,
      data: Int32Array.of(0, 1),
      dictionary: vectorFromArray(["x", null], new Utf8()),
    });
    const f = framesFromArrow(ipc({ index: ts([1, 2]), k: makeVector(withNullEntry) }));
    expect(cells(f)).toMatchObject({ columns: [{ name: "k", cells: ["x", null] }] });
  });

  it("reads a stream ending in the pre-0.15 end marker", async () => {
    const f: Frame = { index: { kind: "int64", name: "index", values: BigInt64Array.of(4n) }, columns: [] };
    const modern = frameToArrow(f);
    const legacy = new Uint8Array(modern.length - 4);
    legacy.set(modern.subarray(0, modern.length - 8));
    expect(framesFromArrow(legacy).index.values).toEqual(BigInt64Array.of(4n));
    const frames = await collect(framesFromArrowStream(chunked(legacy, [9])));
    expect(frames.map((x) => x.index.values)).toEqual([BigInt64Array.of(4n)]);
  });

  it("reads the Arrow file format too, and several batches as one frame", () => {
    const f: Frame = {
      index: { kind: "int64", name: "index", values: BigInt64Array.of(1n, 2n) },
      columns: [{ name: "s", dtype: "string", values: ["a", ""], valid: Uint8Array.of(1, 0) }],
    };
    const table = new Table(batchesOf(frameToArrow(f)));
    expect(cells(framesFromArrow(tableToIPC(table, "file")))).toEqual(cells(f));
    const two = tableToIPC(new Table([...table.batches, ...table.batches]), "stream");
    expect(framesFromArrow(two).index.values).toEqual(BigInt64Array.of(1n, 2n, 1n, 2n));
  });
});

/** The record batches of IPC bytes, through apache-arrow itself. */
function batchesOf(bytes: Uint8Array): RecordBatch[] {
  return [...RecordBatchReader.from(bytes)];
}

describe("malformed Arrow", () => {
  const good = frameToArrow({
    index: { kind: "timestamp", name: "time", values: BigInt64Array.of(1n, 2n, 3n) },
    columns: [
      { name: "s", dtype: "string", values: ["a", "b", "c"] },
      { name: "k", dtype: "category", values: { codes: Int32Array.of(0, 1, 0), dictionary: ["x", "y"] } },
    ],
  });

  it("refuses bytes that are not Arrow", async () => {
    expect(await codeOf(() => framesFromArrow(new Uint8Array(0)))).toBe("invalid");
    expect(await codeOf(() => framesFromArrow(new TextEncoder().encode("time,value\n1,2\n")))).toBe("invalid");
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async (b) => {
        expect(await codeOf(() => framesFromArrow(b))).toBe("invalid");
        expect(await codeOf(() => collect(framesFromArrowStream(chunked(b, []))))).toMatch(/^(invalid|undefined)$/);
      }),
    );
  });

  it("refuses every truncation of a valid stream, whole or streamed", async () => {
    const rows = async (f: () => Promise<Frame[]> | Frame): Promise<string | number> => {
      try {
        const out = await f();
        return (Array.isArray(out) ? out : [out]).reduce((k, x) => k + x.index.values.length, 0);
      } catch (e) {
        return e instanceof FrameError ? e.code : `crash: ${e}`;
      }
    };
    let refused = 0;
    for (let n = 1; n < good.length; n++) {
      const cut = good.subarray(0, n);
      const whole = await rows(() => framesFromArrow(cut));
      const streamed = await rows(() => collect(framesFromArrowStream(chunked(cut, [3]))));
      // A cut between messages is a complete stream without its end marker: fewer batches (none).
      const complete = n >= good.length - 8 ? 3 : 0;
      expect([complete, "invalid"], `cut at ${n}`).toContain(whole);
      expect([complete, "invalid"], `cut at ${n}`).toContain(streamed);
      if (whole === "invalid" && streamed === "invalid") refused++;
    }
    expect(refused).toBeGreaterThan(good.length - 40);
  });

  it("refuses every single-byte corruption without crashing", async () => {
    for (let p = 0; p < good.length; p++) {
      const bad = good.slice();
      bad[p] = (bad[p] as number) ^ 0xff;
      const code = await codeOf(() => framesFromArrow(bad));
      expect([undefined, "invalid", "dtype_mismatch", "duplicate_column", "too_large"]).toContain(code);
    }
  });

  it("refuses struct and list columns, and a string index", () => {
    const n = 1;
    const idx = new Field("index", new Int64(), false);
    const idxData = makeData({ type: new Int64(), length: n, nullCount: 0, data: BigInt64Array.of(1n) });
    const inner = new Field("a", new Int32(), false);
    const struct = new Struct([inner]);
    const structData = makeData({
      type: struct,
      length: n,
      nullCount: 0,
      children: [makeData({ type: new Int32(), length: n, nullCount: 0, data: Int32Array.of(1) })],
    });
    expect(() => framesFromArrow(rawIpc([idx, new Field("s", struct)], [idxData, structData], n))).toThrow(
      expect.objectContaining({ code: "dtype_mismatch", subject: "s" }),
    );
    const list = vectorFromArray([[1, 2]], new List(new Field("item", new Int32())));
    expect(() => framesFromArrow(ipc({ index: vectorFromArray([1n], new Int64()), l: list }))).toThrow(
      expect.objectContaining({ code: "dtype_mismatch", subject: "l" }),
    );
    expect(() => framesFromArrow(ipc({ index: vectorFromArray(["a"], new Utf8()) }))).toThrow(
      expect.objectContaining({ code: "dtype_mismatch" }),
    );
  });

  it("refuses duplicate column names, including the index's", () => {
    const t = new Int64();
    const col = () => makeData({ type: t, length: 1, nullCount: 0, data: BigInt64Array.of(1n) });
    const dup = rawIpc([new Field("index", t), new Field("a", t), new Field("a", t)], [col(), col(), col()], 1);
    expect(() => framesFromArrow(dup)).toThrow(expect.objectContaining({ code: "duplicate_column", subject: "a" }));
    const meta = JSON.stringify({
      index_columns: ["__index_level_0__"],
      columns: [{ name: "v", field_name: "__index_level_0__" }],
    });
    const clash = ipc({ v: vectorFromArray([1], new Float64()), __index_level_0__: ts([1]) }, { pandas: meta });
    expect(() => framesFromArrow(clash)).toThrow(expect.objectContaining({ code: "duplicate_column" }));
  });

  it("refuses a null in the index, a MultiIndex and bad pandas metadata", async () => {
    expect(() => framesFromArrow(ipc({ index: ts([1, null]) }))).toThrow(expect.objectContaining({ code: "invalid" }));
    const withNull = ipc({ index: ts([1, null]) });
    expect(await codeOf(() => collect(framesFromArrowStream(chunked(withNull, [5]))))).toBe("invalid");
    const multi = JSON.stringify({ index_columns: ["a", "b"], columns: [] });
    expect(await codeOf(() => framesFromArrow(ipc({ a: ts([1]), b: ts([1]) }, { pandas: multi })))).toBe("invalid");
    expect(await codeOf(() => framesFromArrow(ipc({ a: ts([1]) }, { pandas: "{not json" })))).toBe("invalid");
    const missing = JSON.stringify({ index_columns: ["zz"], columns: [] });
    expect(await codeOf(() => framesFromArrow(ipc({ a: ts([1]) }, { pandas: missing })))).toBe("invalid");
    expect(await codeOf(() => framesFromArrow(ipc({ v: vectorFromArray([1], new Float64()) })))).toBe("invalid");
  });

  it("refuses values that do not fit int64 nanoseconds", () => {
    const secs = ipc({ index: ts([1]), s: raw(new TimestampSecond("UTC"), BigInt64Array.of(2n ** 62n)) });
    expect(() => framesFromArrow(secs)).toThrow(expect.objectContaining({ code: "invalid", subject: "s" }));
    const u = ipc({ index: ts([1]), u: vectorFromArray([2n ** 64n - 1n], new Uint64()) });
    expect(() => framesFromArrow(u)).toThrow(expect.objectContaining({ code: "invalid", subject: "u" }));
  });

  it("bounds rows and bytes", async () => {
    expect(await codeOf(() => framesFromArrow(good, { maxRows: 2 }))).toBe("too_large");
    expect(await codeOf(() => framesFromArrow(good, { maxBytes: good.length - 1 }))).toBe("too_large");
    expect(await codeOf(() => framesFromArrow(good, { maxRows: 3, maxBytes: good.length }))).toBeUndefined();
    expect(await codeOf(() => collect(framesFromArrowStream(chunked(good, [16]), { maxRows: 2 })))).toBe("too_large");
    const bytes = await codeOf(() => collect(framesFromArrowStream(chunked(good, [16]), { maxBytes: 100 })));
    expect(["too_large", "invalid"]).toContain(bytes);
    expect(DEFAULT_ARROW_LIMITS.maxRows).toBeGreaterThan(0);
  });

  it("refuses the file format when streaming", async () => {
    const file = tableToIPC(new Table(batchesOf(good)), "file");
    expect(await codeOf(() => collect(framesFromArrowStream(chunked(file, [10]))))).toBe("invalid");
  });

  it("refuses a stream whose schema is damaged to claim huge vectors", () => {
    const bad = good.slice();
    // The first message's metadata starts at byte 8; push every int32 there towards 2^31.
    for (let p = 8; p + 4 <= 40; p += 4) {
      const copy = bad.slice();
      new DataView(copy.buffer).setInt32(p, 0x7ffffff0, true);
      expect(["invalid", "too_large"]).toContain(
        (() => {
          try {
            framesFromArrow(copy);
            return "invalid";
          } catch (e) {
            return e instanceof FrameError ? e.code : "crash";
          }
        })(),
      );
    }
  });
});
