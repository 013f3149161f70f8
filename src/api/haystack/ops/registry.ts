/** Every op the server answers, by name. */
import { HDict, HGrid, HSymbol, MARKER } from "../../../haystack/kinds/index.ts";
import { commit } from "./commit.ts";
import { hisRead, hisWrite } from "./his.ts";
import { about, defsOf, defsOp, filetypes, formats, libs } from "./meta.ts";
import { invokeAction, pointWrite } from "./point.ts";
import { nav, read } from "./read.ts";
import type { Op } from "./types.ts";
import { watchPoll, watchSub, watchUnsub } from "./watch.ts";

const ops: Op = {
  name: "ops",
  summary: "Operations supported by this server",
  noSideEffects: true,
  minRole: "viewer",
  async run() {
    return HGrid.fromDicts(
      OPS.map((o) =>
        HDict.of({
          name: o.name,
          summary: o.summary,
          def: new HSymbol(`op:${o.name}`),
          noSideEffects: o.noSideEffects ? MARKER : undefined,
        }),
      ),
    );
  },
};

const defs: Op = defsOp("defs", "Definitions in the namespace", () => defsOf(OPS));

/** Ends the session: the token stops working. An API key is revoked only through the admin API. */
const close: Op = {
  name: "close",
  summary: "Close the current session",
  noSideEffects: false,
  minRole: "viewer",
  async run(_req, cx) {
    await cx.endSession();
    return HGrid.empty();
  },
};

export const OPS: readonly Op[] = [
  about,
  close,
  commit,
  defs,
  filetypes,
  formats,
  hisRead,
  hisWrite,
  invokeAction,
  libs,
  nav,
  ops,
  pointWrite,
  read,
  watchPoll,
  watchSub,
  watchUnsub,
];

const BY_NAME: ReadonlyMap<string, Op> = new Map(OPS.map((o) => [o.name, o]));

export function findOp(name: string): Op | undefined {
  return BY_NAME.get(name);
}
