import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunks, collect, fails, failsAsync, frameArb, plain, stream } from "../../test/support/frames-arb.ts";
import { type JsonShape, readJson, readNdjsonStream, toJson, writeJson, writeNdjson } from "./json.ts";
import { type Frame, FrameError, schemaOf } from "./model.ts";
import { concatFrames } from "./rows.ts";

const enc = new TextEncoder();
const SHAPES: JsonShape[] = ["records", "split", "columnar"];

describe("readJson", () => {
  const expected = {
    index: { kind: "timestamp", name: "index", values: [1704067200000000000n, 1704070800000000000n] },
    cols: [
      { name: "temp", dtype: "float64", values: [21.5, null] },
      { name: "n", dtype: "int64", values: [3n, 4n] },
      { name: "ok", dtype: "bool", values: [1, 0] },
      { name: "site", dtype: "string", values: ["a", "b"] },
    ],
  };

  it("reads pandas records (reset_index().to_json(orient='records', date_format='iso'))", () => {
    const f = readJson(
      '[{"index":"2024-01-01T00:00:00.000Z","temp":21.5,"n":3,"ok":true,"site":"a"},' +
        '{"index":"2024-01-01T01:00:00.000Z","temp":null,"n":4,"ok":false,"site":"b"}]',
    );
    expect(plain(f)).toEqual(expected);
  });

  it("reads pandas split (to_json(orient='split', date_format='iso'))", () => {
    const f = readJson(
      '{"columns":["temp","n","ok","site"],"index":["2024-01-01T00:00:00.000Z","2024-01-01T01:00:00.000Z"],' +
        '"data":[[21.5,3,true,"a"],[null,4,false,"b"]]}',
    );
    expect(plain(f)).toEqual(expected);
  });

  it("reads columnar", () => {
    const f = readJson(
      '{"index":["2024-01-01T00:00:00Z","2024-01-01T01:00:00Z"],"columns":' +
        '{"temp":[21.5,null],"n":[3,4],"ok":[true,false],"site":["a","b"]}}',
    );
    expect(plain(f)).toEqual(expected);
  });

  it("numbers rows from 0 when records or split carry no index (plain to_json output)", () => {
    expect(plain(readJson('[{"a":1},{"a":2}]'))).toMatchObject({ index: { kind: "int64", values: [0n, 1n] } });
    expect(plain(readJson('{"columns":["a"],"data":[[1],[2]]}'))).toMatchObject({ index: { values: [0n, 1n] } });
  });

  it("reads int64 past 2^53 from decimal strings, alone or mixed with numbers", () => {
    const f = readJson('[{"index":"9223372036854775807","a":"-9007199254740993"},{"index":1,"a":2}]');
    expect(plain(f)).toMatchObject({
      index: { kind: "int64", values: [9223372036854775807n, 1n] },
      cols: [{ dtype: "int64", values: [-9007199254740993n, 2n] }],
    });
  });

  it("reads digit strings as an int64 index, and as strings in a column of nothing else", () => {
    const f = readJson('[{"index":"9223372036854775807","zip":"02134"}]');
    expect(plain(f)).toMatchObject({
      index: { kind: "int64", values: [9223372036854775807n] },
      cols: [{ dtype: "string", values: ["02134"] }],
    });
  });

  it("mixes integers and fractions as float64, reads a missing key as null and all-null as float64", () => {
    const f = readJson('[{"index":1,"a":1,"b":null},{"index":2,"a":0.5,"c":"x"}]');
    expect(plain(f)).toMatchObject({
      cols: [
        { name: "a", dtype: "float64", values: [1, 0.5] },
        { name: "b", dtype: "float64", values: [null, null] },
        { name: "c", dtype: "string", values: [null, "x"] },
      ],
    });
  });

  it("converts zoned times to UTC, zoneless ones only with a zone, and keeps the zone", () => {
    const f = readJson('[{"index":"2024-01-01T01:00:00.123456789+01:00"}]');
    expect(f.index.values[0]).toBe(1704067200123456789n);
    expect(readJson('[{"index":1,"t":"2024-01-01T00:00:00"}]').columns[0]?.dtype).toBe("string");
    const z = readJson('[{"index":"2024-01-01T01:00:00"}]', { zone: "Europe/Paris" });
    expect(z.index).toMatchObject({
      kind: "timestamp",
      zone: "Europe/Paris",
      values: BigInt64Array.of(1704067200000000000n),
    });
  });

  it("accepts NaN and infinities as strings in a declared float column", () => {
    const f = readJson('[{"index":1,"a":"NaN"},{"index":2,"a":"-Infinity"}]', {
      schema: { index: { kind: "int64", name: "index" }, fields: [{ name: "a", dtype: "float64", nullable: true }] },
    });
    expect(plain(f)).toMatchObject({ cols: [{ values: [Number.NaN, Number.NEGATIVE_INFINITY] }] });
  });
});

