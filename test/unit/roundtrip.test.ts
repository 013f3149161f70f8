/**
 * Cross-format round trips: the example building and random dicts pass Zinc -> JSON v4 -> JSON v3
 * -> Trio -> Zinc and come back equal, value for value.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readJson3Grid, readJsonGrid, writeJson3Grid, writeJsonGrid } from "../../src/haystack/codec/json/index.ts";
import { readTrio, writeTrio } from "../../src/haystack/codec/trio/index.ts";
import { readZincGrid, writeZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import { equals, type HDict, HGrid } from "../../src/haystack/kinds/index.ts";
import { arbDict } from "../support/arbitraries.ts";

const fixture = (p: string) => readFileSync(new URL(`../fixtures/haystack/${p}`, import.meta.url), "utf8");

function viaAllFormats(g: HGrid): HGrid {
  const j4 = readJsonGrid(writeJsonGrid(g));
  const j3 = readJson3Grid(writeJson3Grid(j4));
  const trio = readTrio(writeTrio(j3.dicts()));
  return readZincGrid(writeZincGrid(HGrid.fromDicts(trio, j3.meta)));
}

function expectSameDicts(a: readonly HDict[], b: readonly HDict[]): void {
  expect(b.length).toBe(a.length);
  a.forEach((d, i) => {
    const other = b[i];
    if (!other || !equals(d, other)) expect(other?.toObject()).toEqual(d.toObject());
  });
}

describe("round trips across every format", () => {
  it("the Alpha building read from Zinc, JSON and Trio is the same data", () => {
    const z = readZincGrid(fixture("buildings/Alpha/alpha.zinc"));
    const j = readJsonGrid(fixture("buildings/Alpha/alpha.json"));
    const t = readTrio(fixture("buildings/Alpha/alpha.trio"));
    expect(z.size).toBe(2032);
    expectSameDicts(z.dicts(), j.dicts());
    expectSameDicts(z.dicts(), t);
  });

  it("the Alpha building survives Zinc -> JSON v4 -> JSON v3 -> Trio -> Zinc", () => {
    const z = readZincGrid(fixture("buildings/Alpha/alpha.zinc"));
    expectSameDicts(z.dicts(), viaAllFormats(z).dicts());
  });

  it("random dicts survive every format (property)", () => {
    fc.assert(
      fc.property(fc.array(arbDict({ awkward: true }), { minLength: 1, maxLength: 5 }), (dicts) => {
        const nonEmpty = dicts.filter((d) => !d.isEmpty());
        if (nonEmpty.length === 0) return;
        expectSameDicts(nonEmpty, viaAllFormats(HGrid.fromDicts(nonEmpty)).dicts());
      }),
      { numRuns: 200 },
    );
  });
});
