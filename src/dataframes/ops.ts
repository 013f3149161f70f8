/**
 * The steps that change an item, each applied to a transaction's draft (txn.ts): write, append,
 * update, delete a range, replace metadata, delete. Each reads only the segments its rows touch
 * (merge.ts planAppend / chunksInRange), writes new segments for those, and lists the rest of the
 * item's segments unchanged in its new version, so its cost follows what it touches, not the item.
 * Validation rules and the schema strategy are checked on what a step writes before it stages
 * anything of it; a failure leaves the commit unmade, so nothing changes.
 */

import { chunksInRange, deleteRange, mergeSorted, type OnDup, planAppend, update } from "../frames/merge.ts";
import { checkFrame, type Frame, FrameError, frameLength, type Schema, schemaOf } from "../frames/model.ts";
import { sliceRows, sortByIndex } from "../frames/rows.ts";
import { checkRules, conform, emptyFrame, evolve, parseRules, type Rule } from "../frames/rules.ts";
import type { SegmentRecord } from "../storage/frames-port.ts";
import type { Meta, Op, OpResult, WriteOptions } from "./api.ts";
import { type Bound, indexBound } from "./bounds.ts";
import { checkMetadata } from "./names.ts";
import { boundsOf, toSegments } from "./segments.ts";
import type { Content, Draft, Txn } from "./txn.ts";

/** Applies one step to the transaction. */
export async function applyOp(tx: Txn, op: Op): Promise<OpResult> {
  switch (op.op) {
    case "write":
      return write(tx, op.item, op.frame, op.options ?? {});
    case "append":
      return append(tx, op.item, op.frame, op.onDup ?? "keep_last", op.metadata);
    case "update":
      return replaceRange(tx, op.item, op.frame);
    case "delete_range":
      return removeRange(tx, op.item, op.start, op.end);
    case "metadata":
      return setMetadata(tx, op.item, op.metadata);
    case "delete": {
      const d = await tx.draft(op.item);
      tx.deleteItem(d);
      return { item: op.item, version: null };
    }
  }
}

function rulesOf(tx: Txn): Rule[] {
  return parseRules(tx.collection.rules);
}

function result(d: Draft, version: number, written: number): OpResult {
  return { item: d.name, version, rows: d.content?.rows ?? 0, segmentsWritten: written };
}

/** A copy of the schema whose nullability is the OR of both (a field's flag never turns off). */
function nullableUnion(a: Schema, b: Schema): Schema {
  const other = new Map(b.fields.map((f) => [f.name, f.nullable]));
  return {
    index: a.index,
    fields: a.fields.map((f) => ({ ...f, nullable: f.nullable || (other.get(f.name) ?? false) })),
  };
}

export async function write(tx: Txn, item: string, frame: Frame, opts: WriteOptions): Promise<OpResult> {
  checkFrame(frame);
  if (opts.metadata) checkMetadata(opts.metadata);
  const d = await tx.draft(item);
  if (d.content !== null && !opts.overwrite) {
    throw new FrameError("conflict", `item ${JSON.stringify(item)} exists: write with overwrite to replace it`, item);
  }
  const rows = sortByIndex(frame);
  checkRules(rows, rulesOf(tx));
  if (opts.strategy !== undefined && opts.strategy !== d.strategy) {
    d.strategy = opts.strategy;
    d.strategyChanged = true;
  }
  const version = d.next;
  const segs = toSegments(item, rows, version, 0, tx.segmentRows);
  await tx.stage(segs);
  const zone = rows.index.zone;
  const v = tx.addVersion(d, "write", {
    schema: schemaOf(rows),
    ...(zone === undefined ? {} : { zone }),
    metadata: opts.metadata ?? {},
    segments: segs.map((s) => s.segment),
    rows: frameLength(rows),
  });
  return result(d, v, segs.length);
}

/** The incoming frame checked, reconciled with the item's schema by its strategy, and sorted. */
function incoming(d: Draft, c: Content, frame: Frame): { schema: Schema; rows: Frame } {
  checkFrame(frame);
  const schema = nullableUnion(evolve(c.schema, schemaOf(frame), d.strategy), schemaOf(frame));
  return { schema, rows: sortByIndex(conform(frame, schema)) };
}

