/**
 * The ports over a DoProject, for code running inside the project object itself (watches, the
 * alarm, demo seeding): the same contract as the RPC client, without the hop.
 */
import { filterToString } from "../../haystack/filter/index.ts";
import { type HisPage, pageOf } from "../his-page.ts";
import type { HisSpan, ProjectStore } from "../ports.ts";
import { foldPages } from "../rollup.ts";
import type { DoProject } from "./project.ts";

export const HIS_PAGE_ROWS = 10_000;

/** Keyset pages of one point's span, each fetched by `page(after)`. */
export async function* pages(
  span: HisSpan,
  page: (after: number) => HisPage | Promise<HisPage>,
  size = HIS_PAGE_ROWS,
): AsyncGenerator<HisPage, void, undefined> {
  let after = Number.NEGATIVE_INFINITY;
  for (;;) {
    const p = await page(after);
    if (p.count > 0) yield p;
    if (p.count < size) return;
    after = p.ts[p.count - 1] ?? span.end;
  }
}

export function localStore(p: DoProject): ProjectStore {
  return {
    entities: {
      read: async (filter, opts) => p.entities.read(filterToString(filter), opts.limit),
      readByIds: async (ids) => p.entities.readByIds(ids),
      commit: async (req) => p.entities.commit(req),
    },
    history: {
      read: (id, span, size = HIS_PAGE_ROWS) =>
        pages(span, (after) => p.history.page(id, span.start, span.end, after, size), size),
      write: async (writes) => ({ count: p.history.write(writes.map((w) => ({ id: w.id, page: pageOf(w.items) }))) }),
      rollup(id, span, req) {
        return foldPages(this.read(id, span), span, req);
      },
    },
    points: {
      read: async (id) => p.points.read(id),
      write: async (id, req) => p.points.write(id, req),
      expire: async (nowMs) => p.points.expire(nowMs),
    },
    changes: {
      cursor: async () => p.changes.cursor(),
      changedSince: async (since, ids) => p.changes.changedSince(since, ids),
    },
  };
}
