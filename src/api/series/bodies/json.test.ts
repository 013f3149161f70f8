import { describe, expect, it } from "vitest";
import { SeriesError } from "../../../series/errors.ts";
import type { KeyDecl, Points } from "../../../series/model.ts";
import { readManySeries, readPoints, writeManySeries, writePoints } from "./index.ts";
import type { ManyItem } from "./types.ts";

const P = "Europe/Paris";
const H = 3_600_000;
const LIMITS = { maxBytes: 1 << 20, maxPoints: 1000, maxSeries: 10 };
const DECLS: KeyDecl[] = [
  { name: "site", type: "str" },
  { name: "year", type: "int" },
];
const enc = (s: string) => new TextEncoder().encode(s);

async function text(s: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(s).text();
}

async function* items(...xs: ManyItem[]): AsyncGenerator<ManyItem> {
  yield* xs;
}

/** The Paris autumn overlap: 02:00 CEST, 02:00 CET, 03:00 CET. */
const OVERLAP: Points = {
  index: Float64Array.from([0, 1, 2], (h) => Date.parse("2024-10-27T00:00:00Z") + h * H),
  values: Float64Array.from([1.5, Number.NaN, 3]),
};

function fails(f: () => unknown, code: "invalid" | "too_large", ...parts: string[]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SeriesError);
  expect((err as SeriesError).code).toBe(code);
  for (const p of parts) expect((err as SeriesError).message).toContain(p);
}

describe("JSON and NDJSON output", () => {
  it("writes columnar JSON with both offsets of the overlap and null for missing", async () => {
    expect(await text(writePoints(OVERLAP, "json", P))).toBe(
      '{"index":["2024-10-27T02:00:00+02:00","2024-10-27T02:00:00+01:00","2024-10-27T03:00:00+01:00"],"values":[1.5,null,3]}',
    );
  });

  it("writes metadata fields first, never over index or values", async () => {
    const meta = { keys: { site: "é" }, version: 2, index: "no", skipped: undefined };
    expect(
      await text(
        writePoints({ index: OVERLAP.index.slice(0, 1), values: OVERLAP.values.slice(0, 1) }, "json", P, { meta }),
      ),
    ).toBe('{"keys":{"site":"é"},"version":2,"index":["2024-10-27T02:00:00+02:00"],"values":[1.5]}');
  });

  it("writes pairs and NDJSON", async () => {
    expect(await text(writePoints(OVERLAP, "json", P, { shape: "pairs" }))).toBe(
      '[["2024-10-27T02:00:00+02:00",1.5],["2024-10-27T02:00:00+01:00",null],["2024-10-27T03:00:00+01:00",3]]',
    );
    expect(await text(writePoints(OVERLAP, "ndjson", P))).toBe(
      '{"t":"2024-10-27T02:00:00+02:00","v":1.5}\n{"t":"2024-10-27T02:00:00+01:00","v":null}\n{"t":"2024-10-27T03:00:00+01:00","v":3}\n',
    );
  });

  it("writes empty series", async () => {
    const none = { index: new Float64Array(0), values: new Float64Array(0) };
    expect(await text(writePoints(none, "json", P))).toBe('{"index":[],"values":[]}');
    expect(await text(writePoints(none, "json", P, { shape: "pairs" }))).toBe("[]");
    expect(await text(writePoints(none, "ndjson", P))).toBe("");
    expect(await text(writeManySeries(items(), "json", P, DECLS))).toBe('{"series":[]}');
  });

  it("writes many series item by item, keys in declaration order", async () => {
    const a: ManyItem = { keys: { year: 2024, site: "a" }, version: 1, points: OVERLAP };
    const b: ManyItem = {
      keys: { site: 'b"', year: 2025 },
      points: { index: Float64Array.of(0), values: Float64Array.of(-0.25) },
    };
    expect(await text(writeManySeries(items(a, b), "json", P, DECLS))).toBe(
      '{"series":[{"keys":{"site":"a","year":2024},"version":1,"index":["2024-10-27T02:00:00+02:00","2024-10-27T02:00:00+01:00","2024-10-27T03:00:00+01:00"],"values":[1.5,null,3]},' +
        '{"keys":{"site":"b\\"","year":2025},"index":["1970-01-01T01:00:00+01:00"],"values":[-0.25]}]}',
    );
    expect(await text(writeManySeries(items(b), "json", P, DECLS, { shape: "pairs" }))).toBe(
      '{"series":[{"keys":{"site":"b\\"","year":2025},"points":[["1970-01-01T01:00:00+01:00",-0.25]]}]}',
    );
    expect(await text(writeManySeries(items(b, b), "ndjson", P, DECLS))).toBe(
      '{"keys":{"site":"b\\"","year":2025},"index":["1970-01-01T01:00:00+01:00"],"values":[-0.25]}\n'.repeat(2),
    );
  });
});

