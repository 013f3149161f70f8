/**
 * Number with a unit. A Number without a unit is a plain JS `number` (as in JSON v4), so the
 * common case costs no allocation; `num()` keeps that canonical form, which makes equality simple.
 * Units are kept verbatim as written (`°F`, `kWh/ft²`); comparisons require identical units.
 */
export class HNumber {
  readonly kind = "number" as const;
  constructor(
    readonly val: number,
    readonly unit: string,
  ) {}
  toString(): string {
    return `${val(this.val)}${this.unit}`;
  }
}

function val(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "INF";
  if (n === Number.NEGATIVE_INFINITY) return "-INF";
  return String(n);
}

/** A Haystack Number: `num(5)` is `5`, `num(5, "kW")` an HNumber. An empty unit means none. */
export function num(value: number, unit?: string | null): number | HNumber {
  return unit ? new HNumber(value, unit) : value;
}

/** The numeric value of a Haystack Number in either form. */
export function numVal(n: number | HNumber): number {
  return typeof n === "number" ? n : n.val;
}

/** The unit of a Haystack Number, or undefined. */
export function numUnit(n: number | HNumber): string | undefined {
  return typeof n === "number" ? undefined : n.unit;
}
