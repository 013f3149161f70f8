/**
 * Reads of one version of an item: the segments that can hold wanted rows are chosen from their
 * records alone (index bounds for start / end, column statistics for filters), then only the
 * blobs of the index and the columns the output or the filters need are fetched, a few segments
 * per storage call, and each segment is decoded, filtered and projected before the next is
 * fetched. `head` stops early; `tail` walks the segments from the end.
 */
import { type Frame, FrameError, frameLength, type Schema } from "../frames/model.ts";
import { columnsOf, evaluate, MATCH_ALL, type Predicate, parseFilters, selectedRows } from "../frames/predicates.ts";
import { sliceRows, takeRows } from "../frames/rows.ts";
import { conform } from "../frames/rules.ts";
import { mayMatch } from "../frames/stats.ts";
import type { FramesPort, SegmentRecord, VersionRecord } from "../storage/frames-port.ts";
import type { ReadRequest, ReadResult, ReadStats } from "./api.ts";
import { indexBound } from "./bounds.ts";
import { boundsOf, ordinalsOf, segmentFrame, segmentStats } from "./segments.ts";
import { bytesOf, fetchBlobs } from "./txn.ts";

/** Segments fetched per storage call at most (a call also stops at its byte budget). */
const SEGMENTS_PER_CALL = 8;
/** Most rows `head` / `tail` may ask for. */
export const MAX_HEAD = 10_000_000;

interface Plan {
  readonly v: VersionRecord;
  readonly out: Schema;
  /** The schema of what is fetched: output columns and filter columns. */
  readonly fetched: Schema;
  readonly predicate: Predicate;
  readonly segments: readonly SegmentRecord[];
  readonly start?: bigint;
  readonly end?: bigint;
}

function checkCount(name: string, n: number | undefined): void {
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 0 || n > MAX_HEAD)) {
    throw new FrameError("invalid", `${name} must be an integer from 0 to ${MAX_HEAD}`);
  }
}

/** What to read of version `v`, decided from its records alone. */
function plan(v: VersionRecord, req: ReadRequest): Plan {
  checkCount("head", req.head);
  checkCount("tail", req.tail);
  if (req.head !== undefined && req.tail !== undefined) throw new FrameError("invalid", "give head or tail, not both");
  const kind = v.schema.index.kind;
  const start = req.start === undefined ? undefined : indexBound("start", req.start, kind);
  const end = req.end === undefined ? undefined : indexBound("end", req.end, kind);
  if (start !== undefined && end !== undefined && start > end) {
    throw new FrameError("invalid", `start ${req.start} is after end ${req.end}`);
  }
  const byName = new Map(v.schema.fields.map((f) => [f.name, f]));
  const seen = new Set<string>();
  const wanted = (req.columns ?? v.schema.fields.map((f) => f.name)).map((name) => {
    const f = byName.get(name);
    if (f === undefined) throw new FrameError("unknown_column", `no column ${JSON.stringify(name)}`, name);
    if (seen.has(name)) throw new FrameError("duplicate_column", `column ${JSON.stringify(name)} asked twice`, name);
    seen.add(name);
    return f;
  });
  const predicate = parseFilters(req.filters, v.schema);
  const filterCols = new Set(columnsOf(predicate));
  const fetched = v.schema.fields.filter((f) => seen.has(f.name) || filterCols.has(f.name));
  const segments = v.segments.filter((s) => {
    const b = boundsOf(s);
    if (start !== undefined && b.max < start) return false;
    if (end !== undefined && b.min > end) return false;
    return predicate === MATCH_ALL || mayMatch(predicate, segmentStats(s, v.schema.index.name, v.schema.fields));
  });
  return {
    v,
    out: { index: v.schema.index, fields: wanted },
    fetched: { index: v.schema.index, fields: fetched },
    predicate,
    segments,
    ...(start === undefined ? {} : { start }),
    ...(end === undefined ? {} : { end }),
  };
}

