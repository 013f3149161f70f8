/**
 * The series port (series-port.ts) on DO SQLite, for use inside the store's own SeriesObject: one
 * object per project and store, so the object's input gate is what serialises writes. DO SQLite's
 * limits: a statement binds one row's values (at most 9) or a read's bounds (at most 5) plus a key
 * match of at most MAX_MATCH_ENTRIES x 3 = 48 (series-match.ts), under the 100 allowed; blobs over
 * the 2 MB row limit are split into 1 MiB parts (series-blobs.ts), and a blob over
 * MAX_SERIES_BLOB_BYTES (32 MiB) is refused with `invalid` before anything is written.
 */
import type { KeyMatch, StoreDef } from "../../series/model.ts";
import { StoreError } from "../errors.ts";
import { checkFrom, checkPage, checkPlan, commitUs, defText } from "../rules/series-plan.ts";
import type {
  After,
  ChunkHead,
  Committed,
  SeriesPort,
  SeriesReads,
  Source,
  SourceDef,
  StoredChunk,
  StoredSeries,
  WritePlan,
} from "../series-port.ts";
import { applyPlan } from "./series-apply.ts";
import { matchWhere } from "./series-match.ts";
import {
  type ChunkRow,
  chunkOf,
  chunksOf,
  FULL,
  HEAD,
  hasSeries,
  headOf,
  maxVersion,
  SERIES,
  type SeriesRow,
  seriesOf,
  storeRow,
  versionsOf,
} from "./series-rows.ts";
import { dropSource, listSources, type PullOutcome, putSource, recordPull } from "./series-sources.ts";
import type { DoSql } from "./sql.ts";

/** The port over the object's SQLite (`new DoSql(ctx.storage)`); the object must run SERIES_SCHEMA. */
export function doSeriesPort(sql: DoSql): SeriesPort {
  return new DoSeries(sql);
}

function notDefined(): StoreError {
  return new StoreError("not_found", "The store is not defined");
}

class DoSeries implements SeriesPort {
  readonly #sql: DoSql;
  /** What a write's work may see: the reads, and nothing that writes. */
  readonly #reads: SeriesReads;

