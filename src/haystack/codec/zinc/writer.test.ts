import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJson4 } from "../../../../test/support/json4-fixture.ts";
import {
  col,
  equals,
  HCoord,
  HDate,
  HDateTime,
  HDict,
  HGrid,
  HNumber,
  HRef,
  HSymbol,
  HTime,
  HUri,
  type HVal,
  HXStr,
  MARKER,
  NA,
  num,
  REMOVE,
} from "../../kinds/index.ts";
import { offsetSeconds } from "../../time/tz.ts";
import { readZincGrid, readZincValue } from "./reader.ts";
import { writeZincGrid, writeZincValue, ZINC_WRITER, zincEncoder } from "./writer.ts";

const fixtures = new URL("../../../../test/fixtures/haystack/", import.meta.url);
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, fixtures), "utf8"));

/** Equality that also sees Ref display names, which `equals` ignores. */
function same(a: HVal, b: HVal): boolean {
  return equals(a, b) && writeZincValue(a) === writeZincValue(b);
}

describe("writeZincValue", () => {
  it.each<[HVal, string]>([
    [null, "N"],
    [true, "T"],
    [false, "F"],
    [MARKER, "M"],
    [NA, "NA"],
    [REMOVE, "R"],
    [123, "123"],
    [-1.5, "-1.5"],
    [1e21, "1e+21"],
    [Number.POSITIVE_INFINITY, "INF"],
    [Number.NEGATIVE_INFINITY, "-INF"],
    [Number.NaN, "NaN"],
    [num(72.5, "°F"), "72.5°F"],
    [num(5, "kWh/ft²"), "5kWh/ft²"],
    ['a"b\\c$d\n\u0001', '"a\\"b\\\\c$d\\n\\u0001"'],
    ["\ud83d\ude00", '"\ud83d\ude00"'],
    ["\ud800x", '"\\ud800x"'],
    [new HUri("http://x/a b`c"), "`http://x/a b\\`c`"],
    [new HUri("file \\#2"), "`file \\#2`"],
    [new HUri("a\\b"), "`a\\u005cb`"],
    [new HRef("a:b-c"), "@a:b-c"],
    [new HRef("x", 'Dis "q"'), '@x "Dis \\"q\\""'],
    [new HSymbol("hot-water"), "^hot-water"],
    [new HDate(2024, 2, 29), "2024-02-29"],
    [new HTime(8, 5, 3, 7), "08:05:03.007"],
    [new HDateTime(Date.UTC(2024, 0, 1, 5), "New_York", -5 * 3600), "2024-01-01T00:00:00-05:00 New_York"],
    [new HDateTime(Date.UTC(2024, 0, 1), "UTC", 0), "2024-01-01T00:00:00Z UTC"],
    [new HCoord(37.55, -77.45), "C(37.55,-77.45)"],
    [new HXStr("Bin", "text/plain; charset=utf8"), 'Bin("text/plain; charset=utf8")'],
    [[1, "a", null], '[1,"a",N]'],
    [HDict.of({ site: MARKER, dis: "A", area: num(5, "ft²") }), '{site dis:"A" area:5ft²}'],
  ])("%s", (v, text) => {
    expect(writeZincValue(v)).toBe(text);
    expect(same(readZincValue(text), v)).toBe(true);
  });

  it("refuses tag names Zinc cannot read back", () => {
    expect(() => writeZincValue(HDict.of({ "bad name": 1 }))).toThrow(/tag name/);
    expect(() => writeZincGrid(HGrid.of(["Upper"], []))).toThrow(/tag name/);
    expect(() => writeZincGrid(HGrid.of(["_"], []))).toThrow(/tag name/);
  });
});

