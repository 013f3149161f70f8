/**
 * The project's records in DO SQLite, mirrored by an in-memory map that filters run against.
 * The map is loaded on first use and changed only after a transaction commits.
 */
import { writeJsonValue } from "../../haystack/codec/json/index.ts";
import { compileFilter, type Matcher, mapContext, parseFilter } from "../../haystack/filter/index.ts";
import type { HDict } from "../../haystack/kinds/index.ts";
import { dictFromJson } from "../json-dicts.ts";
import type { CommitRequest, ReadResult } from "../ports.ts";
import { type CommitPlan, idOf, modMsOf, planCommit } from "../rules/commit.ts";
import { type LiveTags, withLive } from "../rules/live.ts";
import { refIdsToName } from "../rules/ref-names.ts";
import { atomically, type OnCommit } from "./atomic.ts";
import type { DoChanges } from "./changes.ts";
import { type DoSql, MAX_BOUND_PARAMS } from "./sql.ts";

const MAX_CACHED_FILTERS = 64;

/** A read as (id, version) pairs, plus the records its rows refer to. */
export interface Versions {
  readonly ids: string[];
  readonly seqs: number[];
  readonly incomplete: boolean;
  readonly refIds: string[];
  readonly refSeqs: number[];
}

export class DoEntities {
  readonly #sql: DoSql;
  readonly #changes: DoChanges;
  #byId: Map<string, HDict> | undefined;
  /** Ids in id order; rebuilt on the first read after an add or remove. */
  #sorted: string[] | undefined;
  readonly #matchers = new Map<string, Matcher>();
  /** Runs inside a removing commit's transaction, so dependent rows go with the record. */
  onRemove: (id: string) => void = () => {};

  constructor(sql: DoSql, changes: DoChanges) {
    this.#sql = sql;
    this.#changes = changes;
  }

  #map(): Map<string, HDict> {
    if (!this.#byId) {
      const m = new Map<string, HDict>();
      for (const r of this.#sql.iterate<{ id: string; tags: string }>("SELECT id, tags FROM entities ORDER BY id")) {
        m.set(r.id, dictFromJson(r.tags));
      }
      this.#byId = m;
    }
    return this.#byId;
  }

  get(id: string): HDict | undefined {
    return this.#map().get(id);
  }

  #matcher(filter: string): Matcher {
    let m = this.#matchers.get(filter);
    if (!m) {
      m = compileFilter(parseFilter(filter), { snapshot: true });
      if (this.#matchers.size >= MAX_CACHED_FILTERS) this.#matchers.clear();
      this.#matchers.set(filter, m);
    }
    return m;
  }

  #inOrder(): string[] {
    // Code-unit order, which Postgres gives with COLLATE "C": the same rows survive a limit everywhere.
    this.#sorted ??= [...this.#map().keys()].sort();
    return this.#sorted;
  }

  /** Records matching the filter text, in id order; at most `limit`. */
  read(filter: string, limit: number): ReadResult {
    const map = this.#map();
    const match = this.#matcher(filter);
    const cx = mapContext(map);
    const rows: HDict[] = [];
    for (const id of this.#inOrder()) {
      const d = map.get(id) as HDict;
      if (!match(d, cx)) continue;
      if (rows.length >= limit) return { rows, incomplete: true };
      rows.push(d);
    }
    return { rows, incomplete: false };
  }

  readByIds(ids: readonly string[]): (HDict | undefined)[] {
    const map = this.#map();
    return ids.map((id) => map.get(id));
  }

  /**
   * What a filter matches as (id, version) pairs: a caller that caches records by version
   * fetches only the texts it lacks (`texts`), instead of every matching record each time.
   */
  readVersions(filter: string, limit: number): Versions {
    const map = this.#map();
    const r = this.read(filter, limit);
    const ids = r.rows.map(idOf);
    // The records the rows' Refs name, so a reader can show their dis without asking again.
    const refIds = refIdsToName(r.rows).filter((id) => map.has(id));
    const seqOf = (id: string) => this.#changes.seqOf(id);
    return { ids, seqs: ids.map(seqOf), incomplete: r.incomplete, refIds, refSeqs: refIds.map(seqOf) };
  }

  /** The version of each id; -1 for an unknown one. */
  versionsOf(ids: readonly string[]): number[] {
    const map = this.#map();
    return ids.map((id) => (map.has(id) ? this.#changes.seqOf(id) : -1));
  }

  /** The stored JSON v4 text of each record; null for an unknown id. */
  texts(ids: readonly string[]): (string | null)[] {
    const found = new Map<string, string>();
    for (let i = 0; i < ids.length; i += MAX_BOUND_PARAMS) {
      const chunk = ids.slice(i, i + MAX_BOUND_PARAMS);
      const marks = chunk.map(() => "?").join(",");
      for (const r of this.#sql.iterate<{ id: string; tags: string }>(
        `SELECT id, tags FROM entities WHERE id IN (${marks})`,
        ...chunk,
      )) {
        found.set(r.id, r.tags);
      }
    }
    return ids.map((id) => found.get(id) ?? null);
  }

  commit(req: CommitRequest): HDict[] {
    const map = this.#map();
    const plan = planCommit(req, (id) => map.get(id));
    return atomically(this.#sql, (onCommit) => {
      this.#apply(plan, onCommit);
      this.#changes.bump(plan.changed, onCommit);
      return [...plan.out];
    });
  }

  // One object writes at a time and the plan was made from its own map, so nothing can have
  // taken an added id or changed a planned record since.
  #apply(plan: CommitPlan, onCommit: OnCommit): void {
    for (const r of plan.insert) this.#put(r.id, r.rec, onCommit);
    for (const r of plan.replace) this.#put(r.id, r.rec, onCommit);
    for (const { id } of plan.remove) {
      this.#sql.run("DELETE FROM entities WHERE id = ?", id);
      this.onRemove(id);
      onCommit(() => {
        this.#byId?.delete(id);
        this.#sorted = undefined;
      });
    }
  }

  /**
   * Sets or (with undefined) removes live tags (rules/live.ts). Returns whether anything changed;
   * call inside `atomically`.
   */
  setLive(id: string, tags: LiveTags, onCommit: OnCommit): boolean {
    const old = this.#map().get(id);
    const rec = old && withLive(old, tags);
    if (!rec) return false;
    this.#put(id, rec, onCommit);
    this.#changes.bump([id], onCommit);
    return true;
  }

  #put(id: string, rec: HDict, onCommit: OnCommit): void {
    const text = writeJsonValue(rec);
    this.#sql.run(
      "INSERT INTO entities (id, tags, mod) VALUES (?, ?, ?) " +
        "ON CONFLICT (id) DO UPDATE SET tags = excluded.tags, mod = excluded.mod",
      id,
      text,
      modMsOf(rec),
    );
    // Decode the stored text rather than keep `rec`: its strings may be slices of a large request.
    const stored = dictFromJson(text);
    onCommit(() => {
      if (this.#byId && !this.#byId.has(id)) this.#sorted = undefined;
      this.#byId?.set(id, stored);
    });
  }
}
