/**
 * Interop with haystack-core, an independent implementation: what our Zinc and JSON v4 writers
 * produce, it reads back to equal values; what it writes, we read back to equal values.
 * Known haystack-core gaps are avoided, not hidden: its Zinc writer drops Ref display names
 * (README.md, "Haystack core library"), so comparisons of its Zinc output strip `dis` from refs on both sides; and it
 * writes a zone whose offset is zero as a bare `Z` (so London in winter reads back as UTC), which is
 * why the shared arbitraries keep zones with a zero offset other than UTC to the awkward set.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import hc from "haystack-core";
import { describe, expect, it } from "vitest";
import { readJsonGrid, valToJson4, writeJsonGrid, writeJsonValue } from "../../src/haystack/codec/json/index.ts";
import { readZincGrid, readZincValue, writeZincGrid, writeZincValue } from "../../src/haystack/codec/zinc/index.ts";
import type { HGrid, HVal } from "../../src/haystack/kinds/index.ts";
import { arbDict } from "../support/arbitraries.ts";
import { hisGrid } from "../support/histgrid.ts";

const alphaZinc = readFileSync(new URL("../fixtures/haystack/buildings/Alpha/alpha.zinc", import.meta.url), "utf8");
const alphaJson = readFileSync(new URL("../fixtures/haystack/buildings/Alpha/alpha.json", import.meta.url), "utf8");

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * haystack-core's JSON v4 for a value it decoded. It leaves `tz` out of UTC dateTimes, which
 * Json.fandoc reads as UTC anyway; put it back so the comparison is about values, not spelling.
 */
function theirJson(v: { toJSON(): unknown } | null | undefined): Json {
  return withUtcTz(JSON.parse(JSON.stringify(v === undefined || v === null ? null : v.toJSON())) as Json);
}

function withUtcTz(j: Json): Json {
  if (Array.isArray(j)) return j.map(withUtcTz);
  if (j && typeof j === "object") {
    if (j._kind === "dateTime" && j.tz === undefined) return { ...j, tz: "UTC" };
    return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, withUtcTz(v)]));
  }
  return j;
}

function ours(v: HVal | HGrid): Json {
  return JSON.parse(JSON.stringify(valToJson4(v))) as Json;
}

function stripRefDis(j: Json): Json {
  if (Array.isArray(j)) return j.map(stripRefDis);
  if (j && typeof j === "object") {
    if (j._kind === "ref") return { _kind: "ref", val: j.val ?? null };
    return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, stripRefDis(v)]));
  }
  return j;
}

describe("haystack-core reads what we write", () => {
  const alpha = readZincGrid(alphaZinc);

  it("Alpha building as Zinc", () => {
    const back = hc.ZincReader.readValue(writeZincGrid(alpha));
    expect(theirJson(back)).toEqual(ours(alpha));
  });

  it("Alpha building as JSON v4", () => {
    const back = hc.HGrid.make(JSON.parse(writeJsonGrid(alpha)));
    expect(theirJson(back)).toEqual(ours(alpha));
  });

  it("a 10k-row history grid as Zinc and JSON v4", () => {
    const g = hisGrid(10_000);
    expect(theirJson(hc.ZincReader.readValue(writeZincGrid(g)))).toEqual(ours(g));
    expect(theirJson(hc.HGrid.make(JSON.parse(writeJsonGrid(g))))).toEqual(ours(g));
  });

  it("random scalar values and dicts (property)", () => {
    fc.assert(
      fc.property(arbDict(), (d) => {
        expect(theirJson(hc.ZincReader.readValue(writeZincValue(d)))).toEqual(ours(d));
        expect(theirJson(hc.HDict.make(JSON.parse(writeJsonValue(d))))).toEqual(ours(d));
      }),
      { numRuns: 300 },
    );
  });
});

describe("we read what haystack-core writes", () => {
  const theirs = hc.HGrid.make(JSON.parse(alphaJson));
  const expected = readJsonGrid(alphaJson);

  it("its Zinc of the Alpha building (it drops Ref dis in Zinc)", () => {
    const g = readZincGrid(theirs.toZinc());
    expect(stripRefDis(ours(g))).toEqual(stripRefDis(ours(expected)));
  });

  it("its JSON v4 of the Alpha building", () => {
    const g = readJsonGrid(JSON.stringify(theirs.toJSON()));
    expect(ours(g)).toEqual(ours(expected));
  });

  it("its Zinc of random dicts (property)", () => {
    fc.assert(
      fc.property(arbDict(), (d) => {
        const theirDict = hc.HDict.make(JSON.parse(writeJsonValue(d)));
        expect(stripRefDis(ours(readZincValue(theirDict.toZinc())))).toEqual(stripRefDis(ours(d)));
      }),
      { numRuns: 300 },
    );
  });
});
