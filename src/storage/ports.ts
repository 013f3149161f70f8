/**
 * The storage seam of the Haystack face. Every backend (Durable Object SQLite and Postgres today)
 * implements these interfaces, and test/contract/ runs one suite against each. Op handlers see
 * only these types, so an op behaves the same on every backend.
 *
 * Rules every implementation keeps (the shared ones in rules/, so a new backend writes none again):
 * - Writes are all-or-nothing: a call that throws has changed nothing.
 * - Every entity, curVal or point write bumps the project's change sequence once per touched
 *   entity, in the same transaction as the write, so watches never miss or invent a change.
 * - Records come out with their tags in one order (tag-order.ts).
 * - Identifiers are ref ids without `@`.
 */
import type { Filter } from "../haystack/filter/index.ts";
import type { HDict } from "../haystack/kinds/index.ts";
import type { PointVal, PriorityArray, WriteRequest } from "../haystack/point/index.ts";
import type { HisPage } from "./his-page.ts";
import type { RollupRequest } from "./rollup.ts";

export type { HisPage } from "./his-page.ts";

// ---------------------------------------------------------------------------------------------
// Entities

export interface ReadOptions {
  /** Most rows to return; more matches make the result `incomplete`. */
  readonly limit: number;
}

export interface ReadResult {
  /** Matching entities, in id order (by UTF-16 code unit, i.e. byte order for ASCII ids). */
  readonly rows: readonly HDict[];
  /** True when more entities matched than `limit`. */
  readonly incomplete: boolean;
  /**
   * For Ref display names: the records that the rows' bare Refs name, other than the rows
   * themselves, as rules/ref-names.ts picks them; each holds at least its `id` and its `dis` when
   * it has one. Callers look up any others themselves.
   */
  readonly refs?: readonly HDict[];
}

export type CommitOp = "add" | "update" | "remove";

export interface CommitRequest {
  readonly op: CommitOp;
  /**
   * add: the new records (an `id` is generated when absent). update: `id`, `mod` and the tags to
   * set, `REMOVE` values delete a tag. remove: `id` and `mod`.
   */
  readonly rows: readonly HDict[];
  /** Skip the `mod` check (haxall's `force`). */
  readonly force?: boolean;
  /** The commit's `mod` instant (epoch ms); each entity's new mod is later than its old one. */
  readonly nowMs: number;
}

export interface EntityStore {
  /** Entities matching `filter` (refs in `->` paths resolve against this project). */
  read(filter: Filter, opts: ReadOptions): Promise<ReadResult>;
  /** One slot per id, in request order; undefined for an unknown id. */
  readByIds(ids: readonly string[]): Promise<readonly (HDict | undefined)[]>;
  /**
   * Applies every row or none. Returns the stored records after the commit (for remove: the
   * `id`s that were removed, as `{id}` dicts), in request order.
   * Throws StoreError `not_found`, `conflict` (stale mod), `duplicate` (add of an existing id)
   * or `invalid` (a row the op cannot take).
   */
  commit(req: CommitRequest): Promise<readonly HDict[]>;
}

// ---------------------------------------------------------------------------------------------
// History

/** Half-open span [start, end) in epoch milliseconds. */
export interface HisSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * One history sample. Values are Numbers (with unit; NaN, INF and -INF too), Bools or Strs,
 * stored and returned exactly; no conversion is applied.
 */
export interface HisItem {
  readonly ts: number;
  readonly val: Exclude<PointVal, null>;
}

export interface HisWrite {
  readonly id: string;
  readonly items: readonly HisItem[];
}

export interface HisWriteResult {
  /** Samples stored (after collapsing duplicate timestamps, last wins). */
  readonly count: number;
}

export interface HistoryStore {
  /**
   * Samples of one point in [start, end), ascending by ts, in pages of at most `pageRows`
   * (default: the backend's own page size, 10,000 to 25,000 rows). The caller may stop early; an
   * implementation must not hold the whole span in memory.
   */
  read(id: string, span: HisSpan, pageRows?: number): AsyncIterable<HisPage>;
  /**
   * Stores samples for one or more points in one transaction: duplicates within the request or
   * against stored samples are replaced (last wins); order does not matter. The newest sample of
   * each point at or after its stored newest becomes its `curVal` (a change for watches).
   * Throws StoreError `invalid` for a sample that is not a Number, Bool or Str or whose ts is not
   * a safe integer (samples are checked before points), then `not_found` for an unknown point and
   * `invalid` for a record that is not a `his` point, in request order.
   */
  write(writes: readonly HisWrite[]): Promise<HisWriteResult>;
  /**
   * The span folded into buckets (see rollup.ts for the rules every backend follows), ascending,
   * in pages. Throws StoreError like `read`.
   */
  rollup(id: string, span: HisSpan, req: RollupRequest): AsyncIterable<HisPage>;
}

// ---------------------------------------------------------------------------------------------
// Point priority arrays

export interface PointWriteResult {
  readonly array: PriorityArray;
  /** Epoch ms of the earliest level-8 expiry still pending, to schedule an alarm for. */
  readonly nextExpiry?: number;
}

export interface PointStore {
  /** The point's array (empty when never written). Throws StoreError `not_found` / `invalid`. */
  read(id: string): Promise<PriorityArray>;
  /**
   * Writes one level and sets the record's `writeVal`/`writeLevel` (removed when no level holds
   * a value) in one transaction, which is a change for watches when they differ.
   * Throws StoreError `not_found`, `invalid` (not a `writable` point), or HaystackError for a bad
   * level, value or duration.
   */
  write(id: string, req: WriteRequest): Promise<PointWriteResult>;
  /** Drops level-8 entries expired at `nowMs` on every point, refreshing effective values. */
  expire(nowMs: number): Promise<{ readonly nextExpiry?: number }>;
}

// ---------------------------------------------------------------------------------------------
// Change feed

export interface ChangeSet {
  /** The project's sequence at the time of the query: pass it back as the next `since`. */
  readonly cursor: number;
  /** Ids among those asked about changed after `since` (removed entities included). */
  readonly changed: readonly string[];
}

export interface ChangeFeed {
  /** The current sequence number (0 for a new project). */
  cursor(): Promise<number>;
  /** Which of `ids` changed after `since`. */
  changedSince(since: number, ids: readonly string[]): Promise<ChangeSet>;
}

/** One project's storage, as a backend hands it to the op handlers. */
export interface ProjectStore {
  readonly entities: EntityStore;
  readonly history: HistoryStore;
  readonly points: PointStore;
  readonly changes: ChangeFeed;
}
