import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunks, collect, fails, failsAsync, frameArb, plain, stream } from "../../test/support/frames-arb.ts";
import { type CsvReadOptions, readCsv, readCsvStream, toCsv, writeCsv } from "./csv.ts";
import { type Frame, FrameError, schemaOf } from "./model.ts";
import { concatFrames } from "./rows.ts";

const enc = new TextEncoder();

async function streamed(body: string, cuts: number[], opts: CsvReadOptions & { batchRows: number }): Promise<Frame[]> {
  return collect(readCsvStream(stream(chunks(enc.encode(body), cuts)), opts));
}

describe("readCsv", () => {
  it("reads a pandas to_csv body: unnamed index, space-separated offsets, ns fractions", () => {
    const f = readCsv(
      ",temp,ok,site\n2024-01-01 00:00:00+00:00,1.5,True,a\n2024-01-01 01:00:00.000000001+01:00,,False,\n",
    );
    expect(plain(f)).toEqual({
      index: { kind: "timestamp", name: "index", values: [1704067200000000000n, 1704067200000000001n] },
      cols: [
        { name: "temp", dtype: "float64", values: [1.5, null] },
        { name: "ok", dtype: "bool", values: [1, 0] },
        { name: "site", dtype: "string", values: ["a", null] },
      ],
    });
  });

  it("takes a named index column's name from the header", () => {
    const f = readCsv("ts,a\n1,2\n");
    expect(f.index).toMatchObject({ kind: "int64", name: "ts" });
    expect(f.columns[0]).toMatchObject({ name: "a", dtype: "int64" });
  });

  it("reads RFC 4180 quoting: commas, doubled quotes, newlines, CRLF, quoted empty vs null", () => {
    const f = readCsv('i,s\r\n1,"a,b"\r\n2,"say ""hi"""\r\n3,"two\r\nlines"\r\n4,""\r\n5,\r\n');
    expect(plain(f)).toMatchObject({
      cols: [{ dtype: "string", values: ["a,b", 'say "hi"', "two\r\nlines", "", null] }],
    });
  });

  it("skips blank lines and a BOM, and reads a last line with no newline", () => {
    const f = readCsv("\uFEFFi,a\n\n1,2\n\n2,3");
    expect(plain(f)).toMatchObject({ index: { values: [1n, 2n] }, cols: [{ values: [2n, 3n] }] });
  });

  it("numbers rows from 0 when told there is no index column", () => {
    const f = readCsv("a,b\nx,1\ny,2\n", { index: false });
    expect(plain(f)).toMatchObject({
      index: { kind: "int64", values: [0n, 1n] },
      cols: [{ name: "a" }, { name: "b" }],
    });
  });

  it("infers int64 past 2^53 exactly, floats with NaN and inf, and mixed ints and fractions as float64", () => {
    const f = readCsv("i,big,f,mix\n1,9223372036854775807,NaN,1\n2,-9007199254740993,-inf,2.5\n");
    expect(plain(f)).toMatchObject({
      cols: [
        { dtype: "int64", values: [9223372036854775807n, -9007199254740993n] },
        { dtype: "float64", values: [Number.NaN, Number.NEGATIVE_INFINITY] },
        { dtype: "float64", values: [1, 2.5] },
      ],
    });
  });

  it("keeps zoneless times as strings unless a zone is given, then converts them", () => {
    expect(readCsv("i,t\n1,2024-07-01T12:00:00\n").columns[0]?.dtype).toBe("string");
    const f = readCsv("t,v\n2024-07-01T12:00:00.25,1\n", { zone: "Europe/Paris" });
    expect(f.index).toMatchObject({ kind: "timestamp", zone: "Europe/Paris" });
    expect(f.index.values[0]).toBe(BigInt(Date.UTC(2024, 6, 1, 10)) * 1_000_000n + 250_000_000n);
  });

  it("types columns by a declared schema", () => {
    const f = readCsv("index,a,b,c\n1,2,x,3\n", {
      schema: {
        index: { kind: "int64", name: "index" },
        fields: [
          { name: "a", dtype: "float32", nullable: true },
          { name: "b", dtype: "category", nullable: true },
          { name: "c", dtype: "int32", nullable: true },
        ],
      },
    });
    expect(f.columns.map((c) => c.dtype)).toEqual(["float32", "category", "int32"]);
  });

  it("reads an empty body with a header as an empty frame", () => {
    const f = readCsv("i,a\n");
    expect(f.index.values.length).toBe(0);
    expect(f.columns.map((c) => c.name)).toEqual(["a"]);
  });
});

