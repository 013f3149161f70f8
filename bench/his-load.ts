/**
 * What the backend benchmarks (postgres, upstash) load through the API the same way: the 1M-sample
 * history of one point `big`, in requests of 100k, and the synthetic building in commits of 10k.
 */
import { writeZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { col, HDateTime, HDict, HGrid, HNumber, HRef, type HRow, MARKER } from "../src/haystack/kinds/index.ts";
import { settleSockets } from "./harness.ts";
import { okText } from "./verify.ts";
import { adminFetch } from "./worker/local.ts";

export const HIS_ROWS = 1_000_000;
export const HIS_PER_REQUEST = 100_000;
/** Sample i is at HIS_START + i minutes, New York time, worth (i % 1000) / 4 kW. */
export const HIS_START = Date.UTC(2024, 0, 1);

/** A Zinc POST of `op` as the project's admin; the answer's text. */
export async function postZinc(base: string, project: string, op: string, body: string): Promise<string> {
  const url = `${base}/api/${project}/${op}`;
  return okText(url, await adminFetch(url, { method: "POST", headers: { "content-type": "text/zinc" }, body }));
}

function hisBody(id: string, from: number, count: number): string {
  const rows: HRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    rows[i] = [HDateTime.of(HIS_START + (from + i) * 60_000, "New_York"), new HNumber(((from + i) % 1000) / 4, "kW")];
  }
  return writeZincGrid(new HGrid(HDict.of({ id: new HRef(id) }), [col("ts"), col("val")], rows));
}

/** Adds point `big` and writes its HIS_ROWS samples through the API; answers the writes' time (ms). */
export async function writeBigHistory(base: string, project: string): Promise<number> {
  const point = HDict.of({
    id: new HRef("big"),
    point: MARKER,
    his: MARKER,
    kind: "Number",
    unit: "kW",
    tz: "New_York",
  });
  await postZinc(base, project, "commit", writeZincGrid(HGrid.fromDicts([point], HDict.of({ commit: "add" }))));
  const bodies: string[] = [];
  for (let from = 0; from < HIS_ROWS; from += HIS_PER_REQUEST) bodies.push(hisBody("big", from, HIS_PER_REQUEST));
  await settleSockets();
  const t0 = performance.now();
  for (const b of bodies) await postZinc(base, project, "hisWrite", b);
  return performance.now() - t0;
}

/** Commits `recs` to the project through the API, 10,000 a commit. */
export async function commitAll(base: string, project: string, recs: readonly HDict[]): Promise<void> {
  await settleSockets();
  for (let i = 0; i < recs.length; i += 10_000) {
    await postZinc(
      base,
      project,
      "commit",
      writeZincGrid(HGrid.fromDicts(recs.slice(i, i + 10_000), HDict.of({ commit: "add" }))),
    );
  }
}