describe("readJson refuses bad input with a stable code", () => {
  it.each([
    ["[1,", "invalid", /not JSON/],
    ["42", "invalid", /records/],
    ["[1]", "invalid", /row 1: a record must be an object/],
    ['[{"index":1,"a":[1]}]', "invalid", /row 1: values must be/],
    ['[{"index":1},{"a":2}]', "invalid", /row 2: no "index" key/],
    ['[{"index":null}]', "invalid", /row 1: the index "index" is null/],
    ['[{"index":1.5}]', "dtype_mismatch", /index/],
    ['[{"index":1,"a":"x"},{"index":2,"a":2}]', "dtype_mismatch", /mixes strings/],
    [
      '[{"index":1,"a":9007199254740993}]',
      "dtype_mismatch",
      /row 1: column "a" wants an int64 \(past 2\^53 as a decimal string\)/,
    ],
    ['{"columns":["a"],"index":[1],"data":[[1,2]]}', "invalid", /row 1: must be an array of 1/],
    ['{"columns":["a","a"],"index":[1],"data":[[1,2]]}', "duplicate_column", /appears twice/],
    ['{"columns":["a"],"index":[1,2],"data":[[1]]}', "invalid", /as long as "data"/],
    ['{"index":[1,2],"columns":{"a":[1]}}', "invalid", /"a" must be an array as long/],
    ['{"index":[1],"columns":{"index":[1]}}', "duplicate_column", /index/],
  ] as const)("%s -> %s", (body, code, message) => {
    fails(() => readJson(body), code, message);
  });

  it("refuses a zoneless time in a declared timestamp column without a zone", () => {
    const schema = {
      index: { kind: "int64" as const, name: "index" },
      fields: [{ name: "t", dtype: "timestamp" as const, nullable: true }],
    };
    fails(() => readJson('[{"index":1,"t":"2024-01-01T00:00:00"}]', { schema }), "dtype_mismatch", /with a zone/);
  });

  it("enforces row, column and byte limits", () => {
    fails(() => readJson('[{"index":1},{"index":2}]', { maxRows: 1 }), "too_large", /rows/);
    fails(() => readJson('[{"index":1,"a":1,"b":2}]', { maxColumns: 1 }), "too_large", /columns/);
    fails(() => readJson('[{"index":1}]', { maxBytes: 5 }), "too_large", /bytes/);
  });
});

describe("writeJson", () => {
  const f = readJson('[{"index":"2024-01-01T00:00:00.5Z","a":1.0,"b":"9223372036854775807","c":null}]', {
    schema: {
      index: { kind: "timestamp", name: "index" },
      fields: [
        { name: "a", dtype: "float64", nullable: true },
        { name: "b", dtype: "int64", nullable: true },
        { name: "c", dtype: "bool", nullable: true },
      ],
    },
  });

  it("writes each shape as pandas reads it, big int64 as strings, floats as floats", () => {
    expect(toJson(f)).toBe('[{"index":"2024-01-01T00:00:00.500Z","a":1.0,"b":"9223372036854775807","c":null}]');
    expect(toJson(f, "split")).toBe(
      '{"columns":["a","b","c"],"index":["2024-01-01T00:00:00.500Z"],"data":[[1.0,"9223372036854775807",null]]}',
    );
    expect(toJson(f, "columnar")).toBe(
      '{"index":["2024-01-01T00:00:00.500Z"],"columns":{"a":[1.0],"b":["9223372036854775807"],"c":[null]}}',
    );
    expect([...writeNdjson(f)]).toEqual([
      '{"index":"2024-01-01T00:00:00.500Z","a":1.0,"b":"9223372036854775807","c":null}\n',
    ]);
  });

  it("writes NaN and infinities as null", () => {
    const g: Frame = {
      index: { kind: "int64", name: "index", values: BigInt64Array.of(1n) },
      columns: [{ name: "a", dtype: "float64", values: Float64Array.of(Number.NaN) }],
    };
    expect(toJson(g)).toBe('[{"index":1,"a":null}]');
  });

  it("streams records one piece per row", () => {
    expect([...writeJson(f, "records")]).toHaveLength(3);
  });

  it.each(SHAPES)("round-trips random frames of every dtype with nulls in %s (given the schema)", (shape) => {
    fc.assert(
      fc.property(frameArb(), (f) => {
        // Zero records name no columns: the records shape cannot carry an empty frame's columns.
        fc.pre(shape !== "records" || f.index.values.length > 0);
        const back = readJson(toJson(f, shape), { schema: schemaOf(f) });
        expect(plain(back, true)).toEqual(plain(f, true));
      }),
      { numRuns: 150 },
    );
  });
});

