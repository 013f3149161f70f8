import { describe, expect, it } from "vitest";
import { SeriesError } from "../../../series/errors.ts";
import type { KeyDecl, Points } from "../../../series/model.ts";
import { csvRows } from "./csv-read.ts";
import { readManySeries, readPoints, writeManySeries, writePoints } from "./index.ts";
import type { ManyItem } from "./types.ts";

const P = "Europe/Paris";
const H = 3_600_000;
const LIMITS = { maxBytes: 1 << 20, maxPoints: 1000, maxSeries: 10 };
const DECLS: KeyDecl[] = [
  { name: "site", type: "str" },
  { name: "year", type: "int" },
  { name: "day", type: "date" },
  { name: "ok", type: "bool" },
];
const enc = (s: string) => new TextEncoder().encode(s);
const text = (s: ReadableStream<Uint8Array>) => new Response(s).text();

async function* items(...xs: ManyItem[]): AsyncGenerator<ManyItem> {
  yield* xs;
}

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

describe("csvRows", () => {
  it("splits RFC 4180 text: quotes, escaped quotes, newlines in cells, CRLF, blank lines", () => {
    const rows = [...csvRows('a,"b,c"\r\n"x""y","multi\nline"\n\n,\nlast')];
    expect(rows).toEqual([
      { cells: ["a", "b,c"], line: 1 },
      { cells: ['x"y', "multi\nline"], line: 2 },
      { cells: ["", ""], line: 5 },
      { cells: ["last"], line: 6 },
    ]);
  });

  it("refuses broken quoting with the line", () => {
    expect(() => [...csvRows('a\n"open,b\n')]).toThrow("line 2: unterminated quoted cell");
    expect(() => [...csvRows('a\n"x"y,b')]).toThrow("line 2: column 1: text after a closing quote");
    expect(() => [...csvRows('a\nx,b"c')]).toThrow("line 2: column 2: quote inside an unquoted cell");
  });
});

describe("CSV output", () => {
  it("writes time,value with both offsets of the Paris overlap and empty cells for missing", async () => {
    expect(await text(writePoints(OVERLAP, "csv", P))).toBe(
      "time,value\n2024-10-27T02:00:00+02:00,1.5\n2024-10-27T02:00:00+01:00,\n2024-10-27T03:00:00+01:00,3\n",
    );
  });

  it("writes many series in long format, quoting keys that need it", async () => {
    const one = { index: Float64Array.of(0), values: Float64Array.of(7) };
    const a: ManyItem = { keys: { site: "a,b", year: 2024, day: "2024-01-01", ok: true }, version: 2, points: one };
    const b: ManyItem = { keys: { site: 'q"', year: -1, day: "1999-12-31", ok: false }, points: one };
    expect(await text(writeManySeries(items(a, b), "csv", P, DECLS, { versions: true }))).toBe(
      "site,year,day,ok,version,time,value\n" +
        '"a,b",2024,2024-01-01,true,2,1970-01-01T01:00:00+01:00,7\n' +
        '"q""",-1,1999-12-31,false,,1970-01-01T01:00:00+01:00,7\n',
    );
    expect(await text(writeManySeries(items(), "csv", P, DECLS))).toBe("site,year,day,ok,time,value\n");
  });
});

