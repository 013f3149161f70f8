/**
 * A synthetic building for the filter-read figures, and the comparison they share: our `read`
 * against haystack-core answering the same request in the same local Worker.
 */
import { writeZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { matches, parseFilter, recordContext } from "../src/haystack/filter/index.ts";
import { HDict, HGrid, HRef, MARKER } from "../src/haystack/kinds/index.ts";
import { type Figure, type MeasureOptions, measure, settleSockets } from "./harness.ts";
import { countLines, drain, expect, expectEqual, expectSameIds, okText, zincIds } from "./verify.ts";

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

/** The filter-read baseline's name: haystack-core answering `read` in the same Worker (worker/hc-read.ts). */
export const HC_OVER_HTTP = "haystack-core over HTTP";

/** Gives the bench Worker `recs` as haystack-core dicts, held as `set`; outside any clock. */
export async function holdRecords(base: string, set: string, recs: readonly HDict[]): Promise<void> {
  const url = `${base}/bench/hc/load?set=${encodeURIComponent(set)}`;
  const body = writeZincGrid(HGrid.fromDicts([...recs]));
  await settleSockets();
  const res = await fetch(url, { method: "POST", body });
  const { rows } = JSON.parse(await okText(url, res)) as { rows: number };
  expectEqual(`${set}: records held by the baseline`, rows, recs.length);
}

/**
 * Our `read` by `filter` against haystack-core's, both over HTTP to the same local Worker, both
 * without auth (the auth figures price that): the same request shape, a Zinc answer of the same
 * rows, encoded and transferred on both sides. Both answers are checked in full against our
 * evaluator run in process before the clock runs (the same ids), and every timed answer's row
 * count after.
 */
export async function filterReadFigure(
  name: string,
  base: string,
  project: string,
  recs: readonly HDict[],
  filter: string,
  opts: MeasureOptions,
): Promise<Figure> {
  const q = encodeURIComponent(filter);
  const oursUrl = `${base}/bench/open/api/${project}/read?filter=${q}`;
  const theirsUrl = `${base}/bench/hc/read?set=${encodeURIComponent(project)}&filter=${q}`;
  const f = parseFilter(filter);
  const cx = recordContext(recs);
  const want = recs.filter((d) => matches(f, d, cx)).map((d) => (d.get("id") as HRef).id);
  expect(want.length > 0, `${name}: ${filter} matches nothing`);
  await settleSockets();
  const oursText = await okText(oursUrl, await fetch(oursUrl));
  const theirsText = await okText(theirsUrl, await fetch(theirsUrl));
  expectSameIds(`${name} (ours)`, zincIds(name, oursText), want);
  expectSameIds(`${name} (${HC_OVER_HTTP})`, zincIds(name, theirsText), want);
  const timed = (side: string, url: string, text: string) => {
    const lines = countLines(Buffer.from(text));
    return async () => expectEqual(`${name} (${side}): lines`, (await drain(url, await fetch(url))).lines, lines);
  };
  const ours = await measure(timed("ours", oursUrl, oursText), opts);
  const theirs = await measure(timed(HC_OVER_HTTP, theirsUrl, theirsText), opts);
  return {
    name,
    value: ours,
    unit: "ms p50",
    baseline: HC_OVER_HTTP,
    baselineValue: theirs,
    higherIsBetter: false,
  };
}
