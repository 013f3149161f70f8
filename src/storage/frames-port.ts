/**
 * The storage seam of the frames face (PyStore's collections, ArcticDB's versioned model). One
 * `FramesPort` is one collection of one project. Every backend (Durable Object SQLite, Postgres)
 * implements it, and test/contract/frames/ runs one suite against each.
 *
 * The model, ArcticDB's:
 * - An item's data lives in segments: row groups of bounded size, one blob per column chunk
 *   (ordinal 0 is the index, ordinal i + 1 the segment's column i), encoded by the frames core
 *   (src/frames/chunk-codec.ts). A segment never changes once written.
 * - Every change to an item makes an immutable version that lists its segments in index order.
 *   Versions share segments (copy on write), so a version costs its new segments and one link per
 *   segment it lists, never a copy of the data.
 * - A snapshot names one version of each of some items.
 * - Pruning a version (`dropVersions`, `deleteItems`) removes it, unless a snapshot names it: then
 *   it is kept for the snapshot (still returned by `version`) but no longer listed by `versions`
 *   nor found by `versionAt`, and it goes when its last snapshot is dropped. A segment is freed
 *   (in the same commit) when no remaining version lists it.
 *
 * How a write goes (optimistic, so the heavy encoding runs in the Worker, not in a single-threaded
 * object): the writer reads what it needs, uploads new segments with `putSegments` (staged: no
 * version lists them yet), then `commit`s a plan whose `expect` names the latest version it built
 * on for every item it changes. A commit whose expectations no longer hold fails with `conflict`
 * and changes nothing; staged segments that no commit ever lists are freed by `sweep` once older
 * than its grace period.
 *
 * Rules every implementation keeps:
 * - `commit` is all-or-nothing and serialised per collection: when it throws, nothing changed.
 * - Blobs are opaque bytes here; a backend stores and returns them exactly, of any size up to
 *   MAX_BLOB_BYTES (DO SQLite splits what passes its 2 MB row limit).
 * - Reads of versions and segments never see a staged segment as listed, nor a half commit.
 */
import type { Schema } from "../frames/model.ts";
import type { ColumnStatsJson } from "../frames/stats.ts";

/** Largest blob (one column chunk) a backend must store. */
export const MAX_BLOB_BYTES = 64 * 1024 * 1024;

/** Most rows a listing returns in one call. */
export const MAX_FRAMES_PAGE = 1000;

/** JSON values as stored (metadata, rules). */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/** A collection's definition. */
export interface CollectionRecord {
  readonly createdMs: number;
  /** Validation rules as JSON (src/frames/rules.ts parseRules reads them). */
  readonly rules: readonly Json[];
  /** Free-form JSON metadata of the collection. */
  readonly metadata: { readonly [k: string]: Json };
}

/** How an item evolves its schema on append / update (src/frames/rules.ts). */
export type Strategy = "strict" | "add_only" | "compatible";

/** An item's head: its live state. */
export interface ItemRecord {
  readonly name: string;
  /** The latest version, or null when the item is deleted (its retained versions may remain). */
  readonly latest: number | null;
  /** The number the next version gets: versions are never renumbered or reused. */
  readonly nextVersion: number;
  readonly strategy: Strategy;
  /** The latest version's metadata (what list-by-metadata matches); {} when deleted. */
  readonly metadata: { readonly [k: string]: Json };
  /** When the latest version was made (epoch ms); for a deleted item, when it was deleted. */
  readonly updatedMs: number;
}

/** Statistics and shape of one column chunk of a segment. */
export interface SegmentColumn {
  readonly name: string;
  readonly dtype: Schema["fields"][number]["dtype"];
  readonly stats: ColumnStatsJson;
  /** Encoded bytes, for accounting. */
  readonly bytes: number;
}

/** A segment as versions list it: bounds and statistics, never the data. */
export interface SegmentRecord {
  /** Unique within the item: `${version}.${n}` of the version that first wrote it. */
  readonly id: string;
  readonly rows: number;
  /** Index bounds, inclusive, as decimal int64 text (ns for timestamps). */
  readonly min: string;
  readonly max: string;
  readonly columns: readonly SegmentColumn[];
}

/** What a change was. */
export type VersionOp = "write" | "append" | "update" | "delete_range" | "metadata" | "evolve";

/** A version's header. */
export interface VersionHead {
  readonly item: string;
  readonly version: number;
  readonly createdMs: number;
  readonly op: VersionOp;
  readonly rows: number;
  /** Snapshots naming this version. */
  readonly snapshots: readonly string[];
}

/** A version with what reading it needs. */
export interface VersionRecord extends VersionHead {
  /** The item's schema at this version; the index's zone is in `zone`. */
  readonly schema: Schema;
  readonly zone?: string;
  readonly metadata: { readonly [k: string]: Json };
  /** Its segments in index order. */
  readonly segments: readonly SegmentRecord[];
}