/** The output rows of one decoded segment. */
function select(p: Plan, f: Frame): Frame {
  const n = frameLength(f);
  const idx = f.index.values;
  let mask: Uint8Array | null = p.predicate === MATCH_ALL ? null : evaluate(p.predicate, f);
  if (p.start !== undefined || p.end !== undefined) {
    mask ??= new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      const x = idx[i] as bigint;
      if ((p.start !== undefined && x < p.start) || (p.end !== undefined && x > p.end)) mask[i] = 0;
    }
  }
  const rows = mask === null ? f : takeRows(f, selectedRows(mask));
  const keep = new Set(p.out.fields.map((x) => x.name));
  if (rows.columns.length === keep.size) return rows;
  return { index: rows.index, columns: rows.columns.filter((c) => keep.has(c.name)) };
}

/** Decoded, selected frames of the plan's segments, in the order given. */
async function* decode(
  port: FramesPort,
  item: string,
  p: Plan,
  order: readonly SegmentRecord[],
  stats: { segmentsRead: number; blobsRead: number },
): AsyncGenerator<Frame> {
  const names = new Set(p.fetched.fields.map((f) => f.name));
  const index = {
    kind: p.v.schema.index.kind,
    name: p.v.schema.index.name,
    ...(p.v.zone === undefined ? {} : { zone: p.v.zone }),
  };
  for (let at = 0; at < order.length; at += SEGMENTS_PER_CALL) {
    const batch = order.slice(at, at + SEGMENTS_PER_CALL).map((rec) => ({ rec, ords: ordinalsOf(rec, names) }));
    const blobs = await fetchBlobs(
      port,
      item,
      batch.map((b) => ({ segment: b.rec.id, ordinals: b.ords, bytes: bytesOf(b.rec, b.ords) })),
      () => undefined,
      (n) => {
        stats.blobsRead += n;
      },
    );
    for (let k = 0; k < batch.length; k++) {
      const b = batch[k] as (typeof batch)[number];
      stats.segmentsRead++;
      const f = conform(segmentFrame(b.rec, index, b.ords, blobs[k] as Uint8Array[]), p.fetched);
      yield select(p, f);
    }
  }
}

async function* forward(port: FramesPort, item: string, p: Plan, head: number | undefined, stats: MutableStats) {
  let left = head ?? Number.POSITIVE_INFINITY;
  if (left === 0) return;
  for await (const f of decode(port, item, p, p.segments, stats)) {
    const n = frameLength(f);
    if (n === 0) continue;
    if (n >= left) {
      yield sliceRows(f, 0, left);
      return;
    }
    left -= n;
    yield f;
  }
}

async function* backward(port: FramesPort, item: string, p: Plan, tail: number, stats: MutableStats) {
  if (tail === 0) return;
  const kept: Frame[] = [];
  let have = 0;
  for await (const f of decode(port, item, p, [...p.segments].reverse(), stats)) {
    const n = frameLength(f);
    if (n === 0) continue;
    kept.push(f);
    have += n;
    if (have >= tail) break;
  }
  kept.reverse();
  let skip = Math.max(0, have - tail);
  for (const f of kept) {
    const n = frameLength(f);
    if (skip >= n) {
      skip -= n;
      continue;
    }
    yield skip > 0 ? sliceRows(f, skip) : f;
    skip = 0;
  }
}

type MutableStats = { -readonly [K in keyof ReadStats]: ReadStats[K] };

/** A read of version `v` of `item`; the data streams as `frames` is consumed. */
export function readVersion(port: FramesPort, item: string, v: VersionRecord, req: ReadRequest): ReadResult {
  const p = plan(v, req);
  const stats: MutableStats = { segments: v.segments.length, segmentsRead: 0, blobsRead: 0 };
  const frames =
    req.tail !== undefined ? backward(port, item, p, req.tail, stats) : forward(port, item, p, req.head, stats);
  return {
    item,
    version: v.version,
    schema: p.out,
    ...(v.zone === undefined ? {} : { zone: v.zone }),
    metadata: v.metadata,
    frames,
    stats,
  };
}
