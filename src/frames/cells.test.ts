import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildColumn, formatTimestamp, inferDType, parseTimestamp } from "./cells.ts";
import { FrameError } from "./model.ts";

describe("timestamps", () => {
  it("formats with 0, 3, 6 or 9 fraction digits as needed", () => {
    expect(formatTimestamp(0n)).toBe("1970-01-01T00:00:00Z");
    expect(formatTimestamp(1_500_000_000n)).toBe("1970-01-01T00:00:01.500Z");
    expect(formatTimestamp(1_000n)).toBe("1970-01-01T00:00:00.000001Z");
    expect(formatTimestamp(-1n)).toBe("1969-12-31T23:59:59.999999999Z");
    expect(formatTimestamp(-(2n ** 63n))).toBe("1677-09-21T00:12:43.145224192Z");
    expect(formatTimestamp(2n ** 63n - 1n)).toBe("2262-04-11T23:47:16.854775807Z");
  });

  it("parses what it formats, over the whole int64 range", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (ns) => {
        expect(parseTimestamp(formatTimestamp(ns))).toBe(ns);
      }),
      { numRuns: 2000 },
    );
  });

  it("reads offsets, a space separator, a comma fraction and date-only with a zone", () => {
    expect(parseTimestamp("2024-01-01T01:30:00+01:30")).toBe(1704067200000000000n);
    expect(parseTimestamp("2024-01-01 00:00:00-0100")).toBe(1704070800000000000n);
    expect(parseTimestamp("2024-01-01T00:00:00,25Z")).toBe(1704067200250000000n);
    expect(parseTimestamp("2024-01-01", "UTC")).toBe(1704067200000000000n);
    expect(parseTimestamp("2024-02-29T00:00Z")).toBe(1709164800000000000n);
  });

  it("converts zoneless times in a zone, the earlier instant when clocks go back", () => {
    // Paris 2024-10-27 02:30 happens twice; pandas' ambiguous=True takes the DST (+02:00) one.
    expect(parseTimestamp("2024-10-27T02:30:00.000000001", "Europe/Paris")).toBe(
      BigInt(Date.UTC(2024, 9, 27, 0, 30)) * 1_000_000n + 1n,
    );
  });

  it.each([
    ["2024-01-01T00:00:00", undefined],
    ["2023-02-29T00:00:00Z", undefined],
    ["2024-13-01T00:00:00Z", undefined],
    ["2024-01-01T24:00:00Z", undefined],
    ["2024-01-01T00:00:00+24:00", undefined],
    ["2024-01-01T00:00:00.1234567890Z", undefined],
    ["2300-01-01T00:00:00Z", undefined],
    ["2024-01-01T00:00:00", "Not/AZone"],
    ["yesterday", "UTC"],
  ])("refuses %j (zone %s)", (s, zone) => {
    expect(parseTimestamp(s, zone)).toBeUndefined();
  });
});

describe("inference", () => {
  const text = { text: true };
  const json = { text: false };
  it.each([
    [["1", "-2", null], text, "int64"],
    [["1", "2.5"], text, "float64"],
    [["nan", "1"], text, "float64"],
    [["TRUE", "false"], text, "bool"],
    [["2024-01-01T00:00:00Z", null], text, "timestamp"],
    [["2024-01-01T00:00:00"], text, "string"],
    [["1", "x"], text, "string"],
    [[null, null], text, "float64"],
    [[1, 2], json, "int64"],
    [[1, 2.5], json, "float64"],
    [[true, null], json, "bool"],
    [["1", 2], json, "int64"],
    [["1", "2"], json, "string"],
    [["2024-01-01T00:00:00+02:00"], json, "timestamp"],
  ] as const)("%j -> %s", (cells, opts, dtype) => {
    expect(inferDType(cells, opts, "c")).toBe(dtype);
  });

  it("infers zoneless times as timestamps when a zone is given", () => {
    expect(inferDType(["2024-01-01T00:00:00"], { text: true, zone: "UTC" }, "c")).toBe("timestamp");
  });

  it("refuses JSON strings mixed with booleans", () => {
    expect(() => inferDType(["x", true], { text: false }, "c")).toThrow(FrameError);
  });

  it("builds a category column with codes in first-seen order and nulls", () => {
    const c = buildColumn("c", ["b", null, "a", "b"], "category", { text: true }, (i) => `row ${i}`);
    expect(c.dtype === "category" && [...c.values.codes]).toEqual([0, 0, 1, 0]);
    expect(c.dtype === "category" && c.values.dictionary).toEqual(["b", "a"]);
    expect([...(c.valid ?? [])]).toEqual([1, 0, 1, 1]);
  });
});
