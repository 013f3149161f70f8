/**
 * Haystack core against haystack-core on the same data in the same run (issue #2 target: >= 5x on
 * every figure). Both sides do the same work: decoders materialise every cell (haystack-core
 * decodes lazily, so its cells are touched recursively before the clock stops), encoders produce
 * the full text, and the filter is parsed once outside the timed loop on both sides. Both sides'
 * answers are checked: in full against the source grid before the clock runs, then every timed
 * run's cell count, text length or match count against the checked answer.
 */
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import hc from "haystack-core";
import { readJsonGrid, valToJson4, writeJsonGrid } from "../src/haystack/codec/json/index.ts";
import { readZincGrid, writeZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { compileFilter, type FilterContext, parseFilter } from "../src/haystack/filter/index.ts";
import { equals, type HDict, type HGrid, type HRef, type HVal } from "../src/haystack/kinds/index.ts";
import { hisGrid } from "../test/support/histgrid.ts";
import { bench, type Figure, measure } from "./harness.ts";
import { expect, expectEqual, expectSameIds, withoutRefDis } from "./verify.ts";

const BASELINE = "haystack-core";
const alphaZinc = readFileSync(
  new URL("../test/fixtures/haystack/buildings/Alpha/alpha.zinc", import.meta.url),
  "utf8",
);

type HcVal = ReturnType<typeof hc.makeValue>;

/** Walks a haystack-core value so every lazily decoded cell is materialised. */
function touchTheirs(v: HcVal | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (hc.valueIsKind<hc.HDict>(v, hc.Kind.Dict)) {
    let n = 0;
    for (const key of v.keys) n += touchTheirs(v.get(key));
    return n + 1;
  }
  if (hc.valueIsKind<hc.HList>(v, hc.Kind.List)) {
    let n = 0;
    for (const item of v) n += touchTheirs(item);
    return n + 1;
  }
  if (hc.valueIsKind<hc.HGrid>(v, hc.Kind.Grid)) {
    let n = touchTheirs(v.meta);
    for (const row of v) n += touchTheirs(row);
    return n;
  }
  return 1;
}

/** Our decoders are eager; the walk keeps the two sides' work identical anyway. */
function touchOurs(v: HVal | undefined): number {
  if (v === null || v === undefined) return 0;
  if (Array.isArray(v)) {
    let n = 1;
    for (const item of v) n += touchOurs(item);
    return n;
  }
  if (typeof v !== "object") return 1;
  const k = (v as { kind: string }).kind;
  if (k === "dict") {
    let n = 1;
    for (const [, x] of (v as HDict).entries()) n += touchOurs(x);
    return n;
  }
  if (k === "grid") {
    const g = v as HGrid;
    let n = touchOurs(g.meta);
    for (const row of g.rows) for (const cell of row) n += touchOurs(cell);
    return n;
  }
  return 1;
}

interface Case {
  readonly label: string;
  readonly rows: number;
  readonly grid: HGrid;
}

function rowsPerSec(name: string, rows: number, ours: number, theirs: number): Figure {
  return {
    name,
    value: rows / (ours / 1000),
    unit: "rows/s",
    baseline: BASELINE,
    baselineValue: rows / (theirs / 1000),
    higherIsBetter: true,
  };
}

/** haystack-core's grid as ours, through its JSON (which keeps Ref display names), to compare answers. */
function fromTheirs(g: hc.HGrid): HGrid {
  return readJsonGrid(JSON.stringify(g.toJSON()));
}

/** Throws unless `got` is `want`; haystack-core's Zinc writer drops Ref names, so `refDis` can be waived. */
function expectGrid(what: string, got: HGrid, want: HGrid, refDis = true): void {
  expectEqual(`${what}: rows`, got.rows.length, want.rows.length);
  const same = refDis ? equals(got, want) : equals(withoutRefDis(got), withoutRefDis(want));
  expect(same, `${what}: grid differs from the one encoded`);
}

/**
 * Every answer is checked in full once before the clock runs, then every timed run's cell count
 * or text length against the checked one, on both sides.
 */
function codecFigures(c: Case): () => Promise<Figure[]> {
  return async () => {
    const zinc = writeZincGrid(c.grid);
    const json = writeJsonGrid(c.grid);
    const theirGrid = hc.ZincReader.readValue(zinc) as hc.HGrid;
    const theirJsonGrid = hc.HGrid.make(JSON.parse(json));
    const theirZinc = theirGrid.toZinc();
    const theirJson = JSON.stringify(theirGrid.toJSON());
    const name = (op: string) => `${op}-${c.label}`;
    expectGrid(name("zinc-decode"), readZincGrid(zinc), c.grid);
    expectGrid(`${name("zinc-decode")} (${BASELINE})`, fromTheirs(theirGrid), c.grid);
    expectGrid(`${name("zinc-encode")} (${BASELINE})`, readZincGrid(theirZinc), c.grid, false);
    expectGrid(name("json-decode"), readJsonGrid(json), c.grid);
    expectGrid(`${name("json-decode")} (${BASELINE})`, fromTheirs(theirJsonGrid), c.grid);
    expectGrid(`${name("json-encode")} (${BASELINE})`, readJsonGrid(theirJson), c.grid);
    const ourCells = touchOurs(c.grid);
    const theirCells = touchTheirs(theirGrid);
    const same = (what: string, want: number) => (got: number) => expectEqual(what, got, want);
    const ours = {
      cells: same("decoded cells (ours)", ourCells),
      zinc: same("zinc length (ours)", zinc.length),
      json: same("json length (ours)", json.length),
    };
    const theirs = {
      cells: same(`decoded cells (${BASELINE})`, theirCells),
      jsonCells: same(`decoded cells (${BASELINE})`, touchTheirs(theirJsonGrid)),
      zinc: same(`zinc length (${BASELINE})`, theirZinc.length),
      json: same(`json length (${BASELINE})`, theirJson.length),
    };
    const opts = { minMs: 1500, minRuns: 5 };
    return [
      rowsPerSec(
        name("zinc-decode"),
        c.rows,
        await measure(() => ours.cells(touchOurs(readZincGrid(zinc))), opts),
        await measure(() => theirs.cells(touchTheirs(hc.ZincReader.readValue(zinc))), opts),
      ),
      rowsPerSec(
        name("zinc-encode"),
        c.rows,
        await measure(() => ours.zinc(writeZincGrid(c.grid).length), opts),
        await measure(() => theirs.zinc(theirGrid.toZinc().length), opts),
      ),
      rowsPerSec(
        name("json-decode"),
        c.rows,
        await measure(() => ours.cells(touchOurs(readJsonGrid(json))), opts),
        await measure(() => theirs.jsonCells(touchTheirs(hc.HGrid.make(JSON.parse(json)))), opts),
      ),
      rowsPerSec(
        name("json-encode"),
        c.rows,
        await measure(() => ours.json(writeJsonGrid(c.grid).length), opts),
        await measure(() => theirs.json(JSON.stringify(theirGrid.toJSON()).length), opts),
      ),
    ];
  };
}

const his: Case = { label: "his-100k", rows: 100_000, grid: hisGrid(100_000) };
const alpha = readZincGrid(alphaZinc);
const building: Case = { label: "building", rows: alpha.size, grid: alpha };

bench("codec-his-100k", codecFigures(his));
bench("codec-building", codecFigures(building));

/** Walks parsed JSON so the floor's decode side reads every cell, as touchOurs does ours. */
function touchPlain(v: unknown): number {
  if (typeof v !== "object" || v === null) return 1;
  let n = 1;
  if (Array.isArray(v)) for (const item of v) n += touchPlain(item);
  else {
    const o = v as Record<string, unknown>;
    for (const k in o) n += touchPlain(o[k]);
  }
  return n;
}

/**
 * Our JSON v4 against the native floor on the same grid (issue: within 1.5x, ratio >= 0.67):
 * encode vs `JSON.stringify` of the same JSON v4 structure as plain objects, built outside the
 * clock; decode to Haystack values vs `JSON.parse` of the same text, every cell touched on both
 * sides. Each side's answer is checked in full before the clock runs, and every timed run's
 * length or cell count after, so a fast wrong answer cannot count. (Keeping the last timed answer
 * itself would keep megabytes alive across runs and change what the collector does.)
 */
function floorFigures(c: Case): () => Promise<Figure[]> {
  return async () => {
    const plain = valToJson4(c.grid);
    const text = writeJsonGrid(c.grid);
    if (!isDeepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(plain)))) {
      throw new Error(`json-floor-${c.label}: our JSON v4 text differs from JSON.stringify of the same objects`);
    }
    const decoded = readJsonGrid(text);
    if (!equals(decoded, c.grid) || writeJsonGrid(decoded) !== text) {
      throw new Error(`json-floor-${c.label}: our decoded grid differs from the encoded one`);
    }
    const ourCells = touchOurs(c.grid);
    const plainCells = touchPlain(plain);
    if (touchOurs(decoded) !== ourCells || touchPlain(JSON.parse(text)) !== plainCells) {
      throw new Error(`json-floor-${c.label}: decoded cell counts disagree`);
    }
    const floorLength = JSON.stringify(plain).length;
    const runs = { ours: 0, floor: 0 };
    /** Counts the timed runs whose answer differs from the checked one. */
    const check = (side: "ours" | "floor", got: number, want: number): number => {
      if (got !== want) runs[side]++;
      return got;
    };
    const opts = { minMs: 1500, minRuns: 5 };
    const encode = rowsPerSec(
      `json-encode-${c.label}-floor`,
      c.rows,
      await measure(() => check("ours", writeJsonGrid(c.grid).length, text.length), opts),
      await measure(() => check("floor", JSON.stringify(plain).length, floorLength), opts),
    );
    const decode = rowsPerSec(
      `json-decode-${c.label}-floor`,
      c.rows,
      await measure(() => check("ours", touchOurs(readJsonGrid(text)), ourCells), opts),
      await measure(() => check("floor", touchPlain(JSON.parse(text)), plainCells), opts),
    );
    if (runs.ours + runs.floor > 0)
      throw new Error(`json-floor-${c.label}: timed answers differ ${JSON.stringify(runs)}`);
    return [
      { ...encode, baseline: "JSON.stringify" },
      { ...decode, baseline: "JSON.parse" },
    ];
  };
}

