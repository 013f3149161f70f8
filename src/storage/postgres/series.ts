/**
 * The series port (series-port.ts) on Postgres: every store of every project shares the ts_*
 * tables, keyed by (project, store) first. A write is one transaction that first locks the store's
 * row in ts_stores (`FOR UPDATE`), so writes to a store are serialised across Workers and its
 * sequence, kept in that row, is assigned in commit order.
 */
import type { Pool } from "@neondatabase/serverless";
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
import { dropSource, listSources, type PullOutcome, putSource, recordPull } from "./series-sources.ts";
import {
  type ChunkRow,
  chunkOf,
  FULL,
  HEAD,
  type HeadRow,
  headOf,
  matchWhere,
  Params,
  SERIES,
  type SeriesRow,
  seriesOf,
} from "./series-sql.ts";
import { inTx, type Querier, run } from "./sql.ts";

/** The store `store` of `project` over `pool`. */
export function pgSeriesPort(pool: Pool, project: string, store: string): SeriesPort {
  return new PgSeries(pool, project, store);
}

function notDefined(): StoreError {
  return new StoreError("not_found", "The store is not defined");
}

/** The reads, on the pool or on a write's transaction. */
class PgReads implements SeriesReads {
  constructor(
    protected readonly q: Querier,
    protected readonly project: string,
    protected readonly store: string,
  ) {}

  async chunks(key: string, from: number, to: number): Promise<StoredChunk[]> {
    const rows = await run<ChunkRow>(
      this.q,
      `SELECT ${FULL} FROM ts_chunks WHERE project = $1 AND store = $2 AND key = $3 ` +
        "AND chunk_index BETWEEN $4::bigint AND $5::bigint ORDER BY chunk_index",
      [this.project, this.store, key, from, to],
    );
    return rows.map(chunkOf);
  }

  async hasSeries(key: string): Promise<boolean> {
    const [row] = await run<{ has: boolean }>(
      this.q,
      "SELECT EXISTS (SELECT 1 FROM ts_chunks WHERE project = $1 AND store = $2 AND key = $3 AND NOT deleted) " +
        "OR EXISTS (SELECT 1 FROM ts_series WHERE project = $1 AND store = $2 AND key = $3) AS has",
      [this.project, this.store, key],
    );
    return row?.has === true;
  }

  async series(key: string, version?: number): Promise<StoredSeries[]> {
    const p = new Params(this.project, this.store, key);
    const one = version === undefined ? "" : ` AND version = ${p.add(version)}::bigint`;
    const rows = await run<SeriesRow>(
      this.q,
      `SELECT ${SERIES} FROM ts_series WHERE project = $1 AND store = $2 AND key = $3${one} ORDER BY version DESC`,
      p.values,
    );
    return rows.map(seriesOf);
  }

  async maxVersion(key: string): Promise<number> {
    const [row] = await run<{ v: number | null }>(
      this.q,
      "SELECT max(version) AS v FROM ts_series WHERE project = $1 AND store = $2 AND key = $3",
      [this.project, this.store, key],
    );
    return row?.v ?? -1;
  }
}

class PgSeries extends PgReads implements SeriesPort {
  readonly #pool: Pool;

  constructor(pool: Pool, project: string, store: string) {
    super(pool as unknown as Querier, project, store);
    this.#pool = pool;
  }

  #tx<T>(fn: (q: Querier) => Promise<T>): Promise<T> {
    return inTx(this.#pool, (c) => fn(c as unknown as Querier));
  }

