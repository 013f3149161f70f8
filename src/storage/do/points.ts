/**
 * Point priority arrays in DO SQLite. Each write recomputes the effective value and mirrors it
 * into the record's `writeVal`/`writeLevel` in the same transaction; `next_expiry` lets the
 * alarm find timed overrides without reading every array.
 */
import {
  EMPTY_PRIORITY_ARRAY,
  expire,
  nextExpiry,
  type PriorityArray,
  priorityFromJson,
  priorityToJson,
  type WriteRequest,
  write,
} from "../../haystack/point/index.ts";
import { writeTags } from "../rules/live.ts";
import { checkPoint, markedIn } from "../rules/point-checks.ts";
import { atomically, type OnCommit } from "./atomic.ts";
import type { DoEntities } from "./entities.ts";
import type { DoSql } from "./sql.ts";

export class DoPoints {
  readonly #sql: DoSql;
  readonly #entities: DoEntities;

  constructor(sql: DoSql, entities: DoEntities) {
    this.#sql = sql;
    this.#entities = entities;
  }

  #check(id: string): void {
    checkPoint(id, "writable", markedIn(this.#entities.get(id), "writable"));
  }

  #load(id: string): PriorityArray {
    const row = this.#sql.first<{ levels: string }>("SELECT levels FROM point_arrays WHERE id = ?", id);
    return row ? priorityFromJson(JSON.parse(row.levels)) : EMPTY_PRIORITY_ARRAY;
  }

  read(id: string): PriorityArray {
    this.#check(id);
    return this.#load(id);
  }

  write(id: string, req: WriteRequest): { array: PriorityArray; nextExpiry?: number } {
    this.#check(id);
    const arr = write(this.#load(id), req);
    atomically(this.#sql, (onCommit) => this.#store(id, arr, req.nowMs, onCommit));
    return { array: arr, nextExpiry: this.#soonest() };
  }

  expire(nowMs: number): { nextExpiry?: number } {
    const due = this.#sql.all<{ id: string; levels: string }>(
      "SELECT id, levels FROM point_arrays WHERE next_expiry <= ?",
      nowMs,
    );
    atomically(this.#sql, (onCommit) => {
      for (const row of due) {
        const { arr } = expire(priorityFromJson(JSON.parse(row.levels)), nowMs);
        this.#store(row.id, arr, nowMs, onCommit);
      }
    });
    return { nextExpiry: this.#soonest() };
  }

  /** Drops a removed point's array. */
  forget(id: string): void {
    this.#sql.run("DELETE FROM point_arrays WHERE id = ?", id);
  }

  #store(id: string, arr: PriorityArray, nowMs: number, onCommit: OnCommit): void {
    this.#sql.run(
      "INSERT INTO point_arrays (id, levels, next_expiry) VALUES (?, ?, ?) " +
        "ON CONFLICT (id) DO UPDATE SET levels = excluded.levels, next_expiry = excluded.next_expiry",
      id,
      JSON.stringify(priorityToJson(arr)),
      nextExpiry(arr) ?? null,
    );
    this.#entities.setLive(id, writeTags(arr, nowMs), onCommit);
  }

  #soonest(): number | undefined {
    const row = this.#sql.first<{ t: number | null }>("SELECT MIN(next_expiry) AS t FROM point_arrays");
    return row?.t ?? undefined;
  }
}