bench("json-floor-building", floorFigures(building));

const TWO_HOP = "point and equipRef->siteRef->site";

bench("filter-2hop-building", async () => {
  // Ours: dicts indexed by id, one compiled closure.
  const dicts = alpha.dicts();
  const byId = new Map<string, HDict>();
  for (const d of dicts) {
    const id = d.get("id") as HRef | undefined;
    if (id) byId.set(id.id, d);
  }
  const cx: FilterContext = { deref: (ref: HRef) => byId.get(ref.id) };
  const pred = compileFilter(parseFilter(TWO_HOP));
  const countOurs = () => {
    let n = 0;
    for (const d of dicts) if (pred(d, cx)) n++;
    return n;
  };

  // Theirs: the same records as haystack-core dicts, resolved through the same kind of index.
  const theirGrid = hc.ZincReader.readValue(alphaZinc) as hc.HGrid;
  const theirDicts = theirGrid.getRows();
  const theirById = new Map<string, hc.HDict>();
  for (const d of theirDicts) {
    touchTheirs(d);
    const id = d.get<hc.HRef>("id");
    if (id) theirById.set(id.value, d);
  }
  const node = hc.HFilter.parse(TWO_HOP);
  const resolve = (ref: hc.HRef) => theirById.get(ref.value);
  const countTheirs = () => {
    let n = 0;
    for (const d of theirDicts) if (hc.HFilter.eval(node, { dict: d, resolve })) n++;
    return n;
  };

  // The same ids on both sides, then the same count on every timed run.
  const oursIds = dicts.filter((d) => pred(d, cx)).map((d) => (d.get("id") as HRef).id);
  const theirIds = theirDicts
    .filter((d) => hc.HFilter.eval(node, { dict: d, resolve }))
    .map((d) => (d.get<hc.HRef>("id") as hc.HRef).value);
  expect(oursIds.length > 0, `${TWO_HOP} matched nothing`);
  expectSameIds("filter-2hop-building", oursIds, theirIds);
  const ours = await measure(() => expectEqual("matches (ours)", countOurs(), oursIds.length), { minMs: 1500 });
  const theirs = await measure(() => expectEqual(`matches (${BASELINE})`, countTheirs(), theirIds.length), {
    minMs: 1500,
  });
  return {
    name: "filter-2hop-building",
    value: dicts.length / (ours / 1000),
    unit: "records/s",
    baseline: BASELINE,
    baselineValue: dicts.length / (theirs / 1000),
    higherIsBetter: true,
  };
});
