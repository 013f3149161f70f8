/**
 * Point priority arrays in Postgres. A write locks the point's record, so two writers to one
 * point queue; the effective value is mirrored into `writeVal`/`writeLevel` in the same
 * transaction.
 */
import {
  EMPTY_PRIORITY_ARRAY,
  expire,
  nextExpiry,
  type PriorityArray,
  type PriorityArrayJson,
  priorityFromJson,
  priorityToJson,
  write,
} from "../../haystack/point/index.ts";
import type { PointStore } from "../ports.ts";
import { writeTags } from "../rules/live.ts";
import { checkPoint } from "../rules/point-checks.ts";
import { setLive } from "./entities.ts";
import { type Querier, run } from "./sql.ts";

export class PgPoints implements PointStore {
  constructor(
    private readonly db: Querier,
    private readonly tx: <T>(fn: (q: Querier) => Promise<T>) => Promise<T>,
    private readonly project: string,
  ) {}

  async #check(q: Querier, id: string, lock: boolean): Promise<void> {
    const [row] = await run<{ writable: boolean }>(
      q,
      `SELECT tags ? 'writable' AS writable FROM entities WHERE project = $1 AND id = $2${lock ? " FOR UPDATE" : ""}`,
      [this.project, id],
    );
    checkPoint(id, "writable", row?.writable);
  }

  async #load(q: Querier, id: string): Promise<PriorityArray> {
    const [row] = await run<{ levels: PriorityArrayJson }>(
      q,
      "SELECT levels FROM point_arrays WHERE project = $1 AND id = $2",
      [this.project, id],
    );
    return row ? priorityFromJson(row.levels) : EMPTY_PRIORITY_ARRAY;
  }

  async read(id: string): Promise<PriorityArray> {
    await this.#check(this.db, id, false);
    return this.#load(this.db, id);
  }

  async write(id: string, req: Parameters<PointStore["write"]>[1]) {
    const arr = await this.tx(async (q) => {
      await this.#check(q, id, true);
      const next = write(await this.#load(q, id), req);
      await this.#store(q, id, next, req.nowMs);
      return next;
    });
    return { array: arr, ...(await this.#soonest()) };
  }

  async expire(nowMs: number): Promise<{ readonly nextExpiry?: number }> {
    await this.tx(async (q) => {
      const due = await run<{ id: string }>(q, "SELECT id FROM point_arrays WHERE project = $1 AND next_expiry <= $2", [
        this.project,
        nowMs,
      ]);
      if (due.length === 0) return;
      // Locks in the order every writer takes them (the records by id, then their arrays and the
      // change feed), so an expiry and a pointWrite queue instead of deadlocking.
      const locked = await run<{ id: string }>(
        q,
        "SELECT id FROM entities WHERE project = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE",
        [this.project, due.map((r) => r.id)],
      );
      for (const { id } of locked) {
        // Read again under the lock: a write since the first look may have changed the array.
        await this.#store(q, id, expire(await this.#load(q, id), nowMs).arr, nowMs);
      }
    });
    return this.#soonest();
  }

  async #store(q: Querier, id: string, arr: PriorityArray, nowMs: number): Promise<void> {
    await run(
      q,
      "INSERT INTO point_arrays (project, id, levels, next_expiry) VALUES ($1, $2, $3::jsonb, $4) " +
        "ON CONFLICT (project, id) DO UPDATE SET levels = excluded.levels, next_expiry = excluded.next_expiry",
      [this.project, id, JSON.stringify(priorityToJson(arr)), nextExpiry(arr) ?? null],
    );
    await setLive(q, this.project, id, writeTags(arr, nowMs));
  }

  async #soonest(): Promise<{ nextExpiry?: number }> {
    const [row] = await run<{ t: string | null }>(
      this.db,
      "SELECT min(next_expiry) AS t FROM point_arrays WHERE project = $1",
      [this.project],
    );
    return row?.t === null || row?.t === undefined ? {} : { nextExpiry: Number(row.t) };
  }
}
