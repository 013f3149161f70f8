import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HDict, HRef, MARKER } from "../haystack/kinds/index.ts";
import { dictFromJson, dictsFromJson } from "./json-dicts.ts";
import { compareTagNames, inTagOrder } from "./tag-order.ts";

describe("record tag order", () => {
  it("puts id first, dis next, mod last and the rest in code-unit order", () => {
    const names = ["mod", "zone", "dis", "Zed", "id", "a", "é", "aa", "_x", "z2", "ziggurat"];
    expect([...names].sort(compareTagNames)).toEqual([
      "id",
      "dis",
      "Zed",
      "_x",
      "a",
      "aa",
      "z2",
      "ziggurat",
      "zone",
      "é",
      "mod",
    ]);
  });

  it("reorders any dict the same way, keeping every tag", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom("id", "dis", "mod", "a", "b", "B", "zz", "curVal", "éx")), (names) => {
        const d = HDict.of(Object.fromEntries(names.map((n, i) => [n, i])));
        const out = inTagOrder(d);
        expect(out.names()).toEqual([...names].sort(compareTagNames));
        for (const n of names) expect(out.get(n)).toBe(d.get(n));
      }),
    );
  });

  it("orders a record with many tags as it orders a small one", () => {
    const names = Array.from({ length: 100 }, (_, i) => `t${(i * 37) % 100}`).concat("mod", "id");
    const d = HDict.of(Object.fromEntries(names.map((n) => [n, MARKER])));
    expect(inTagOrder(d).names()).toEqual([...names].sort(compareTagNames));
    expect(inTagOrder(d).names()[0]).toBe("id");
  });

  it("hands back a dict already in order as it is", () => {
    const d = HDict.of({ id: new HRef("a"), dis: "A", site: MARKER, mod: 1 });
    expect(inTagOrder(d)).toBe(d);
  });

  it("is applied on decode, so a record stored in another order (JSONB's, shortest key first) comes out in it", () => {
    const jsonb = '{"id": {"_kind": "ref", "val": "a"}, "mod": 1, "dis": "A", "site": {"_kind": "marker"}, "area": 2}';
    expect(dictFromJson(jsonb).names()).toEqual(["id", "dis", "area", "site", "mod"]);
    expect(dictsFromJson(`[${jsonb}]`)[0]?.names()).toEqual(["id", "dis", "area", "site", "mod"]);
  });
});
