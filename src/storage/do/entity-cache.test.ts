import { describe, expect, it } from "vitest";
import { writeJsonValue } from "../../haystack/codec/json/index.ts";
import { HDict, HRef } from "../../haystack/kinds/index.ts";
import { resolveRecords } from "./entity-cache.ts";

function rec(id: string, dis: string): string {
  return writeJsonValue(HDict.of({ id: new HRef(id), dis }));
}

describe("resolveRecords", () => {
  it("fetches only records it lacks at the asked version, and refetches a newer version", async () => {
    const key = `k-${Math.random()}`;
    const asked: string[][] = [];
    const store = new Map([
      ["a", rec("a", "A1")],
      ["b", rec("b", "B1")],
    ]);
    const fetch = async (ids: string[]) => {
      asked.push(ids);
      return ids.map((id) => store.get(id) ?? null);
    };
    const first = await resolveRecords(key, ["a", "b", "zz"], [1, 1, -1], fetch);
    expect(first.map((d) => d?.get("dis"))).toEqual(["A1", "B1", undefined]);
    await resolveRecords(key, ["b", "a"], [1, 1], fetch);
    expect(asked).toEqual([["a", "b"]]);

    store.set("a", rec("a", "A2"));
    const second = await resolveRecords(key, ["a", "b"], [2, 1], fetch);
    expect(second.map((d) => d?.get("dis"))).toEqual(["A2", "B1"]);
    expect(asked[1]).toEqual(["a"]);
  });

  it("gives undefined for a record removed between the version and the text lookup", async () => {
    const out = await resolveRecords(`k-${Math.random()}`, ["gone"], [3], async (ids) => ids.map(() => null));
    expect(out).toEqual([undefined]);
  });

  it("keeps projects apart", async () => {
    const a = await resolveRecords("p1-x", ["r"], [1], async () => [rec("r", "in p1")]);
    const b = await resolveRecords("p2-x", ["r"], [1], async () => [rec("r", "in p2")]);
    expect([a[0]?.get("dis"), b[0]?.get("dis")]).toEqual(["in p1", "in p2"]);
  });
});
