import fc from "fast-check";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { type Column, type Frame, FrameError } from "./model.ts";
import { framesToParquetChunks, frameToParquet, frameToParquetChunks, parquetToFrame } from "./parquet.ts";
import { concatFrames } from "./rows.ts";

const T0 = 1_700_000_000_123_456_789n;

function sample(n = 7): Frame {
  const idx = BigInt64Array.from({ length: n }, (_, i) => T0 + BigInt(i) * 1_000_000_001n);
  const valid = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 1 ? 0 : 1));
  const columns: Column[] = [
    { name: "f64", dtype: "float64", values: Float64Array.from({ length: n }, (_, i) => i * 1.5 - 2) },
    { name: "f32", dtype: "float32", values: Float32Array.from({ length: n }, (_, i) => i / 4), valid },
    { name: "i64", dtype: "int64", values: BigInt64Array.from({ length: n }, (_, i) => -(2n ** 62n) + BigInt(i)) },
    { name: "i32", dtype: "int32", values: Int32Array.from({ length: n }, (_, i) => i - 3), valid },
    { name: "b", dtype: "bool", values: Uint8Array.from({ length: n }, (_, i) => i % 2), valid },
    { name: "s", dtype: "string", values: Array.from({ length: n }, (_, i) => `é${i}`) },
    {
      name: "ts",
      dtype: "timestamp",
      values: BigInt64Array.from({ length: n }, (_, i) => T0 - BigInt(i) * 7n),
      valid,
    },
    {
      name: "cat",
      dtype: "category",
      values: { codes: Int32Array.from({ length: n }, (_, i) => i % 2), dictionary: ["lo", "hi", "unused"] },
      valid,
    },
  ];
  return { index: { kind: "timestamp", name: "time", values: idx, zone: "Europe/Prague" }, columns };
}

/** A column's rows as plain values, null where invalid: compares frames regardless of filler. */
function rowsOf(c: Column): unknown[] {
  const n = c.dtype === "category" ? c.values.codes.length : c.values.length;
  return Array.from({ length: n }, (_, i) => {
    if (c.valid !== undefined && c.valid[i] === 0) return null;
    if (c.dtype === "category") return c.values.dictionary[c.values.codes[i] as number];
    return (c.values as ArrayLike<unknown>)[i];
  });
}

function expectSameFrame(a: Frame, b: Frame): void {
  expect(b.index.kind).toBe(a.index.kind);
  expect(b.index.name).toBe(a.index.name);
  expect(Array.from(b.index.values)).toEqual(Array.from(a.index.values));
  expect(b.columns.map((c) => [c.name, c.dtype])).toEqual(a.columns.map((c) => [c.name, c.dtype]));
  a.columns.forEach((c, i) => {
    expect(rowsOf(b.columns[i] as Column), c.name).toEqual(rowsOf(c));
  });
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FrameError) return e.code;
    throw e;
  }
  throw new Error("expected a FrameError");
}

