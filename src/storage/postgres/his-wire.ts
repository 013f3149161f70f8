/**
 * A page of history as the `his_page` SQL function (migrations/0002_his_page.sql) sends it: one
 * row of per-column arrays instead of one row a sample, read here into a HisPage.
 */
import { type HisPage, HisPageBuilder } from "../his-page.ts";
import { KIND_BOOL, KIND_NUMBER, KIND_STR, KIND_STR_JSON } from "./schema.ts";

/** The columns of `his_page`, in order. */
export type HisWireRow = [
  n: number,
  t: number[] | null,
  k: string | null,
  num: (number | string)[] | null,
  unit: (string | null)[] | null,
  bool: boolean[] | null,
  str: string[] | null,
];

function malformed(what: string): Error {
  return new Error(`his_page sent a malformed page: ${what}`);
}

/** JSON has no NaN or INF: `json_agg` writes a float8 that is not a JSON number as its text. */
const NOT_JSON_NUMBERS: ReadonlyMap<string, number> = new Map([
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
]);

function numberOf(v: number | string | undefined): number {
  if (typeof v === "number") return v;
  const n = NOT_JSON_NUMBERS.get(v ?? "");
  if (n === undefined) throw malformed(`number ${JSON.stringify(v)}`);
  return n;
}

/**
 * Reads one `his_page` row. The aggregates walk the page's rows in the order the inner query
 * sorted them, which Postgres does in practice but SQL does not promise: every column is in the
 * same order, so a page that comes out of ts order is sorted here rather than trusted.
 */
export function readWirePage(row: HisWireRow): HisPage {
  const [n, t, k, num, unit, bool, str] = row;
  if (n === 0) return new HisPageBuilder(0).build();
  const kinds = k ?? "";
  if (t?.length !== n || kinds.length !== n) throw malformed(`${n} rows, ${t?.length} times, ${kinds.length} kinds`);
  const ts = new Float64Array(n);
  let ascending = true;
  for (let i = 0; i < n; i++) {
    ts[i] = t[i] as number;
    if (i > 0 && !((ts[i] as number) > (ts[i - 1] as number))) ascending = false;
  }
  const nums = num ?? [];
  // Row i's value is the j-th of its kind's column (Strs of both kinds share `str`).
  const at = new Int32Array(n);
  const seen = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const kind = kinds.charCodeAt(i) - 48;
    if (!(kind >= KIND_NUMBER && kind <= KIND_STR_JSON)) throw malformed(`kind ${kinds[i]}`);
    const c = kind === KIND_STR_JSON ? KIND_STR : kind;
    at[i] = (seen[c] as number)++;
  }
  if (
    seen[KIND_NUMBER] !== nums.length ||
    seen[KIND_BOOL] !== (bool?.length ?? 0) ||
    seen[KIND_STR] !== (str?.length ?? 0)
  ) {
    throw malformed("value counts");
  }
  const b = new HisPageBuilder(n);
  const add = (i: number): void => {
    const time = ts[i] as number;
    const j = at[i] as number;
    switch (kinds.charCodeAt(i) - 48) {
      case KIND_NUMBER:
        b.number(time, numberOf(nums[j]), unit?.[j]);
        break;
      case KIND_BOOL:
        b.bool(time, bool?.[j] === true);
        break;
      case KIND_STR:
        b.str(time, str?.[j] ?? "");
        break;
      default:
        b.str(time, JSON.parse(str?.[j] ?? '""') as string);
    }
  };
  if (ascending) for (let i = 0; i < n; i++) add(i);
  else for (const i of [...ts.keys()].sort((x, y) => (ts[x] as number) - (ts[y] as number))) add(i);
  return b.build();
}
