/**
 * The ports over RPC to a project's Durable Object: what the Worker's op handlers use on the
 * embedded default. Dicts cross as JSON v4 text, history as column pages.
 */

import { writeJsonValue } from "../../haystack/codec/json/index.ts";
import { filterToString } from "../../haystack/filter/index.ts";
import type { HDict } from "../../haystack/kinds/index.ts";
import { pointValToJson, priorityFromJson } from "../../haystack/point/index.ts";
import { pageOf } from "../his-page.ts";
import { dictsFromJson } from "../json-dicts.ts";
import type { ProjectStore } from "../ports.ts";
import { foldPages } from "../rollup.ts";
import { unwrap } from "../wire.ts";
import { resolveRecords } from "./entity-cache.ts";
import { HIS_PAGE_ROWS, pages } from "./local.ts";
import type { ProjectStorageRpc } from "./rpc.ts";

export type ProjectStub = DurableObjectStub<ProjectStorageRpc>;

/**
 * A timer turn after each history page. Under `wrangler dev` the project object runs on the
 * Worker's own thread, so a page's round trip never waits on a socket, and workerd polls its
 * sockets only when nothing else can run: a read of thousands of pages left every other connection
 * unread for seconds, until workerd's HTTP timeouts (keep-alive, request headers), checked on a
 * clock that only moves when it polls, dropped them, which wrangler's proxy reports as "Your worker
 * restarted mid-request". A timer fires only after such a poll. Deployed, the round trip is real
 * I/O and this costs one timer turn a page.
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function remoteStore(stub: ProjectStub): ProjectStore {
  const key = stub.id.toString();
  const texts = async (ids: string[]) => unwrap(await stub.entityTexts(ids));
  return {
    entities: {
      async read(filter, opts) {
        const r = unwrap(await stub.readVersions(filterToString(filter), opts.limit));
        const n = r.ids.length;
        const recs = await resolveRecords(key, [...r.ids, ...r.refIds], [...r.seqs, ...r.refSeqs], texts);
        const defined = (d: HDict | undefined): d is HDict => d !== undefined;
        return {
          rows: recs.slice(0, n).filter(defined),
          incomplete: r.incomplete,
          refs: recs.slice(n).filter(defined),
        };
      },
      async readByIds(ids) {
        const list = [...ids];
        return resolveRecords(key, list, unwrap(await stub.versionsOf(list)), texts);
      },
      async commit(req) {
        const text = writeJsonValue([...req.rows]);
        return dictsFromJson(unwrap(await stub.commit(req.op, text, req.force === true, req.nowMs)));
      },
    },
    history: {
      read(id, span, size = HIS_PAGE_ROWS) {
        return pages(
          span,
          async (after) => {
            const page = unwrap(await stub.hisPage(id, span.start, span.end, after, size));
            await nextTask();
            return page;
          },
          size,
        );
      },
      async write(writes) {
        const wire = writes.map((w) => ({ id: w.id, page: pageOf(w.items) }));
        return { count: unwrap(await stub.hisWrite(wire)) };
      },
      // SQLite has no bucket functions worth the RPC: the samples stream here and fold as they come.
      rollup(id, span, req) {
        return foldPages(this.read(id, span), span, req);
      },
    },
    points: {
      async read(id) {
        return priorityFromJson(unwrap(await stub.pointRead(id)));
      },
      async write(id, req) {
        const r = unwrap(await stub.pointWrite(id, { ...req, val: pointValToJson(req.val) }));
        return { array: priorityFromJson(r.array), nextExpiry: r.nextExpiry };
      },
      async expire(nowMs) {
        return unwrap(await stub.pointExpire(nowMs));
      },
    },
    changes: {
      async cursor() {
        return unwrap(await stub.changesCursor());
      },
      async changedSince(since, ids) {
        return unwrap(await stub.changedSince(since, [...ids]));
      },
    },
  };
}