describe("readCsv refuses bad input with a stable code", () => {
  const schema = (dtype: "int64" | "timestamp" | "int32" | "bool") => ({
    schema: { index: { kind: "int64" as const, name: "i" }, fields: [{ name: "a", dtype, nullable: true }] },
  });
  it.each([
    ['i,a\n1,"open\n', "invalid", /line 2: a quoted field is never closed/],
    ['i,a\n1,"x"y\n', "invalid", /line 2: text after a closing quote/],
    ['i,a\n1,x"y\n', "invalid", /line 2: a quote inside/],
    ["i,a\n1,2\n2,3,4\n", "invalid", /line 3: 3 fields, the header has 2/],
    ['i,a\n1,"multi\nline"\n2\n', "invalid", /line 4: 1 fields/],
    ["i,a,a\n", "duplicate_column", /"a" appears twice/],
    ["i,a,i\n", "duplicate_column", /index/],
    ["i,,b\n", "invalid", /empty name/],
    ["i,a\n,1\n", "invalid", /line 2: the index "i" is null/],
    ["i,a\nx,1\n", "dtype_mismatch", /index/],
  ] as const)("%j -> %s", (body, code, message) => {
    fails(() => readCsv(body), code, message);
  });

  it.each([
    ["int64", "i,a\n1,2\n2,2.5\n", /line 3: column "a" wants an int64/],
    ["int64", "i,a\n1,9223372036854775808\n", /line 2/],
    ["int32", "i,a\n1,2147483648\n", /int32/],
    ["bool", "i,a\n1,yes\n", /boolean/],
    ["timestamp", "i,a\n1,2024-01-01T00:00:00\n", /with a zone/],
    ["timestamp", "i,a\n1,2024-02-30T00:00:00Z\n", /line 2/],
  ] as const)("declared %s refuses %j", (dtype, body, message) => {
    fails(() => readCsv(body, schema(dtype)), "dtype_mismatch", message);
  });

  it("enforces row, column and byte limits", () => {
    fails(() => readCsv("i,a\n1,2\n2,3\n3,4\n", { maxRows: 2 }), "too_large", /line 4: more than 2 rows/);
    fails(() => readCsv("i,a,b,c\n", { maxColumns: 2 }), "too_large", /columns/);
    fails(() => readCsv("i,a\n1,2\n", { maxBytes: 4 }), "too_large", /bytes/);
  });
});

describe("writeCsv", () => {
  it("writes the index first, ISO UTC times with the fraction needed, pandas booleans and floats", () => {
    const f = readCsv("t,a,b,c\n2024-01-01T00:00:00.000001Z,1.0,True,\n2024-01-01T00:00:01Z,NaN,False,x\n");
    expect(toCsv(f)).toBe("t,a,b,c\r\n2024-01-01T00:00:00.000001Z,1.0,True,\r\n2024-01-01T00:00:01Z,NaN,False,x\r\n");
  });

  it("streams one piece per row after the header", () => {
    const f = readCsv("i,a\n1,2\n2,3\n");
    expect([...writeCsv(f)]).toEqual(["i,a\r\n", "1,2\r\n", "2,3\r\n"]);
  });

  it("round-trips random frames of every dtype with nulls (given the schema)", () => {
    fc.assert(
      fc.property(frameArb(), (f) => {
        const back = readCsv(toCsv(f), { schema: schemaOf(f) });
        expect(plain(back)).toEqual(plain(f));
      }),
      { numRuns: 200 },
    );
  });

  it("round-trips without a schema the dtypes CSV can tell apart", () => {
    fc.assert(
      fc.property(frameArb(), (f) => {
        const kept = f.columns.filter((c) => c.dtype === "float64" || c.dtype === "bool" || c.dtype === "timestamp");
        // A column of nulls only has nothing to infer from; it reads back as float64.
        const typed = kept.filter((c) => c.valid === undefined || c.valid.includes(1));
        const g: Frame = { index: f.index, columns: typed };
        // An empty body has no index values to tell timestamps from integers.
        fc.pre(f.index.values.length > 0);
        expect(plain(readCsv(toCsv(g)))).toEqual(plain(g));
      }),
      { numRuns: 200 },
    );
  });
});

