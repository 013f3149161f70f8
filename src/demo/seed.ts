/**
 * The demo project: the Alpha example building (hs-py's copy of the Project Haystack example,
 * MIT, see LICENSE.alpha) plus deterministic 15-minute history for every his point over the last
 * 14 days. Seeding is idempotent and each call tops the history up to now, so `yesterday`
 * always has data. Written against the storage ports, so every backend can host the demo.
 */
import { readZincGrid } from "../haystack/codec/zinc/index.ts";
import { type HDict, HGrid, isRef, MARKER } from "../haystack/kinds/index.ts";
import type { HisItem, ProjectStore } from "../storage/ports.ts";
import alphaZinc from "./alpha.zinc";
import { DEMO_INTERVAL_MS, demoSeries } from "./history.ts";

export const DEMO_DAYS = 14;

let records: readonly HDict[] | undefined;

/** The point actions invokeAction can run, as haxall writes them in an `actions` grid. */
const ACTIONS = HGrid.of(
  ["dis", "expr"],
  [
    ["Emergency Override", "pointEmergencyOverride($self, $val)"],
    ["Emergency Auto", "pointEmergencyAuto($self)"],
    ["Manual Override", "pointOverride($self, $val, $duration)"],
    ["Manual Auto", "pointAuto($self)"],
    ["Set Default", "pointSetDef($self, $val)"],
  ],
);

/**
 * The building's records. Command and setpoint points become `writable`, with the standard
 * point actions, so pointWrite and invokeAction have something to drive (the example building
 * ships without writable points).
 */
export function demoRecords(): readonly HDict[] {
  records ??= readZincGrid(alphaZinc)
    .dicts()
    .map((d) =>
      d.has("point") && (d.has("cmd") || d.has("sp")) ? d.merge({ writable: MARKER, actions: ACTIONS }) : d,
    );
  return records;
}

function idOf(d: HDict): string {
  const id = d.get("id");
  if (!isRef(id)) throw new Error("demo record without an id");
  return id.id;
}

export interface SeedResult {
  /** True when this call added records (all of them the first time). */
  readonly seeded: boolean;
  /** History samples written by this call. */
  readonly samples: number;
}

/** How far seeding got: records added, or history samples written, out of `total` in this call. */
export interface SeedProgress {
  readonly phase: "records" | "history";
  readonly done: number;
  readonly total: number;
}

export interface SeedOptions {
  /**
   * Called when a phase starts, each time another tenth of it is done, and when it ends: at most
   * 11 calls per phase, so logging each one is fine. A phase with nothing to do is not reported.
   */
  readonly onProgress?: (p: SeedProgress) => void;
}

/** Points written per history transaction while seeding. */
const POINTS_PER_WRITE = 32;

/** A reporter for one phase that passes on only the first `done` of each new tenth. */
function tenths(phase: SeedProgress["phase"], total: number, onProgress: SeedOptions["onProgress"]) {
  let reported = -1;
  return (done: number): void => {
    if (!onProgress) return;
    const tenth = Math.floor((done * 10) / total);
    if (tenth <= reported) return;
    reported = tenth;
    onProgress({ phase, done, total });
  };
}

/**
 * Adds the demo's missing records and tops its history up to `nowMs`.
 *
 * @example
 *   await seedDemo(store, Date.now(), { onProgress: (p) => console.log(`demo ${p.phase} ${p.done}/${p.total}`) });
 */
export async function seedDemo(store: ProjectStore, nowMs: number, opts: SeedOptions = {}): Promise<SeedResult> {
  const recs = demoRecords();
  // Only missing records are added, so a demo whose records were edited or partly removed still
  // starts instead of failing on a duplicate id.
  const existing = await store.entities.readByIds(recs.map(idOf));
  const missing = recs.filter((_, i) => existing[i] === undefined);
  const seeded = missing.length > 0;
  if (seeded) {
    const report = tenths("records", missing.length, opts.onProgress);
    report(0);
    await store.entities.commit({ op: "add", rows: missing, nowMs });
    report(missing.length);
  }

  const points = recs.flatMap((d) => {
    const gen = demoSeries(d);
    return gen ? [{ id: idOf(d), gen }] : [];
  });
  const last = points[points.length - 1];
  if (!last) return { seeded, samples: 0 };

  // Points are filled in order, so the last point's newest sample says how far every point got.
  const end = Math.floor(nowMs / DEMO_INTERVAL_MS) * DEMO_INTERVAL_MS;
  const floor = end - DEMO_DAYS * 86_400_000;
  let newest = Number.NEGATIVE_INFINITY;
  for await (const page of store.history.read(last.id, { start: floor, end: end + 1 })) {
    newest = page.ts[page.count - 1] ?? newest;
  }
  const start = Math.max(floor, newest + DEMO_INTERVAL_MS);
  if (start > end) return { seeded, samples: 0 };

  // Points go in groups, one transaction each: far fewer commits on an external database, and
  // still in order, so the last point's newest sample keeps meaning "everything got this far".
  const perPoint = Math.floor((end - start) / DEMO_INTERVAL_MS) + 1;
  const report = tenths("history", points.length * perPoint, opts.onProgress);
  report(0);
  let samples = 0;
  for (let i = 0; i < points.length; i += POINTS_PER_WRITE) {
    const group = points.slice(i, i + POINTS_PER_WRITE);
    const writes = group.map((p) => {
      const items: HisItem[] = [];
      for (let ts = start; ts <= end; ts += DEMO_INTERVAL_MS) items.push({ ts, val: p.gen(ts) });
      return { id: p.id, items };
    });
    samples += (await store.history.write(writes)).count;
    report((i + group.length) * perPoint);
  }
  return { seeded, samples };
}
