/**
 * hisRead and hisWrite, single and batch forms (Ops.fandoc #hisRead, #hisWrite). Ranges are
 * evaluated in the point's own zone and rows stream from storage page by page.
 */
import { writeZincValue } from "../../../haystack/codec/zinc/index.ts";
import { col, HDateTime, HDict, type HGrid, HRef, type HRow, type HVal } from "../../../haystack/kinds/index.ts";
import { exactDuration, parseDuration } from "../../../haystack/time/duration.ts";
import { parseHisRange } from "../../../haystack/time/range.ts";
import { isKnownTz, offsetSeconds } from "../../../haystack/time/tz.ts";
import { type HisPage, hisValueAt, isHisValue } from "../../../storage/his-page.ts";
import type { HisItem, HisWrite } from "../../../storage/ports.ts";
import { FOLDS, isFold, MAX_BUCKETS, type RollupRequest } from "../../../storage/rollup.ts";
import { badArg, refId, rowIds } from "./args.ts";
import type { GridOut, Op, OpContext } from "./types.ts";

/** Points one batch hisRead may join; each holds a page in memory while rows are merged. */
export const MAX_BATCH_POINTS = 200;
/** The shortest rollup bucket: finer buckets are the samples themselves. */
const MIN_INTERVAL_MS = 1000;
/**
 * Samples held in pages across all points of a batch read, split between them. A page is typed
 * columns (about 21 bytes a sample), so this is about 4 MB (8 on Postgres, which fetches a page
 * ahead); each page is one round trip to the store, and 100-sample pages made a 200-point read of
 * 13,440 rows 27,000 of them.
 */
export const BATCH_BUFFER_ROWS = 200_000;
/** No point's page is larger than a single read's (the smallest backend default). */
const MAX_PAGE_ROWS = 10_000;
/**
 * Cells (rows x points) joined into one batch, which becomes one chunk of the reply: the batch's
 * values and its encoded bytes exist at once, so a batch is bounded by cells, not rows (10,000
 * rows of 200 points were 2M values and 18 MB of Zinc, several times over in parallel reads).
 */
export const MERGE_CELLS = 20_000;

function batchPageRows(points: number): number {
  return Math.min(MAX_PAGE_ROWS, Math.max(100, Math.floor(BATCH_BUFFER_ROWS / points)));
}

function tzOf(rec: HDict, fallback: string): string {
  const tz = rec.get("tz");
  return typeof tz === "string" && isKnownTz(tz) ? tz : fallback;
}

/** The point records for `ids`, each checked to be a `his` point. */
async function hisPoints(cx: OpContext, ids: readonly string[]): Promise<HDict[]> {
  const recs = await cx.store.entities.readByIds(ids);
  return recs.map((r, i) => {
    if (!r) throw badArg(`Unknown point @${ids[i]}`);
    if (!r.has("his")) throw badArg(`@${ids[i]} is not a his point`);
    return r;
  });
}

function refWithDis(id: string, rec: HDict): HRef {
  const dis = rec.get("dis");
  return new HRef(id, typeof dis === "string" ? dis : undefined);
}

function rangeText(v: HVal | undefined): string {
  if (v === undefined || v === null) throw badArg("hisRead needs a range");
  return typeof v === "string" ? v : writeZincValue(v);
}

export const hisRead: Op = {
  name: "hisRead",
  summary: "Read time series data from historized point",
  noSideEffects: true,
  minRole: "viewer",
  async run(req, cx) {
    const ids = rowIds(req);
    if (ids.length === 0) throw badArg("hisRead needs an id");
    if (ids.length > MAX_BATCH_POINTS) throw badArg(`A batch hisRead takes at most ${MAX_BATCH_POINTS} points`);
    const range = req.meta.get("range") ?? req.cell(0, "range") ?? undefined;
    const recs = await hisPoints(cx, ids);
    const tz = tzOf(recs[0] as HDict, cx.config.tz);
    const span = parseHisRange(rangeText(range), tz, cx.nowMs);
    const window = { start: span.start.ms, end: span.endMs };
    const times = { hisStart: span.start, hisEnd: span.end };
    const rollup = rollupOf(req, window, ids.length);
    if (rollup) {
      const id = ids[0] as string;
      return {
        meta: HDict.of({
          id: refWithDis(id, recs[0] as HDict),
          ...times,
          rollup: rollup.fold,
          interval: exactDuration(rollup.intervalMs),
        }),
        cols: [col("ts"), col("val")],
        rows: { batches: singleRows(cx.store.history.rollup(id, window, rollup), tz) },
      };
    }
    if (ids.length === 1) {
      const id = ids[0] as string;
      return {
        meta: HDict.of({ id: refWithDis(id, recs[0] as HDict), ...times }),
        cols: [col("ts"), col("val")],
        rows: { batches: singleRows(cx.store.history.read(id, window), tz) },
      };
    }
    return {
      meta: HDict.of(times),
      cols: [col("ts"), ...ids.map((id, i) => col(`v${i}`, HDict.of({ id: refWithDis(id, recs[i] as HDict) })))],
      rows: {
        batches: mergedRows(
          ids.map((id) => cx.store.history.read(id, window, batchPageRows(ids.length))),
          tz,
        ),
      },
    } satisfies GridOut;
  },
};

/**
 * Hayloft's rollup extension to hisRead: `rollup` (avg, min, max, sum, count, first, last) and
 * `interval` (a duration) in the grid meta or the request row fold the span into buckets.
 */
