import { describe, expect, it } from "vitest";
import { mergeResults, type Result } from "../../bench/harness.ts";

function r(name: string, value: number): Result {
  return { name, value, unit: "x", baseline: "b", baselineValue: 1, ratio: value, higherIsBetter: true };
}

describe("bench results file", () => {
  it("a filtered run replaces its own figures, adds new ones and keeps every other", () => {
    const before = [r("zinc-read", 1), r("pg-hiswrite-1m", 2), r("json-read", 3)];
    const after = mergeResults(before, [r("pg-hiswrite-1m", 5), r("pg-new", 6)]);
    expect(after).toEqual([r("zinc-read", 1), r("pg-hiswrite-1m", 5), r("json-read", 3), r("pg-new", 6)]);
  });

  it("with nothing before, the file holds this run's figures", () => {
    expect(mergeResults([], [r("a", 1)])).toEqual([r("a", 1)]);
  });
});
