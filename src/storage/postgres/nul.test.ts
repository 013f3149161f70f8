import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJsonb, toJsonb } from "./nul.ts";

/** What Postgres prints for a jsonb value: keys shortest first, `": "` and `", "` separators. */
function asJsonbPrints(json: string): string {
  const order = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(order)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .sort(([a], [b]) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, x]) => [k, order(x)]),
          )
        : v;
  return JSON.stringify(order(JSON.parse(json)), null, 1)
    .replace(/\n\s*/g, " ")
    .replace(/\[ /g, "[")
    .replace(/ \]/g, "]")
    .replace(/\{ /g, "{")
    .replace(/ \}/g, "}");
}

describe("U+0000 through jsonb", () => {
  it("leaves text without U+0000 alone", () => {
    const t = '{"id":{"_kind":"ref","val":"a"},"dis":"x \\\\u0000 is not a NUL"}';
    expect(toJsonb(t)).toBe(t);
  });

  it("round-trips any strings, with and without U+0000, through the stored form", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary" }), { maxLength: 5 }), (strs) => {
        const json = JSON.stringify({ tags: strs, one: strs[0] ?? "\u0000" });
        const stored = toJsonb(json);
        expect(stored).not.toContain("\\u0000");
        expect(JSON.parse(fromJsonb(asJsonbPrints(stored)))).toEqual(JSON.parse(json));
      }),
    );
  });
});
