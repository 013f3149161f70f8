/**
 * Records on Upstash Redis (layout in records.ts). A commit reads the records it touches, plans
 * with the shared rules (rules/commit.ts) and writes the plan, the indexes, the removed points'
 * history and arrays, and the change feed bump as one program, which runs only if every record
 * is still as read (program.ts); otherwise it reads again and re-plans.
 */
import type { Filter } from "../../haystack/filter/index.ts";
import type { HDict } from "../../haystack/kinds/index.ts";
import type { CommitRequest, EntityStore, ReadOptions, ReadResult } from "../ports.ts";
import { commitIds, planCommit } from "../rules/commit.ts";
import type { Upstash } from "./client.ts";
import { readFiltered } from "./filter-read.ts";
import { changeKeys } from "./keys.ts";
import { pointDataRemoval } from "./point-data.ts";
import { optimistic, Program } from "./program.ts";
import { putRecord, type RecordKeys, readRecords, recordKeys } from "./records.ts";

export class UpstashEntities implements EntityStore {
  readonly #keys: RecordKeys;

  constructor(
    private readonly u: Upstash,
    private readonly base: string,
  ) {
    this.#keys = recordKeys(base);
  }

  read(filter: Filter, opts: ReadOptions): Promise<ReadResult> {
    return readFiltered(this.u, this.#keys, filter, opts);
  }

  async readByIds(ids: readonly string[]): Promise<readonly (HDict | undefined)[]> {
    return (await readRecords(this.u, this.#keys, ids)).map((r) => r?.rec);
  }

  commit(req: CommitRequest): Promise<readonly HDict[]> {
    const { seq, chg } = changeKeys(this.base);
    return optimistic(this.u, async () => {
      const ids = commitIds(req);
      const found = await readRecords(this.u, this.#keys, ids);
      const stored = new Map(ids.map((id, i) => [id, found[i]]));
      const plan = planCommit(req, (id) => stored.get(id)?.rec);
      const program = new Program();
      // An added id checks absent, so a record added since the read fails the run (re-planned:
      // then `duplicate` for a given id, a fresh one for a generated id).
      for (const r of plan.insert) putRecord(program, this.#keys, r.id, undefined, r.rec);
      for (const r of plan.replace) putRecord(program, this.#keys, r.id, stored.get(r.id), r.rec);
      for (const r of plan.remove) putRecord(program, this.#keys, r.id, stored.get(r.id), undefined);
      if (plan.remove.length > 0) {
        (
          await pointDataRemoval(
            this.u,
            this.base,
            plan.remove.map((r) => r.id),
          )
        )(program);
      }
      program.bump(seq, chg, plan.changed);
      return { program, answer: () => plan.out };
    });
  }
}
