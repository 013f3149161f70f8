/**
 * What the frames face can ask of one collection, as FramesService (service.ts) answers it over a
 * storage port. Plain data only, so the routes never see the port.
 */

import type { OnDup } from "../frames/merge.ts";
import type { Frame, Schema } from "../frames/model.ts";
import type { Json, Strategy, VersionHead, VersionOp } from "../storage/frames-port.ts";
import type { Bound } from "./bounds.ts";

export type Meta = { readonly [k: string]: Json };

/** Which state of an item a read sees: a version number, a snapshot's, or the newest at a time. */
export type AsOf = { readonly version: number } | { readonly snapshot: string } | { readonly atMs: number };

export interface CollectionInfo {
  readonly name: string;
  readonly createdMs: number;
  readonly rules: readonly Json[];
  readonly metadata: Meta;
}

/** An item in a listing. */
export interface ItemSummary {
  readonly name: string;
  /** Null for a deleted item listed because snapshots still hold versions of it. */
  readonly version: number | null;
  readonly updatedMs: number;
  readonly strategy: Strategy;
  readonly metadata: Meta;
}

/** One version of an item described without its data. */
export interface ItemInfo {
  readonly name: string;
  readonly version: number;
  readonly op: VersionOp;
  readonly createdMs: number;
  readonly rows: number;
  readonly schema: Schema;
  readonly zone?: string;
  readonly metadata: Meta;
  readonly strategy: Strategy;
  readonly segments: number;
  /** Encoded bytes of its column chunks. */
  readonly bytes: number;
  /** Index bounds as decimal int64 text (ns for timestamps), absent when empty. */
  readonly min?: string;
  readonly max?: string;
}

export interface WriteOptions {
  readonly metadata?: Meta;
  /** Replace an existing item (a new version) instead of refusing. */
  readonly overwrite?: boolean;
  /** The item's schema evolution strategy from now on. */
  readonly strategy?: Strategy;
}

export interface WriteResult {
  readonly item: string;
  readonly version: number;
  /** Rows in the item after the change. */
  readonly rows: number;
  /** Segments this change wrote (the rest are shared with the version before). */
  readonly segmentsWritten: number;
}

/** A read's selection. `start` / `end` bound the index, inclusive (bounds.ts). */
export interface ReadRequest {
  readonly asOf?: AsOf;
  readonly columns?: readonly string[];
  readonly start?: Bound;
  readonly end?: Bound;
  /** PyStore's DNF filters as JSON (src/frames/predicates.ts parseFilters). */
  readonly filters?: unknown;
  readonly head?: number;
  readonly tail?: number;
}

/** What a read touched: segments and blobs it fetched of those the version lists. */
export interface ReadStats {
  readonly segments: number;
  readonly segmentsRead: number;
  readonly blobsRead: number;
}

export interface ReadResult {
  readonly item: string;
  readonly version: number;
  /** The output schema (projected). */
  readonly schema: Schema;
  readonly zone?: string;
  readonly metadata: Meta;
  /** Frames of the output in index order, one or more per segment read; pull to read on. */
  readonly frames: AsyncIterable<Frame>;
  /** Filled in as `frames` is consumed. */
  readonly stats: ReadStats;
}

/** One step of a transaction or batch. */
export type Op =
  | { readonly op: "write"; readonly item: string; readonly frame: Frame; readonly options?: WriteOptions }
  | {
      readonly op: "append";
      readonly item: string;
      readonly frame: Frame;
      readonly onDup?: OnDup;
      readonly metadata?: Meta;
    }
  | { readonly op: "update"; readonly item: string; readonly frame: Frame }
  | { readonly op: "delete_range"; readonly item: string; readonly start: Bound; readonly end: Bound }
  | { readonly op: "metadata"; readonly item: string; readonly metadata: Meta }
  | { readonly op: "delete"; readonly item: string };

/** What a step did: a WriteResult, or for a delete the item with a null version. */
export type OpResult = WriteResult | { readonly item: string; readonly version: null };

/** A batch step's outcome: its result or its error. */
export type BatchResult =
  | { readonly item: string; readonly ok: OpResult }
  | { readonly item: string; readonly error: { readonly code: string; readonly message: string } };

export type { VersionHead };
