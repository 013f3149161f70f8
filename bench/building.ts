/**
 * A synthetic building for the filter-read figures, and the baseline they share: haystack-core
 * evaluating the same filter over the same records in process.
 */
import hc from "haystack-core";
import { writeZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { HDict, HGrid, HRef, MARKER } from "../src/haystack/kinds/index.ts";
import { type MeasureOptions, measure } from "./harness.ts";

/** Two `->` hops: point to equip to site. */
export const TWO_HOP_FILTER = "point and temp and equipRef->siteRef->site";

/** `total` records: a hundredth sites, a tenth equips, the rest points (a third of them temps). */
export function syntheticBuilding(total: number): HDict[] {
  const sites = total / 100;
  const equips = total / 10;
  const out: HDict[] = [];
  for (let s = 0; s < sites; s++) out.push(HDict.of({ id: new HRef(`s${s}`), site: MARKER, dis: `Site ${s}` }));
  for (let e = 0; e < equips; e++) {
    out.push(HDict.of({ id: new HRef(`e${e}`), equip: MARKER, siteRef: new HRef(`s${e % sites}`), dis: `Equip ${e}` }));
  }
  for (let p = 0; out.length < total; p++) {
    out.push(
      HDict.of({
        id: new HRef(`p${p}`),
        point: MARKER,
        his: MARKER,
        temp: p % 3 === 0 ? MARKER : undefined,
        equipRef: new HRef(`e${p % equips}`),
        siteRef: new HRef(`s${p % sites}`),
        unit: "°F",
        kind: "Number",
      }),
    );
  }
  return out;
}

/** p50 ms of haystack-core evaluating `filter` over `recs` (refs resolved among them). */
export async function haystackCoreFilterMs(
  recs: readonly HDict[],
  filter: string,
  opts: MeasureOptions,
): Promise<number> {
  const grid = hc.ZincReader.readValue(writeZincGrid(HGrid.fromDicts([...recs]))) as hc.HGrid;
  const dicts = grid.getRows();
  const byId = new Map<string, hc.HDict>();
  for (const d of dicts) {
    const id = d.get<hc.HRef>("id");
    if (id) byId.set(id.value, d);
  }
  const node = hc.HFilter.parse(filter);
  const resolve = (ref: hc.HRef) => byId.get(ref.value);
  return measure(() => {
    let n = 0;
    for (const d of dicts) if (hc.HFilter.eval(node, { dict: d, resolve })) n++;
    return n;
  }, opts);
}
