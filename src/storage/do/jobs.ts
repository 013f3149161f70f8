/**
 * One alarm for every timed job of a project object (watch leases, level-8 override expiry):
 * a table of due times, drained by `alarm()` and re-armed at the soonest one left.
 */
import type { DoSql } from "./sql.ts";

export type JobKind = "lease" | "points";

export interface Job {
  readonly kind: JobKind;
  readonly key: string;
  readonly due: number;
}

export class Jobs {
  readonly #sql: DoSql;
  readonly #storage: DurableObjectStorage;

  constructor(sql: DoSql, storage: DurableObjectStorage) {
    this.#sql = sql;
    this.#storage = storage;
  }

  /** Sets (or moves) a job and re-arms the alarm. */
  async schedule(kind: JobKind, key: string, due: number): Promise<void> {
    await this.#upsert(kind, key, due, "excluded.due");
  }

  /**
   * Sets a job unless one of the kind and key is already due sooner. Point expiries use this: two
   * overlapping pointWrites may arm their expiries out of order, and the later arming must not
   * push back the earlier one (the alarm re-arms for the next expiry after each run).
   */
  async scheduleEarliest(kind: JobKind, key: string, due: number): Promise<void> {
    await this.#upsert(kind, key, due, "MIN(due, excluded.due)");
  }

  /** `update` is one of two fixed SQL expressions (the type admits no other), never input. */
  async #upsert(
    kind: JobKind,
    key: string,
    due: number,
    update: "excluded.due" | "MIN(due, excluded.due)",
  ): Promise<void> {
    this.#sql.run(
      `INSERT INTO jobs (kind, key, due) VALUES (?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET due = ${update}`,
      kind,
      key,
      due,
    );
    await this.rearm();
  }

  async cancel(kind: JobKind, key: string): Promise<void> {
    this.#sql.run("DELETE FROM jobs WHERE kind = ? AND key = ?", kind, key);
    await this.rearm();
  }

  /** Removes and returns every job due at `now`. */
  take(now: number): Job[] {
    const due = this.#sql.all<{ kind: string; key: string; due: number }>(
      "SELECT kind, key, due FROM jobs WHERE due <= ? ORDER BY due",
      now,
    );
    this.#sql.run("DELETE FROM jobs WHERE due <= ?", now);
    return due.map((r) => ({ kind: r.kind as JobKind, key: r.key, due: r.due }));
  }

  /** Points the alarm at the soonest job, or clears it. */
  async rearm(): Promise<void> {
    const next = this.#sql.first<{ due: number | null }>("SELECT MIN(due) AS due FROM jobs")?.due ?? null;
    const armed = await this.#storage.getAlarm();
    if (next === null) {
      if (armed !== null) await this.#storage.deleteAlarm();
    } else if (armed !== next) {
      await this.#storage.setAlarm(next);
    }
  }
}
