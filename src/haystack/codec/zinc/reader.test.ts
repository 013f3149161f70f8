import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromJson4 } from "../../../../test/support/json4-fixture.ts";
import { LimitError, ParseError } from "../../errors.ts";
import {
  equals,
  type HDateTime,
  HDict,
  HGrid,
  HNumber,
  HRef,
  type HVal,
  HXStr,
  isDict,
  MARKER,
} from "../../kinds/index.ts";
import { readZincGrid, readZincTags, readZincValue, ZINC_READER } from "./reader.ts";
import { writeZincValue } from "./writer.ts";

const fixtures = new URL("../../../../test/fixtures/haystack/", import.meta.url);
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, fixtures), "utf8"));

interface ValueCase {
  kind: string;
  zinc: string | null;
  json4: never;
  error?: boolean;
  production?: string;
  zincIsWriterOutput?: boolean;
}
interface GridCase {
  zinc: string;
  json4: never;
  error?: boolean;
  errorMessage?: string;
  note: string;
}
const values = (load("values.json") as ValueCase[]).filter((c) => c.zinc !== null);
const grids = load("grids.json") as GridCase[];

/** Ref display names, depth first: `equals` ignores them, the fixtures do not. */
function refDis(v: HVal | undefined, out: string[] = []): string[] {
  if (v instanceof HRef) out.push(v.dis ?? "");
  else if (Array.isArray(v)) for (const x of v) refDis(x, out);
  else if (isDict(v)) for (const [, x] of v.entries()) refDis(x, out);
  else if (v instanceof HGrid) {
    refDis(v.meta, out);
    for (const c of v.cols) refDis(c.meta, out);
    for (const r of v.rows) for (const x of r) refDis(x, out);
  }
  return out;
}

function expectSame(got: HVal, want: HVal): void {
  expect(equals(got, want), `${writeZincValue(got)}\n  !=\n${writeZincValue(want)}`).toBe(true);
  expect(refDis(got)).toEqual(refDis(want));
}

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("values.json Zinc forms", () => {
  for (const c of values) {
    const zinc = c.zinc as string;
    const name = `${c.kind} ${JSON.stringify(zinc)}`;
    if (c.production === "tags") {
      it(`tags ${name}`, () => expectSame(readZincTags(zinc), fromJson4(c.json4)));
    } else if (c.error) {
      it(`rejects ${name}`, () => {
        const e = errorOf(() => readZincValue(zinc));
        expect(e).toBeInstanceOf(ParseError);
        expect((e as ParseError).line).toBe(1);
      });
    } else {
      it(`reads ${name}`, () => {
        expectSame(readZincValue(zinc), fromJson4(c.json4));
        if (c.kind !== "grid") expect(() => readZincValue(`${zinc} 123`)).toThrow(ParseError);
        if (c.zincIsWriterOutput) expect(writeZincValue(readZincValue(zinc))).toBe(zinc);
      });
    }
  }
});

describe("grids.json", () => {
  for (const c of grids) {
    if (c.error) {
      it(`rejects: ${c.note}`, () => {
        const e = errorOf(() => readZincGrid(c.zinc));
        expect(e).toBeInstanceOf(ParseError);
        const line = /\[line (\d+)\]/.exec(c.errorMessage ?? "")?.[1];
        if (line) expect((e as ParseError).line).toBe(Number(line));
      });
    } else {
      it(`reads: ${c.note}`, () => {
        const g = readZincGrid(c.zinc);
        expectSame(g, fromJson4(c.json4));
        expectSame(ZINC_READER.readValue(c.zinc), g);
        expectSame(ZINC_READER.readGrid(c.zinc), g);
      });
    }
  }
});

describe("Alpha building", () => {
  const zinc = readFileSync(new URL("buildings/Alpha/alpha.zinc", fixtures), "utf8");
  it("reads 2032 rows x 100 cols, equal to its JSON v4 twin", () => {
    const g = readZincGrid(zinc);
    expect(g.rows.length).toBe(2032);
    expect(g.cols.length).toBe(100);
    expect(g.meta.get("numPoints")).toBe(1842);
    expectSame(g, fromJson4(load("buildings/Alpha/alpha.json") as never));
  });
});

