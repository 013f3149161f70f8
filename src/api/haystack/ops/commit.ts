/** commit (haxall's extension): add, update or remove records, all or nothing. */
import { MARKER } from "../../../haystack/kinds/index.ts";
import type { CommitOp } from "../../../storage/ports.ts";
import { badArg, dictsGrid } from "./args.ts";
import type { Op } from "./types.ts";

const OPS: readonly CommitOp[] = ["add", "update", "remove"];

export const commit: Op = {
  name: "commit",
  changesRecords: true,
  summary: "Add, update or remove records (mod checked for optimistic concurrency)",
  noSideEffects: false,
  minRole: "admin",
  async run(req, cx) {
    const mode = req.meta.get("commit");
    if (typeof mode !== "string" || !OPS.includes(mode as CommitOp)) {
      throw badArg('commit needs grid meta commit: "add", "update" or "remove"');
    }
    if (req.rows.length === 0) return dictsGrid([]);
    const rows = req.dicts();
    const out = await cx.store.entities.commit({
      op: mode as CommitOp,
      rows,
      force: req.meta.get("force") === MARKER,
      nowMs: cx.nowMs,
    });
    return dictsGrid(out);
  },
};
