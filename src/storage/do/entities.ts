/**
 * The project's records in DO SQLite, mirrored by an in-memory map that filters run against.
 * The map is loaded on first use and changed only after a transaction commits.
 */
import { writeJsonValue } from "../../haystack/codec/json/index.ts";
import { compileFilter, type Matcher, mapContext, parseFilter } from "../../haystack/filter/index.ts";
import { equals, HDateTime, HDict, HRef, type HVal, isRef } from "../../haystack/kinds/index.ts";
import {
  addId,
  applyDiff,
  checkDistinct,
  checkMod,
  idOf,
  nextMod,
  requireId,
  stamp,
  withoutRemoves,
} from "../commit-rules.ts";
import { StoreError } from "../errors.ts";
import { dictFromJson } from "../json-dicts.ts";
import type { CommitRequest, ReadResult } from "../ports.ts";
import { atomically, type OnCommit } from "./atomic.ts";
import type { DoChanges } from "./changes.ts";
import { type DoSql, MAX_BOUND_PARAMS } from "./sql.ts";

const MAX_CACHED_FILTERS = 64;
/** Most referenced records a read reports alongside its rows. */
const MAX_REF_RECORDS = 10_000;

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
    // The records the rows' Refs name (outside the result), so a reader can show their dis.
    const inResult = new Set(ids);
    const refIds: string[] = [];
    const seen = new Set<string>();
    for (const d of r.rows) {
      const tags = d.toObject();
      for (const k in tags) {
        const v = tags[k];
        if (isRef(v) && !inResult.has(v.id) && !seen.has(v.id) && map.has(v.id) && refIds.length < MAX_REF_RECORDS) {
          seen.add(v.id);
          refIds.push(v.id);
        }
      }
    }
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
    checkDistinct(req);
    return atomically(this.#sql, (onCommit) => {
      const out: HDict[] = [];
      const changed: string[] = [];
      for (const row of req.rows) {
        if (req.op === "add") {
          const id = addId(row, (x) => map.has(x));
          const rec = stamp(HDict.of(withoutRemoves(row, id)), id, req.nowMs);
          this.#put(id, rec, onCommit);
          out.push(rec);
          changed.push(id);
          continue;
        }
        const id = requireId(row);
        const old = map.get(id);
        if (!old) throw new StoreError("not_found", `Unknown record @${id}`);
        if (!req.force) checkMod(row, old, id);
        if (req.op === "remove") {
          this.#sql.run("DELETE FROM entities WHERE id = ?", id);
          this.onRemove(id);
          onCommit(() => {
            map.delete(id);
            this.#sorted = undefined;
          });
          out.push(HDict.of({ id: new HRef(id) }));
        } else {
          const rec = stamp(applyDiff(old, row), id, nextMod(old, req.nowMs));
          this.#put(id, rec, onCommit);
          out.push(rec);
        }
        changed.push(id);
      }
      this.#changes.bump(changed, onCommit);
      return out;
    });
  }

  /**
   * Sets or (with undefined) removes tags that follow live state rather than edits: curVal,
   * writeVal and the like. `mod` is kept, so a client's optimistic commit is not invalidated by a
   * sensor update. Returns whether anything changed; call inside `atomically`.
   */
  setLive(id: string, tags: Readonly<Record<string, HVal | undefined>>, onCommit: OnCommit): boolean {
    const old = this.#map().get(id);
    if (!old) return false;
    let differs = false;
    for (const [k, v] of Object.entries(tags)) {
      const cur = old.get(k);
      if (v === undefined ? cur !== undefined : !equals(cur, v)) differs = true;
    }
    if (!differs) return false;
    this.#put(id, old.merge(tags), onCommit);
    this.#changes.bump([id], onCommit);
    return true;
  }

  #put(id: string, rec: HDict, onCommit: OnCommit): void {
    const text = writeJsonValue(rec);
    const mod = rec.get("mod");
    this.#sql.run(
      "INSERT INTO entities (id, tags, mod) VALUES (?, ?, ?) " +
        "ON CONFLICT (id) DO UPDATE SET tags = excluded.tags, mod = excluded.mod",
      id,
      text,
      mod instanceof HDateTime ? mod.ms : 0,
    );
    // Decode the stored text rather than keep `rec`: its strings may be slices of a large request.
    const stored = dictFromJson(text);
    onCommit(() => {
      if (this.#byId && !this.#byId.has(id)) this.#sorted = undefined;
      this.#byId?.set(id, stored);
    });
  }
}