describe("frameToParquet / parquetToFrame", () => {
  it("round-trips every dtype with nulls, ns timestamps, zone and exact category dictionary", async () => {
    const f = sample();
    const back = await parquetToFrame(frameToParquet(f));
    expectSameFrame(f, back);
    expect(back.index.zone).toBe("Europe/Prague");
    const cat = back.columns.find((c) => c.name === "cat");
    expect(cat?.dtype === "category" && cat.values.dictionary).toEqual(["lo", "hi", "unused"]);
    expect(back.columns.find((c) => c.name === "f64")?.valid).toBeUndefined();
    expect(back.columns.find((c) => c.name === "ts")?.valid).toEqual(sample().columns[6]?.valid);
  });

  it("writes the declared schema: TIMESTAMP(NANOS, UTC), OPTIONAL only for masked columns, dictionary for categories", () => {
    const meta = parquetMetadata(frameToParquet(sample()).slice().buffer);
    const byName = new Map(meta.schema.map((e) => [e.name, e]));
    expect(byName.get("time")?.logical_type).toEqual({ type: "TIMESTAMP", isAdjustedToUTC: true, unit: "NANOS" });
    expect(byName.get("time")?.repetition_type).toBe("REQUIRED");
    expect(byName.get("f64")?.repetition_type).toBe("REQUIRED");
    expect(byName.get("f32")?.repetition_type).toBe("OPTIONAL");
    const catChunk = meta.row_groups[0]?.columns.find((c) => c.meta_data?.path_in_schema[0] === "cat");
    expect(catChunk?.meta_data?.encodings).toContain("RLE_DICTIONARY");
    expect(catChunk?.meta_data?.codec).toBe("SNAPPY");
    const pandas = JSON.parse(meta.key_value_metadata?.find((k) => k.key === "pandas")?.value ?? "{}");
    expect(pandas.index_columns).toEqual(["time"]);
  });

  it("bounds row groups and reads selected groups and columns", async () => {
    const f = sample(25);
    const bytes = frameToParquet(f, { rowGroupRows: 10 });
    const meta = parquetMetadata(bytes.slice().buffer);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([10, 10, 5]);
    const part = await parquetToFrame(bytes, { rowGroups: [2, 0], columns: ["s", "cat"] });
    expect(part.columns.map((c) => c.name)).toEqual(["s", "cat"]);
    const idx = Array.from(f.index.values);
    expect(Array.from(part.index.values)).toEqual([...idx.slice(20, 25), ...idx.slice(0, 10)]);
    const s = part.columns[0];
    const all = rowsOf(f.columns[5] as Column);
    expect(s?.dtype === "string" && s.values).toEqual([...all.slice(20, 25), ...all.slice(0, 10)]);
  });

  it("streams the file in pieces: magic, one per row group, footer; together the same bytes", async () => {
    const f = sample(25);
    const pieces = [...frameToParquetChunks(f, { rowGroupRows: 10 })];
    expect(pieces).toHaveLength(5);
    expect(new TextDecoder().decode(pieces[0])).toBe("PAR1");
    const whole = frameToParquet(f, { rowGroupRows: 10 });
    expect(Uint8Array.from(pieces.flatMap((p) => Array.from(p)))).toEqual(whole);
    expectSameFrame(f, await parquetToFrame(whole));
    expect([...frameToParquetChunks(sample(0))]).toHaveLength(2);
  });

  it("plain hyparquet reads the written file to the same values", async () => {
    const f = sample();
    const rows = await parquetReadObjects({
      file: frameToParquet(f, { compression: "none" }).slice().buffer,
      parsers: { timestampFromNanoseconds: (v: bigint) => v },
    });
    expect(rows).toHaveLength(7);
    expect(rows.map((r) => r.time)).toEqual(Array.from(f.index.values));
    expect(rows.map((r) => r.s)).toEqual(rowsOf(f.columns[5] as Column));
    expect(rows.map((r) => r.cat ?? null)).toEqual(rowsOf(f.columns[7] as Column));
    expect(rows.map((r) => r.i32 ?? null)).toEqual(rowsOf(f.columns[3] as Column));
    expect(rows.map((r) => (r.b === undefined || r.b === null ? null : r.b ? 1 : 0))).toEqual(
      rowsOf(f.columns[4] as Column),
    );
    expect(rows.map((r) => r.ts ?? null)).toEqual(rowsOf(f.columns[6] as Column));
  });

  it("reads dictionary-encoded timestamps, ints and strings the writer chose for repeated values", async () => {
    const n = 5_000;
    const valid = Uint8Array.from({ length: n }, (_, i) => (i % 11 === 0 ? 0 : 1));
    const f: Frame = {
      index: { kind: "int64", name: "i", values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) },
      columns: [
        {
          name: "t",
          dtype: "timestamp",
          values: BigInt64Array.from({ length: n }, (_, i) => T0 + BigInt(i % 3)),
          valid,
        },
        { name: "k", dtype: "int64", values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 4) - 2n) },
        { name: "s", dtype: "string", values: Array.from({ length: n }, (_, i) => ["x", "y"][i % 2] as string), valid },
      ],
    };
    const bytes = frameToParquet(f, { rowGroupRows: 2_000 });
    const chunks = parquetMetadata(bytes.slice().buffer).row_groups[0]?.columns ?? [];
    expect(chunks.filter((c) => c.meta_data?.encodings.includes("RLE_DICTIONARY")).length).toBeGreaterThanOrEqual(3);
    expectSameFrame(f, await parquetToFrame(bytes));
  });

  it("round-trips an empty frame and a frame without columns", async () => {
    const empty = sample(0);
    expectSameFrame(empty, await parquetToFrame(frameToParquet(empty)));
    const bare: Frame = { index: { kind: "int64", name: "k", values: BigInt64Array.from([3n, 1n, 2n]) }, columns: [] };
    expectSameFrame(bare, await parquetToFrame(frameToParquet(bare)));
  });

  it("reads one-value dictionaries, whose indexes hyparquet-writer packs at bit width 0", async () => {
    // The property below found this: constant columns and all-null ones, two rows.
    const f: Frame = {
      index: { kind: "int64", name: "index", values: BigInt64Array.from([0n, 1n]) },
      columns: [
        { name: "f", dtype: "float64", values: Float64Array.from([0, 0]) },
        { name: "i", dtype: "int64", values: BigInt64Array.from([0n, 0n]) },
        { name: "s", dtype: "string", values: ["", ""], valid: Uint8Array.from([0, 0]) },
        { name: "t", dtype: "timestamp", values: BigInt64Array.from([0n, 0n]), valid: Uint8Array.from([0, 0]) },
      ],
    };
    const back = await parquetToFrame(frameToParquet(f));
    expect(Array.from(back.columns[1]?.values as BigInt64Array)).toEqual([0n, 0n]);
    expect(Array.from(back.columns[0]?.values as Float64Array)).toEqual([0, 0]);
    expect(back.columns[2]?.valid).toEqual(Uint8Array.from([0, 0]));
  });

  it("writes one file from frames arriving one by one, row groups across their edges, dictionaries merged", async () => {
    const part = (from: number, dictionary: string[], codes: number[]): Frame => ({
      index: { kind: "int64", name: "i", values: BigInt64Array.from(codes, (_, k) => BigInt(from + k)) },
      columns: [
        {
          name: "x",
          dtype: "float64",
          values: Float64Array.from(codes, (c) => c / 2),
          valid: Uint8Array.from(codes, (c) => (c === 0 ? 0 : 1)),
        },
        { name: "c", dtype: "category", values: { codes: Int32Array.from(codes), dictionary } },
      ],
    });
    const parts = [part(0, ["a", "b"], [0, 1]), part(2, ["b", "z"], [1, 0, 1]), part(5, ["q"], [0])];
    const shape = { index: parts[0]?.index as Frame["index"], columns: [] } as Frame;
    const empty: Frame = {
      index: { ...shape.index, values: new BigInt64Array(0) },
      columns: [
        { name: "x", dtype: "float64", values: new Float64Array(0), valid: new Uint8Array(0) },
        { name: "c", dtype: "category", values: { codes: new Int32Array(0), dictionary: [] } },
      ],
    };
    async function* arriving() {
      yield* parts;
    }
    const pieces: Uint8Array[] = [];
    for await (const p of framesToParquetChunks(empty, arriving(), { rowGroupRows: 4 })) pieces.push(p);
    const file = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of pieces) {
      file.set(p, at);
      at += p.length;
    }
    const meta = parquetMetadata(file.buffer);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([4, 2]);
    const back = await parquetToFrame(file);
    const want = concatFrames(parts);
    expect(Array.from(back.index.values)).toEqual(Array.from(want.index.values));
    const c = back.columns.find((x) => x.name === "c");
    if (c?.dtype !== "category") throw new Error("not a category");
    expect(c.values.dictionary).toEqual(["a", "b", "z", "q"]);
    expect(Array.from(c.values.codes, (k) => c.values.dictionary[k])).toEqual(["a", "b", "z", "b", "z", "q"]);
    const x = back.columns.find((y) => y.name === "x");
    expect(x?.valid).toEqual(Uint8Array.from([0, 1, 1, 0, 1, 0]));
  });

  it("refuses a frame that does not match the stream's columns", async () => {
    const empty: Frame = {
      index: { kind: "int64", name: "i", values: new BigInt64Array(0) },
      columns: [{ name: "x", dtype: "float64", values: new Float64Array(0) }],
    };
    async function* wrong() {
      yield {
        index: { kind: "int64" as const, name: "i", values: BigInt64Array.from([1n]) },
        columns: [{ name: "x", dtype: "int32" as const, values: Int32Array.from([1]) }],
      };
    }
    const run = async () => {
      for await (const _ of framesToParquetChunks(empty, wrong())) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow(FrameError);
  });

  it("round-trips random frames (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            f: fc.double(),
            i: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
            s: fc.option(fc.string(), { nil: null }),
            t: fc.option(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), { nil: null }),
          }),
          { maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 8 }),
        async (rows, groupRows) => {
          const n = rows.length;
          const sValid = Uint8Array.from(rows, (r) => (r.s === null ? 0 : 1));
          const tValid = Uint8Array.from(rows, (r) => (r.t === null ? 0 : 1));
          const f: Frame = {
            index: { kind: "int64", name: "k", values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 3)) },
            columns: [
              { name: "f", dtype: "float64", values: Float64Array.from(rows, (r) => r.f) },
              { name: "i", dtype: "int64", values: BigInt64Array.from(rows, (r) => r.i) },
              { name: "s", dtype: "string", values: rows.map((r) => r.s ?? ""), valid: sValid },
              { name: "t", dtype: "timestamp", values: BigInt64Array.from(rows, (r) => r.t ?? 0n), valid: tValid },
            ],
          };
          const back = await parquetToFrame(frameToParquet(f, { rowGroupRows: groupRows }));
          expectSameFrame(f, back);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** A file written by plain hyparquet-writer, as a foreign producer might. */