  /** The store's row, locked until the transaction ends; a write's first statement. */
  async #lock(q: Querier, mode: "UPDATE" | "SHARE"): Promise<{ def: string | null; seq: number; lastUs: number }> {
    const [row] = await run<{ def: string | null; seq: string; last_us: string }>(
      q,
      `SELECT def, seq, last_us FROM ts_stores WHERE project = $1 AND store = $2 FOR ${mode}`,
      [this.project, this.store],
    );
    return { def: row?.def ?? null, seq: Number(row?.seq ?? 0), lastUs: Number(row?.last_us ?? 0) };
  }

  async definition(): Promise<StoreDef | null> {
    const [row] = await run<{ def: string | null }>(
      this.q,
      "SELECT def FROM ts_stores WHERE project = $1 AND store = $2",
      [this.project, this.store],
    );
    return row?.def ? (JSON.parse(row.def) as StoreDef) : null;
  }

  async define(def: StoreDef, nowMs: number): Promise<boolean> {
    const text = defText(def);
    // Fills the row when it is missing or dropped; a defined row is left alone and compared.
    const created = await run(
      this.q,
      "INSERT INTO ts_stores (project, store, def, created_ms) VALUES ($1, $2, $3, $4) " +
        "ON CONFLICT (project, store) DO UPDATE SET def = excluded.def, created_ms = excluded.created_ms " +
        "WHERE ts_stores.def IS NULL RETURNING 1",
      [this.project, this.store, text, nowMs],
    );
    if (created.length > 0) return true;
    const [row] = await run<{ def: string | null }>(
      this.q,
      "SELECT def FROM ts_stores WHERE project = $1 AND store = $2",
      [this.project, this.store],
    );
    if (row?.def === text) return false;
    throw new StoreError("conflict", "The store is already defined otherwise: a definition is frozen");
  }

  async drop(): Promise<void> {
    await this.#tx(async (q) => {
      await this.#lock(q, "UPDATE");
      const ps = [this.project, this.store];
      for (const t of ["ts_chunks", "ts_series", "ts_sources"]) {
        await run(q, `DELETE FROM ${t} WHERE project = $1 AND store = $2`, ps);
      }
      await run(q, "UPDATE ts_stores SET def = NULL, created_ms = NULL WHERE project = $1 AND store = $2", ps);
    });
  }

  async write<T>(
    nowMs: number,
    work: (reads: SeriesReads) => Promise<{ plan: WritePlan; result: T }>,
  ): Promise<T & Committed> {
    return this.#tx(async (q) => {
      const st = await this.#lock(q, "UPDATE");
      if (st.def === null) throw notDefined();
      const { plan, result } = await work(new PgReads(q, this.project, this.store));
      checkPlan(plan);
      const atUs = commitUs(nowMs, st.lastUs);
      const seq = await applyPlan(q, this.project, this.store, plan, st.seq, atUs);
      return { ...result, seq, atUs };
    });
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
    const p = new Params(this.project, this.store, from, to);
    const page = after ? ` AND (key, chunk_index) > (${p.add(after.key)}, ${p.add(after.n)}::bigint)` : "";
    const m = matchWhere(match, p);
    const rows = await run<ChunkRow>(
      this.q,
      `SELECT ${FULL} FROM ts_chunks WHERE project = $1 AND store = $2 AND NOT deleted ` +
        `AND chunk_index BETWEEN $3::bigint AND $4::bigint${page}${m} ORDER BY key, chunk_index LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.map(chunkOf);
  }

  async lastChunk(match: KeyMatch): Promise<StoredChunk | null> {
    const p = new Params(this.project, this.store);
    const m = matchWhere(match, p);
    const [row] = await run<ChunkRow>(
      this.q,
      `SELECT ${FULL} FROM ts_chunks WHERE project = $1 AND store = $2 AND NOT deleted${m} ` +
        "ORDER BY chunk_index DESC, key LIMIT 1",
      p.values,
    );
    return row ? chunkOf(row) : null;
  }

  async scanSeries(match: KeyMatch, allVersions: boolean, after: After | null, limit: number): Promise<StoredSeries[]> {
    checkPage(limit);
    const p = new Params(this.project, this.store);
    const page = after
      ? ` AND (s.key > ${p.add(after.key)} OR (s.key = $${p.values.length} AND s.version < ${p.add(after.n)}::bigint))`
      : "";
    const newest = allVersions
      ? ""
      : " AND s.version = (SELECT max(n.version) FROM ts_series n " +
        "WHERE n.project = s.project AND n.store = s.store AND n.key = s.key)";
    const m = matchWhere(match, p, "s.key");
    const rows = await run<SeriesRow>(
      this.q,
      `SELECT ${SERIES} FROM ts_series s WHERE s.project = $1 AND s.store = $2${page}${newest}${m} ` +
        `ORDER BY s.key, s.version DESC LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.map(seriesOf);
  }

  async keys(match: KeyMatch, after: string | null, limit: number): Promise<string[]> {
    checkPage(limit);
    const p = new Params(this.project, this.store, after ?? "");
    const m = matchWhere(match, p);
    const rows = await run<{ key: string }>(
      this.q,
      "SELECT key FROM (SELECT key FROM ts_chunks WHERE project = $1 AND store = $2 AND NOT deleted " +
        "UNION SELECT key FROM ts_series WHERE project = $1 AND store = $2) k " +
        `WHERE key > $3${m} ORDER BY key LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.map((r) => r.key);
  }

  async feed(after: number, limit: number, match: KeyMatch, withData: boolean): Promise<(StoredChunk | ChunkHead)[]> {
    checkPage(limit);
    checkFrom("after", after);
    const p = new Params(this.project, this.store, after);
    const m = matchWhere(match, p);
    const rows = await run<ChunkRow>(
      this.q,
      `SELECT ${withData ? FULL : HEAD} FROM ts_chunks WHERE project = $1 AND store = $2 AND seq > $3::bigint${m} ` +
        `ORDER BY seq LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.map((r) => (withData ? chunkOf(r) : headOf(r)));
  }

  async sequence(): Promise<number> {
    const [row] = await run<{ seq: string }>(this.q, "SELECT seq FROM ts_stores WHERE project = $1 AND store = $2", [
      this.project,
      this.store,
    ]);
    return Number(row?.seq ?? 0);
  }

  async updates(
    sinceUs: number,
    limit: number,
    offset: number,
    match: KeyMatch,
  ): Promise<{ count: number; rows: ChunkHead[] }> {
    checkPage(limit, offset);
    checkFrom("since", sinceUs);
    const p = new Params(this.project, this.store, sinceUs);
    const where = `WHERE project = $1 AND store = $2 AND updated_us >= $3::bigint${matchWhere(match, p)}`;
    // One statement, so the count and the page come from one snapshot.
    const rows = await run<HeadRow & { total: string }>(
      this.q,
      `SELECT c.total, p.* FROM (SELECT count(*) AS total FROM ts_chunks ${where}) c ` +
        `LEFT JOIN LATERAL (SELECT ${HEAD} FROM ts_chunks ${where} ORDER BY updated_us, key, chunk_index ` +
        `LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}) p ON true ORDER BY p.updated_us, p.key, p.chunk_index`,
      p.values,
    );
    const count = Number(rows[0]?.total ?? 0);
    return { count, rows: rows.filter((r) => r.key !== null).map(headOf) };
  }

  async chunk(key: string, chunkIndex: number): Promise<StoredChunk | null> {
    const [row] = await run<ChunkRow>(
      this.q,
      `SELECT ${FULL} FROM ts_chunks WHERE project = $1 AND store = $2 AND key = $3 AND chunk_index = $4::bigint`,
      [this.project, this.store, key, chunkIndex],
    );
    return row ? chunkOf(row) : null;
  }

  async sources(): Promise<Source[]> {
    return listSources(this.q, this.project, this.store);
  }

  async putSource(def: SourceDef, nowMs: number): Promise<Source> {
    // The share lock keeps a drop (which deletes the store's sources) from passing this insert.
    return this.#tx(async (q) => {
      if ((await this.#lock(q, "SHARE")).def === null) throw notDefined();
      return putSource(q, this.project, this.store, def, nowMs);
    });
  }

  async dropSource(name: string): Promise<boolean> {
    return dropSource(this.q, this.project, this.store, name);
  }

  async recordPull(name: string, outcome: PullOutcome): Promise<void> {
    await recordPull(this.q, this.project, this.store, name, outcome);
  }
}