function rollupOf(req: HGrid, span: { start: number; end: number }, points: number): RollupRequest | undefined {
  const row = req.rows.length > 0 ? req.rowDict(0) : HDict.EMPTY;
  const fold = req.meta.get("rollup") ?? row.get("rollup") ?? undefined;
  const interval = req.meta.get("interval") ?? row.get("interval") ?? undefined;
  if (fold === undefined && interval === undefined) return undefined;
  if (fold === undefined) throw badArg(`interval needs a rollup (one of ${FOLDS.join(", ")})`);
  if (interval === undefined) throw badArg("rollup needs an interval (a duration such as 1h)");
  if (points !== 1) throw badArg("A rollup reads one point");
  if (!isFold(fold)) throw badArg(`rollup must be one of ${FOLDS.join(", ")}`);
  const intervalMs = parseDuration(interval, "interval");
  if (intervalMs < MIN_INTERVAL_MS) {
    throw badArg(`interval must be at least 1s, got ${writeZincValue(interval)}`);
  }
  const buckets = Math.ceil((span.end - span.start) / intervalMs);
  if (buckets > MAX_BUCKETS) {
    throw badArg(
      `A rollup makes at most ${MAX_BUCKETS} buckets; interval ${exactDuration(intervalMs)} over this range makes ${buckets}: use a longer interval`,
    );
  }
  return { intervalMs, fold };
}

/** One batch of `[ts, val]` rows per page. */
async function* singleRows(pages: AsyncIterable<HisPage>, tz: string): AsyncGenerator<HRow[]> {
  for await (const p of pages) {
    const rows: HRow[] = new Array(p.count);
    for (let i = 0; i < p.count; i++) {
      const ms = p.ts[i] as number;
      rows[i] = [new HDateTime(ms, tz, offsetSeconds(tz, ms)), hisValueAt(p, i)];
    }
    yield rows;
  }
}

interface Cursor {
  readonly it: AsyncIterator<HisPage>;
  page: HisPage | undefined;
  i: number;
}

async function advance(c: Cursor): Promise<void> {
  while (c.page && c.i >= c.page.count) {
    const r = await c.it.next();
    c.page = r.done ? undefined : r.value;
    c.i = 0;
  }
}

/** Joins several points' pages on timestamp: one row per distinct ts, null where a point has none. */
async function* mergedRows(streams: readonly AsyncIterable<HisPage>[], tz: string): AsyncGenerator<HRow[]> {
  const cursors: Cursor[] = streams.map((s) => ({ it: s[Symbol.asyncIterator](), page: undefined, i: 0 }));
  for (const c of cursors) {
    const r = await c.it.next();
    c.page = r.done ? undefined : r.value;
    await advance(c);
  }
  const batchRows = Math.max(1, Math.floor(MERGE_CELLS / cursors.length));
  let batch: HRow[] = [];
  for (;;) {
    let min = Number.POSITIVE_INFINITY;
    for (const c of cursors) if (c.page) min = Math.min(min, c.page.ts[c.i] as number);
    if (min === Number.POSITIVE_INFINITY) break;
    const row: HVal[] = [new HDateTime(min, tz, offsetSeconds(tz, min))];
    for (const c of cursors) {
      if (c.page && c.page.ts[c.i] === min) {
        row.push(hisValueAt(c.page, c.i));
        c.i++;
        await advance(c);
      } else {
        row.push(null);
      }
    }
    batch.push(row);
    if (batch.length >= batchRows) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

export const hisWrite: Op = {
  name: "hisWrite",
  changesRecords: true,
  summary: "Write time series data to historized point",
  noSideEffects: false,
  minRole: "operator",
  async run(req, cx) {
    const writes = hisWrites(req);
    await cx.store.history.write(writes);
    return { meta: HDict.EMPTY, cols: [col("empty")], rows: [] };
  },
};

/** The writes a request grid asks for: meta `id` with a `val` column, or `v{i}` columns tagged `id`. */
export function hisWrites(req: HGrid): HisWrite[] {
  const tsCol = req.colIdx("ts");
  if (tsCol < 0) throw badArg("hisWrite needs a ts column");
  const targets: { id: string; col: number }[] = [];
  const metaId = req.meta.get("id");
  if (metaId !== undefined) {
    const c = req.colIdx("val");
    if (c < 0) throw badArg("hisWrite needs a val column");
    targets.push({ id: refId(metaId, "grid meta id"), col: c });
  } else {
    req.cols.forEach((c, i) => {
      if (/^v\d+$/.test(c.name)) targets.push({ id: refId(c.meta.get("id"), `column ${c.name} id`), col: i });
    });
    if (targets.length === 0) throw badArg("hisWrite needs grid meta id, or v0..vN columns tagged with id");
  }
  const items: HisItem[][] = targets.map(() => []);
  req.rows.forEach((row, r) => {
    const ts = row[tsCol];
    if (!(ts instanceof HDateTime)) throw badArg(`row ${r + 1}: ts must be a DateTime`);
    targets.forEach((t, k) => {
      const v = row[t.col] ?? null;
      if (v === null) return;
      if (!isHisValue(v)) throw badArg(`row ${r + 1}: history values must be Number, Bool or Str`);
      (items[k] as HisItem[]).push({ ts: ts.ms, val: v });
    });
  });
  return targets.map((t, k) => ({ id: t.id, items: items[k] as HisItem[] }));
}