  constructor(sql: DoSql) {
    this.#sql = sql;
    this.#reads = {
      chunks: (key, from, to) => this.chunks(key, from, to),
      hasSeries: (key) => this.hasSeries(key),
      series: (key, version) => this.series(key, version),
      maxVersion: (key) => this.maxVersion(key),
    };
  }

  async chunks(key: string, from: number, to: number): Promise<StoredChunk[]> {
    return chunksOf(this.#sql, key, from, to);
  }

  async hasSeries(key: string): Promise<boolean> {
    return hasSeries(this.#sql, key);
  }

  async series(key: string, version?: number): Promise<StoredSeries[]> {
    return versionsOf(this.#sql, key, version);
  }

  async maxVersion(key: string): Promise<number> {
    return maxVersion(this.#sql, key);
  }

  async definition(): Promise<StoreDef | null> {
    const def = storeRow(this.#sql).def;
    return def === null ? null : (JSON.parse(def) as StoreDef);
  }

  async define(def: StoreDef, nowMs: number): Promise<boolean> {
    const text = defText(def);
    const stored = storeRow(this.#sql).def;
    if (stored === text) return false;
    if (stored !== null)
      throw new StoreError("conflict", "The store is already defined otherwise: a definition is frozen");
    this.#sql.run("UPDATE ts_store SET def = ?, created_ms = ? WHERE one = 1", text, nowMs);
    return true;
  }

  async drop(): Promise<void> {
    this.#sql.transaction(() => {
      for (const t of ["ts_chunks", "ts_series", "ts_parts", "ts_sources"]) this.#sql.run(`DELETE FROM ${t}`);
      this.#sql.run("UPDATE ts_store SET def = NULL, created_ms = NULL WHERE one = 1");
    });
  }

  async write<T>(
    nowMs: number,
    work: (reads: SeriesReads) => Promise<{ plan: WritePlan; result: T }>,
  ): Promise<T & Committed> {
    const before = storeRow(this.#sql);
    if (before.def === null) throw notDefined();
    // The work's reads are synchronous statements behind resolved promises, so no other request
    // runs before it ends unless the work itself waits on I/O; the check below refuses that case.
    const { plan, result } = await work(this.#reads);
    checkPlan(plan);
    const committed = this.#sql.transaction((): Committed => {
      const now = storeRow(this.#sql);
      if (now.def === null) throw notDefined();
      if (now.seq !== before.seq || now.last_us !== before.last_us || now.def !== before.def) {
        throw new StoreError("conflict", "Another write to the store committed during this one's reads: retry");
      }
      const atUs = commitUs(nowMs, now.last_us);
      return { seq: applyPlan(this.#sql, plan, now.seq, atUs), atUs };
    });
    return { ...result, ...committed };
  }

  async scanChunks(
    match: KeyMatch,
    from: number,
    to: number,
    after: After | null,
    limit: number,
  ): Promise<StoredChunk[]> {
    checkPage(limit);
    checkFrom("from", from);
    checkFrom("to", to);
    const m = matchWhere(match);
    const page = after ? " AND (key, chunk_index) > (?, ?)" : "";
    const rows = this.#sql.all<ChunkRow>(
      `SELECT ${FULL} FROM ts_chunks WHERE deleted = 0 AND chunk_index BETWEEN ? AND ?${page}${m.sql} ` +
        "ORDER BY key, chunk_index LIMIT ?",
      from,
      to,
      ...(after ? [after.key, after.n] : []),
      ...m.params,
      limit,
    );
    return rows.map((r) => chunkOf(this.#sql, r));
  }

  async lastChunk(match: KeyMatch): Promise<StoredChunk | null> {
    const m = matchWhere(match);
    const row = this.#sql.first<ChunkRow>(
      `SELECT ${FULL} FROM ts_chunks WHERE deleted = 0${m.sql} ORDER BY chunk_index DESC, key LIMIT 1`,
      ...m.params,
    );
    return row ? chunkOf(this.#sql, row) : null;
  }

  async scanSeries(match: KeyMatch, allVersions: boolean, after: After | null, limit: number): Promise<StoredSeries[]> {
    checkPage(limit);
    const m = matchWhere(match, "s.key");
    const page = after ? " AND (s.key > ? OR (s.key = ? AND s.version < ?))" : "";
    const newest = allVersions ? "" : " AND s.version = (SELECT max(version) FROM ts_series n WHERE n.key = s.key)";
    const rows = this.#sql.all<SeriesRow>(
      `SELECT ${SERIES} FROM ts_series s WHERE 1 = 1${page}${newest}${m.sql} ORDER BY s.key, s.version DESC LIMIT ?`,
      ...(after ? [after.key, after.key, after.n] : []),
      ...m.params,
      limit,
    );
    return rows.map((r) => seriesOf(this.#sql, r));
  }

  async keys(match: KeyMatch, after: string | null, limit: number): Promise<string[]> {
    checkPage(limit);
    const m = matchWhere(match);
    const rows = this.#sql.all<{ key: string }>(
      "SELECT key FROM (SELECT key FROM ts_chunks WHERE deleted = 0 UNION SELECT key FROM ts_series) " +
        `WHERE key > ?${m.sql} ORDER BY key LIMIT ?`,
      after ?? "",
      ...m.params,
      limit,
    );
    return rows.map((r) => r.key);
  }

  async feed(after: number, limit: number, match: KeyMatch, withData: boolean): Promise<(StoredChunk | ChunkHead)[]> {
    checkPage(limit);
    checkFrom("after", after);
    const m = matchWhere(match);
    const query = `SELECT ${withData ? FULL : HEAD} FROM ts_chunks WHERE seq > ?${m.sql} ORDER BY seq LIMIT ?`;
    const rows = this.#sql.all<ChunkRow>(query, after, ...m.params, limit);
    return rows.map((r) => (withData ? chunkOf(this.#sql, r) : headOf(r)));
  }

  async sequence(): Promise<number> {
    return storeRow(this.#sql).seq;
  }

  async updates(
    sinceUs: number,
    limit: number,
    offset: number,
    match: KeyMatch,
  ): Promise<{ count: number; rows: ChunkHead[] }> {
    checkPage(limit, offset);
    checkFrom("since", sinceUs);
    const m = matchWhere(match);
    const where = `WHERE updated_us >= ?${m.sql}`;
    const total = this.#sql.first<{ n: number }>(`SELECT count(*) AS n FROM ts_chunks ${where}`, sinceUs, ...m.params);
    const rows = this.#sql.all<ChunkRow>(
      `SELECT ${HEAD} FROM ts_chunks ${where} ORDER BY updated_us, key, chunk_index LIMIT ? OFFSET ?`,
      sinceUs,
      ...m.params,
      limit,
      offset,
    );
    return { count: total?.n ?? 0, rows: rows.map(headOf) };
  }

  async chunk(key: string, chunkIndex: number): Promise<StoredChunk | null> {
    const row = this.#sql.first<ChunkRow>(
      `SELECT ${FULL} FROM ts_chunks WHERE key = ? AND chunk_index = ?`,
      key,
      chunkIndex,
    );
    return row ? chunkOf(this.#sql, row) : null;
  }

  async sources(): Promise<Source[]> {
    return listSources(this.#sql);
  }

  async putSource(def: SourceDef, nowMs: number): Promise<Source> {
    if (storeRow(this.#sql).def === null) throw notDefined();
    return this.#sql.transaction(() => putSource(this.#sql, def, nowMs));
  }

  async dropSource(name: string): Promise<boolean> {
    return dropSource(this.#sql, name);
  }

  async recordPull(name: string, outcome: PullOutcome): Promise<void> {
    recordPull(this.#sql, name, outcome);
  }
}
