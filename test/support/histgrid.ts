/** Deterministic history grids for tests and benchmarks: 15-minute samples in a zone. */
import { HDateTime, HDict, HGrid, type HRow, MARKER, num } from "../../src/haystack/kinds/index.ts";
import { offsetSeconds } from "../../src/haystack/time/tz.ts";

export function hisGrid(rows: number, opts: { tz?: string; unit?: string; startMs?: number } = {}): HGrid {
  const tz = opts.tz ?? "New_York";
  const unit = opts.unit ?? "kW";
  const start = opts.startMs ?? Date.UTC(2024, 0, 1, 5);
  const out: HRow[] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const ms = start + i * 900_000;
    // A smooth daily curve with a little noise, rounded to 0.01 as meters report.
    const v = Math.round((50 + 30 * Math.sin(i / 15) + ((i * 7919) % 97) / 10) * 100) / 100;
    out[i] = [new HDateTime(ms, tz, offsetSeconds(tz, ms)), num(v, unit)];
  }
  const meta = HDict.of({ id: undefined, his: MARKER, hisStart: out[0]?.[0] ?? null });
  return HGrid.of(["ts", "val"], out, meta);
}
