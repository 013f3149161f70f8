/** pointWrite (priority arrays) and invokeAction (the point actions a record defines). */
import { col, HDict, HGrid, HNumber, type HRow, type HVal, isDict } from "../../../haystack/kinds/index.ts";
import { isPointVal, type PointVal, type PriorityArray, toRows } from "../../../haystack/point/index.ts";
import { badArg, durationMs, firstRow, optStr, refId } from "./args.ts";
import type { Op, OpContext } from "./types.ts";

function arrayGrid(arr: PriorityArray, nowMs: number): HGrid {
  const rows: HRow[] = toRows(arr, nowMs).map((r) => [r.level, r.levelDis, r.val, r.who, r.expires ?? null]);
  return new HGrid(HDict.EMPTY, [col("level"), col("levelDis"), col("val"), col("who"), col("expires")], rows);
}

interface PointWriteArgs {
  readonly level: number;
  readonly val: PointVal;
  readonly who?: string;
  readonly durationMs?: number;
}

/** Writes one level, arms the expiry alarm when a timed override is pending, returns the array. */
async function writeLevel(cx: OpContext, id: string, a: PointWriteArgs): Promise<PriorityArray> {
  const r = await cx.store.points.write(id, {
    level: a.level,
    val: a.val,
    // As haxall: the request's `who`, else the user making it.
    who: a.who ?? cx.principal.user,
    ...(a.durationMs === undefined ? {} : { durationMs: a.durationMs }),
    nowMs: cx.nowMs,
  });
  if (r.nextExpiry !== undefined) await cx.watches.schedulePointExpiry(r.nextExpiry);
  return r.array;
}

function pointValOf(v: HVal | undefined): PointVal {
  const val = v ?? null;
  if (!isPointVal(val)) throw badArg("val must be a Number, Bool, Str or null");
  return val;
}

export const pointWrite: Op = {
  name: "pointWrite",
  changesRecords: true,
  summary: "Read/write writable point priority array",
  noSideEffects: false,
  minRole: "operator",
  async run(req, cx) {
    const row = firstRow(req, "pointWrite");
    const id = refId(row.get("id"), "id");
    const level = row.get("level");
    if (level === undefined) return arrayGrid(await cx.store.points.read(id), cx.nowMs);
    if (typeof level !== "number" && !(level instanceof HNumber)) throw badArg("level must be a Number 1..17");
    const arr = await writeLevel(cx, id, {
      level: typeof level === "number" ? level : level.val,
      val: pointValOf(row.get("val")),
      who: optStr(row.get("who"), "who"),
      durationMs: durationMs(row.get("duration"), "duration"),
    });
    return arrayGrid(arr, cx.nowMs);
  },
};

/**
 * The action expressions Hayloft can run: haxall's point functions applied to `$self`. Anything
 * else in a record's `actions` grid is reported as unsupported rather than guessed at.
 */
const ACTIONS: Readonly<Record<string, (args: HDict) => PointWriteArgs>> = {
  pointOverride: (a) => ({
    level: 8,
    val: pointValOf(a.get("val")),
    durationMs: durationMs(a.get("duration"), "duration"),
  }),
  pointAuto: () => ({ level: 8, val: null }),
  pointEmergencyOverride: (a) => ({ level: 1, val: pointValOf(a.get("val")) }),
  pointEmergencyAuto: () => ({ level: 1, val: null }),
  pointSetDef: (a) => ({ level: 17, val: pointValOf(a.get("val")) }),
};

const EXPR = /^\s*([A-Za-z]\w*)\(\s*\$self\b[^)]*\)\s*$/;

function actionRows(rec: HDict): HDict[] {
  const actions = rec.get("actions");
  if (actions instanceof HGrid) return actions.dicts();
  if (Array.isArray(actions)) return actions.filter(isDict);
  return [];
}

export const invokeAction: Op = {
  name: "invokeAction",
  changesRecords: true,
  summary: "Invoke action on target entity",
  noSideEffects: false,
  minRole: "operator",
  async run(req, cx) {
    const id = refId(req.meta.get("id"), "grid meta id");
    const name = optStr(req.meta.get("action"), "action");
    if (name === undefined) throw badArg("invokeAction needs grid meta action");
    const [rec] = await cx.store.entities.readByIds([id]);
    if (!rec) throw badArg(`Unknown record @${id}`);
    const def = actionRows(rec).find((a) => a.get("action") === name || a.get("dis") === name);
    if (!def) throw badArg(`@${id} defines no action "${name}"`);
    const expr = optStr(def.get("expr"), "action expr") ?? "";
    const fn = EXPR.exec(expr)?.[1];
    const run = fn === undefined ? undefined : ACTIONS[fn];
    if (!run) throw badArg(`Action "${name}" runs ${JSON.stringify(expr)}, which Hayloft cannot evaluate`);
    const args = req.rows.length > 0 ? req.rowDict(0) : HDict.EMPTY;
    const who = optStr(args.get("who"), "who");
    const arr = await writeLevel(cx, id, { ...run(args), ...(who === undefined ? {} : { who }) });
    return arrayGrid(arr, cx.nowMs);
  },
};