describe("CSV input", () => {
  const read = (s: string, limits = LIMITS) => readPoints(enc(s), "csv", P, limits);

  it("reads two columns whatever their names, with every form of time and of missing", () => {
    const got = read('horodate,load\n2024-10-27 02:30,1\n"1000",\n1970-01-01T00:00:02Z,NaN\n3000,null\n4000,-2.5e3\n');
    expect(got).toEqual({
      index: Float64Array.of(Date.parse("2024-10-27T00:30:00Z"), 1000, 2000, 3000, 4000),
      values: Float64Array.of(1, Number.NaN, Number.NaN, Number.NaN, -2500),
    });
    expect(read("\uFEFFtime,value\r\n").index.length).toBe(0);
  });

  it("says which line is wrong", () => {
    fails(() => read(""), "invalid", "no header row");
    fails(() => read("time,value,extra\n"), "invalid", "line 1: expected a header of two columns");
    fails(() => read("2024-01-01T00:00:00Z,1\n"), "invalid", "line 1: expected a header row");
    fails(() => read("time,value\n0,1\n1000\n"), "invalid", "line 3: expected 2 cells as in the header, got 1");
    fails(() => read("time,value\n0,1\n\n,1\n"), "invalid", 'line 4: invalid timestamp ""');
    fails(() => read("time,value\n0,1\n2024-13-01,1\n"), "invalid", 'line 3: invalid timestamp "2024-13-01"');
    fails(() => read("time,value\n0,one\n"), "invalid", 'line 2: invalid value "one"');
    fails(() => read("time,value\n0, 1\n"), "invalid", 'line 2: invalid value " 1"');
    fails(() => read("time,value\n0,0x10\n"), "invalid", "line 2: invalid value");
    fails(() => read("time,value\n0,1e999\n"), "invalid", "line 2: invalid value");
    fails(() => read("time,value\n0,Infinity\n"), "invalid", "line 2: invalid value");
    fails(() => read('time,value\n0,"1\n2"\n5,x\n'), "invalid", "line 2: invalid value");
  });

  it("refuses bodies over the limits", () => {
    const rows = (n: number) => `time,value\n${"0,1\n".repeat(n)}`;
    expect(read(rows(1000)).index.length).toBe(1000);
    fails(() => read(rows(1001)), "too_large", "more than 1000 points");
    fails(() => read(rows(10), { ...LIMITS, maxBytes: 20 }), "too_large");
  });

  it("reads many series in long format: keys by name, optional version, then time and value", () => {
    const body =
      "value_time_order_is_positional,ok,year,site,day,version,v\n".replace("value_time_order_is_positional", "t") +
      "0,TRUE,2024,a,2024-01-01,,1\n" +
      "0,false,2024,a,2024-01-01,3,2\n" +
      "1000,true,2024,a,2024-01-01,,\n";
    const got = readManySeries(enc(body), "csv", P, DECLS, LIMITS);
    expect(got).toEqual([
      {
        keys: { site: "a", year: 2024, day: "2024-01-01", ok: true },
        points: { index: Float64Array.of(0, 1000), values: Float64Array.of(1, Number.NaN) },
      },
      {
        keys: { site: "a", year: 2024, day: "2024-01-01", ok: false },
        version: 3,
        points: { index: Float64Array.of(0), values: Float64Array.of(2) },
      },
    ]);
  });

  it("checks the long header and each key cell", () => {
    const many = (s: string, limits = LIMITS) => readManySeries(enc(s), "csv", P, DECLS, limits);
    const head = "site,year,day,ok,time,value\n";
    fails(() => many("site,year,day,time,value\n"), "invalid", 'line 1: key column "ok" is missing');
    fails(() => many("site,year,day,ok,ok,time,value\n"), "invalid", 'column "ok" appears twice');
    fails(() => many("site,year,day,ok,time,value,extra\n"), "invalid", "line 1: expected the key columns");
    fails(() => many(`${head}a,x,2024-01-01,true,0,1\n`), "invalid", 'line 2: key "year": expected an int, got "x"');
    fails(() => many(`${head}a,1.0,2024-01-01,true,0,1\n`), "invalid", 'key "year"');
    fails(() => many(`${head}a,99999999999999999,2024-01-01,true,0,1\n`), "invalid", 'key "year"');
    fails(() => many(`${head}a,1,2024-1-01,true,0,1\n`), "invalid", 'key "day"');
    fails(() => many(`${head}a,1,2024-01-01,yes,0,1\n`), "invalid", 'key "ok": expected a bool, got "yes"');
    fails(() => many(`${head}a,1,2024-01-01,true,0,1,2\n`), "invalid", "line 2: expected 6 cells");
    fails(
      () => many("site,year,day,ok,version,time,value\na,1,2024-01-01,true,-1,0,1\n"),
      "invalid",
      'invalid version "-1"',
    );
    const rows = Array.from({ length: 11 }, (_, i) => `s${i},1,2024-01-01,true,0,1\n`).join("");
    fails(() => many(head + rows), "too_large", "more than 10 series");
  });
});