function foreign(columnData: Parameters<typeof parquetWriteBuffer>[0]["columnData"], kv?: Record<string, string>) {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData,
      kvMetadata: kv === undefined ? undefined : Object.entries(kv).map(([key, value]) => ({ key, value })),
    }),
  );
}

describe("reading foreign files", () => {
  it("converts MILLIS and MICROS timestamps to ns exactly", async () => {
    const ms = [1_700_000_000_123n, -5n];
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: "ms", data: BigInt64Array.from(ms) },
          { name: "us", data: BigInt64Array.from([1_700_000_000_123_457n, 3n]) },
        ],
        schema: [
          { name: "root", num_children: 2 },
          { name: "ms", type: "INT64", repetition_type: "REQUIRED", converted_type: "TIMESTAMP_MILLIS" },
          {
            name: "us",
            type: "INT64",
            repetition_type: "REQUIRED",
            logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
          },
        ],
      }),
    );
    const f = await parquetToFrame(bytes);
    expect(f.columns.map((c) => c.dtype)).toEqual(["timestamp", "timestamp"]);
    expect(Array.from(f.columns[0]?.values as BigInt64Array)).toEqual([1_700_000_000_123_000_000n, -5_000_000n]);
    expect(Array.from(f.columns[1]?.values as BigInt64Array)).toEqual([1_700_000_000_123_457_000n, 3_000n]);
  });

  it("falls back to row positions named 'index' without pandas metadata; strings stay strings", async () => {
    const f = await parquetToFrame(foreign([{ name: "x", data: ["a", "b", "a"], type: "STRING" }]));
    expect(f.index).toMatchObject({ kind: "int64", name: "index" });
    expect(Array.from(f.index.values)).toEqual([0n, 1n, 2n]);
    expect(f.columns[0]?.dtype).toBe("string");
  });

  it("honours a pandas RangeIndex, __index_level_0__, and categorical marks without a hayloft dictionary", async () => {
    const pandas = {
      index_columns: [{ kind: "range", name: "row", start: 10, stop: 16, step: 2 }],
      columns: [{ name: "c", field_name: "c", pandas_type: "categorical" }],
    };
    const f = await parquetToFrame(
      foreign([{ name: "c", data: ["b", null, "a"], type: "STRING" }], { pandas: JSON.stringify(pandas) }),
    );
    expect(f.index.name).toBe("row");
    expect(Array.from(f.index.values)).toEqual([10n, 12n, 14n]);
    const c = f.columns[0];
    expect(c?.dtype).toBe("category");
    expect(c?.dtype === "category" && c.values.dictionary).toEqual(["b", "a"]);
    expect(rowsOf(c as Column)).toEqual(["b", null, "a"]);

    const g = await parquetToFrame(
      foreign([
        { name: "__index_level_0__", data: BigInt64Array.from([5n, 6n]), type: "INT64" },
        { name: "v", data: [1.5, 2.5], type: "DOUBLE" },
      ]),
    );
    expect(g.index).toMatchObject({ kind: "int64", name: "index" });
    expect(g.columns.map((x) => x.name)).toEqual(["v"]);
  });

  it("ignores pandas metadata that is not JSON", async () => {
    const f = await parquetToFrame(foreign([{ name: "x", data: [1, 2], type: "INT32" }], { pandas: "{nope" }));
    expect(f.columns[0]?.dtype).toBe("int32");
  });
});