describe("reader details", () => {
  it("reads the 2.0 unquoted Bin form verbatim", () => {
    const g = readZincGrid('ver:"2.0"\na\nBin(text/html; a=foo; bar=sep)\n');
    expect(g.rows[0]?.[0]).toEqual(new HXStr("Bin", "text/html; a=foo; bar=sep"));
    expect(() => readZincGrid('ver:"3.0"\na\nBin(text/html)\n')).toThrow(ParseError);
  });

  it("rejects unknown versions, missing columns and ragged rows with positions", () => {
    expect(errorOf(() => readZincGrid('ver:"4.0"\na\n'))).toMatchObject({ line: 1, column: 5 });
    expect(errorOf(() => readZincGrid('ver:"3.0"\n\n'))).toMatchObject({ line: 2 });
    expect(errorOf(() => readZincGrid('ver:"3.0"\na,b\n1,2\n3\n'))).toMatchObject({ line: 4, column: 2 });
    expect(errorOf(() => readZincGrid('ver:"3.0"\na,b\n1,2,3\n'))).toMatchObject({ line: 3, column: 4 });
    expect(errorOf(() => readZincGrid('ver:"3.0"\nA\n'))).toBeInstanceOf(ParseError);
  });

  it("refuses a column name given twice, at the second one, in top-level and nested grids", () => {
    const top = errorOf(() => readZincGrid('ver:"3.0"\nid,dis,id\n@a,"A",@b\n'));
    expect(top).toBeInstanceOf(ParseError);
    expect(top).toMatchObject({ code: "parse_error", line: 2, column: 8 });
    expect((top as ParseError).message).toMatch(/^Duplicate column name "id" \[line 2, column 8\]$/);
    // Column meta between the two does not hide the repeat; the 2.0 form is refused the same way.
    expect(errorOf(() => readZincGrid('ver:"2.0"\nval unit:"kW",  val\n1,2\n'))).toMatchObject({ line: 2, column: 17 });
    expect(errorOf(() => ZINC_READER.readGrid('ver:"3.0"\nid,id\n'))).toMatchObject({ line: 2, column: 4 });
    const nested = errorOf(() => readZincValue('{g:<<ver:"3.0"\na,b,a\n1,2,3\n>>}'));
    expect(nested).toMatchObject({ line: 2, column: 5 });
    expect((nested as ParseError).message).toContain('"a"');
    // Names differing only in case are distinct tags.
    expect(readZincGrid('ver:"3.0"\nid,iD\n@a,1\n').colNames()).toEqual(["id", "iD"]);
  });

  it("reads CRLF line ends and tolerates a missing final newline", () => {
    const g = readZincGrid('ver:"3.0" m\r\na,b\r\n1,2\r\n3,4');
    expect(g.rows).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(g.meta.get("m")).toBe(MARKER);
  });

  it("drops null tags in dicts and keeps dis on refs in cells", () => {
    const d = readZincValue("{a:N b:1 c}") as HDict;
    expect(d.names()).toEqual(["b", "c"]);
    const g = readZincGrid('ver:"3.0"\nid,v\n@a "Alpha",72.5°F\n');
    expect((g.cell(0, "id") as HRef).dis).toBe("Alpha");
    expect(g.rows[0]?.[1]).toEqual(new HNumber(72.5, "°F"));
  });

  it("shares unit and zone strings between rows", () => {
    const text = `ver:"3.0"\nts,v\n${"2024-01-01T00:00:00-05:00 New_York,1kW\n".repeat(3)}`;
    const rows = readZincGrid(text).rows;
    const a = rows[0] as HVal[];
    const b = rows[2] as HVal[];
    expect((a[0] as HDateTime).tz).toBe("New_York");
    expect(Object.is((a[1] as HNumber).unit, (b[1] as HNumber).unit)).toBe(true);
  });

  it("reads runs of empty cells and stops a surplus comma at the row end", () => {
    const g = readZincGrid('ver:"3.0"\na,b,c,d\n,,,\n1,,,M\n,,2,\n , ,,3\n');
    expect(g.rows).toEqual([
      [null, null, null, null],
      [1, null, null, MARKER],
      [null, null, 2, null],
      [null, null, null, 3],
    ]);
    expect(errorOf(() => readZincGrid('ver:"3.0"\na,b\n,,\n'))).toMatchObject({ line: 3, column: 2 });
    expect(errorOf(() => readZincGrid('ver:"3.0"\na,b,c\n1,,,,\n'))).toMatchObject({ line: 3, column: 4 });
  });

  it("reads plain strings before, between and after escaped ones", () => {
    const g = readZincGrid('ver:"3.0"\na,b,c,d\n"x","y\\n","","z\\\\"\n"p\\"q","r",,"s"\n');
    expect(g.rows).toEqual([
      ["x", "y\n", "", "z\\"],
      ['p"q', "r", null, "s"],
    ]);
  });

  it("allows newlines inside lists and dicts", () => {
    expectSame(readZincValue("[\n1,\n{a\nb:2}\n]"), [1, HDict.of({ a: MARKER, b: 2 })]);
  });
});