/** A new version to commit. Its segments are staged ones or ones an earlier version lists. */
export interface VersionWrite {
  readonly item: string;
  readonly version: number;
  readonly op: VersionOp;
  readonly rows: number;
  readonly schema: Schema;
  readonly zone?: string;
  readonly metadata: { readonly [k: string]: Json };
  /** Ids of its segments in index order, each staged or listed by a version of the same item. */
  readonly segments: readonly string[];
}

/** A segment to stage: its record and one blob per ordinal (0 = index, then each column). */
export interface SegmentPut {
  readonly item: string;
  readonly segment: SegmentRecord;
  readonly blobs: readonly Uint8Array[];
}

/** Blobs to fetch: ordinals of one segment of one item. */
export interface BlobRef {
  readonly item: string;
  readonly segment: string;
  readonly ordinals: readonly number[];
}

export interface SnapshotHead {
  readonly name: string;
  readonly createdMs: number;
  readonly metadata: { readonly [k: string]: Json };
  /** How many items it names. */
  readonly items: number;
}

export interface SnapshotRecord extends SnapshotHead {
  /** item -> version it names. */
  readonly versions: { readonly [item: string]: number };
}

/** A precondition of a commit: the item's latest version is `latest` (null: absent or deleted). */
export interface Expect {
  readonly item: string;
  readonly latest: number | null;
}

/** Everything one commit changes. Applied in the order of the fields below. */
export interface CommitPlan {
  /**
   * Creates the collection. When it exists already: `conflict` unless `overwrite`, which empties
   * it first (every item, version, segment and snapshot goes). Without this field the collection
   * must exist (`not_found` otherwise).
   */
  readonly createCollection?: { readonly record: CollectionRecord; readonly overwrite: boolean };
  /** Replaces the collection's rules and/or metadata. */
  readonly collectionRules?: readonly Json[];
  readonly collectionMetadata?: { readonly [k: string]: Json };
  readonly expect?: readonly Expect[];
  /** New versions; each becomes its item's latest (the item is created when new). */
  readonly versions?: readonly VersionWrite[];
  /** Item strategy changes (the item must exist or be created by `versions`). */
  readonly strategies?: readonly { readonly item: string; readonly strategy: Strategy }[];
  /** Items deleted: latest becomes null and every version is pruned (see the module comment). */
  readonly deleteItems?: readonly string[];
  /** Versions pruned (see the module comment); pruning an item's latest is `invalid`. */
  readonly dropVersions?: readonly { readonly item: string; readonly versions: readonly number[] }[];
  readonly createSnapshot?: SnapshotRecord;
  readonly dropSnapshot?: string;
}

export interface CommitResult {
  readonly atMs: number;
  /** Segments freed by this commit (no version lists them any more). */
  readonly freedSegments: number;
}

/** Filters and paging of an item listing. */
export interface ItemQuery {
  /** Metadata equalities, all of which must hold (values compared as canonical JSON). */
  readonly where?: { readonly [k: string]: Json };
  readonly after?: string;
  readonly limit: number;
  /** Include deleted items (latest null) that still have retained versions. */
  readonly deleted?: boolean;
}

export interface FramesPort {
  /** The collection's definition, or null when it does not exist. */
  collection(): Promise<CollectionRecord | null>;
  /** Removes the collection and everything in it. */
  drop(): Promise<void>;

  /** Items by name after `after`, live only unless `deleted`. */
  items(q: ItemQuery): Promise<ItemRecord[]>;
  item(name: string): Promise<ItemRecord | null>;
  /** The item's retained versions, newest first. */
  versions(item: string): Promise<VersionHead[]>;
  /** One version with its segments (a pruned one a snapshot keeps too), or null when gone. */
  version(item: string, version: number): Promise<VersionRecord | null>;
  /** The newest retained version made at or before `atMs`, or null. */
  versionAt(item: string, atMs: number): Promise<VersionRecord | null>;

  snapshots(): Promise<SnapshotHead[]>;
  snapshot(name: string): Promise<SnapshotRecord | null>;

  /** Stages segments (see the module comment); ids must be new within their item. */
  putSegments(segments: readonly SegmentPut[], nowMs: number): Promise<void>;
  /** The blobs asked for, in the order asked (each ref's ordinals in order); staged segments too. */
  blobs(refs: readonly BlobRef[]): Promise<Uint8Array[][]>;

  /** Applies a plan atomically (see CommitPlan); `conflict` when an expectation fails. */
  commit(plan: CommitPlan, nowMs: number): Promise<CommitResult>;
  /** Frees these staged segments now unless a version lists them (a write that failed). */
  discard(segments: readonly { readonly item: string; readonly id: string }[]): Promise<void>;
  /** Frees staged segments older than `graceMs` that no version lists; returns how many. */
  sweep(nowMs: number, graceMs: number): Promise<number>;
}
