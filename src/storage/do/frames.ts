/**
 * The frames port (frames-port.ts) on DO SQLite, for use inside the collection's own FramesObject:
 * one object per project and collection, so the object's input gate serialises commits, and every
 * method runs its statements synchronously (a commit in one `transaction`), so no other request
 * sees half of one. Blobs are split into 1 MiB parts (do/frames-blobs.ts) under the 2 MB row limit.
 */
import { StoreError } from "../errors.ts";
import type {
  BlobRef,
  CollectionRecord,
  CommitPlan,
  CommitResult,
  FramesPort,
  ItemQuery,
  ItemRecord,
  SegmentPut,
  SnapshotHead,
  SnapshotRecord,
  VersionHead,
  VersionRecord,
} from "../frames-port.ts";
import { checkPlan, checkPuts, checkQuery } from "../rules/frames-plan.ts";
import { dropBlobs, putBlobs, readBlob } from "./frames-blobs.ts";
import { applyCommit } from "./frames-commit.ts";
import {
  collectionOf,
  itemOf,
  itemRow,
  listItems,
  snapshotHeads,
  snapshotOf,
  versionAt,
  versionHeads,
  versionOf,
} from "./frames-rows.ts";
import { FRAMES_TABLES } from "./frames-schema.ts";
import type { DoSql } from "./sql.ts";

/** The port over the object's SQLite (`new DoSql(ctx.storage)`); the object must run FRAMES_SCHEMA. */
export function doFramesPort(sql: DoSql): FramesPort {
  return new DoFrames(sql);
}

class DoFrames implements FramesPort {
  readonly #sql: DoSql;

  constructor(sql: DoSql) {
    this.#sql = sql;
  }

  async collection(): Promise<CollectionRecord | null> {
    return collectionOf(this.#sql);
  }

  async drop(): Promise<void> {
    this.#sql.transaction(() => {
      for (const t of FRAMES_TABLES) this.#sql.run(`DELETE FROM ${t}`);
    });
  }

  async items(q: ItemQuery): Promise<ItemRecord[]> {
    checkQuery(q);
    return listItems(this.#sql, q).map(itemOf);
  }

  async item(name: string): Promise<ItemRecord | null> {
    const r = itemRow(this.#sql, name);
    return r ? itemOf(r) : null;
  }

  async versions(item: string): Promise<VersionHead[]> {
    return versionHeads(this.#sql, item);
  }

  async version(item: string, version: number): Promise<VersionRecord | null> {
    return versionOf(this.#sql, item, version);
  }

  async versionAt(item: string, atMs: number): Promise<VersionRecord | null> {
    return versionAt(this.#sql, item, atMs);
  }

  async snapshots(): Promise<SnapshotHead[]> {
    return snapshotHeads(this.#sql);
  }

  async snapshot(name: string): Promise<SnapshotRecord | null> {
    return snapshotOf(this.#sql, name);
  }

  async putSegments(segments: readonly SegmentPut[], nowMs: number): Promise<void> {
    checkPuts(segments);
    const sql = this.#sql;
    sql.transaction(() => {
      if (collectionOf(sql) === null) throw new StoreError("not_found", "The collection does not exist");
      for (const s of segments) {
        const id = s.segment.id;
        if (sql.first("SELECT 1 AS one FROM fr_segments WHERE item = ? AND id = ?", s.item, id)) {
          throw new StoreError("conflict", `Item ${s.item} already has a segment ${id}`);
        }
        sql.run(
          "INSERT INTO fr_segments (item, id, record, staged_ms, listed) VALUES (?, ?, ?, ?, 0)",
          s.item,
          id,
          JSON.stringify(s.segment),
          nowMs,
        );
        putBlobs(sql, s.item, id, s.blobs);
      }
    });
  }

  async blobs(refs: readonly BlobRef[]): Promise<Uint8Array[][]> {
    return refs.map((r) => r.ordinals.map((o) => readBlob(this.#sql, r.item, r.segment, o)));
  }

  async commit(plan: CommitPlan, nowMs: number): Promise<CommitResult> {
    checkPlan(plan);
    return applyCommit(this.#sql, plan, nowMs);
  }

  async discard(segments: readonly { readonly item: string; readonly id: string }[]): Promise<void> {
    const sql = this.#sql;
    sql.transaction(() => {
      for (const s of segments) {
        const staged = sql.first<{ n: number }>(
          "SELECT 1 AS n FROM fr_segments WHERE item = ? AND id = ? AND listed = 0",
          s.item,
          s.id,
        );
        if (staged === undefined) continue;
        sql.run("DELETE FROM fr_segments WHERE item = ? AND id = ?", s.item, s.id);
        dropBlobs(sql, s.item, s.id);
      }
    });
  }

  async sweep(nowMs: number, graceMs: number): Promise<number> {
    const sql = this.#sql;
    return sql.transaction(() => {
      const old = sql.all<{ item: string; id: string }>(
        "SELECT item, id FROM fr_segments WHERE listed = 0 AND staged_ms < ?",
        nowMs - graceMs,
      );
      for (const s of old) {
        sql.run("DELETE FROM fr_segments WHERE item = ? AND id = ?", s.item, s.id);
        dropBlobs(sql, s.item, s.id);
      }
      return old.length;
    });
  }
}
