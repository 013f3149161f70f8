/** read (by filter or by ids) and nav (site -> equip -> point). */
import { type Filter, parseFilter } from "../../../haystack/filter/index.ts";
import { HDict, type HGrid, HRef, isRef } from "../../../haystack/kinds/index.ts";
import { badArg, dictsGrid, optStr, refId, requestFilter, rowIds } from "./args.ts";
import { withRefDis } from "./refs.ts";
import type { Op, OpContext } from "./types.ts";

function incomplete(limit: number): HDict {
  return HDict.of({ incomplete: HDict.of({ dis: `Result cut at ${limit} records`, limit }) });
}

async function readFilter(cx: OpContext, filter: Filter, requested: number | undefined): Promise<HGrid> {
  const cap = cx.config.maxReadRows;
  const limit = requested === undefined ? cap : Math.min(requested, cap);
  const r = await cx.store.entities.read(filter, { limit });
  return dictsGrid(await withRefDis(cx, r.rows, r.refs), r.incomplete ? incomplete(limit) : HDict.EMPTY);
}

export const read: Op = {
  name: "read",
  summary: "Read entity records in database",
  noSideEffects: true,
  minRole: "viewer",
  async run(req, cx) {
    if (req.has("id") && !req.has("filter")) {
      const ids = rowIds(req);
      return dictsGrid(await withRefDis(cx, await cx.store.entities.readByIds(ids)));
    }
    if (req.rows.length === 0) throw badArg("read needs a filter or id rows");
    const row = req.rowDict(0);
    const text = optStr(row.get("filter"), "filter");
    if (text === undefined) throw badArg("read needs a filter or id rows");
    const limit = row.get("limit");
    if (limit !== undefined && (typeof limit !== "number" || !(limit >= 0))) {
      throw badArg("limit must be a non-negative Number");
    }
    return readFilter(cx, requestFilter(text, cx), limit === undefined ? undefined : Math.floor(limit));
  },
};

/**
 * nav: without `navId` the sites; under a site its equips; under an equip its points. Rows of
 * sites and equips carry `navId` (their id) so a client can descend; points are leaves.
 */
export const nav: Op = {
  name: "nav",
  summary: "Navigate a project for learning and discovery",
  noSideEffects: true,
  minRole: "viewer",
  async run(req, cx) {
    const navId = req.rows.length > 0 ? req.rowDict(0).get("navId") : undefined;
    if (navId === undefined || navId === null || navId === "") return navRows(cx, parseFilter("site"), true);
    const id = isRef(navId) ? navId.id : typeof navId === "string" ? navId.replace(/^@/, "") : refId(navId, "navId");
    const [parent] = await cx.store.entities.readByIds([id]);
    if (!parent) throw badArg(`Unknown navId @${id}`);
    const ref = new HRef(id).toString();
    if (parent.has("site")) return navRows(cx, parseFilter(`equip and siteRef==${ref}`), true);
    if (parent.has("equip")) return navRows(cx, parseFilter(`point and equipRef==${ref}`), false);
    return dictsGrid([]);
  },
};

async function navRows(cx: OpContext, filter: Filter, branch: boolean): Promise<HGrid> {
  const cap = cx.config.maxReadRows;
  const r = await cx.store.entities.read(filter, { limit: cap });
  // Every nav grid has a navId column; leaves (points) leave it null.
  const rows = (await withRefDis(cx, r.rows, r.refs)).map((d) => d?.with("navId", branch ? d.get("id") : undefined));
  return dictsGrid(rows, r.incomplete ? incomplete(cap) : HDict.EMPTY, ["navId"]);
}