describe("readCsvStream", () => {
  const body =
    'ts,v,s\r\n2024-01-01T00:00:00Z,1.5,"a,\r\nb"\r\n2024-01-01T00:00:01.5Z,,""\r\n\r\n2024-01-01T00:00:02Z,3,"é€𝄞"\r\n2024-01-01T00:00:03Z,4,x';
  const whole = readCsv(body);

  it("gives the whole read's rows whatever the byte boundary, in batches of at most N", async () => {
    const bytes = enc.encode(body).length;
    for (let k = 0; k <= bytes; k++) {
      const frames = await streamed(body, [k], { batchRows: 2 });
      for (const f of frames) expect(f.index.values.length).toBeLessThanOrEqual(2);
      expect(plain(concatFrames(frames))).toEqual(plain(whole));
    }
  });

  it("gives the same rows fed one byte at a time", async () => {
    const bytes = enc.encode(body).length;
    const cuts = Array.from({ length: bytes - 1 }, (_, i) => i + 1);
    const frames = await streamed(body, cuts, { batchRows: 3 });
    expect(frames.map((f) => f.index.values.length)).toEqual([3, 1]);
    expect(plain(concatFrames(frames))).toEqual(plain(whole));
  });

  it("keeps the first batch's dtypes for later batches", async () => {
    const frames = await streamed("i,a\n1,1.5\n2,2\n", [], { batchRows: 1 });
    expect(frames.map((f) => f.columns[0]?.dtype)).toEqual(["float64", "float64"]);
    // The first row is flushed (as int64) before the second arrives.
    await failsAsync(() => streamed("i,a\n1,1\n2,2.5\n", [8], { batchRows: 1 }), "dtype_mismatch", /line 3/);
  });

  it("refuses invalid UTF-8, an unclosed quote at the end, and bodies over the byte limit", async () => {
    const bad = async () =>
      collect(readCsvStream(stream([enc.encode("i,a\n1,"), Uint8Array.of(0xff), enc.encode("\n")]), { batchRows: 10 }));
    await failsAsync(bad, "invalid", /UTF-8/);
    await failsAsync(() => streamed('i,a\n1,"x\n', [3], { batchRows: 10 }), "invalid", /never closed/);
    await failsAsync(() => streamed("i,a\n1,2\n2,3\n", [4, 8], { batchRows: 10, maxBytes: 8 }), "too_large", /bytes/);
  });

  it("round-trips random frames through the stream, split at random offsets", async () => {
    await fc.assert(
      fc.asyncProperty(
        frameArb(8),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        async (f, raw, batchRows) => {
          const bytes = enc.encode(toCsv(f));
          const cuts = [...new Set(raw.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const frames = await collect(readCsvStream(stream(chunks(bytes, cuts)), { schema: schemaOf(f), batchRows }));
          if (f.index.values.length === 0) expect(frames).toEqual([]);
          else expect(plain(concatFrames(frames))).toEqual(plain(f));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("readCsv on arbitrary input", () => {
  it("returns a frame or throws FrameError, never anything else", () => {
    const piece = fc.constantFrom(",", '"', "\n", "\r", "1", "2.5", "x", "", "True", "2024-01-01T00:00:00Z", " ");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary" }),
          fc.array(piece).map((xs) => xs.join("")),
        ),
        (body) => {
          try {
            readCsv(body);
          } catch (e) {
            expect(e).toBeInstanceOf(FrameError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("numbers the rows when there is no index column, whatever index the schema declares", () => {
    const f = readCsv("a\n1\n", {
      index: false,
      schema: { index: { kind: "timestamp", name: "index" }, fields: [] },
    });
    expect(f.index).toMatchObject({ kind: "int64", values: BigInt64Array.of(0n) });
  });
});
