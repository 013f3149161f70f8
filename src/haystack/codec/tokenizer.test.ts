import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParseError } from "../errors.ts";
import { HDate, HDateTime, HNumber, HRef, HSymbol, HTime, HUri, type HVal } from "../kinds/index.ts";
import { Tok, Tokenizer, tokName } from "./tokenizer.ts";

function tokens(text: string, newlines = true): [string, HVal][] {
  const t = new Tokenizer(text, { newlines });
  const out: [string, HVal][] = [];
  while (t.next() !== Tok.Eof) out.push([tokName(t.tok), t.val]);
  return out;
}

/** The single literal token of `text`. */
function lit(text: string): HVal {
  const t = new Tokenizer(text);
  t.next();
  expect(t.isLiteral() || t.is(Tok.Id)).toBe(true);
  const v = t.val;
  expect(t.next()).toBe(Tok.Eof);
  return v;
}

function errorOf(f: () => unknown): ParseError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return e as ParseError;
  }
  throw new Error("expected a ParseError");
}

describe("Tokenizer", () => {
  it("splits punctuation, identifiers and newlines", () => {
    expect(tokens("a,b:c::D;-x->y == != < <= > >= << >> ( ) [ ] { } . => = ! ? & | /").map((t) => t[0])).toEqual([
      "identifier",
      "','",
      "identifier",
      "':'",
      "identifier",
      "'::'",
      "identifier",
      "';'",
      "'-'",
      "identifier",
      "'->'",
      "identifier",
      "'=='",
      "'!='",
      "'<'",
      "'<='",
      "'>'",
      "'>='",
      "'<<'",
      "'>>'",
      "'('",
      "')'",
      "'['",
      "']'",
      "'{'",
      "'}'",
      "'.'",
      "'=>'",
      "'='",
      "'!'",
      "'?'",
      "'&'",
      "'|'",
      "'/'",
    ]);
    expect(tokens("a\nb\r\nc\rd")).toEqual([
      ["identifier", "a"],
      ["newline", null],
      ["identifier", "b"],
      ["newline", null],
      ["identifier", "c"],
      ["newline", null],
      ["identifier", "d"],
    ]);
    expect(tokens("a\nb", false)).toEqual([
      ["identifier", "a"],
      ["identifier", "b"],
    ]);
    expect(tokens("_a __9 a_B9")).toEqual([
      ["identifier", "_a"],
      ["identifier", "__9"],
      ["identifier", "a_B9"],
    ]);
  });

  it("skips comments, nested block comments and non-breaking spaces", () => {
    expect(tokens("a // b c\nd /* x /* y */ z */ e\u00a0f")).toEqual([
      ["identifier", "a"],
      ["newline", null],
      ["identifier", "d"],
      ["identifier", "e"],
      ["identifier", "f"],
    ]);
    expect(errorOf(() => tokens("a /* open")).column).toBe(3);
  });

  it("reads numbers: separators, hex, exponents, units", () => {
    expect(lit("1_234")).toBe(1234);
    expect(lit("-1_234.5_6")).toBe(-1234.56);
    expect(lit("0xabcd_0123")).toBe(0xabcd0123);
    expect(lit("-0xff")).toBe(-255);
    expect(lit("1.6e+4")).toBe(16000);
    expect(lit("123e-10")).toBe(1.23e-8);
    expect(lit("5.4e-45")).toBe(5.4e-45);
    expect(lit("1.7976931348623157e308")).toBe(Number.MAX_VALUE);
    expect(lit("0.1234567890123456789")).toBe(Number("0.1234567890123456789"));
    expect(lit("123_foo")).toEqual(new HNumber(123, "_foo"));
    expect(lit("1_234_foo")).toEqual(new HNumber(1234, "_foo"));
    expect(lit("-2.5min")).toEqual(new HNumber(-2.5, "min"));
    expect(lit("5kWh/ft²")).toEqual(new HNumber(5, "kWh/ft²"));
    expect(lit("74Δ°F")).toEqual(new HNumber(74, "Δ°F"));
    expect(lit("45$")).toEqual(new HNumber(45, "$"));
    expect(lit("5em")).toEqual(new HNumber(5, "em"));
    expect(errorOf(() => lit("5e+x")).offset).toBe(0);
    expect(errorOf(() => lit("0x")).offset).toBe(0);
  });

  it("reads every double exactly (fast path and fallback agree with Number)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const v = lit(String(d));
        expect(Object.is(v, d) || (v === 0 && d === 0)).toBe(true);
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 9999 }), (a, b) => {
        const s = `${a}.${String(b).padStart(4, "0")}`;
        expect(lit(s)).toBe(Number(s));
      }),
    );
  });

  it("reads dates, times and dateTimes", () => {
    expect(lit("2024-02-29")).toEqual(new HDate(2024, 2, 29));
    expect(lit("8:30")).toEqual(new HTime(8, 30));
    expect(lit("1:02:03")).toEqual(new HTime(1, 2, 3));
    expect(lit("12:00:12.3456")).toEqual(new HTime(12, 0, 12, 345));
    const dt = lit("2010-11-28T12:22:27.5-03:00 GMT+3") as HDateTime;
    expect(dt).toEqual(new HDateTime(Date.UTC(2010, 10, 28, 15, 22, 27, 500), "GMT+3", -3 * 3600));
    expect((lit("2020-01-01T00:00:00-05:00 Port-au-Prince") as HDateTime).tz).toBe("Port-au-Prince");
    expect(lit("2009-11-09T15:39:00Z")).toEqual(new HDateTime(Date.UTC(2009, 10, 9, 15, 39), "UTC", 0));
    expect((lit("2010-12-18T14:11:30.925Z London") as HDateTime).tz).toBe("London");
    expect(errorOf(() => lit("2023-02-29")).offset).toBe(0);
    expect(errorOf(() => lit("25:00")).offset).toBe(0);
    expect(errorOf(() => lit("2010-11-28T12:22:27-03:00")).offset).toBe(25);
  });

  it("checks every part of a dateTime, also when the date repeats (cached day number)", () => {
    const row = (s: string) => tokens(s).filter((t) => t[0] !== "','");
    expect(row("2024-01-01T00:15:00-05:00 New_York,2024-01-01T00:30:00.1239-05:00 New_York")).toEqual([
      ["DateTime", new HDateTime(Date.UTC(2024, 0, 1, 5, 15), "New_York", -18000)],
      ["DateTime", new HDateTime(Date.UTC(2024, 0, 1, 5, 30, 0, 123), "New_York", -18000)],
    ]);
    expect(Object.is((lit("2024-01-01T00:00:00-00:00 UTC") as HDateTime).offset, -0)).toBe(true);
    for (const bad of [
      "T24:00:00Z",
      "T12:60:00Z",
      "T12:00:60Z",
      "T12-00:00Z",
      "T12:00:00.Z",
      "T12:00:00+19:00 X",
      "T12:00:00-05:60 X",
      "T12:00:00-0500 X",
      "T12:00:00",
    ]) {
      const e = errorOf(() => tokens(`2024-01-01T00:00:00Z,2024-01-01${bad}`));
      expect(e.offset).toBe(21);
      expect(e.message).toMatch(/^Invalid DateTime literal/);
    }
    expect(errorOf(() => tokens("2024-01-31T00:00:00Z,2024-01-32T00:00:00Z")).message).toMatch(/Invalid Date literal/);
    expect(errorOf(() => tokens("2024-01-01T00:00:00Z,2024-01/01T00:00:00Z")).offset).toBe(21);
  });

  it("lets a lower-case word after a UTC dateTime stay a separate token", () => {
    expect(tokens("2009-02-03T04:05:06Z foo").map((t) => t[0])).toEqual(["DateTime", "identifier"]);
  });

  it("reads strings with every escape", () => {
    expect(lit('"a\\b\\f\\n\\r\\t\\"\\\\\\$\\\'\\`"')).toBe("a\b\f\n\r\t\"\\$'`");
    expect(lit('"\\u00e9\\u{1F600}"')).toBe("é\u{1F600}");
    expect(lit('"""a "quoted" b"""')).toBe('a "quoted" b');
    expect(lit('""')).toBe("");
    expect(errorOf(() => lit('"a\\x"')).offset).toBe(2);
    expect(errorOf(() => lit('"\\u{}"')).offset).toBe(1);
    expect(errorOf(() => lit('"\\u{1100000}"')).offset).toBe(1);
  });

  it("reads uris, refs and symbols", () => {
    expect(lit("`a\\#b\\`c\\n\\\\`")).toEqual(new HUri("a\\#b`c\n\\\\"));
    expect(lit("@p:demo:r:1-2.x~y")).toEqual(new HRef("p:demo:r:1-2.x~y"));
    expect(lit("^lib:ph-x.y")).toEqual(new HSymbol("lib:ph-x.y"));
    expect(errorOf(() => lit("@ ")).message).toMatch(/empty Ref/);
    expect(errorOf(() => lit("^")).message).toMatch(/empty Symbol/);
    expect(errorOf(() => lit("`a\nb`")).offset).toBe(0);
  });

  it("scans a [start, end) window with offsets into the whole text", () => {
    const text = "xx 12kW 7 yy";
    const t = new Tokenizer(text, { start: 3, end: 9 });
    expect(t.next()).toBe(Tok.Num);
    expect(t.val).toEqual(new HNumber(12, "kW"));
    expect([t.start, t.end]).toEqual([3, 7]);
    expect(t.next()).toBe(Tok.Num);
    expect(t.next()).toBe(Tok.Eof);
  });

  it("reports line and column of the failing token", () => {
    const e = errorOf(() => tokens("a\n  b ~"));
    expect([e.line, e.column, e.offset]).toEqual([2, 5, 6]);
    const t = new Tokenizer("x\nfoo");
    t.next();
    t.next();
    t.next();
    expect(t.error("bad").message).toBe("bad [line 2, column 1]");
    expect(t.describe()).toBe('identifier "foo"');
  });

  it("interns units and zones across tokens", () => {
    const t = new Tokenizer("1kW 2MW 3kW 2020-01-01T00:00:00-05:00 New_York 2020-01-01T00:00:00-05:00 New_York");
    const vals: HVal[] = [];
    while (t.next() !== Tok.Eof) vals.push(t.val);
    expect(Object.is((vals[0] as HNumber).unit, (vals[2] as HNumber).unit)).toBe(true);
    expect((vals[3] as HDateTime).tz).toBe("New_York");
  });

  it("rawUntil reads verbatim to the closing char", () => {
    const t = new Tokenizer("Bin(text/html; a=b) x");
    t.next();
    t.next();
    expect(t.rawUntil(41)).toBe("text/html; a=b");
    expect(t.isId("x")).toBe(true);
    const u = new Tokenizer("(abc\n)");
    u.next();
    expect(() => u.rawUntil(41)).toThrow(ParseError);
  });

  it("never throws anything but ParseError on random input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        try {
          tokens(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ParseError);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
