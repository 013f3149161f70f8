import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbDict } from "../../../../test/support/arbitraries.ts";
import { LimitError, ParseError } from "../../errors.ts";
import { equals, HDate, HDict, HGrid, type HVal, MARKER, num } from "../../kinds/index.ts";
import { json4ToVal, readJsonGrid } from "../json/index.ts";
import { readTrio, readTrioGrid, TRIO_WRITER, trioEncoder, trioUseQuotes, writeTrio } from "./index.ts";

const fixture = (p: string) =>
  readFileSync(new URL(`../../../../test/fixtures/haystack/${p}`, import.meta.url), "utf8");

interface TrioCase {
  trio: string | null;
  generate?: string;
  dicts: unknown[];
  note: string;
}
const doc = JSON.parse(fixture("trio.json")) as {
  cases: TrioCase[];
  writerQuotes: { str: string; writerQuotes: boolean }[];
};

function expectDicts(actual: readonly HDict[], expected: readonly HVal[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((d, i) => {
    if (!equals(d, expected[i] ?? null)) expect(d.toObject()).toEqual((expected[i] as HDict).toObject());
  });
}

describe("trio.json cases", () => {
  const literal = doc.cases.filter((c) => c.trio !== null);
  it.each(literal.map((c) => [c.note, c] as const))("%s", (_note, c) => {
    const dicts = readTrio(c.trio as string);
    expectDicts(
      dicts,
      c.dicts.map((d) => json4ToVal(d)),
    );
    // And what we write of them reads back the same.
    expectDicts(readTrio(writeTrio(dicts)), dicts);
  });

  it("the generated case: a 65536-char unquoted Str", () => {
    const c = doc.cases.find((x) => x.trio === null);
    expect(c?.generate).toContain("65536");
    const big = "A".repeat(65536);
    const [d] = readTrio(`c0_body: ${big}`);
    expect(d?.get("c0_body")).toBe(big);
    expect(writeTrio([HDict.of({ c0_body: big })])).toBe(`c0_body:${big}\n`);
  });
});

describe("writer quoting (haxall TrioTest testUseQuotes)", () => {
  it.each(doc.writerQuotes.map((q) => [JSON.stringify(q.str), q] as const))("%s", (_s, q) => {
    expect(trioUseQuotes(q.str)).toBe(q.writerQuotes);
    const text = writeTrio([HDict.of({ v: q.str })]);
    if (q.str.includes("\n")) expect(text).toBe("v:\n  x\n  y\n");
    else expect(text.startsWith('v:"')).toBe(q.writerQuotes);
    expect(readTrio(text)[0]?.get("v")).toBe(q.str);
  });

  it("quotes texts haxall would leave unquoted but could not read back", () => {
    for (const s of ["Δ ", "Δ:", "Δ\tx", "a ", "Δ\r"]) {
      const text = writeTrio([HDict.of({ v: s })]);
      expect(text.startsWith('v:"'), s).toBe(true);
      expect(readTrio(text)[0]?.get("v")).toBe(s);
    }
  });

  it("writes multi-line Strs as blocks only when they read back exactly", () => {
    expect(writeTrio([HDict.of({ doc: "hello\n  world\n" })])).toBe("doc:\n  hello\n    world\n\n");
    for (const s of ["  both\n  indented", "trailing \nspace", "\n", "tab\tin\nit"]) {
      const text = writeTrio([HDict.of({ doc: s, x: MARKER })]);
      expect(readTrio(text)[0]?.get("doc")).toBe(s);
    }
  });
});

describe("layout", () => {
  it("sorts tags with id, name, dis first and separates records with ---", () => {
    const text = writeTrio([
      HDict.of({ z: 1, dis: "D", site: MARKER, id: json4ToVal({ _kind: "ref", val: "a" }), name: "n" }),
      HDict.of({ b: true }),
    ]);
    expect(text).toBe("id:@a\nname:n\ndis:D\nsite\nz:1\n---\nb:true\n");
  });

  it("writes grids (also nested in lists and dicts) as Zinc: blocks", () => {
    const g = HGrid.of(
      ["a", "b"],
      [
        [1, "x"],
        [null, num(2, "kW")],
      ],
      HDict.of({ foo: MARKER }),
    );
    const d = HDict.of({ g, list: ["hi", g], dict: HDict.of({ inner: g }) });
    const text = writeTrio([d]);
    expect(text).toContain('g:Zinc:\n  ver:"3.0" foo\n');
    expect(equals(readTrio(text)[0] ?? null, d)).toBe(true);
  });

  it("grid writer and encoder give the records", () => {
    const g = HGrid.of(
      ["id", "v"],
      [
        ["a", 1],
        [null, 2],
      ],
    );
    const enc = trioEncoder();
    let s = enc.begin(g.meta, g.cols);
    for (const r of g.rows) s += enc.row(r);
    expect(s + enc.end()).toBe(TRIO_WRITER.writeGrid(g));
    expect(s).toBe("id:a\nv:1\n---\nv:2\n");
    expect(readTrioGrid(s).size).toBe(2);
  });
});

describe("Alpha building", () => {
  const text = fixture("buildings/Alpha/alpha.trio");
  const recs = readTrio(text);

  it("reads 2032 records equal to the JSON edition", () => {
    expect(recs.length).toBe(2032);
    expectDicts(recs, readJsonGrid(fixture("buildings/Alpha/alpha.json")).dicts());
  });

  it("survives write -> read", () => {
    expectDicts(readTrio(writeTrio(recs)), recs);
  });
});

describe("round trips (property)", () => {
  const multiLine = fc.array(fc.string({ maxLength: 8 }), { minLength: 2, maxLength: 4 }).map((ls) => ls.join("\n"));
  const dicts = fc
    .tuple(arbDict({ awkward: true }), fc.option(multiLine))
    .map(([d, s]) => (s === null ? d : d.with("doc", s)));

  it("readTrio(writeTrio(dicts)) equals the non-empty dicts", () => {
    fc.assert(
      fc.property(fc.array(dicts, { maxLength: 4 }), (ds) => {
        const nonEmpty = ds.filter((d) => !d.isEmpty());
        expectDicts(readTrio(writeTrio(nonEmpty)), nonEmpty);
      }),
      { numRuns: 500 },
    );
  });
});

describe("errors carry positions", () => {
  const bad = (text: string): ParseError => {
    try {
      readTrio(text);
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      return e as ParseError;
    }
    throw new Error(`no error for ${text}`);
  };

  it("invalid names, duplicates and bad literals", () => {
    expect(bad("a\nBad:1").line).toBe(2);
    expect(bad("a\nb:1\na:2").message).toContain("Duplicate");
    const e = bad('x:1\ns: "unterminated');
    expect([e.line, e.column]).toEqual([2, 4]);
    expect(bad("x: foo:").message).toContain("indentation");
  });

  it("a tag named twice in one record is refused at its second name, also in Trio: blocks", () => {
    const e = bad("a\nb:1\n  \n---\nb:1\nc: x\n   b: 2\n");
    expect([e.line, e.column]).toEqual([7, 4]);
    expect(e.message).toMatch(/^Duplicate tag name "b" in one record/);
    const inner = bad("d:Trio:\n  x:1\n  x:2\n");
    expect([inner.line, inner.column]).toEqual([3, 3]);
    // The same name in two records is fine.
    expect(readTrio("b:1\n---\nb:2\n")).toHaveLength(2);
  });

  it("a Zinc: grid with a column named twice is refused inside the block", () => {
    const e = bad('g:Zinc:\n  ver:"3.0"\n  id,val,id\n');
    expect([e.line, e.column]).toEqual([3, 10]);
    expect(e.message).toContain('Duplicate column name "id"');
  });

  it("a Zinc error inside a Zinc: block points into the block", () => {
    const e = bad('a\ng:Zinc:\n  ver:"3.0"\n  a\n  @\n');
    expect(e.line).toBe(5);
    expect(e.column).toBe(3);
  });

  it("deep nesting is a LimitError", () => {
    expect(() => readTrio(`x:${"[".repeat(100_000)}`)).toThrow(LimitError);
    let nested = "d";
    for (let i = 0; i < 80; i++) nested = `t:Trio:\n${nested.replace(/^/gm, "  ")}`;
    expect(() => readTrio(nested)).toThrow(LimitError);
  });
});

describe("scalars that resemble dates", () => {
  it("reads a number whose exponent puts a '-' where a date has one", () => {
    const [d] = readTrio("a: 3.5e-323kW\nb: 1.5e-7\nc: 2024-02-29\n");
    expect(d?.get("a")).toEqual(num(3.5e-323, "kW"));
    expect(d?.get("b")).toBe(1.5e-7);
    expect(d?.get("c")).toEqual(new HDate(2024, 2, 29));
  });
});
