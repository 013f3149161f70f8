import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbScalar } from "../../../../test/support/arbitraries.ts";
import { hisGrid } from "../../../../test/support/histgrid.ts";
import { LimitError, ParseError } from "../../errors.ts";
import {
  col,
  equals,
  HDateTime,
  HDict,
  HGrid,
  HRef,
  type HVal,
  kindOf,
  MARKER,
  num,
  REMOVE,
} from "../../kinds/index.ts";
import {
  json4ToVal,
  jsonEncoder,
  readJsonGrid,
  readJsonValue,
  valToJson4,
  writeJsonGrid,
  writeJsonValue,
} from "./index.ts";

const fixture = (p: string) =>
  readFileSync(new URL(`../../../../test/fixtures/haystack/${p}`, import.meta.url), "utf8");

interface ValueCase {
  kind: string;
  json4: unknown;
  json4Alt?: unknown[];
  note: string;
  error?: boolean;
  provenance: { json4: string | null };
}
interface GridCase {
  json4: unknown;
  note: string;
  error?: boolean;
}

const values = (JSON.parse(fixture("values.json")) as ValueCase[]).filter(
  (c) => !c.error && c.provenance.json4 !== null,
);
const grids = (JSON.parse(fixture("grids.json")) as GridCase[]).filter((c) => !c.error && c.json4 !== null);

/** Json.fandoc's dateTime without `tz`: read as UTC, so writing it back adds `tz: "UTC"`. */
function canonical(j: unknown): unknown {
  const o = j as { _kind?: string; tz?: string };
  if (o && typeof o === "object" && o._kind === "dateTime" && o.tz === undefined) return { ...o, tz: "UTC" };
  return j;
}

describe("values.json through JSON v4", () => {
  it.each(values.map((c) => [c.note, c] as const))("%s", (_note, c) => {
    const v = json4ToVal(c.json4);
    expect(kindOf(v)).toBe(c.kind);
    expect(valToJson4(v)).toEqual(canonical(c.json4));
    expect(JSON.parse(writeJsonValue(v))).toEqual(canonical(c.json4));
    // The text reader agrees with the parsed-JSON reader.
    expect(equals(readJsonValue(JSON.stringify(c.json4)), v)).toBe(true);
    for (const alt of c.json4Alt ?? []) {
      const a = readJsonValue(JSON.stringify(alt));
      expect(equals(a, v), JSON.stringify(alt)).toBe(true);
    }
  });

  it("reads a dateTime without tz as UTC at the same instant", () => {
    const v = readJsonValue('{"_kind":"dateTime","val":"2021-03-22T13:57:00.381-04:00"}') as HDateTime;
    expect(v.tz).toBe("UTC");
    expect(v.offset).toBe(0);
    expect(v.ms).toBe(Date.UTC(2021, 2, 22, 17, 57, 0, 381));
  });

  it("skips dict keys that are not tag names and drops null tags", () => {
    const d = readJsonValue('{"Ignore":1,"a-b":2,"":3,"ok":4,"_x":5,"n":null}') as HDict;
    expect(d.names()).toEqual(["ok", "_x"]);
  });
});

describe("grids.json through JSON v4", () => {
  it.each(grids.map((c) => [c.note, c] as const))("%s", (_note, c) => {
    const text = JSON.stringify(c.json4);
    const g = readJsonGrid(text);
    expect(g).toBeInstanceOf(HGrid);
    expect(valToJson4(g)).toEqual(c.json4);
    expect(JSON.parse(writeJsonGrid(g))).toEqual(c.json4);
    expect(equals(readJsonGrid(writeJsonGrid(g)), g)).toBe(true);
  });

  it("drops meta ver on read and always writes ver 3.0 first", () => {
    const g = readJsonGrid('{"_kind":"grid","meta":{"ver":"2.0","x":1},"cols":[{"name":"a"}],"rows":[]}');
    expect(g.meta.names()).toEqual(["x"]);
    expect(writeJsonGrid(g).startsWith('{"_kind":"grid","meta":{"ver":"3.0","x":1}')).toBe(true);
  });
});