describe("malformed input", () => {
  const good = frameToParquet(sample(30), { rowGroupRows: 10 });

  it("rejects non-parquet and truncated bytes as invalid", async () => {
    expect(await code(parquetToFrame(new Uint8Array(0)))).toBe("invalid");
    expect(await code(parquetToFrame(new TextEncoder().encode("time,value\n1,2\n")))).toBe("invalid");
    for (const cut of [4, 100, good.length - 1, good.length - 9]) {
      expect(await code(parquetToFrame(good.subarray(0, cut))), String(cut)).toBe("invalid");
    }
  });

  it("rejects column types frames cannot hold as dtype_mismatch", async () => {
    const json = foreign([{ name: "j", data: [{ a: 1 }], type: "JSON" }]);
    expect(await code(parquetToFrame(json))).toBe("dtype_mismatch");
    const bin = foreign([{ name: "u", data: ["0f0e0d0c-0b0a-0908-0706-050403020100"], type: "UUID" }]);
    expect(await code(parquetToFrame(bin))).toBe("dtype_mismatch");
    const unsigned = new Uint8Array(
      parquetWriteBuffer({
        columnData: [{ name: "u", data: BigInt64Array.from([1n]) }],
        schema: [
          { name: "root", num_children: 1 },
          { name: "u", type: "INT64", repetition_type: "REQUIRED", converted_type: "UINT_64" },
        ],
      }),
    );
    expect(await code(parquetToFrame(unsigned))).toBe("dtype_mismatch");
    // Skipping the bad column reads the rest.
    const mixed = foreign([
      { name: "j", data: [{ a: 1 }], type: "JSON" },
      { name: "x", data: [7], type: "INT32" },
    ]);
    expect((await parquetToFrame(mixed, { columns: ["x"] })).columns[0]?.dtype).toBe("int32");
  });

  it("enforces bounds and request checks", async () => {
    expect(await code(parquetToFrame(good, { maxBytes: 100 }))).toBe("too_large");
    expect(await code(parquetToFrame(good, { maxRows: 29 }))).toBe("too_large");
    expect(await code(parquetToFrame(good, { maxDecodedBytes: 10 }))).toBe("too_large");
    expect((await parquetToFrame(good, { maxRows: 10, rowGroups: [1] })).index.values.length).toBe(10);
    expect(await code(parquetToFrame(good, { rowGroups: [3] }))).toBe("invalid");
    expect(await code(parquetToFrame(good, { rowGroups: [0.5] }))).toBe("invalid");
    expect(await code(parquetToFrame(good, { columns: ["nope"] }))).toBe("unknown_column");
    expect(await code(parquetToFrame(good, { columns: ["time"] }))).toBe("unknown_column");
    expect(() => frameToParquet(sample(), { rowGroupRows: 0 })).toThrow(FrameError);
  });

  it("refuses to write a malformed frame", () => {
    const f = sample();
    const broken: Frame = { ...f, columns: [...f.columns, { name: "x", dtype: "int32", values: new Int32Array(2) }] };
    expect(() => frameToParquet(broken)).toThrow(FrameError);
  });
});