describe("writeZincGrid", () => {
  it("writes meta, column meta, nulls and nested grids", () => {
    const inner = HGrid.of(["x"], [[1]]);
    const g = new HGrid(
      HDict.of({ hisStart: new HDate(2024, 1, 1), view: MARKER }),
      [col("a", HDict.of({ dis: "A" })), col("b")],
      [
        [null, inner],
        [1, null],
        [null, null],
      ],
    );
    const text = writeZincGrid(g);
    expect(text).toBe('ver:"3.0" hisStart:2024-01-01 view\na dis:"A",b\n,<<\nver:"3.0"\nx\n1\n>>\n1,\n,\n');
    expect(same(readZincGrid(text), g)).toBe(true);
  });

  it("writes N for a null in a one-column grid and `empty` for no columns", () => {
    expect(writeZincGrid(HGrid.of(["a"], [[null], [1]]))).toBe('ver:"3.0"\na\nN\n1\n');
    expect(writeZincGrid(new HGrid(HDict.EMPTY, [], []))).toBe('ver:"3.0"\nempty\n');
    expect(readZincGrid('ver:"3.0"\nempty\n').colNames()).toEqual(["empty"]);
  });

  it("encoder output concatenates to writeZincGrid", () => {
    const g = readZincGrid(readFileSync(new URL("buildings/Alpha/alpha.zinc", fixtures), "utf8"));
    const enc = ZINC_WRITER.encoder();
    let text = enc.begin(g.meta, g.cols);
    for (const r of g.rows) text += enc.row(r);
    text += enc.end();
    expect(text).toBe(writeZincGrid(g));
    expect(ZINC_WRITER.writeGrid(g)).toBe(text);
    expect(zincEncoder()).not.toBe(zincEncoder());
  });

  it("round-trips the Alpha building", () => {
    const g = readZincGrid(readFileSync(new URL("buildings/Alpha/alpha.zinc", fixtures), "utf8"));
    const back = readZincGrid(writeZincGrid(g));
    expect(same(back, g)).toBe(true);
    expect(back.rows.length).toBe(2032);
  });
});