describe("Alpha building (JSON v4)", () => {
  const text = fixture("buildings/Alpha/alpha.json");
  const g = readJsonGrid(text);

  it("reads 2032 rows and 100 columns", () => {
    expect(g.size).toBe(2032);
    expect(g.cols.length).toBe(100);
    expect(g.cell(0, "dis")).toBe("Alpha");
    expect(g.cell(0, "site")).toBe(MARKER);
  });

  it("is unchanged by write -> read and its JSON equals the file", () => {
    expect(equals(readJsonGrid(writeJsonGrid(g)), g)).toBe(true);
    expect(valToJson4(g)).toEqual(JSON.parse(text));
  });
});

describe("history grids (the byte writer's and the text reader's fast paths)", () => {
  it("a 2000-row his grid round trips and its text is what JSON.stringify would give", () => {
    const g = hisGrid(2000);
    const text = writeJsonGrid(g);
    expect(JSON.parse(text)).toEqual(valToJson4(g));
    expect(equals(readJsonGrid(text), g)).toBe(true);
  });

  it("changing zones and units, nulls and other kinds between fast cells", () => {
    const at = (ms: number, tz: string) => HDateTime.of(ms, tz);
    const t = Date.UTC(2024, 2, 31, 0, 30);
    const g = HGrid.of(
      ["ts", "v", "s"],
      [
        [at(t, "New_York"), num(1.5, "kW"), "a"],
        [at(t, "London"), num(2, "°F"), null],
        [null, 5, MARKER],
        [at(t + 3_600_000, "London"), num(Number.NaN, "kW"), "b"],
        [at(t + 1, "UTC"), num(-0.25, "kW"), null],
        [at(t + 1, "UTC"), num(-0.25, "kW"), null],
        [at(t + 2, "UTC"), num(1e21, "kW"), null],
      ],
    );
    const text = writeJsonGrid(g);
    expect(JSON.parse(text)).toEqual(valToJson4(g));
    expect(equals(readJsonGrid(text), g)).toBe(true);
  });

  it("zones and units spelled with escapes read the same; an unknown zone after a known one fails", () => {
    const row = (tz: string, unit: string) =>
      `{"ts":{"_kind":"dateTime","val":"2024-01-01T00:00:00-05:00","tz":"${tz}"},"v":{"_kind":"number","val":1,"unit":"${unit}"}}`;
    const grid = (rows: string[]) =>
      `{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"ts"},{"name":"v"}],"rows":[${rows.join(",")}]}`;
    const g = readJsonGrid(grid([row("New_York", "kW"), row("New\\u005fYork", "k\\u0057")]));
    expect(equals(g.rows[0]?.[0] ?? null, g.rows[1]?.[0] ?? null)).toBe(true);
    expect(g.rows[1]?.[1]).toEqual(num(1, "kW"));
    expect(() => readJsonGrid(grid([row("New_York", "kW"), row("Nowhere", "kW")]))).toThrow(/Nowhere/);
    expect(() => readJsonGrid(grid([row("Nowhere", "kW"), row("Nowhere", "kW")]))).toThrow(/Nowhere/);
  });
});