describe("malformed and hostile input", () => {
  const doc =
    'ver:"3.0" a:"x"\nts,v dis:"V",s\n2024-01-01T00:00:00Z UTC,1.5kW,"q\\"\\u00e9"\n,[1,{b}],<<\nver:"3.0"\nz\n1\n>>\n';

  it("every truncation either reads or throws a ParseError with a position", () => {
    expect(() => readZincGrid(doc)).not.toThrow();
    for (let i = 0; i < doc.length; i++) {
      const e = errorOf(() => readZincGrid(doc.slice(0, i)));
      if (e === undefined) continue;
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).offset).toBeLessThanOrEqual(i);
      expect((e as ParseError).line).toBeGreaterThanOrEqual(1);
    }
  });

  it("bad escapes report the escape position", () => {
    expect(errorOf(() => readZincValue('"ab\\q"'))).toMatchObject({ offset: 3, column: 4 });
    expect(errorOf(() => readZincValue('"\\u12g4"'))).toMatchObject({ offset: 1 });
    expect(errorOf(() => readZincValue("`a\\qb`"))).toMatchObject({ offset: 2 });
    expect(errorOf(() => readZincValue('"abc'))).toMatchObject({ offset: 0 });
  });

  it.each([
    ["lists", "[".repeat(100_000)],
    ["dicts", "{a:".repeat(100_000)],
    ["grids", `ver:"3.0"\na\n${'<<ver:"3.0"\na\n'.repeat(50_000)}`],
  ])("nesting of 100k %s is a LimitError at the depth limit", (_n, text) => {
    const e = errorOf(() => readZincValue(text));
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).line).toBeGreaterThanOrEqual(1);
  });

  it("honours maxDepth, maxRows and maxCols", () => {
    expect(() => readZincValue("[[[1]]]", { maxDepth: 2 })).toThrow(LimitError);
    expect(readZincValue("[[1]]", { maxDepth: 2 })).toEqual([[1]]);
    expect(() => readZincGrid('ver:"3.0"\na\n1\n2\n3\n', { maxRows: 2 })).toThrow(LimitError);
    expect(() => readZincGrid('ver:"3.0"\na,b,c\n', { maxCols: 2 })).toThrow(LimitError);
  });

  it("reads a 10 MB string quickly", () => {
    const big = "x".repeat(10 * 1024 * 1024);
    const t0 = performance.now();
    const g = readZincGrid(`ver:"3.0"\ns\n"${big}"\n`);
    expect(g.rows[0]?.[0]).toBe(big);
    expect(readZincValue(`"${big}\\n"`)).toBe(`${big}\n`);
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it("a 10 MB unterminated string is a ParseError, not a hang", () => {
    expect(() => readZincValue(`"${"x".repeat(10 * 1024 * 1024)}`)).toThrow(ParseError);
  });

  it("rejects garbage after a value or grid", () => {
    expect(() => readZincValue("1 2")).toThrow(ParseError);
    expect(() => readZincGrid('ver:"3.0"\na\n1\n\nb\n')).toThrow(ParseError);
    expect(() => readZincValue("@a @b")).toThrow(ParseError);
  });
});

describe("time zone names", () => {
  it("refuses a DateTime whose zone the database does not know, at the zone name", () => {
    const text = "2020-01-01T00:00:00Z Nowhere_Land";
    expect(() => readZincValue(text)).toThrow(/Unknown timezone 'Nowhere_Land'/);
    try {
      readZincValue(text);
    } catch (e) {
      expect((e as ParseError).column).toBe(22);
    }
  });

  it("accepts Haystack names with - and + and legacy names", () => {
    for (const tz of ["GMT+5", "GMT-10", "Port-au-Prince", "PST8PDT", "Kolkata", "UTC"]) {
      const v = readZincValue(`2020-01-01T00:00:00Z ${tz}`);
      expect((v as { tz: string }).tz).toBe(tz);
    }
  });
});
