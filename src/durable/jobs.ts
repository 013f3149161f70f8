/**
 * One alarm for every timed job of an object (watch leases, level-8 override expiry, later sync
 * pulls): a table of due times, run by `runDueJobs` and re-armed at the soonest one left. A job
 * leaves the table only once its handler has succeeded; a failure (a database that is down) keeps
 * it, due again after a growing delay, so no expiry is lost to an outage.
 */
import type { DoSql } from "../storage/do/sql.ts";

/** The table every object with jobs creates in its schema (a step of its own). */
export const JOBS_TABLE: readonly string[] = [
  "CREATE TABLE jobs (kind TEXT NOT NULL, key TEXT NOT NULL, due INTEGER NOT NULL, " +
    "attempts INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (kind, key)) STRICT",
  "CREATE INDEX jobs_due ON jobs (due)",
];

export interface Job {
  readonly kind: string;
  readonly key: string;
  readonly due: number;
  /** Failed runs so far. */
  readonly attempts: number;
}

/** First retry after a failure; each further one waits twice as long, up to RETRY_MAX_MS. */
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 5 * 60_000;

export function retryDelay(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** Where the alarm is kept: the object's storage (an interface so plain tests can stand in). */
export interface AlarmSlot {
  getAlarm(): Promise<number | null>;
  setAlarm(at: number): Promise<void>;
  deleteAlarm(): Promise<void>;
}

export class Jobs {
  readonly #sql: DoSql;
  readonly #alarm: AlarmSlot;
  /** Told the soonest due time of the jobs that count (see `watched`) whenever it may have moved. */
  onSoonest: (due: number | undefined) => Promise<void> | void = () => {};

  /** `watched`: the job kinds whose soonest due time `onSoonest` reports. */
  constructor(
    sql: DoSql,
    alarm: AlarmSlot,
    readonly watched: readonly string[] = [],
  ) {
    this.#sql = sql;
    this.#alarm = alarm;
  }

  /** Sets (or moves) a job and re-arms the alarm; a moved job starts its attempts afresh. */
  async schedule(kind: string, key: string, due: number): Promise<void> {
    this.#sql.run(
      "INSERT INTO jobs (kind, key, due, attempts) VALUES (?, ?, ?, 0) " +
        "ON CONFLICT (kind, key) DO UPDATE SET due = excluded.due, attempts = 0",
      kind,
      key,
      due,
    );
    await this.rearm();
  }

  /**
   * Sets a job unless one of the kind and key is already due sooner. Point expiries use this: two
   * overlapping pointWrites may arm their expiries out of order, and the later arming must not
   * push back the earlier one (each run schedules the next expiry itself).
   */
  async scheduleEarliest(kind: string, key: string, due: number): Promise<void> {
    this.#sql.run(
      "INSERT INTO jobs (kind, key, due, attempts) VALUES (?, ?, ?, 0) " +
        "ON CONFLICT (kind, key) DO UPDATE SET due = MIN(due, excluded.due)",
      kind,
      key,
      due,
    );
    await this.rearm();
  }

  async cancel(kind: string, key: string): Promise<void> {
    this.#sql.run("DELETE FROM jobs WHERE kind = ? AND key = ?", kind, key);
    await this.rearm();
  }

  /** Every job due at `now`, soonest first. Nothing is removed. */
  due(now: number): Job[] {
    return this.#sql.all<{ kind: string; key: string; due: number; attempts: number }>(
      "SELECT kind, key, due, attempts FROM jobs WHERE due <= ? ORDER BY due, kind, key",
      now,
    );
  }

  /** Removes a job that ran, unless it was moved while it ran (then it runs again when due). */
  done(job: Job): void {
    this.#sql.run("DELETE FROM jobs WHERE kind = ? AND key = ? AND due = ?", job.kind, job.key, job.due);
  }

  /** Keeps a job that failed, due again after the backoff. */
  failed(job: Job, now: number): void {
    const attempts = job.attempts + 1;
    const due = now + retryDelay(attempts);
    this.#sql.run(
      "UPDATE jobs SET due = ?, attempts = ? WHERE kind = ? AND key = ? AND due = ?",
      due,
      attempts,
      job.kind,
      job.key,
      job.due,
    );
  }

  /** The soonest due time among `kinds` (all kinds when empty). */
  soonest(kinds: readonly string[] = []): number | undefined {
    const where = kinds.length === 0 ? "" : ` WHERE kind IN (${kinds.map(() => "?").join(", ")})`;
    const row = this.#sql.first<{ due: number | null }>(`SELECT MIN(due) AS due FROM jobs${where}`, ...kinds);
    return row?.due ?? undefined;
  }

  /** Points the alarm at the soonest job, or clears it. */
  async rearm(): Promise<void> {
    const next = this.soonest();
    const armed = await this.#alarm.getAlarm();
    if (next === undefined) {
      if (armed !== null) await this.#alarm.deleteAlarm();
    } else if (armed !== next) {
      await this.#alarm.setAlarm(next);
    }
    if (this.watched.length > 0) await this.onSoonest(this.soonest(this.watched));
  }
}

export type JobHandlers = Readonly<Record<string, (job: Job, now: number) => Promise<void> | void>>;

export interface JobRun {
  readonly ran: number;
  readonly failed: number;
}

/**
 * Runs every job due at `now` through its kind's handler, one at a time in due order; a job is
 * deleted only after its handler returns, and a throw schedules a retry with backoff (the error
 * goes to `onError`). A job of a kind with no handler is dropped as failed for good.
 */
export async function runDueJobs(
  jobs: Jobs,
  now: number,
  handlers: JobHandlers,
  onError: (job: Job, err: unknown) => void,
): Promise<JobRun> {
  let ran = 0;
  let failed = 0;
  for (const job of jobs.due(now)) {
    const handler = handlers[job.kind];
    if (!handler) {
      onError(job, new Error(`no handler for job kind ${job.kind}`));
      jobs.done(job);
      failed++;
      continue;
    }
    try {
      await handler(job, now);
      jobs.done(job);
      ran++;
    } catch (err) {
      jobs.failed(job, now);
      onError(job, err);
      failed++;
    }
  }
  await jobs.rearm();
  return { ran, failed };
}
