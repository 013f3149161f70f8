/**
 * Records in Postgres: JSONB in JSON v4 form, one row per (project, id). A commit locks the rows it
 * touches, plans with the shared rules (rules/commit.ts), and writes the plan and bumps the change
 * feed in the same transaction, one statement per kind of write.
 */
import { writeJsonValue } from "../../haystack/codec/json/index.ts";
import type { Filter } from "../../haystack/filter/index.ts";
import type { HDict } from "../../haystack/kinds/index.ts";
import { StoreError } from "../errors.ts";
import { dictFromJson } from "../json-dicts.ts";
import type { CommitRequest, EntityStore, ReadOptions, ReadResult } from "../ports.ts";
import { type CommitPlan, commitIds, modMsOf, type PlannedRecord, planCommit } from "../rules/commit.ts";
import { type LiveTags, withLive } from "../rules/live.ts";
import { refIdsToName } from "../rules/ref-names.ts";
import { bump } from "./changes.ts";
import { readSql } from "./filter-sql.ts";
import { fromJsonb, toJsonb } from "./nul.ts";
import { type Querier, run } from "./sql.ts";

/** The records of `ids` that exist, locked for the rest of the transaction. */
async function lockRecords(q: Querier, project: string, ids: readonly string[]): Promise<Map<string, HDict>> {
  const rows = await run<{ id: string; tags: string }>(
    q,
    "SELECT id, tags::text AS tags FROM entities WHERE project = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE",
    [project, ids],
  );
  return new Map(rows.map((r) => [r.id, dictFromJson(fromJsonb(r.tags))]));
}

/** The columns of `recs` as array parameters: ids, tags as JSONB text, mods. */
function columns(recs: readonly PlannedRecord[]): [string[], string[], number[]] {
  return [recs.map((r) => r.id), recs.map((r) => toJsonb(writeJsonValue(r.rec))), recs.map((r) => modMsOf(r.rec))];
}

/** Replaces stored records (their rows are locked). */
async function put(q: Querier, project: string, recs: readonly PlannedRecord[]): Promise<void> {
  if (recs.length === 0) return;
  await run(
    q,
    "UPDATE entities e SET tags = x.tags::jsonb, mod = x.mod " +
      "FROM unnest($2::text[], $3::text[], $4::bigint[]) AS x(id, tags, mod) WHERE e.project = $1 AND e.id = x.id",
    [project, ...columns(recs)],
  );
}

/**
 * Adds new records. The plan found their ids free, but another transaction may have added one
 * since: that commit is refused rather than merged.
 */
async function insert(q: Querier, project: string, recs: readonly PlannedRecord[]): Promise<void> {
  if (recs.length === 0) return;
  const added = await run<{ id: string }>(
    q,
    "INSERT INTO entities (project, id, tags, mod) SELECT $1, x.id, x.tags::jsonb, x.mod " +
      "FROM unnest($2::text[], $3::text[], $4::bigint[]) AS x(id, tags, mod) " +
      "ON CONFLICT (project, id) DO NOTHING RETURNING id",
    [project, ...columns(recs)],
  );
  if (added.length === recs.length) return;
  const done = new Set(added.map((r) => r.id));
  const taken = recs.find((r) => !done.has(r.id));
  throw new StoreError("duplicate", `@${taken?.id} already exists`);
}

/** Removes records with their priority arrays and history. */
async function remove(q: Querier, project: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await run(q, "DELETE FROM entities WHERE project = $1 AND id = ANY($2::text[])", [project, ids]);
  await run(q, "DELETE FROM point_arrays WHERE project = $1 AND id = ANY($2::text[])", [project, ids]);
  await run(
    q,
    "WITH p AS (DELETE FROM his_points WHERE project = $1 AND id = ANY($2::text[]) RETURNING pid) " +
      "DELETE FROM history WHERE pid IN (SELECT pid FROM p)",
    [project, ids],
  );
}

async function apply(q: Querier, project: string, plan: CommitPlan): Promise<void> {
  await insert(q, project, plan.insert);
  await put(q, project, plan.replace);
  await remove(
    q,
    project,
    plan.remove.map((r) => r.id),
  );
  await bump(q, project, plan.changed);
}

/**
 * Sets or (undefined) removes live tags (rules/live.ts) inside the caller's transaction, locking
 * the record; returns whether anything changed.
 */
export async function setLive(q: Querier, project: string, id: string, tags: LiveTags): Promise<boolean> {
  const old = (await lockRecords(q, project, [id])).get(id);
  const rec = old && withLive(old, tags);
  if (!rec) return false;
  await put(q, project, [{ id, rec }]);
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
   * The `id` and `dis` of records the rows' Refs name (rules/ref-names.ts), for Ref display names:
   * two tags a record instead of the whole of it. Records without a `dis` come back as `{id}`, so
   * the op knows them and reads them no second time.
   */
  async #namedBy(rows: readonly HDict[]): Promise<HDict[]> {
    const wanted = refIdsToName(rows);
    if (wanted.length === 0) return [];
    const named = await run<{ d: string }>(
      this.db,
      "SELECT jsonb_strip_nulls(jsonb_build_object('id', tags -> 'id', 'dis', tags -> 'dis'))::text AS d " +
        "FROM entities WHERE project = $1 AND id = ANY($2::text[])",
      [this.project, wanted],
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
    return this.tx(async (q) => {
      const stored = await lockRecords(q, this.project, commitIds(req));
      const plan = planCommit(req, (id) => stored.get(id));
      await apply(q, this.project, plan);
      return plan.out;
    });
  }
}
