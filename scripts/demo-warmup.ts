/**
 * The demo seeds itself on its first request, which takes seconds on a first start. `npm run dev`
 * makes that request as soon as wrangler answers, so the wait happens while the developer reads
 * the banner, and says what is going on, while wrangler's own output keeps flowing.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { readZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { isRef } from "../src/haystack/kinds/index.ts";

const POLL_MS = 250;
/** Only a seed this slow is worth a line of its own; a top-up answers well within it. */
const SLOW_MS = 2_000;
const DAY_MS = 86_400_000;
/** Wider than the demo's history (14 days, topped up to now), so one read counts all of it. */
const COUNT_DAYS = 31;

export interface WarmupOptions {
  /** e.g. http://localhost:8787 */
  readonly base: string;
  readonly project: string;
  /** An admin token for `project`. */
  readonly token: string;
  /** Aborted when `npm run dev` stops, or when wrangler has gone. */
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  readonly timeoutMs?: number;
}

/** Polls the public `GET /` until it answers 200; false when aborted or out of time. */
export async function waitUntilServing(base: string, signal: AbortSignal, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!signal.aborted && Date.now() < until) {
    try {
      if ((await fetch(`${base}/`, { signal })).ok) return true;
    } catch {
      // Not listening yet.
    }
    await sleep(POLL_MS, undefined, { signal }).catch(() => {});
  }
  return false;
}

const count = (n: number): string => n.toLocaleString("en-US");

function samplesText(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : count(n);
}

/** The error grid's `dis`, or the HTTP status, of a reply that is not a grid of results. */
function failure(status: number, body: string): string | undefined {
  try {
    const grid = readZincGrid(body);
    if (grid.meta.has("err")) return String(grid.meta.get("dis") ?? "error grid");
  } catch {
    // Not Zinc: the status says it.
  }
  return status === 200 ? undefined : `HTTP ${status}`;
}

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Waits for the server, then reads the demo (which seeds it), and logs how long it took and what
 * it holds: `Demo ready in 14.2 s: 2,032 records, 1,846 his points, 2.5M samples`. Failures are
 * logged as one line, never thrown.
 */
export async function warmDemo(o: WarmupOptions): Promise<void> {
  if (!(await waitUntilServing(o.base, o.signal, o.timeoutMs ?? 120_000))) {
    if (!o.signal.aborted) o.log(`Demo did not start: nothing answered on ${o.base} in time`);
    return;
  }
  const get = async (path: string): Promise<string> => {
    const res = await fetch(`${o.base}/api/${o.project}/${path}`, {
      headers: { authorization: `Bearer ${o.token}`, accept: "text/zinc" },
      signal: o.signal,
    });
    const body = await res.text();
    const why = failure(res.status, body);
    if (why !== undefined) throw new Error(why);
    return body;
  };
  const started = Date.now();
  const slow = setTimeout(() => o.log("Seeding the demo building (slow on the first start only)..."), SLOW_MS);
  try {
    const records = readZincGrid(await get("read?filter=id")).dicts();
    clearTimeout(slow);
    const points = records.filter((r) => r.has("his"));
    const first = points[0]?.get("id");
    let samples = 0;
    if (isRef(first)) {
      const now = Date.now();
      const range = `"${isoDate(now - COUNT_DAYS * DAY_MS)},${isoDate(now + DAY_MS)}"`;
      const his = await get(`hisRead?id=@${first.id}&range=${encodeURIComponent(range)}`);
      // Every demo point has a sample at the same instants, so one point's count stands for all.
      samples = readZincGrid(his).rows.length * points.length;
    }
    // The series stores seed on the first /ts/ request to the demo project.
    const res = await fetch(`${o.base}/ts/${o.project}`, {
      headers: { authorization: `Bearer ${o.token}` },
      signal: o.signal,
    });
    const listed = (await res.json()) as { stores?: string[]; error?: { message: string } };
    if (!res.ok || !listed.stores) throw new Error(`series stores: ${listed.error?.message ?? `HTTP ${res.status}`}`);
    // So does the frames collection on the first /frames/ request.
    const fr = await fetch(`${o.base}/frames/${o.project}`, {
      headers: { authorization: `Bearer ${o.token}` },
      signal: o.signal,
    });
    const frames = (await fr.json()) as { collections?: string[]; error?: { message: string } };
    if (!fr.ok || !frames.collections) throw new Error(`frames: ${frames.error?.message ?? `HTTP ${fr.status}`}`);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    o.log(
      `Demo ready in ${secs} s: ${count(records.length)} records, ${count(points.length)} his points, ` +
        `${samplesText(samples)} samples; series stores ${listed.stores.join(", ")}; ` +
        `frames collections ${frames.collections.join(", ")}`,
    );
  } catch (err) {
    clearTimeout(slow);
    if (!o.signal.aborted) o.log(`Demo did not start: ${(err as Error).message}`);
  }
}
