/** The records a read sends along for Ref display names (src/storage/rules/ref-names.ts). */
import { expect } from "vitest";
import { parseFilter } from "../../src/haystack/filter/index.ts";
import { type HDict, HRef, MARKER } from "../../src/haystack/kinds/index.ts";
import { add, type Case, ids, point, rec } from "./support.ts";

export const REF_NAMES_LABEL = "Ref names";

/** [id, dis] of each record, by id. */
function named(recs: readonly HDict[] | undefined): [string | undefined, unknown][] {
  return (recs ?? []).map((d) => [ids([d])[0], d.get("dis")] as [string | undefined, unknown]).sort();
}

export function refNamesCases(test: Case): void {
  test("a read's refs are the records its rows' bare Refs name, outside the rows, with their dis", async (s) => {
    await add(s, [
      rec("s1", { site: MARKER, dis: "Site 1" }),
      rec("s2", { site: MARKER }),
      rec("s3", { site: MARKER, dis: "Site 3" }),
      rec("e1", { equip: MARKER, dis: "AHU", siteRef: new HRef("s1") }),
      // A Ref that carries its own dis needs no name: s3 is named by nothing else.
      rec("e2", { equip: MARKER, siteRef: new HRef("s3", "given") }),
      point("p1", { equipRef: new HRef("e1"), siteRef: new HRef("s2") }),
      point("p2", { equipRef: new HRef("nowhere"), siteRef: new HRef("s1") }),
    ]);
    const r = await s.entities.read(parseFilter("point or equip"), { limit: 100 });
    expect(ids(r.rows)).toEqual(["e1", "e2", "p1", "p2"]);
    // e1 is a row itself; @nowhere names no record.
    expect(named(r.refs)).toEqual([
      ["s1", "Site 1"],
      ["s2", undefined],
    ]);
    const sites = await s.entities.read(parseFilter("site"), { limit: 100 });
    expect(named(sites.refs)).toEqual([]);
  });
}
