/** watchSub, watchUnsub, watchPoll: subscriptions kept in the project object, changes from the feed. */
import { HDict, HGrid, HRef, MARKER } from "../../../haystack/kinds/index.ts";
import { exactDuration } from "../../../haystack/time/duration.ts";
import { badArg, dictsGrid, durationMs, optStr, rowIds } from "./args.ts";
import { withRefDis } from "./refs.ts";
import type { Op } from "./types.ts";

function watchIdOf(meta: HDict): string {
  const id = optStr(meta.get("watchId"), "watchId");
  if (id === undefined) throw badArg("watchId (grid meta) is required");
  return id;
}

export const watchSub: Op = {
  name: "watchSub",
  summary: "Watch subscription",
  noSideEffects: false,
  minRole: "operator",
  async run(req, cx) {
    const ids = rowIds(req);
    const watchId = optStr(req.meta.get("watchId"), "watchId");
    const dis = optStr(req.meta.get("watchDis"), "watchDis");
    const leaseMs = durationMs(req.meta.get("lease"), "lease");
    const sub = await cx.watches.sub({
      ...(watchId === undefined ? {} : { watchId }),
      ...(dis === undefined ? {} : { dis }),
      ...(leaseMs === undefined ? {} : { leaseMs }),
      ids,
      nowMs: cx.nowMs,
    });
    const meta = HDict.of({ watchId: sub.watchId, lease: exactDuration(sub.leaseMs) });
    return dictsGrid(await withRefDis(cx, await cx.store.entities.readByIds(ids)), meta);
  },
};

export const watchUnsub: Op = {
  name: "watchUnsub",
  summary: "Watch unsubscription",
  noSideEffects: false,
  minRole: "operator",
  async run(req, cx) {
    const watchId = watchIdOf(req.meta);
    await cx.watches.unsub(watchId, req.meta.get("close") === MARKER ? "close" : rowIds(req));
    return HGrid.empty();
  },
};

export const watchPoll: Op = {
  name: "watchPoll",
  summary: "Watch poll cov or refresh",
  noSideEffects: false,
  minRole: "operator",
  async run(req, cx) {
    const watchId = watchIdOf(req.meta);
    const refresh = req.meta.get("refresh") === MARKER;
    const poll = await cx.watches.poll(watchId, refresh, cx.nowMs);
    const recs = await cx.store.entities.readByIds(poll.ids);
    // A refresh lists live records only; a change poll reports a removed record as {id, removed}.
    const rows = refresh
      ? recs.filter((r) => r !== undefined)
      : recs.map((r, i) => r ?? HDict.of({ id: new HRef(poll.ids[i] as string), removed: MARKER }));
    return dictsGrid(await withRefDis(cx, rows), HDict.of({ watchId }));
  },
};
