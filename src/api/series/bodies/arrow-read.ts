/**
 * Arrow IPC request bodies (stream or file format; apache-arrow detects which). A table of one
 * series has a time column named `time` or `index` (pandas' unnamed index, `__index_level_0__`,
 * too; else the only timestamp or date column) and a value column named `value` (or the only
 * other column); a table of many series is in
 * long format: the declared key columns by name, an optional `version` column, time and value.
 *
 * Time columns: Timestamp of any unit WITH a zone holds UTC instants; WITHOUT a zone it holds
 * wall-clock times, read as local to the store's zone (as naive text is); Date32/Date64 are local
 * midnights; integers are epoch ms; strings are parsed like JSON times. Sub-millisecond units are
 * floored to the millisecond. Value columns: any float or integer type (int64 converted to
 * float64); null and NaN are missing.
 */
import {
  type Data,
  DataType,
  type Field,
  type Table,
  TimeUnit,
  type TypeMap,
  tableFromIPC,
  type Vector,
} from "apache-arrow";
import { checkArrowIpc } from "../../../frames/arrow-guard.ts";
import { FrameError } from "../../../frames/model.ts";
import { MS_PER_DAY } from "../../../haystack/kinds/calendar.ts";
import { SeriesError } from "../../../series/errors.ts";
import { invalidInstant, quote, type ZoneClock } from "../../../series/instants.ts";
import type { KeyDecl, KeyValue, Points } from "../../../series/model.ts";
import { keyFromArrow } from "./keys.ts";
import { type Budget, ManyCollector } from "./points.ts";
import type { ManyItem } from "./types.ts";

type AnyVector = Vector<TypeMap[keyof TypeMap]>;

const TIME_NAMES = ["time", "index", "__index_level_0__"];

function bad(msg: string): SeriesError {
  return new SeriesError("invalid", msg);
}

function readTable(body: Uint8Array, budget: Budget): Table {
  try {
    checkArrowIpc(body, budget.limits.maxPoints);
  } catch (e) {
    if (!(e instanceof FrameError)) throw e;
    if (e.code === "too_large")
      throw new SeriesError("too_large", `body has more than ${budget.limits.maxPoints} points`);
    throw bad(e.message);
  }
  let table: Table;
  try {
    table = tableFromIPC(body);
  } catch (e) {
    const reason = e instanceof Error ? e.message.slice(0, 160) : String(e);
    throw bad(`not a readable Arrow IPC stream or file: ${reason}`);
  }
  budget.room(table.numRows);
  return table;
}

function column(table: Table, f: Field): AnyVector {
  const v = table.getChild(f.name);
  if (v === null) throw bad(`column "${quote(f.name)}" cannot be read`);
  return v as AnyVector;
}

/** Converts one time column, chunk by chunk, into epoch ms. */
function times(clock: ZoneClock, v: AnyVector, name: string): Float64Array {
  const out = new Float64Array(v.length);
  const type = v.type;
  let row = 0;
  for (const d of v.data as Data[]) {
    if (d.nullCount > 0) {
      for (let i = 0; i < d.length; i++) if (!d.getValid(i)) throw bad(`row ${row + i}: "${name}" is null`);
    }
    if (DataType.isTimestamp(type))
      timestamps(clock, d, type.unit, type.timezone !== null && type.timezone !== "", out, row);
    else if (DataType.isDate(type)) dates(clock, d, out, row);
    else if (DataType.isInt(type)) {
      const vals = d.values as ArrayLike<number | bigint>;
      for (let i = 0; i < d.length; i++) out[row + i] = epochMs(Number(vals[i]), row + i, name);
    } else if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
      for (let i = 0; i < d.length; i++) {
        const s = v.get(row + i);
        const t = clock.parse(s);
        if (Number.isNaN(t)) throw bad(`row ${row + i}: ${invalidInstant(s).message}`);
        out[row + i] = t;
      }
    } else throw bad(`time column "${quote(name)}" is ${type}: expected a timestamp, date, integer or string`);
    row += d.length;
  }
  for (let i = 0; i < out.length; i++) {
    if (Number.isNaN(out[i] as number)) throw bad(`row ${i}: "${quote(name)}" is out of range`);
  }
  return out;
}

function epochMs(t: number, row: number, name: string): number {
  if (!(Math.abs(t) <= 8.64e15)) throw bad(`row ${row}: "${quote(name)}" is out of range`);
  return t;
}

const NS_PER_MS = 1_000_000n;

function timestamps(clock: ZoneClock, d: Data, unit: TimeUnit, zoned: boolean, out: Float64Array, row: number): void {
  const vals = d.values as BigInt64Array;
  for (let i = 0; i < d.length; i++) {
    const raw = vals[i] as bigint;
    let ms: number;
    if (unit === TimeUnit.NANOSECOND) {
      // Floor division in BigInt: nanoseconds since 1970 pass 2^53, so Number() would round.
      const q = raw / NS_PER_MS;
      ms = Number(raw % NS_PER_MS < 0n ? q - 1n : q);
    } else {
      const n = Number(raw);
      ms = unit === TimeUnit.SECOND ? n * 1000 : unit === TimeUnit.MICROSECOND ? Math.floor(n / 1000) : n;
    }
    // A naive timestamp's value is a wall-clock reading: local to the store's zone.
    out[row + i] = zoned ? ms : clock.local(ms);
  }
}

