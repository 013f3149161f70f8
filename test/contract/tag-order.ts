/** One tag order for records on every backend (src/storage/tag-order.ts). */
import { expect } from "vitest";
import { dictsGrid } from "../../src/api/haystack/ops/args.ts";
import { parseFilter } from "../../src/haystack/filter/index.ts";
import { HDict, HNumber, HRef, type HVal, MARKER } from "../../src/haystack/kinds/index.ts";
import { add, type Case, modOf, one, point, T0 } from "./support.ts";

export const TAG_ORDER_LABEL = "tag order";

/**
 * Tags in an order no rule gives: insertion order puts `za` first, JSONB the short names, and a
 * case-blind order `za` before `zZ`.
 */
function scrambled(id: string, extra: Record<string, HVal> = {}): HDict {
  return HDict.of({
    za: 1,
    zZ: 2,
    siteRef: new HRef("s"),
    b2: "x",
    ...extra,
    area: new HNumber(5, "m²"),
    id: new HRef(id),
    ahu: MARKER,
  });
}

export function tagOrderCases(test: Case): void {
  test("records come out id first, dis next, the rest in code-unit order, mod last", async (s) => {
    const order = ["id", "dis", "ahu", "area", "b2", "siteRef", "zZ", "za", "mod"];
    const [added] = await add(s, [scrambled("a", { dis: "A" })]);
    expect(added?.names()).toEqual(order);
    expect((await one(s, "a"))?.names()).toEqual(order);
    const read = await s.entities.read(parseFilter("ahu"), { limit: 10 });
    expect(read.rows.map((r) => r.names())).toEqual([order]);
    const [updated] = await s.entities.commit({
      op: "update",
      rows: [HDict.of({ id: new HRef("a"), mod: modOf(added), aaa: MARKER })],
      nowMs: T0 + 1,
    });
    const withAaa = ["id", "dis", "aaa", "ahu", "area", "b2", "siteRef", "zZ", "za", "mod"];
    expect(updated?.names()).toEqual(withAaa);
    expect((await one(s, "a"))?.names()).toEqual(withAaa);
  });

  test("live tags take their place in the order too", async (s) => {
    await add(s, [point("p", { dis: "P" })]);
    await s.history.write([{ id: "p", items: [{ ts: T0, val: 1 }] }]);
    await s.points.write("p", { level: 8, val: 2, who: "op", nowMs: T0 });
    expect((await one(s, "p"))?.names()).toEqual([
      "id",
      "dis",
      "curStatus",
      "curVal",
      "his",
      "kind",
      "point",
      "tz",
      "unit",
      "writable",
      "writeLevel",
      "writeVal",
      "mod",
    ]);
  });

  test("a read's grid has the same columns on every backend", async (s) => {
    await add(s, [scrambled("b"), scrambled("a", { dis: "A" }), scrambled("c", { navName: "c" })]);
    const r = await s.entities.read(parseFilter("ahu"), { limit: 10 });
    const cols = dictsGrid(r.rows).cols.map((c) => c.name);
    expect(cols).toEqual(["id", "dis", "ahu", "area", "b2", "siteRef", "zZ", "za", "mod", "navName"]);
  });
}