describe("JSON input", () => {
  const read = (s: string, limits = LIMITS) => readPoints(enc(s), "json", P, limits);

  it("reads columnar and pairs, epoch ms, offsets and naive local times alike", () => {
    const want = {
      index: Float64Array.of(Date.parse("2024-10-27T00:30:00Z"), 1000),
      values: Float64Array.of(1, Number.NaN),
    };
    expect(read('{"index": ["2024-10-27T02:30:00", 1000], "values": [1, null], "keys": {"x": 1}}')).toEqual(want);
    expect(read('[["2024-10-27T00:30:00Z", 1], ["1970-01-01T01:00:01+01:00", null]]')).toEqual(want);
    expect(read('{"index": [], "values": []}')).toEqual({ index: new Float64Array(0), values: new Float64Array(0) });
  });

  it("reads many series, joining items of one series and keeping versions apart", () => {
    const body = JSON.stringify({
      series: [
        { keys: { site: "a", year: 2024 }, index: [0], values: [1] },
        { keys: { site: "a", year: 2024 }, version: 3, points: [[1, 2]] },
        { keys: { year: 2024, site: "a" }, points: [[2, null]] },
      ],
    });
    const got = readManySeries(enc(body), "json", P, DECLS, LIMITS);
    expect(got).toEqual([
      {
        keys: { site: "a", year: 2024 },
        points: { index: Float64Array.of(0, 2), values: Float64Array.of(1, Number.NaN) },
      },
      {
        keys: { site: "a", year: 2024 },
        version: 3,
        points: { index: Float64Array.of(1), values: Float64Array.of(2) },
      },
    ]);
  });

  it("says where JSON syntax breaks", () => {
    fails(() => read('{"index": [1,\n  2,, 3], "values": []}'), "invalid", "invalid JSON at line 2, column 5");
    fails(() => read('{"index": [1, 2]'), "invalid", "invalid JSON at line 1, column 17");
    fails(() => read(""), "invalid", "line 1, column 1");
    fails(() => read('{"a": "\\x"}'), "invalid", "column 8");
    fails(() => read("[1] 2"), "invalid", "column 5");
  });

  it("names the item that is wrong", () => {
    fails(() => read('"2024-01-01"'), "invalid", 'expected {"index"');
    fails(() => read('{"values": []}'), "invalid", 'expected {"index"');
    fails(() => read('{"index": 1, "values": []}'), "invalid", "must be arrays");
    fails(() => read('{"index": [1, 2], "values": [1]}'), "invalid", '"index" has 2 items but "values" has 1');
    fails(() => read('{"index": [1, "2024-02-30"], "values": [1, 2]}'), "invalid", "index[1]", '"2024-02-30"');
    fails(() => read('{"index": [1, true], "values": [1, 2]}'), "invalid", "index[1]", "true");
    fails(() => read('{"index": [1e999], "values": [1]}'), "invalid", "index[0]");
    fails(() => read('{"index": [1, 2], "values": [1, "2"]}'), "invalid", "values[1]", '"2"');
    fails(() => read('{"index": [1], "values": [1e999]}'), "invalid", "values[0]");
    fails(() => read("[[1, 2], [3]]"), "invalid", "[1]: expected a [time, value] pair");
    fails(() => read('[[1, 2], ["x", 3]]'), "invalid", "[1][0]", '"x"');
    fails(() => read("[[1, {}]]"), "invalid", "[0][1]");
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    fails(() => read(deep), "invalid", "[0]: expected a [time, value] pair, got an array");
    fails(() => read(`[${"[1, 2], ".repeat(20)}5]`), "invalid", "[20]: expected a [time, value] pair, got 5");
    fails(() => read(`[[${"1, ".repeat(20)}1]]`), "invalid", "got an array of 21 items");
  });

  it("refuses bodies over the limits and bytes that are not UTF-8", () => {
    fails(() => read("[]", { ...LIMITS, maxBytes: 1 }), "too_large", "larger than 1 bytes");
    const pairs = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => [i, i]));
    expect(read(pairs(1000)).index.length).toBe(1000);
    fails(() => read(pairs(1001)), "too_large", "more than 1000 points");
    fails(() => read(JSON.stringify({ index: Array(1001).fill(0), values: Array(1001).fill(0) })), "too_large");
    fails(
      () => readPoints(Uint8Array.of(0x5b, 0xff, 0x5d), "json", P, LIMITS),
      "invalid",
      "not valid UTF-8 (from byte 1)",
    );
  });

  it("checks many-series items, keys and limits", () => {
    const many = (v: unknown, limits = LIMITS) => readManySeries(enc(JSON.stringify(v)), "json", P, DECLS, limits);
    const ok = { keys: { site: "a", year: 1 }, index: [0], values: [0] };
    fails(() => many([ok]), "invalid", 'expected {"series": [...]}');
    fails(() => many({ series: [ok, 5] }), "invalid", "series[1]: expected a series object");
    fails(() => many({ series: [{ index: [], values: [] }] }), "invalid", "series[0]", '"keys" must be an object');
    fails(() => many({ series: [{ ...ok, keys: { site: "a" } }] }), "invalid", 'key "year" is missing');
    fails(
      () => many({ series: [{ ...ok, keys: { site: "a", year: "1" } }] }),
      "invalid",
      'key "year": expected an int, got "1"',
    );
    fails(() => many({ series: [{ ...ok, keys: { site: "a", year: 1.5 } }] }), "invalid", "expected an int, got 1.5");
    fails(() => many({ series: [{ ...ok, keys: { site: 1, year: 1 } }] }), "invalid", 'key "site": expected a string');
    fails(
      () => many({ series: [{ ...ok, keys: { site: "a", year: 1, zone: "x" } }] }),
      "invalid",
      'unknown key "zone"',
    );
    fails(() => many({ series: [{ ...ok, version: -1 }] }), "invalid", '"version" must be a non-negative integer');
    fails(() => many({ series: [{ ...ok, index: undefined, points: {} }] }), "invalid", '"points" must be an array');
    fails(() => many({ series: [{ ...ok, values: ["x"] }] }), "invalid", "series[0]: values[0]");
    const eleven = Array.from({ length: 11 }, (_, i) => ({ ...ok, keys: { site: "a", year: i } }));
    fails(() => many({ series: eleven }), "too_large", "more than 10 series");
    fails(() => many({ series: eleven.slice(0, 3) }, { ...LIMITS, maxSeries: 2 }), "too_large", "more than 2 series");
    const big = { keys: ok.keys, index: Array(600).fill(0), values: Array(600).fill(0) };
    fails(
      () => many({ series: [big, { ...big, keys: { site: "b", year: 1 } }] }),
      "too_large",
      "more than 1000 points",
    );
  });

  it("checks every key type", () => {
    const decls: KeyDecl[] = [
      { name: "d", type: "date" },
      { name: "b", type: "bool" },
    ];
    const many = (keys: unknown) =>
      readManySeries(enc(JSON.stringify({ series: [{ keys, index: [], values: [] }] })), "json", P, decls, LIMITS);
    expect(many({ d: "2024-02-29", b: false })[0]?.keys).toEqual({ d: "2024-02-29", b: false });
    fails(() => many({ d: "2023-02-29", b: false }), "invalid", 'key "d": expected a YYYY-MM-DD date');
    fails(() => many({ d: "2024-02-01", b: "true" }), "invalid", 'key "b": expected a bool');
  });
});

