/**
 * Demo meters for `npm run dev` and `--seed demo`: three meters on two channels, one reading every
 * 15 minutes over the last two days. Each payload is `DEMO_FORMAT` ("<d?"): the reading as a
 * float64 and a valid flag, so `?format=<d?` reads back as `[231.4, true]`.
 */
import type { Key } from "../../src/tstorage/key.ts";
import { StructPayloadType } from "../../src/tstorage/payload.ts";
import { fromUnixMs } from "../../src/tstorage/time.ts";

export const DEMO_FORMAT = "<d?";

/** The demo meters: (cid, mid, moid) and how their readings move. */
export const DEMO_METERS = [
  { cid: 1, mid: 1001n, moid: 0, what: "voltage L1 (V)", base: 230, swing: 4 },
  { cid: 1, mid: 1002n, moid: 0, what: "active power (kW)", base: 12, swing: 6 },
  { cid: 2, mid: 2001n, moid: 0, what: "water flow (m3/h)", base: 3, swing: 2 },
] as const;

const STEP_MS = 15 * 60_000;
const SPAN_MS = 2 * 24 * 3_600_000;
/** Acquisition lags capture by a little, as a meter reading collected by a head-end would. */
const ACQ_LAG_MS = 30_000;

/**
 * The demo records ending at `nowMs` (unix ms), aligned to quarter hours; deterministic for a given
 * `nowMs`. Every 97th reading is flagged invalid so the flag has something to show.
 */
export function demoRecords(nowMs: number): { key: Key; payload: Uint8Array }[] {
  const type = new StructPayloadType(DEMO_FORMAT);
  const end = Math.floor((nowMs - ACQ_LAG_MS) / STEP_MS) * STEP_MS;
  const out: { key: Key; payload: Uint8Array }[] = [];
  for (const m of DEMO_METERS) {
    for (let t = end - SPAN_MS + STEP_MS, i = 0; t <= end; t += STEP_MS, i++) {
      const phase = (2 * Math.PI * (t % 86_400_000)) / 86_400_000;
      const value = Math.round((m.base + m.swing * Math.sin(phase + Number(m.mid % 7n))) * 100) / 100;
      out.push({
        key: { cid: m.cid, mid: m.mid, moid: m.moid, cap: fromUnixMs(t), acq: fromUnixMs(t + ACQ_LAG_MS) },
        payload: type.encode([value, i % 97 !== 96]),
      });
    }
  }
  return out;
}
