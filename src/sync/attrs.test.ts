import { describe, expect, it } from "vitest";
import type { KeyDecl } from "../series/model.ts";
import { attrsJson, attrsToKey, parseKeyFilters, parseKeyValue } from "./attrs.ts";

const KEYS: KeyDecl[] = [
  { name: "kind", type: "str" },
  { name: "version", type: "int" },
];
const ALL: KeyDecl[] = [
  { name: "n", type: "int" },
  { name: "s", type: "str" },
  { name: "b", type: "bool" },
  { name: "d", type: "date" },
];

describe("attrsToKey", () => {
  it("gives the canonical key text whatever the members' order", () => {
    expect(attrsToKey({ version: 1, kind: "load" }, KEYS)).toBe('["load",1]');
    expect(attrsToKey({ kind: "load", version: 1 }, KEYS)).toBe('["load",1]');
    expect(attrsToKey({ n: -3, s: "", b: false, d: "2024-02-29" }, ALL)).toBe('[-3,"",false,"2024-02-29"]');
    expect(attrsToKey({ kind: "x", version: 2, chunk_index: 5 }, KEYS, ["chunk_index"])).toBe('["x",2]');
  });

  it.each([
    [null, "attrs must be an object"],
    [[1], "attrs must be an object"],
    [{ kind: "load" }, "lacks key version"],
    [{ kind: "load", version: 1, site: 3 }, "not a key"],
    [{ kind: "load", version: "1" }, "not a int"],
    [{ kind: "load", version: 1.5 }, "not a int"],
    [{ kind: "load", version: 2 ** 60 }, "not a int"],
    [{ kind: 1, version: 1 }, "not a str"],
    [{ kind: "load", version: 1, chunk_index: 3 }, "not a key"],
  ])("refuses %j", (attrs, why) => {
    expect(() => attrsToKey(attrs, KEYS)).toThrow(
      expect.objectContaining({ code: "invalid", message: expect.stringContaining(why) }),
    );
  });

  it("checks bools and dates", () => {
    expect(() => attrsToKey({ n: 1, s: "", b: 1, d: "2024-01-01" }, ALL)).toThrow(/not a bool/);
    expect(() => attrsToKey({ n: 1, s: "", b: true, d: "2023-02-29" }, ALL)).toThrow(/not a date/);
  });
});

describe("attrsJson", () => {
  it("writes members in declaration order, then extras", () => {
    expect(attrsJson('["load",1]', KEYS)).toBe('{"kind":"load","version":1}');
    expect(attrsJson('["load",1]', KEYS, [["chunk_index", 24302]])).toBe(
      '{"kind":"load","version":1,"chunk_index":24302}',
    );
    expect(attrsJson('[7,"a\\"b",true,"2024-01-31"]', ALL)).toBe('{"n":7,"s":"a\\"b","b":true,"d":"2024-01-31"}');
  });

  it("refuses a key of another arity", () => {
    expect(() => attrsJson('["load"]', KEYS)).toThrow(/does not fit/);
  });
});

describe("key filters", () => {
  it("types values by the declarations and skips reserved names", () => {
    const params = new URLSearchParams("since=x&version=2&kind=load&limit=3");
    expect(parseKeyFilters(params, KEYS, ["since", "limit"])).toEqual([
      { pos: 1, value: 2 },
      { pos: 0, value: "load" },
    ]);
    expect(parseKeyValue(ALL[2] as KeyDecl, "True")).toBe(true);
    expect(parseKeyValue(ALL[2] as KeyDecl, "0")).toBe(false);
    expect(parseKeyValue(ALL[3] as KeyDecl, "2024-01-31")).toBe("2024-01-31");
  });

  it("refuses unknown names, repeats and ill-typed values", () => {
    expect(() => parseKeyFilters(new URLSearchParams("site=1"), KEYS, [])).toThrow(/unknown parameter/);
    expect(() => parseKeyFilters(new URLSearchParams("kind=a&kind=b"), KEYS, [])).toThrow(/twice/);
    expect(() => parseKeyFilters(new URLSearchParams("version=one"), KEYS, [])).toThrow(/not an int/);
    expect(() => parseKeyValue(ALL[2] as KeyDecl, "yes")).toThrow(/not a bool/);
    expect(() => parseKeyValue(ALL[3] as KeyDecl, "2024-1-1")).toThrow(/not a YYYY-MM-DD/);
    expect(() => parseKeyValue(ALL[0] as KeyDecl, "99999999999999999")).toThrow(/not an int/);
  });
});
