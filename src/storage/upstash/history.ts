/**
 * History on Upstash Redis: per point, sorted sets of samples by time bucket and a metadata key
 * (layout in point-keys.ts, members in his-codec.ts). A write is one optimistic program for the
 * whole batch (his-write.ts); a read pages bucket by bucket (his-read.ts); a rollup folds the read
 * with the reference fold (rollup.ts), which every backend must agree with anyway.
 */
import { checkHisItems, type HisPage } from "../his-page.ts";
import type { HisSpan, HistoryStore, HisWrite, HisWriteResult } from "../ports.ts";
import { foldPages, type RollupRequest } from "../rollup.ts";
import type { Upstash } from "./client.ts";
import { readHistory } from "./his-read.ts";
import { collapseWrites, planHisWrite } from "./his-write.ts";
import { pointKeys } from "./point-keys.ts";
import { optimistic } from "./program.ts";
import { recordKeys } from "./records.ts";

/** Rows per page by default (the port allows 10k-25k): ~25 bytes a member, a reply of ~625 KB; fewer round trips made the 1M-row hisRead 1.2x as fast as 10k pages. */
export const PAGE_ROWS = 25_000;

export function upstashHistory(u: Upstash, base: string): HistoryStore {
  const rk = recordKeys(base);
  const pk = pointKeys(base);
  const read = (id: string, span: HisSpan, pageRows = PAGE_ROWS) => readHistory(u, rk, pk, id, span, pageRows);
  return {
    read,
    rollup(id: string, span: HisSpan, req: RollupRequest): AsyncIterable<HisPage> {
      return foldPages(read(id, span), span, req);
    },
    async write(writes: readonly HisWrite[]): Promise<HisWriteResult> {
      // Samples first: a bad sample is `invalid` whatever the points are.
      for (const w of writes) checkHisItems(w.id, w.items);
      const batch = collapseWrites(writes);
      return optimistic(u, async () => ({
        program: await planHisWrite(u, base, rk, pk, batch),
        answer: () => ({ count: batch.count }),
      }));
    },
  };
}
