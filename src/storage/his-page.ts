/**
 * A page of one point's history in columns. Pages cross the Durable Object RPC boundary and feed
 * the encoders, so they are typed arrays plus a small string dictionary: structured clone copies
 * them as flat memory, and a unit or enum string that repeats row after row is stored once.
 */

import { HNumber } from "../haystack/kinds/index.ts";
import type { PointVal } from "../haystack/point/index.ts";
import { StoreError } from "./errors.ts";

export const HIS_NUMBER = 0;
export const HIS_FALSE = 1;
export const HIS_TRUE = 2;
export const HIS_STR = 3;
/** A row holding something that is not a history value; `checkHisPage` refuses it. */
const HIS_NOT_A_VALUE = 255;

export interface HisPage {
  readonly count: number;
  /** Epoch milliseconds, ascending. */
  readonly ts: Float64Array;
  /** HIS_NUMBER, HIS_FALSE, HIS_TRUE or HIS_STR per row. */
  readonly kind: Uint8Array;
  /** The number of a HIS_NUMBER row. */
  readonly num: Float64Array;
  /** Index into `text`: a number's unit or a string's value; -1 for a unitless number. */
  readonly textIdx: Int32Array;
  readonly text: readonly string[];
}

export type HisValue = Exclude<PointVal, null>;

/** Fills a page row by row; `build` hands out views of the filled part. */
export class HisPageBuilder {
  #n = 0;
  readonly #ts: Float64Array;
  readonly #kind: Uint8Array;
  readonly #num: Float64Array;
  readonly #textIdx: Int32Array;
  readonly #text: string[] = [];
  readonly #index = new Map<string, number>();

  constructor(capacity: number) {
    this.#ts = new Float64Array(capacity);
    this.#kind = new Uint8Array(capacity);
    this.#num = new Float64Array(capacity);
    this.#textIdx = new Int32Array(capacity);
  }

  #intern(s: string): number {
    let i = this.#index.get(s);
    if (i === undefined) {
      i = this.#text.length;
      this.#text.push(s);
      this.#index.set(s, i);
    }
    return i;
  }

  /** A number row; `unit` null or undefined for unitless. */
  number(ts: number, n: number, unit: string | null | undefined): void {
    const i = this.#n++;
    this.#ts[i] = ts;
    this.#kind[i] = HIS_NUMBER;
    this.#num[i] = n;
    this.#textIdx[i] = unit ? this.#intern(unit) : -1;
  }

  bool(ts: number, b: boolean): void {
    const i = this.#n++;
    this.#ts[i] = ts;
    this.#kind[i] = b ? HIS_TRUE : HIS_FALSE;
    this.#textIdx[i] = -1;
  }

  str(ts: number, s: string): void {
    const i = this.#n++;
    this.#ts[i] = ts;
    this.#kind[i] = HIS_STR;
    this.#textIdx[i] = this.#intern(s);
  }

  /**
   * Any history value. Anything else (a value typed HisValue only by a cast) is kept as a row
   * `checkHisPage` refuses, so the point's id can go with the error.
   */
  value(ts: number, v: HisValue): void {
    if (typeof v === "number") this.number(ts, v, undefined);
    else if (typeof v === "boolean") this.bool(ts, v);
    else if (typeof v === "string") this.str(ts, v);
    else if (isHisValue(v)) this.number(ts, v.val, v.unit);
    else {
      const i = this.#n++;
      this.#ts[i] = ts;
      this.#kind[i] = HIS_NOT_A_VALUE;
      this.#textIdx[i] = -1;
    }
  }

  build(): HisPage {
    const n = this.#n;
    return {
      count: n,
      ts: this.#ts.subarray(0, n),
      kind: this.#kind.subarray(0, n),
      num: this.#num.subarray(0, n),
      textIdx: this.#textIdx.subarray(0, n),
      text: this.#text,
    };
  }
}

/** The value of row `i` as a Haystack value. */
export function hisValueAt(p: HisPage, i: number): HisValue {
  switch (p.kind[i]) {
    case HIS_FALSE:
      return false;
    case HIS_TRUE:
      return true;
    case HIS_STR:
      return p.text[p.textIdx[i] ?? -1] ?? "";
    default: {
      const n = p.num[i] ?? Number.NaN;
      const u = p.textIdx[i] ?? -1;
      return u < 0 ? n : new HNumber(n, p.text[u] as string);
    }
  }
}

/** Whether `v` can be stored as history (Number, Bool or Str). */
export function isHisValue(v: unknown): v is HisValue {
  return (
    typeof v === "number" ||
    typeof v === "boolean" ||
    typeof v === "string" ||
    (v instanceof HNumber && typeof v.val === "number")
  );
}

/** The samples as one page (values kept exactly; order as given). */
export function pageOf(items: readonly { readonly ts: number; readonly val: HisValue }[]): HisPage {
  const b = new HisPageBuilder(items.length);
  for (const it of items) b.value(it.ts, it.val);
  return b.build();
}

const NOT_A_VALUE = "a history value must be a Number, Bool or Str";

/**
 * Refuses samples no backend can store: unsafe timestamps and values that are not Numbers, Bools
 * or Strs, so every backend takes and refuses the same writes. Every Number is stored, NaN, INF
 * and -INF included.
 */
export function checkHisPage(id: string, p: HisPage): void {
  for (let i = 0; i < p.count; i++) {
    if ((p.kind[i] as number) > HIS_STR) throw new StoreError("invalid", `@${id}: ${NOT_A_VALUE}`);
    checkTs(id, p.ts[i] as number);
  }
}

/** checkHisPage's rules over samples as a write request holds them, without building a page. */
export function checkHisItems(id: string, items: readonly { readonly ts: number; readonly val: unknown }[]): void {
  for (const { ts, val } of items) {
    if (!isHisValue(val)) throw new StoreError("invalid", `@${id}: ${NOT_A_VALUE}`);
    checkTs(id, ts);
  }
}

function checkTs(id: string, ts: number): void {
  if (!Number.isSafeInteger(ts)) throw new StoreError("invalid", `@${id}: bad timestamp ${ts}`);
}
