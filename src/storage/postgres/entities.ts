/**
 * Records in Postgres: JSONB in JSON v4 form, one row per (project, id). A commit locks the rows it
 * touches, applies the shared commit rules, and bumps the change feed in the same transaction.
 */
import { writeJsonValue } from "../../haystack/codec/json/index.ts";
import type { Filter } from "../../haystack/filter/index.ts";
import { equals, HDateTime, HDict, HRef, type HVal, isRef } from "../../haystack/kinds/index.ts";
import {
  addId,
  applyDiff,
  checkDistinct,
  checkMod,
  nextMod,
  requireId,
  stamp,
  withoutRemoves,
} from "../commit-rules.ts";
import { StoreError } from "../errors.ts";
import { dictFromJson } from "../json-dicts.ts";
import type { CommitRequest, EntityStore, ReadOptions, ReadResult } from "../ports.ts";
import { bump } from "./changes.ts";
import { readSql } from "./filter-sql.ts";
import { fromJsonb, toJsonb } from "./nul.ts";
import { type Querier, run } from "./sql.ts";

/** Most records a read reports the display names of; the op looks up any beyond itself. */
const MAX_NAMED = 50_000;

/** The records of `ids` that exist, locked for the rest of the transaction. */
async function lockRecords(q: Querier, project: string, ids: readonly string[]): Promise<Map<string, HDict>> {
  const rows = await run<{ id: string; tags: string }>(
    q,
    "SELECT id, tags::text AS tags FROM entities WHERE project = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE",
    [project, ids],
  );
  return new Map(rows.map((r) => [r.id, dictFromJson(fromJsonb(r.tags))]));
}

async function put(q: Querier, project: string, id: string, rec: HDict): Promise<void> {
  const mod = rec.get("mod");
  await run(
    q,
    "INSERT INTO entities (project, id, tags, mod) VALUES ($1, $2, $3::jsonb, $4) " +
      "ON CONFLICT (project, id) DO UPDATE SET tags = excluded.tags, mod = excluded.mod",
    [project, id, toJsonb(writeJsonValue(rec)), mod instanceof HDateTime ? mod.ms : 0],
  );
}

/** Removes a record with its priority array and history. */
async function removeRecord(q: Querier, project: string, id: string): Promise<void> {
  await run(q, "DELETE FROM entities WHERE project = $1 AND id = $2", [project, id]);
  await run(q, "DELETE FROM point_arrays WHERE project = $1 AND id = $2", [project, id]);
  await run(
    q,
    "WITH p AS (DELETE FROM his_points WHERE project = $1 AND id = $2 RETURNING pid) " +
      "DELETE FROM history WHERE pid IN (SELECT pid FROM p)",
    [project, id],
  );
}

/**
 * Sets or (undefined) removes live tags (curVal, writeVal...) without touching `mod`; a change
 * for watches when anything differs. Runs inside the caller's transaction.
 */
export async function setLive(
  q: Querier,
  project: string,
  id: string,
  tags: Readonly<Record<string, HVal | undefined>>,
): Promise<boolean> {
  const old = (await lockRecords(q, project, [id])).get(id);
  if (!old) return false;
  const differs = Object.entries(tags).some(([k, v]) => (v === undefined ? old.has(k) : !equals(old.get(k), v)));
  if (!differs) return false;
  await put(q, project, id, old.merge(tags));
  await bump(q, project, [id]);
  return true;
}

export class PgEntities implements EntityStore {
  constructor(
    private readonly db: Querier,
    private readonly tx: <T>(fn: (q: Querier) => Promise<T>) => Promise<T>,
    private readonly project: string,
  ) {}

  async read(filter: Filter, opts: ReadOptions): Promise<ReadResult> {
    const { text, values } = readSql(this.project, filter, opts.limit);
    const found = await run<{ tags: string }>(this.db, text, values);
    const incomplete = found.length > opts.limit;
    const rows = (incomplete ? found.slice(0, opts.limit) : found).map((r) => dictFromJson(fromJsonb(r.tags)));
    return { rows, incomplete, refs: await this.#namedBy(rows) };
  }

  /**
   * The `id` and `dis` of records the rows' Refs name (outside the rows), for Ref display names:
   * two tags a record instead of the whole of it. Records without a `dis` come back as `{id}`, so
   * the op knows them and reads them no second time.
   */
  async #namedBy(rows: readonly HDict[]): Promise<HDict[]> {
    const inRows = new Set<string>();
    for (const d of rows) {
      const id = d.get("id");
      if (isRef(id)) inRows.add(id.id);
    }
    const wanted = new Set<string>();
    for (const d of rows) {
      const tags = d.toObject();
      for (const k in tags) {
        const v = tags[k];
        if (isRef(v) && v.dis === undefined && !inRows.has(v.id) && wanted.size < MAX_NAMED) wanted.add(v.id);
      }
    }
    if (wanted.size === 0) return [];
    const named = await run<{ d: string }>(
      this.db,
      "SELECT jsonb_strip_nulls(jsonb_build_object('id', tags -> 'id', 'dis', tags -> 'dis'))::text AS d " +
        "FROM entities WHERE project = $1 AND id = ANY($2::text[])",
      [this.project, [...wanted]],
    );
    return named.map((r) => dictFromJson(fromJsonb(r.d)));
  }

  async readByIds(ids: readonly string[]): Promise<readonly (HDict | undefined)[]> {
    const rows = await run<{ id: string; tags: string }>(
      this.db,
      "SELECT id, tags::text AS tags FROM entities WHERE project = $1 AND id = ANY($2::text[])",
      [this.project, ids],
    );
    const found = new Map(rows.map((r) => [r.id, dictFromJson(fromJsonb(r.tags))]));
    return ids.map((id) => found.get(id));
  }

  async commit(req: CommitRequest): Promise<readonly HDict[]> {
    checkDistinct(req);
    const project = this.project;
    return this.tx(async (q) => {
      const given = req.rows.map((r) => r.get("id")).flatMap((v) => (v instanceof HRef ? [v.id] : []));
      const existing = await lockRecords(q, project, given);
      const out: HDict[] = [];
      const changed: string[] = [];
      for (const row of req.rows) {
        if (req.op === "add") {
          const id = addId(row, (x) => existing.has(x));
          const rec = stamp(HDict.of(withoutRemoves(row, id)), id, req.nowMs);
          const inserted = await run(
            q,
            "INSERT INTO entities (project, id, tags, mod) VALUES ($1, $2, $3::jsonb, $4) " +
              "ON CONFLICT (project, id) DO NOTHING RETURNING id",
            [project, id, toJsonb(writeJsonValue(rec)), req.nowMs],
          );
          // Another transaction added the same id since our lock query: refuse rather than merge.
          if (inserted.length === 0) throw new StoreError("duplicate", `@${id} already exists`);
          out.push(rec);
          changed.push(id);
          continue;
        }
        const id = requireId(row);
        const old = existing.get(id);
        if (!old) throw new StoreError("not_found", `Unknown record @${id}`);
        if (!req.force) checkMod(row, old, id);
        if (req.op === "remove") {
          await removeRecord(q, project, id);
          out.push(HDict.of({ id: new HRef(id) }));
        } else {
          const rec = stamp(applyDiff(old, row), id, nextMod(old, req.nowMs));
          await put(q, project, id, rec);
          out.push(rec);
        }
        changed.push(id);
      }
      await bump(q, project, changed);
      return out;
    });
  }
}
