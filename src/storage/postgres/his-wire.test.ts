import { describe, expect, it } from "vitest";
import { HNumber } from "../../haystack/kinds/index.ts";
import { type HisPage, hisValueAt } from "../his-page.ts";
import { type HisWireRow, readWirePage } from "./his-wire.ts";

function samples(p: HisPage): [number, unknown][] {
  return Array.from({ length: p.count }, (_, i) => [p.ts[i] as number, hisValueAt(p, i)]);
}

describe("readWirePage", () => {
  it("reads every kind from its own column, in sample order", () => {
    const row: HisWireRow = [
      6,
      [10, 20, 30, 40, 50, 60],
      "012301",
      [1.5, "NaN"],
      ["kW", null],
      [true, false],
      ["a,b", JSON.stringify("x\u0000y")],
    ];
    expect(samples(readWirePage(row))).toEqual([
      [10, new HNumber(1.5, "kW")],
      [20, true],
      [30, "a,b"],
      [40, "x\u0000y"],
      [50, Number.NaN],
      [60, false],
    ]);
  });

  it("reads the texts json_agg gives NaN, INF and -INF as those numbers, with or without a unit", () => {
    const row: HisWireRow = [
      4,
      [1, 2, 3, 4],
      "0000",
      ["NaN", "Infinity", "-Infinity", -0],
      ["kW", null, "°F", null],
      null,
      null,
    ];
    const got = samples(readWirePage(row)).map(([, v]) => v);
    expect(got).toEqual([
      new HNumber(Number.NaN, "kW"),
      Number.POSITIVE_INFINITY,
      new HNumber(Number.NEGATIVE_INFINITY, "°F"),
      -0,
    ]);
    expect(Object.is(got[3], -0)).toBe(true);
  });

  it("sorts a page whose rows came out of ts order, each value staying with its time", () => {
    const row: HisWireRow = [4, [30, 10, 40, 20], "0210", [3, 1], [null, "°F"], [false], ["s"]];
    expect(samples(readWirePage(row))).toEqual([
      [10, "s"],
      [20, new HNumber(1, "°F")],
      [30, 3],
      [40, false],
    ]);
  });

  it("reads an empty page", () => {
    expect(readWirePage([0, null, null, null, null, null, null]).count).toBe(0);
  });

  it("refuses a page whose columns disagree, instead of guessing", () => {
    expect(() => readWirePage([2, [1, 2], "0", [1], [null], null, null])).toThrow(/malformed/);
    expect(() => readWirePage([2, [1, 2], "00", [1], [null], null, null])).toThrow(/value counts/);
    expect(() => readWirePage([1, [1], "7", null, null, null, null])).toThrow(/kind 7/);
    expect(() => readWirePage([1, [1], "0", ["1.5"], [null], null, null])).toThrow(/number "1.5"/);
  });
});
