import { describe, expect, it } from "vitest";
import { HDict, HRef } from "../../haystack/kinds/index.ts";
import { namedRef, refIdsToName, withRefNames } from "./ref-names.ts";

const row = (id: string, tags: Record<string, HRef>) => HDict.of({ id: new HRef(id), ...tags });

describe("Ref names", () => {
  it("picks each bare Ref's id once, in first-seen order, skipping rows, known ids and Refs with a dis", () => {
    const rows = [
      row("p1", { equipRef: new HRef("e1"), siteRef: new HRef("s1") }),
      undefined,
      row("p2", { equipRef: new HRef("e1"), otherRef: new HRef("p1"), given: new HRef("g", "G") }),
      row("p3", { siteRef: new HRef("s2"), spaceRef: new HRef("k") }),
    ];
    expect(refIdsToName(rows)).toEqual(["e1", "s1", "s2", "k"]);
    expect(refIdsToName(rows, (id) => id === "s1")).toEqual(["e1", "s2", "k"]);
    expect(refIdsToName(rows, undefined, 2)).toEqual(["e1", "s1"]);
  });

  it("names bare Refs with one shared Ref per id and leaves others as they are", () => {
    const named = new Map([["e1", namedRef(HDict.of({ id: new HRef("e1"), dis: "AHU" }))]]);
    const a = withRefNames(row("p1", { equipRef: new HRef("e1"), siteRef: new HRef("s1") }), named);
    const b = withRefNames(row("p2", { equipRef: new HRef("e1") }), named);
    expect(a.get("equipRef")).toEqual(new HRef("e1", "AHU"));
    expect(a.get("equipRef")).toBe(b.get("equipRef"));
    expect(a.get("siteRef")).toEqual(new HRef("s1"));
    const untouched = row("p3", { siteRef: new HRef("s1") });
    expect(withRefNames(untouched, named)).toBe(untouched);
    expect(namedRef(HDict.of({ id: new HRef("x") }))).toBeUndefined();
  });
});
