/**
 * fast-check arbitraries for Haystack values. Default: values every implementation should handle
 * (used against haystack-core). `awkward: true` adds what only a careful codec survives: any
 * Unicode (control characters, astral planes), `$` and quotes, odd units, zone names with `-`/`+`,
 * XStr, NaN, nested lists and dicts.
 */
import fc from "fast-check";
import {
  HCoord,
  HDate,
  HDateTime,
  HDict,
  HRef,
  HSymbol,
  HTime,
  HUri,
  type HVal,
  HXStr,
  MARKER,
  NA,
  num,
} from "../../src/haystack/kinds/index.ts";
import { offsetSeconds } from "../../src/haystack/time/tz.ts";

export interface ArbOptions {
  readonly awkward?: boolean;
}

// London and Lisbon sit at offset zero half the year: haystack-core then drops their name in Zinc.
const SAFE_TZS = ["UTC", "New_York", "Chicago", "Berlin", "Tokyo", "Sydney", "Kolkata"];
const AWKWARD_TZS = [
  ...SAFE_TZS,
  "London",
  "Lisbon",
  "GMT+5",
  "GMT-10",
  "Port-au-Prince",
  "Kathmandu",
  "Lord_Howe",
  "Chatham",
  "St_Johns",
];
const SAFE_UNITS = ["kW", "°F", "°C", "kWh/ft²", "%", "m³/h", "inH₂O", "Δ°F", "ft/s"];
const AWKWARD_UNITS = [...SAFE_UNITS, "_foo", "$", "£", "J/kg_dry", "°daysC", "kWh/m²"];

/** Printable text with the characters codecs must escape. */
const safeStr = fc.string({
  unit: fc.constantFrom(..."abcXYZ 09_-.:/\"\\$`'°é€漢\u00a0\t\n".split("")),
  maxLength: 20,
});
const awkwardStr = fc.oneof(safeStr, fc.string({ unit: "binary", maxLength: 20 }));

export function arbScalar(o: ArbOptions = {}): fc.Arbitrary<HVal> {
  const str = o.awkward ? awkwardStr : safeStr;
  const tzs = o.awkward ? AWKWARD_TZS : SAFE_TZS;
  const units = o.awkward ? AWKWARD_UNITS : SAFE_UNITS;
  const base: fc.Arbitrary<HVal>[] = [
    fc.constant(MARKER),
    fc.constant(NA),
    fc.boolean(),
    str,
    fc.integer({ min: -1e9, max: 1e9 }),
    fc
      .tuple(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.constantFrom(...units))
      .map(([v, u]) => num(v, u)),
    fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.webPath().map((p) => new HUri(`http://x${p}`)),
    fc
      .tuple(fc.stringMatching(/^[a-z0-9][a-zA-Z0-9_:.~-]{0,15}$/), fc.option(str.filter((s) => s.length > 0)))
      .map(([id, dis]) => new HRef(id, dis ?? undefined)),
    fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}(-[a-z][a-zA-Z0-9]{0,5})?$/).map((s) => new HSymbol(s)),
    fc
      .date({ min: new Date(1950, 0, 1), max: new Date(2090, 0, 1), noInvalidDate: true })
      .map((d) => new HDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())),
    fc.tuple(fc.nat(23), fc.nat(59), fc.nat(59), fc.nat(999)).map(([h, m, s, ms]) => new HTime(h, m, s, ms)),
    fc
      .tuple(fc.integer({ min: -6e11, max: 4e12 }), fc.constantFrom(...tzs))
      .map(([ms, tz]) => new HDateTime(ms, tz, offsetSeconds(tz, ms))),
    fc
      .tuple(fc.integer({ min: -90_000, max: 90_000 }), fc.integer({ min: -180_000, max: 180_000 }))
      .map(([a, b]) => new HCoord(a / 1000, b / 1000)),
  ];
  if (o.awkward) {
    base.push(
      fc.constant(Number.NaN),
      fc.tuple(fc.stringMatching(/^[A-Z][a-zA-Z0-9_]{0,8}$/), str).map(([t, v]) => new HXStr(t, v)),
    );
  }
  return fc.oneof(...base);
}

const tagName = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,10}$/);

/** Dicts of scalars and short lists of scalars; awkward ones also nest a dict. */
export function arbDict(o: ArbOptions = {}): fc.Arbitrary<HDict> {
  const scalar = arbScalar(o);
  const list = fc.array(scalar, { maxLength: 3 });
  const inner = fc.dictionary(tagName, scalar, { maxKeys: 3 }).map((t) => HDict.of(t));
  const val: fc.Arbitrary<HVal> = o.awkward ? fc.oneof(scalar, list, inner) : fc.oneof(scalar, list);
  return fc.dictionary(tagName, val, { maxKeys: 8 }).map((t) => HDict.of(t));
}