describe("grid encoder", () => {
  it("pieces concatenate to writeJsonGrid and omit null cells", () => {
    const g = HGrid.of(
      ["a", "b"],
      [
        [1, null],
        [null, null],
        ["x", MARKER],
      ],
      HDict.of({ foo: "bar" }),
    );
    const enc = jsonEncoder();
    let s = enc.begin(g.meta, g.cols);
    for (const r of g.rows) s += enc.row(r);
    s += enc.end();
    expect(s).toBe(writeJsonGrid(g));
    expect(JSON.parse(s).rows).toEqual([{ a: 1 }, {}, { a: "x", b: { _kind: "marker" } }]);
  });

  it("a grid longer than one text piece: every kind of cell, multi-byte text, same as the encoder", () => {
    const t = Date.UTC(2024, 0, 1);
    const texts = ["plain", "é ü", "€ 3", "😀 astral", 'quote " and \\ back', "tab\tnew\nline", "\u{d800} lone"];
    const g = HGrid.of(
      ["id", "s", "m", "n", "d", "ts", "l"],
      Array.from({ length: 1200 }, (_, i) => [
        i % 3 === 0 ? new HRef(`r-${i}`, texts[i % texts.length]) : new HRef(`r-${i}`),
        i % 5 === 0 ? null : `${texts[i % texts.length]} ${i}`,
        i % 2 === 0 ? MARKER : null,
        i % 4 === 0 ? num(i / 8, "°F") : i,
        i % 7 === 0 ? HDict.of({ dis: texts[i % texts.length] ?? "", m: MARKER }) : null,
        HDateTime.of(t + i * 60_000, i % 11 === 0 ? "Tokyo" : "New_York"),
        i % 13 === 0 ? [1, "x", MARKER] : null,
      ]),
    );
    const text = writeJsonGrid(g);
    expect(text.length).toBeGreaterThan(100_000);
    const enc = jsonEncoder();
    let s = enc.begin(g.meta, g.cols);
    for (const r of g.rows) s += enc.row(r);
    expect(text).toBe(s + enc.end());
    expect(JSON.parse(text)).toEqual(valToJson4(g));
    expect(equals(readJsonGrid(text), g)).toBe(true);
  });

  it("writes column meta only when present", () => {
    const g = new HGrid(HDict.EMPTY, [col("a", HDict.of({ dis: "A" })), col("b")], []);
    expect(JSON.parse(writeJsonGrid(g)).cols).toEqual([{ name: "a", meta: { dis: "A" } }, { name: "b" }]);
  });
});

/** Every kind, nested: scalars (awkward strings, units, zones), Remove, lists, dicts and grids. */
const arbVal: fc.Arbitrary<HVal> = fc.letrec<{ v: HVal }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    arbScalar({ awkward: true }),
    fc.constantFrom<HVal>(REMOVE, null, -0 + 0, Number.NaN, num(Number.NaN, "kW"), num(Number.NEGATIVE_INFINITY, "°F")),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.stringMatching(/^[a-z_][a-zA-Z0-9_]{0,8}$/), tie("v"), { maxKeys: 4 }).map((o) => HDict.of(o)),
    fc
      .array(fc.tuple(tie("v"), tie("v")), { maxLength: 3 })
      .map((rows) => HGrid.of(["a", "_b"], rows, HDict.of({ dis: "g" }))),
  ),
})).v;

describe("round trips (property)", () => {
  it("readJsonValue(writeJsonValue(v)) equals v for every kind", () => {
    fc.assert(
      fc.property(arbVal, (v) => {
        const back = readJsonValue(writeJsonValue(v));
        expect(equals(back, v)).toBe(true);
        expect(equals(json4ToVal(valToJson4(v)), v)).toBe(true);
        // Through JSON text on both sides: -0 is written `0`, as JSON.stringify writes it.
        expect(JSON.parse(writeJsonValue(v))).toEqual(JSON.parse(JSON.stringify(valToJson4(v))));
      }),
      { numRuns: 1000 },
    );
  });
});

/** The same JSON with keys in reverse order (so `_kind` comes last) and pretty-printed. */
function reordered(j: unknown): unknown {
  if (Array.isArray(j)) return j.map(reordered);
  if (j && typeof j === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(j).reverse()) out[k] = reordered((j as Record<string, unknown>)[k]);
    return out;
  }
  return j;
}