export async function append(tx: Txn, item: string, frame: Frame, onDup: OnDup, metadata?: Meta): Promise<OpResult> {
  if (metadata) checkMetadata(metadata);
  const { d, c } = await tx.existing(item);
  const { schema, rows } = incoming(d, c, frame);
  const rules = rulesOf(tx);
  const version = d.next;
  const groups = planAppend(c.segments.map(boundsOf), rows.index.values);
  const out: SegmentRecord[] = [];
  let cursor = 0;
  let k = 0;
  for (const g of groups) {
    out.push(...c.segments.slice(cursor, g.chunks[0]));
    const touched = c.segments.slice(g.chunks[0], g.chunks[1]);
    const existing =
      touched.length === 0 ? emptyFrame(schema, c.zone) : await tx.readSegments(item, touched, schema, c.zone);
    const merged = mergeSorted(existing, sliceRows(rows, g.rows[0], g.rows[1]), onDup);
    checkRules(merged, rules);
    const segs = toSegments(item, merged, version, k, tx.segmentRows);
    k += segs.length;
    await tx.stage(segs);
    out.push(...segs.map((s) => s.segment));
    cursor = g.chunks[1];
  }
  out.push(...c.segments.slice(cursor));
  const zone = c.zone ?? rows.index.zone;
  const v = tx.addVersion(d, "append", {
    schema,
    ...(zone === undefined ? {} : { zone }),
    metadata: metadata ?? c.metadata,
    segments: out,
    rows: out.reduce((n, s) => n + s.rows, 0),
  });
  return result(d, v, k);
}

/**
 * The rows of segments [from, to) outside [start, end] with `middle` rows put in their place: the
 * first and last of them are read (they may hold rows outside the range), those between lie
 * wholly inside it and are dropped unread.
 */
async function rewriteRange(
  tx: Txn,
  d: Draft,
  c: Content,
  schema: Schema,
  start: bigint,
  end: bigint,
  middle: Frame | null,
  op: "update" | "delete_range",
): Promise<OpResult> {
  const [from, to] = chunksInRange(c.segments.map(boundsOf), start, end);
  const edges = from === to ? [] : from === to - 1 ? [c.segments[from]] : [c.segments[from], c.segments[to - 1]];
  const version = d.next;
  let merged: Frame | null = middle;
  if (edges.length > 0) {
    const existing = await tx.readSegments(d.name, edges as SegmentRecord[], schema, c.zone);
    merged = middle === null ? deleteRange(existing, start, end) : update(existing, middle, "strict");
  }
  if (merged !== null) checkRules(merged, rulesOf(tx));
  const segs = merged === null ? [] : toSegments(d.name, merged, version, 0, tx.segmentRows);
  await tx.stage(segs);
  const out = [...c.segments.slice(0, from), ...segs.map((s) => s.segment), ...c.segments.slice(to)];
  const zone = c.zone;
  const v = tx.addVersion(d, op, {
    schema,
    ...(zone === undefined ? {} : { zone }),
    metadata: c.metadata,
    segments: out,
    rows: out.reduce((n, s) => n + s.rows, 0),
  });
  return result(d, v, segs.length);
}

/** ArcticDB's update: the rows in the incoming index range are replaced by the incoming rows. */
export async function replaceRange(tx: Txn, item: string, frame: Frame): Promise<OpResult> {
  const { d, c } = await tx.existing(item);
  const { schema, rows } = incoming(d, c, frame);
  const n = frameLength(rows);
  if (n === 0) return result(d, d.version as number, 0);
  const start = rows.index.values[0] as bigint;
  const end = rows.index.values[n - 1] as bigint;
  return rewriteRange(tx, d, c, schema, start, end, rows, "update");
}

export async function removeRange(tx: Txn, item: string, from: Bound, to: Bound): Promise<OpResult> {
  const { d, c } = await tx.existing(item);
  const start = indexBound("start", from, c.schema.index.kind);
  const end = indexBound("end", to, c.schema.index.kind);
  if (start > end) throw new FrameError("invalid", `range start ${from} is after end ${to}`);
  return rewriteRange(tx, d, c, c.schema, start, end, null, "delete_range");
}

export async function setMetadata(tx: Txn, item: string, metadata: Meta): Promise<OpResult> {
  checkMetadata(metadata);
  const { d, c } = await tx.existing(item);
  const v = tx.addVersion(d, "metadata", { ...c, metadata });
  return result(d, v, 0);
}
