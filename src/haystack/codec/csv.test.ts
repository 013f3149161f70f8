import { describe, expect, it } from "vitest";
import {
  col,
  HCoord,
  HDate,
  HDateTime,
  HDict,
  HGrid,
  HRef,
  HSymbol,
  HTime,
  HUri,
  HXStr,
  MARKER,
  NA,
  num,
  REMOVE,
} from "../kinds/index.ts";
import { CSV_WRITER, csvEncoder, csvField, writeCsvGrid } from "./csv.ts";

describe("CSV writer", () => {
  it("writes the Csv.fandoc example (dis headers, ✓, refs with dis, dates)", () => {
    const ref = new HRef("153c600e-699a1886", "HQ");
    const g = new HGrid(
      HDict.of({ projName: "test" }),
      [col("dis", HDict.of({ dis: "Equip Name" })), col("equip"), col("siteRef"), col("installed")],
      [
        ["RTU-1", MARKER, ref, new HDate(2005, 6, 1)],
        ["RTU-2", MARKER, ref, new HDate(1999, 7, 12)],
      ],
    );
    expect(writeCsvGrid(g, { newline: "\n" })).toBe(
      "Equip Name,equip,siteRef,installed\n" +
        "RTU-1,\u2713,@153c600e-699a1886 HQ,2005-06-01\n" +
        "RTU-2,\u2713,@153c600e-699a1886 HQ,1999-07-12\n",
    );
  });

  it("uses CRLF by default (RFC 4180) and can drop the header", () => {
    const g = HGrid.of(["a"], [[1], [2]]);
    expect(writeCsvGrid(g)).toBe("a\r\n1\r\n2\r\n");
    expect(writeCsvGrid(g, { header: false, newline: "\n" })).toBe("1\n2\n");
  });

  it("renders every other kind with its Zinc encoding, Str and Uri raw", () => {
    const dt = new HDateTime(Date.UTC(2024, 0, 1, 5), "New_York", -5 * 3600);
    const row = [
      num(72.5, "°F"),
      Number.NEGATIVE_INFINITY,
      num(Number.NaN, "kW"),
      true,
      dt,
      new HTime(8, 30),
      new HUri("http://x/a b"),
      new HSymbol("hot-water"),
      new HCoord(37.5, -77.25),
      new HXStr("Span", "today"),
      NA,
      REMOVE,
      new HRef("a"),
      [1, "x"],
      HDict.of({ a: MARKER }),
    ];
    const g = HGrid.of(
      row.map((_, i) => `c${i}`),
      [row],
    );
    const line = writeCsvGrid(g, { newline: "\n" }).split("\n")[1];
    expect(line).toBe(
      "72.5°F,-INF,NaN,true,2024-01-01T00:00:00-05:00 New_York,08:30:00,http://x/a b,^hot-water," +
        '"C(37.5,-77.25)","Span(""today"")",NA,R,@a,"[1,""x""]",{a}',
    );
  });

  it("quotes per RFC 4180 and tells null from the empty Str", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\r")).toBe('"cr\r"');
    expect(csvField(" padded")).toBe('" padded"');
    const g = HGrid.of(["a", "b", "c"], [[null, "", "x"]]);
    expect(writeCsvGrid(g, { newline: "\n" })).toBe('a,b,c\n,"",x\n');
  });

  it("encoder pieces concatenate to the whole text", () => {
    const g = HGrid.of(
      ["ts", "v"],
      [
        [new HDate(2024, 1, 1), num(1, "kW")],
        [null, num(2, "kW")],
      ],
    );
    const enc = csvEncoder();
    let s = enc.begin(g.meta, g.cols);
    for (const r of g.rows) s += enc.row(r);
    expect(s + enc.end()).toBe(writeCsvGrid(g));
    expect(CSV_WRITER.writeGrid(g)).toBe(writeCsvGrid(g));
  });
});