describe("readNdjsonStream", () => {
  const body =
    '{"index":"2024-01-01T00:00:00Z","v":1.5,"s":"é€𝄞"}\r\n\n{"index":"2024-01-01T00:00:01Z","v":null,"s":"a\\nb"}\n' +
    '{"index":"2024-01-01T00:00:02Z","v":3,"s":""}\n{"index":"2024-01-01T00:00:03Z","v":4,"s":"x"}';
  const whole = readJson(`[${body.split(/\r?\n/).filter(Boolean).join(",")}]`);

  it("gives the whole read's rows whatever the byte boundary, in batches of at most N", async () => {
    const bytes = enc.encode(body);
    for (let k = 0; k <= bytes.length; k++) {
      const frames = await collect(readNdjsonStream(stream(chunks(bytes, [k])), { batchRows: 3 }));
      for (const f of frames) expect(f.index.values.length).toBeLessThanOrEqual(3);
      expect(plain(concatFrames(frames))).toEqual(plain(whole));
    }
  });

  it("gives the same rows fed one byte at a time, in batches of N", async () => {
    const bytes = enc.encode(body);
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    const frames = await collect(readNdjsonStream(stream(chunks(bytes, cuts)), { batchRows: 2 }));
    expect(frames.map((f) => f.index.values.length)).toEqual([2, 2]);
    expect(plain(concatFrames(frames))).toEqual(plain(whole));
  });

  it("names the bad line, refuses invalid UTF-8 and stops at the byte limit", async () => {
    const run = (parts: Uint8Array[], maxBytes?: number) => () =>
      collect(readNdjsonStream(stream(parts), { batchRows: 10, ...(maxBytes ? { maxBytes } : {}) }));
    await failsAsync(run([enc.encode('{"index":1}\n\n{"index":2,}\n')]), "invalid", /line 3: not JSON/);
    await failsAsync(run([enc.encode('{"index":1}\n[1]\n')]), "invalid", /line 2: a record must be an object/);
    await failsAsync(run([enc.encode('{"index":1}\n{"a":1}\n')]), "invalid", /line 2: no "index" key/);
    await failsAsync(
      run([enc.encode('{"index":1,"s":"'), Uint8Array.of(0xc3), enc.encode('"}\n')]),
      "invalid",
      /UTF-8/,
    );
    // A line that never ends is refused once the budget is spent, not held.
    const endless = Array.from({ length: 100 }, () => enc.encode('{"index":1,"s":"xxxxxxxxxx'));
    await failsAsync(run(endless, 500), "too_large", /bytes/);
  });

  it("round-trips random frames through writeNdjson split at random offsets", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { maxLength: 6 }),
        frameArb(8),
        fc.integer({ min: 1, max: 4 }),
        async (raw, f, batchRows) => {
          const bytes = enc.encode([...writeNdjson(f)].join(""));
          const cuts = [...new Set(raw.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const frames = await collect(
            readNdjsonStream(stream(chunks(bytes, cuts)), { schema: schemaOf(f), batchRows }),
          );
          if (f.index.values.length === 0) expect(frames).toEqual([]);
          else expect(plain(concatFrames(frames), true)).toEqual(plain(f, true));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("readJson on arbitrary input", () => {
  it("returns a frame or throws FrameError, never anything else", () => {
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .array(fc.dictionary(fc.constantFrom("index", "a", "b", "__proto__"), fc.jsonValue()))
        .map((r) => JSON.stringify(r)),
      fc
        .record({ columns: fc.jsonValue(), index: fc.jsonValue(), data: fc.jsonValue() }, { requiredKeys: [] })
        .map((r) => JSON.stringify(r)),
    );
    fc.assert(
      fc.property(body, (text) => {
        try {
          readJson(text);
        } catch (e) {
          expect(e).toBeInstanceOf(FrameError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("keeps the first batch's dtypes in a stream and names the line that breaks them", async () => {
    const parts = [enc.encode('{"index":1,"a":1}\n'), enc.encode('{"index":2,"a":2.5}\n')];
    await failsAsync(
      () => collect(readNdjsonStream(stream(parts), { batchRows: 1 })),
      "dtype_mismatch",
      /line 2: column "a" wants an int64/,
    );
  });
});
