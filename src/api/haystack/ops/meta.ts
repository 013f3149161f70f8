/** The ops that describe the server: about, formats, defs, libs, filetypes. */
import { FORMATS } from "../../../haystack/codec/formats.ts";
import { compileFilter, NO_REFS } from "../../../haystack/filter/index.ts";
import { HDateTime, HDict, HGrid, HSymbol, HUri, MARKER } from "../../../haystack/kinds/index.ts";
import { NAME, VERSION } from "../../../version.ts";
import { badArg, dictsGrid, requestFilter } from "./args.ts";
import type { Op, OpContext } from "./types.ts";

/** When this isolate started: about's serverBootTime. */
const BOOT_MS = Date.now();

export const about: Op = {
  name: "about",
  summary: "Summary information for server",
  noSideEffects: true,
  minRole: "viewer",
  async run(_req, cx) {
    const tz = cx.config.tz;
    return HGrid.fromDicts([
      HDict.of({
        haystackVersion: "4.0",
        serverName: cx.host,
        serverTime: HDateTime.of(cx.nowMs, tz),
        serverBootTime: HDateTime.of(BOOT_MS, tz),
        tz,
        productName: "Hayloft",
        productUri: new HUri("https://github.com/hayloft/hayloft"),
        productVersion: VERSION,
        vendorName: "Hayloft",
        vendorUri: new HUri("https://github.com/hayloft"),
        moduleName: NAME,
        moduleVersion: VERSION,
        project: cx.project,
      }),
    ]);
  },
};

export const formats: Op = {
  name: "formats",
  summary: "Grid data formats supported by this server",
  noSideEffects: true,
  minRole: "viewer",
  async run() {
    return HGrid.fromDicts(
      FORMATS.map((f) => HDict.of({ mime: f.mime, receive: f.reader ? MARKER : undefined, send: MARKER })),
    );
  },
};

const FILETYPES: readonly HDict[] = FORMATS.map((f) =>
  HDict.of({
    def: new HSymbol(`filetype:${f.name}`),
    is: [new HSymbol("filetype")],
    lib: new HSymbol("lib:phIoT"),
    mime: f.mime,
    fileExt: f.name === "json3" ? "json" : f.name,
  }),
);

const LIBS: readonly HDict[] = [
  HDict.of({ def: new HSymbol("lib:ph"), is: [new HSymbol("lib")], version: "4.0", doc: "Project Haystack core" }),
  HDict.of({ def: new HSymbol("lib:phIoT"), is: [new HSymbol("lib")], version: "4.0", doc: "Project Haystack IoT" }),
  HDict.of({ def: new HSymbol("lib:hayloft"), is: [new HSymbol("lib")], version: VERSION, doc: "Hayloft server" }),
];

/** Defs for a list of op summaries: the ops themselves plus the filetypes and libs. */
export function defsOf(ops: readonly Op[]): HDict[] {
  const opDefs = ops.map((o) =>
    HDict.of({
      def: new HSymbol(`op:${o.name}`),
      is: [new HSymbol("op")],
      lib: new HSymbol(o.name === "commit" ? "lib:hayloft" : "lib:phIoT"),
      doc: o.summary,
      noSideEffects: o.noSideEffects ? MARKER : undefined,
    }),
  );
  return [...LIBS, ...opDefs, ...FILETYPES];
}

/** defs, libs and filetypes: a grid of def dicts, narrowed by optional `filter` and `limit`. */
export function defsOp(name: string, summary: string, list: (cx: OpContext) => readonly HDict[]): Op {
  return {
    name,
    summary,
    noSideEffects: true,
    minRole: "viewer",
    async run(req, cx) {
      let rows = list(cx);
      const row = req.rows.length > 0 ? req.rowDict(0) : HDict.EMPTY;
      const filter = row.get("filter");
      if (filter !== undefined) {
        if (typeof filter !== "string") throw badArg("filter must be a Str");
        const m = compileFilter(requestFilter(filter, cx));
        rows = rows.filter((d) => m(d, NO_REFS));
      }
      const limit = row.get("limit");
      if (typeof limit === "number" && rows.length > limit) {
        const cut = rows.slice(0, Math.max(0, limit));
        return dictsGrid(cut, HDict.of({ incomplete: HDict.of({ dis: "limit reached", limit }) }));
      }
      return HGrid.fromDicts([...rows]);
    },
  };
}

export const libs = defsOp("libs", "Libs in the namespace", () => LIBS);
export const filetypes = defsOp("filetypes", "Filetypes in the namespace", () => FILETYPES);