describe("NDJSON input", () => {
  const read = (s: string, limits = LIMITS) => readPoints(enc(s), "ndjson", P, limits);

  it("reads objects and pairs per line, skipping blank lines and CRs", () => {
    expect(read('{"t": 0, "v": 1}\r\n\n  \n[1000, null]\n["1970-01-01T00:00:02Z", 3]')).toEqual({
      index: Float64Array.of(0, 1000, 2000),
      values: Float64Array.of(1, Number.NaN, 3),
    });
    expect(read("")).toEqual({ index: new Float64Array(0), values: new Float64Array(0) });
  });

  it("says which line is wrong", () => {
    fails(() => read('{"t": 0, "v": 1}\n\n{"t": 1, "v": }'), "invalid", "line 3: invalid JSON at line 1, column 15");
    fails(() => read('{"t": 0, "v": 1}\n{"time": 1, "v": 2}'), "invalid", 'line 2: expected {"t": time, "v": value}');
    fails(() => read('{"t": 0}'), "invalid", "line 1: expected");
    fails(() => read("[1, 2, 3]"), "invalid", "line 1: expected");
    fails(() => read('{"t": "yesterday", "v": 1}'), "invalid", 'line 1: invalid timestamp "yesterday"');
    fails(() => read('{"t": 0, "v": "1"}'), "invalid", 'line 1: expected a number or null, got "1"');
    fails(() => read("[0, 1]\n".repeat(1001)), "too_large", "more than 1000 points");
  });

  it("reads many series, one per line, and says which line is wrong", () => {
    const line = (site: string, t: number) => JSON.stringify({ keys: { site, year: 1 }, points: [[t, t]] });
    const got = readManySeries(enc(`${line("a", 0)}\n${line("b", 1)}\n${line("a", 2)}\n`), "ndjson", P, DECLS, LIMITS);
    expect(got.map((g) => [g.keys.site, Array.from(g.points.index)])).toEqual([
      ["a", [0, 2]],
      ["b", [1]],
    ]);
    fails(
      () => readManySeries(enc(`${line("a", 0)}\n{"keys": {"site": "a"}, "points": []}`), "ndjson", P, DECLS, LIMITS),
      "invalid",
      'line 2: key "year" is missing',
    );
    fails(() => readManySeries(enc("[]"), "ndjson", P, DECLS, LIMITS), "invalid", "line 1: expected a series object");
  });
});