describe("text reader agrees with JSON.parse + converter", () => {
  it("for any key order and whitespace (property)", () => {
    fc.assert(
      fc.property(arbVal, (v) => {
        const text = writeJsonValue(v);
        const pretty = JSON.stringify(reordered(JSON.parse(text)), null, 2);
        expect(equals(readJsonValue(pretty), v)).toBe(true);
        expect(equals(json4ToVal(JSON.parse(pretty)), v)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("accepts and refuses the same mutated texts (property)", () => {
    const docs = arbVal.map((v) => writeJsonValue(v));
    const edits = fc.array(fc.tuple(fc.nat(), fc.constantFrom(...'{}[],:"0-eE.tnfa_ \n'.split(""))), { maxLength: 3 });
    fc.assert(
      fc.property(docs, edits, (text, es) => {
        let t = text;
        for (const [at, ch] of es) {
          const i = t.length === 0 ? 0 : at % t.length;
          t = t.slice(0, i) + ch + t.slice(i + 1);
        }
        let parsed: unknown;
        let valid = true;
        try {
          parsed = JSON.parse(t);
        } catch {
          valid = false;
        }
        let ours: HVal | undefined;
        let ourError: unknown;
        try {
          ours = readJsonValue(t);
        } catch (e) {
          ourError = e;
        }
        if (!valid) {
          expect(ourError).toBeInstanceOf(ParseError);
          return;
        }
        let viaParse: HVal | undefined;
        try {
          viaParse = json4ToVal(parsed);
        } catch {
          expect(ourError).toBeInstanceOf(ParseError);
          return;
        }
        if (ourError) throw ourError;
        expect(equals(ours, viaParse)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("malformed input", () => {
  const bad = (text: string, limits?: { maxDepth?: number; maxRows?: number; maxCols?: number }): ParseError => {
    try {
      readJsonValue(text, limits);
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      return e as ParseError;
    }
    throw new Error(`no error for ${text.slice(0, 50)}`);
  };

  it("truncated text fails at the end with line and column", () => {
    const text = '{\n  "a": [1, 2,\n  3';
    const e = bad(text);
    expect(e.line).toBe(3);
    expect(e.column).toBe(4);
    expect(e.offset).toBe(text.length);
  });

  it("a syntax error is positioned where it is", () => {
    const e = bad('{"a":\n  @}');
    expect([e.line, e.column, e.offset]).toEqual([2, 3, 8]);
    expect(bad("[1] x").offset).toBe(4);
    expect(bad('{"a":1,}').offset).toBe(7);
  });

  it("an unknown _kind points at the object's _kind", () => {
    const e = bad('{"x": [1, {"_kind": "weird"}]}');
    expect(e.message).toContain("weird");
    expect(e.offset).toBe(20);
  });

  it("bad dateTime text and bad tz are parse errors at the value", () => {
    const text =
      '{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"ts"}],"rows":[\n{"ts":{"_kind":"dateTime","val":"2021-13-01T00:00:00Z"}}]}';
    const e = bad(text);
    expect(e.line).toBe(2);
    expect(text.slice(e.offset).startsWith('"2021-13')).toBe(true);
    expect(bad('{"_kind":"dateTime","val":"2021-01-01T00:00:00Z","tz":"Nowhere"}').message).toContain("Nowhere");
    expect(bad('{"_kind":"date","val":"2021-02-30"}').message).toContain("invalid date");
    expect(bad('{"_kind":"ref","val":"has space"}').message).toContain("ref");
    expect(bad('{"_kind":"number","val":"12"}').message).toContain("number");
  });

  it("a grid naming one column twice is refused at the second name, however it is read", () => {
    const cols = '"cols":[{"name":"id"},{"name":"dis"},{"name":"id"}]';
    const text = `{"_kind":"grid","meta":{"ver":"3.0"},${cols},"rows":[{"id":"a","dis":"A"}]}`;
    const e = bad(text);
    expect(e.code).toBe("parse_error");
    expect(e.message).toContain("duplicate column 'id' at $.cols[2].name");
    expect(text.slice(e.offset)).toMatch(/^"id"}\],"rows"/);
    expect(() => readJsonGrid(text)).toThrow(ParseError);
    // Rows before cols and `_kind` last take the JSON.parse + converter path; so does parsed JSON.
    const late = bad(`{"rows":[],"meta":null,${cols},"_kind":"grid"}`);
    expect(late.message).toContain("duplicate column 'id' at $.cols[2].name");
    expect(() => json4ToVal(JSON.parse(text))).toThrow(/duplicate column 'id' at \$\.cols\[2\]\.name/);
    // A grid nested as a cell of another grid.
    const outer = `{"_kind":"grid","meta":{},"cols":[{"name":"g"}],"rows":[{"g":${text}}]}`;
    expect(bad(outer).message).toContain("duplicate column 'id'");
    // Names compare exactly: `a` and `A` are two columns.
    const two = readJsonGrid('{"_kind":"grid","meta":{},"cols":[{"name":"a"},{"name":"A"}],"rows":[{"a":1,"A":2}]}');
    expect(two.rows).toEqual([[1, 2]]);
  });

  it("a row with an unknown column is refused", () => {
    expect(bad('{"_kind":"grid","meta":{},"cols":[{"name":"a"}],"rows":[{"b":1}]}').message).toContain("'b'");
  });

  it("100k nested lists are refused at maxDepth with a LimitError at the deepest allowed level", () => {
    const text = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const e = bad(text);
    expect(e).toBeInstanceOf(LimitError);
    expect(e.offset).toBe(64);
    expect(bad("[[[1]]]", { maxDepth: 2 })).toBeInstanceOf(LimitError);
    expect(readJsonValue("[[1]]", { maxDepth: 2 })).toEqual([[1]]);
    // A caller's huge maxDepth is capped, so the stack is never at risk.
    expect(bad(text, { maxDepth: 1e9 })).toBeInstanceOf(LimitError);
  });

  it("100k unclosed lists are refused at the depth limit; shallow truncation fails at the end", () => {
    const e = bad("[".repeat(100_000));
    expect(e).toBeInstanceOf(LimitError);
    expect(e.offset).toBe(64);
    expect(bad("[".repeat(50)).offset).toBe(50);
  });

  it("row and column limits are LimitErrors", () => {
    const g = writeJsonGrid(
      HGrid.of(
        ["a", "b"],
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      ),
    );
    expect(bad(g, { maxRows: 2 })).toBeInstanceOf(LimitError);
    expect(bad(g, { maxCols: 1 })).toBeInstanceOf(LimitError);
    expect(readJsonGrid(g, { maxRows: 3, maxCols: 2 }).size).toBe(3);
  });

  it("a 10 MB string reads intact; unterminated it is a ParseError at the end", () => {
    const big = "y".repeat(10 * 1024 * 1024);
    expect(readJsonValue(JSON.stringify([big]))).toEqual([big]);
    const e = bad(`["${big}`);
    expect(e.offset).toBe(big.length + 2);
  });

  it("readJsonGrid refuses a non-grid; json4ToVal reports the path", () => {
    expect(() => readJsonGrid("[1]")).toThrow(ParseError);
    expect(() => json4ToVal({ a: [{ _kind: "nope" }] })).toThrow(/\$\.a\[0\]\._kind/);
  });
});

it("writes HDateTime with its own offset and zone, numbers canonically", () => {
  const dt = HDateTime.of(Date.UTC(2024, 6, 1, 12), "New_York");
  expect(writeJsonValue(dt)).toBe('{"_kind":"dateTime","val":"2024-07-01T08:00:00-04:00","tz":"New_York"}');
  expect(writeJsonValue([1.5, num(2, "kW"), Number.POSITIVE_INFINITY])).toBe(
    '[1.5,{"_kind":"number","val":2,"unit":"kW"},{"_kind":"number","val":"INF"}]',
  );
  expect(writeJsonValue('a"b\\\n\u0001\ud800')).toBe(JSON.stringify('a"b\\\n\u0001\ud800'));
});

it("typed objects in compact and spaced, reordered or odd forms read the same", () => {
  const forms: [string, HVal][] = [
    ['{"_kind":"ref","val":"a-1","dis":"A"}', new HRef("a-1", "A")],
    ['{"_kind":"ref","val":"a-1","dis":null}', new HRef("a-1")],
    ['{"_kind":"ref","val":"a-1","dis": "A"}', new HRef("a-1", "A")],
    ['{"_kind":"ref","val":"a-1","dis":"A","x":1}', new HRef("a-1", "A")],
    ['{"val":"a-1","_kind":"ref"}', new HRef("a-1")],
    ['{"_kind":"marker"}', MARKER],
    ['{ "_kind" : "marker" }', MARKER],
    ['{"_kind":"number","val":5}', 5],
    ['{"_kind":"number","val":5,"unit":null}', 5],
    ['{"_kind":"number","unit":"kW","val":5}', num(5, "kW")],
  ];
  for (const [text, v] of forms) {
    expect(equals(readJsonValue(text), v), text).toBe(true);
    expect(equals(readJsonValue(`[${text}]`), [v]), text).toBe(true);
    expect(equals(json4ToVal(JSON.parse(text)), v), text).toBe(true);
  }
  expect(() => readJsonValue('{"_kind":"ref","val":"a b"}')).toThrow(ParseError);
  expect(() => readJsonValue('{"_kind":"ref","val":"a","dis":5}')).toThrow(ParseError);
});