function dates(clock: ZoneClock, d: Data, out: Float64Array, row: number): void {
  const vals = d.values as Int32Array | BigInt64Array;
  for (let i = 0; i < d.length; i++) {
    const raw = vals[i] as number | bigint;
    const local = typeof raw === "bigint" ? Number(raw) : raw * MS_PER_DAY;
    out[row + i] = clock.local(local);
  }
}

/** Converts one value column into float64, null and NaN meaning missing. */
function values(v: AnyVector, name: string): Float64Array {
  const type = v.type;
  if (!DataType.isFloat(type) && !DataType.isInt(type)) {
    throw bad(`value column "${quote(name)}" is ${type}: expected a float or integer column`);
  }
  const out = new Float64Array(v.length);
  let row = 0;
  for (const d of v.data as Data[]) {
    const vals = d.values as ArrayLike<number | bigint>;
    // Float16 is stored as raw bits: let apache-arrow decode it.
    const raw = DataType.isFloat(type) && type.precision === 0;
    for (let i = 0; i < d.length; i++) {
      const x = raw ? Number(v.get(row + i) ?? Number.NaN) : Number(vals[i]);
      if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) {
        throw bad(`row ${row + i}: "${quote(name)}" is infinite`);
      }
      out[row + i] = x;
    }
    if (d.nullCount > 0) for (let i = 0; i < d.length; i++) if (!d.getValid(i)) out[row + i] = Number.NaN;
    row += d.length;
  }
  return out;
}

interface Layout {
  readonly keys: readonly Field[];
  readonly version: Field | undefined;
  readonly time: Field;
  readonly value: Field;
}

/** Finds the columns: keys and version by name, time and value by name or as the remaining pair. */
function layout(table: Table, decls: readonly KeyDecl[], many: boolean): Layout {
  const fields = table.schema.fields;
  const byName = (n: string) => fields.find((f) => f.name === n);
  const keys = decls.map((d) => byName(d.name) ?? failMissing(d.name));
  const version = !many || decls.some((d) => d.name === "version") ? undefined : byName("version");
  const rest = fields.filter((f) => !keys.includes(f) && f !== version);
  // By name, else the one timestamp or date column (pandas names the index column after the index).
  const temporal = rest.filter((f) => DataType.isTimestamp(f.type) || DataType.isDate(f.type));
  const time =
    TIME_NAMES.map((n) => rest.find((f) => f.name === n)).find((f) => f !== undefined) ??
    (temporal.length === 1 ? temporal[0] : undefined);
  const valueNamed = rest.find((f) => f.name === "value");
  const others = rest.filter((f) => f !== time && f !== valueNamed);
  const value = valueNamed ?? (others.length === 1 ? others[0] : undefined);
  if (time === undefined) throw bad(`no time column: name it "time" (or "index")`);
  if (value === undefined) throw bad(`no value column: name it "value"`);
  const extra = rest.filter((f) => f !== time && f !== value);
  if (extra.length > 0) throw bad(`unexpected column "${quote(extra[0]?.name ?? "")}"`);
  return { keys, version, time, value };
}

function failMissing(name: string): never {
  throw bad(`key column "${quote(name)}" is missing`);
}

/**
 * Runs a conversion over a decoded table. apache-arrow decodes lazily, so data that contradicts
 * its own metadata can still throw from inside it: that is bad input, not a server fault.
 */
function converting<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SeriesError) throw e;
    const reason = e instanceof Error ? e.message.slice(0, 160) : String(e);
    throw bad(`Arrow data does not match its metadata: ${reason}`);
  }
}

/** One series from an Arrow IPC body. */
export function readArrowPoints(body: Uint8Array, clock: ZoneClock, budget: Budget): Points {
  return converting(() => pointsOf(readTable(body, budget), clock, budget));
}

function pointsOf(table: Table, clock: ZoneClock, budget: Budget): Points {
  const l = layout(table, [], false);
  const index = times(clock, column(table, l.time), l.time.name);
  const vals = values(column(table, l.value), l.value.name);
  budget.takePoints(index.length);
  return { index, values: vals };
}

/** Many series from a long Arrow IPC body. */
export function readArrowMany(
  body: Uint8Array,
  clock: ZoneClock,
  decls: readonly KeyDecl[],
  budget: Budget,
): ManyItem[] {
  return converting(() => manyOf(readTable(body, budget), clock, decls, budget));
}

function manyOf(table: Table, clock: ZoneClock, decls: readonly KeyDecl[], budget: Budget): ManyItem[] {
  const l = layout(table, decls, true);
  const index = times(clock, column(table, l.time), l.time.name);
  const vals = values(column(table, l.value), l.value.name);
  const keyCols = l.keys.map((f) => column(table, f));
  const temporal = keyCols.map((c) => DataType.isDate(c.type) || DataType.isTimestamp(c.type));
  const versionCol = l.version ? column(table, l.version) : undefined;
  const many = new ManyCollector(decls, budget);
  for (let row = 0; row < index.length; row++) {
    const keys: Record<string, KeyValue> = {};
    decls.forEach((d, k) => {
      try {
        keys[d.name] = keyFromArrow(d, keyCols[k]?.get(row), temporal[k] as boolean);
      } catch (e) {
        throw e instanceof SeriesError ? bad(`row ${row}: ${e.message}`) : e;
      }
    });
    many.series(keys, versionOf(versionCol, row)).push(index[row] as number, vals[row] as number);
  }
  return many.items();
}

function versionOf(col: AnyVector | undefined, row: number): number | undefined {
  const v: unknown = col?.get(row);
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n === "number" && Number.isSafeInteger(n) && n >= 0) return n;
  throw bad(`row ${row}: invalid version ${quote(String(v))}`);
}