describe("history rows (ZincCellWriter.hisRow) write what the cell writers write", () => {
  const zones = fc.constantFrom("New_York", "UTC", "Lord_Howe", "Kolkata", `Zone_${"x".repeat(70)}`, "Zürich");
  const units = fc.constantFrom("kW", "°F", "kWh/ft²", "m³/h", "u".repeat(80), "%");
  const offset = fc.oneof(fc.constantFrom(0, -18000, 19800, 37800, -1, 3661), fc.integer({ min: -64800, max: 64800 }));
  const ms = fc.oneof(
    fc.integer({ min: -2e12, max: 4e12 }).map((x) => x - (x % 900_000)),
    fc.integer({ min: -7e13, max: 4e14 }),
    fc.double({ min: -1e13, max: 1e13, noNaN: true }),
  );
  const number = fc.oneof(
    fc.integer({ min: -1e6, max: 1e6 }).map((m) => m / 100),
    fc.integer({ min: -3e9, max: 3e9 }).map((m) => m / 1000),
    fc.double(),
    fc.constantFrom(0, -0, 2147483.647, 2147483.646, 2147483.648, 1e21, 5e-7),
  );
  const hot: fc.Arbitrary<HVal> = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(ms, zones, offset).map(([t, tz, off]) => new HDateTime(t, tz, off)) },
    { weight: 4, arbitrary: fc.tuple(number, units).map(([v, u]) => new HNumber(v, u)) },
    { weight: 2, arbitrary: number },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  const cell = fc.oneof({ weight: 30, arbitrary: hot }, { weight: 1, arbitrary: fc.constantFrom<HVal>("s", MARKER) });

  it("row by row, in writeZincGrid and the encoder", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 3 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.array(fc.array(cell, { minLength: n, maxLength: n }), { maxLength: 30 })),
          ),
        ([n, rows]) => {
          const names = ["a", "b", "c"].slice(0, n);
          let want = writeZincGrid(HGrid.of(names, []));
          for (const r of rows)
            want +=
              r.length === 1 && r[0] === null
                ? "N\n"
                : `${r.map((v) => (v === null ? "" : writeZincValue(v))).join(",")}\n`;
          const g = HGrid.of(names, rows);
          expect(writeZincGrid(g)).toBe(want);
          const enc = zincEncoder();
          expect(enc.begin(g.meta, g.cols) + rows.map((r) => enc.row(r)).join("") + enc.end()).toBe(want);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

describe("fixture round trips", () => {
  const values = (load("values.json") as { zinc: string | null; json4: never; error?: boolean; production?: string }[])
    .filter((c) => !c.error && c.production !== "tags")
    .map((c) => fromJson4(c.json4));
  const grids = (load("grids.json") as { json4: never; error?: boolean }[])
    .filter((c) => !c.error)
    .map((c) => fromJson4(c.json4) as HGrid);

  it("every values.json value survives write -> read", () => {
    for (const v of values) expect(same(readZincValue(writeZincValue(v)), v), writeZincValue(v)).toBe(true);
  });

  it("every grids.json grid survives write -> read, as a grid and nested", () => {
    for (const g of grids) {
      expect(same(readZincGrid(writeZincGrid(g)), g)).toBe(true);
      expect(same(readZincValue(writeZincValue([g, HDict.of({ g })])), [g, HDict.of({ g })])).toBe(true);
    }
  });
});

describe("property: write -> read is the identity", () => {
  const awkwardStr = fc.oneof(
    fc.string({ unit: fc.constantFrom(..."ab \"\\$`'\n\r\t\u0000\u001f°é€漢\u00a0\u2028{}[],:@^".split("")) }),
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme" }),
  );
  const units = fc.constantFrom(
    "°F",
    "kWh/ft²",
    "_foo",
    "%",
    "$",
    "£",
    "m³/h",
    "inH₂O",
    "Δ°F",
    "J/kg_dry",
    "ft/s",
    "kW",
  );
  const zones = fc.constantFrom("New_York", "GMT+5", "GMT-10", "Port-au-Prince", "UTC", "Kolkata", "Lord_Howe");
  const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
  const scalar: fc.Arbitrary<HVal> = fc.oneof(
    fc.constantFrom<HVal>(null, true, false, MARKER, NA, REMOVE, Number.NaN, Number.POSITIVE_INFINITY, -Infinity),
    finite,
    fc.integer(),
    fc.tuple(finite, units).map(([v, u]) => new HNumber(v, u)),
    awkwardStr,
    awkwardStr.map((s) => new HUri(s)),
    fc
      .tuple(fc.stringMatching(/^[a-zA-Z0-9_:.~-]{1,20}$/), fc.option(awkwardStr))
      .map(([id, dis]) => new HRef(id, dis ?? undefined)),
    fc.stringMatching(/^[a-zA-Z0-9_:.~-]{1,12}$/).map((s) => new HSymbol(s)),
    fc
      .date({ min: new Date("1000-01-01"), max: new Date("9999-12-31"), noInvalidDate: true })
      .map((d) => new HDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())),
    fc.tuple(fc.nat(23), fc.nat(59), fc.nat(59), fc.nat(999)).map(([h, m, s, ms]) => new HTime(h, m, s, ms)),
    fc
      .tuple(fc.integer({ min: -2e12, max: 4e12 }), zones)
      .map(([ms, tz]) => new HDateTime(ms, tz, offsetSeconds(tz, ms))),
    fc.tuple(finite, finite).map(([a, b]) => new HCoord(a, b)),
    fc.tuple(fc.stringMatching(/^[A-Z][a-zA-Z0-9_]{0,8}$/), awkwardStr).map(([t, v]) => new HXStr(t, v)),
  );
  const tagName = fc.stringMatching(/^([a-z][a-zA-Z0-9_]{0,8}|_[a-zA-Z0-9_]{1,8})$/);
  const value = fc.letrec<{ v: HVal }>((tie) => ({
    v: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar,
      fc.array(tie("v"), { maxLength: 4 }),
      fc.dictionary(tagName, tie("v"), { maxKeys: 4 }).map((o) => HDict.of(o)),
    ),
  })).v;

  it("scalars, lists and dicts", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(same(readZincValue(writeZincValue(v)), v)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("grids with column meta and sparse cells", () => {
    const grid = fc
      .uniqueArray(tagName, { minLength: 1, maxLength: 5 })
      .chain((names) =>
        fc.tuple(
          fc.dictionary(tagName, scalar, { maxKeys: 3 }),
          fc.array(fc.dictionary(tagName, scalar, { maxKeys: 2 }), {
            minLength: names.length,
            maxLength: names.length,
          }),
          fc.array(fc.array(fc.option(value, { freq: 3 }), { minLength: names.length, maxLength: names.length }), {
            maxLength: 6,
          }),
          fc.constant(names),
        ),
      )
      .map(
        ([meta, colMeta, rows, names]) =>
          new HGrid(
            HDict.of(meta),
            names.map((n, i) => col(n, HDict.of(colMeta[i] ?? {}))),
            rows,
          ),
      );
    fc.assert(
      fc.property(grid, (g) => {
        const text = writeZincGrid(g);
        expect(same(readZincGrid(text), g)).toBe(true);
        expect(same(readZincValue(writeZincValue(g)), g)).toBe(true);
        // The byte fast path and the string path write the same text.
        const body = g.rows.map((r) =>
          g.cols.length === 1 && r[0] === null ? "N" : r.map((v) => (v === null ? "" : writeZincValue(v))).join(","),
        );
        expect(text.endsWith(body.map((l) => `${l}\n`).join(""))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
