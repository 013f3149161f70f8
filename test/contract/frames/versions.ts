/** Writing versions: item heads, version records, expectations, segment references, strategies. */
import { expect } from "vitest";
import {
  blobOf,
  codeOf,
  created,
  dump,
  type FramesCase,
  NOW,
  SCHEMA,
  sameBytes,
  segment,
  segPut,
  vw,
  write,
} from "./support.ts";

export const VERSIONS_LABEL = "versions";

export function versionsCases(test: FramesCase): void {
  test("v0 from staged segments makes the item: latest, nextVersion, strict, metadata, updatedMs", async (p) => {
    await created(p);
    const r = await write(p, "a", 0, ["0.0", "0.1"], { nowMs: NOW + 10, metadata: { k: "v", n: 1 } });
    expect(r).toEqual({ atMs: NOW + 10, freedSegments: 0 });
    const head = {
      name: "a",
      latest: 0,
      nextVersion: 1,
      strategy: "strict",
      metadata: { k: "v", n: 1 },
      updatedMs: NOW + 10,
    };
    expect(await p.item("a")).toEqual(head);
    expect(await p.items({ limit: 10 })).toEqual([head]);
    expect(await p.item("b")).toBeNull();
  });

  test("version() returns the record as written, segments in the version's order, stats included", async (p) => {
    await created(p);
    // Listed out of id order: the version's order is the index order, whatever the ids.
    await p.putSegments([segPut("a", "0.0"), segPut("a", "0.1"), segPut("a", "0.2")], NOW);
    await p.commit({ versions: [vw("a", 0, ["0.2", "0.0", "0.1"], { op: "append", rows: 9 })] }, NOW + 3);
    expect(await p.version("a", 0)).toEqual({
      item: "a",
      version: 0,
      createdMs: NOW + 3,
      op: "append",
      rows: 9,
      snapshots: [],
      schema: SCHEMA,
      zone: "Europe/Paris",
      metadata: { source: "test", v: 0 },
      segments: [segment("0.2"), segment("0.0"), segment("0.1")],
    });
    expect(await p.version("a", 1)).toBeNull();
    expect(await p.version("b", 0)).toBeNull();
  });

  test("a version without a zone reads back without one; an empty version has no segments", async (p) => {
    await created(p);
    const int = { ...SCHEMA, index: { kind: "int64", name: "i" } } as const;
    const w = { item: "a", version: 0, op: "write", rows: 0, schema: int, metadata: {}, segments: [] } as const;
    await p.commit({ versions: [w] }, NOW);
    const got = await p.version("a", 0);
    expect(got).toEqual({ ...w, createdMs: NOW, snapshots: [] });
    expect(got?.zone).toBeUndefined();
  });

  test("versions() lists retained versions newest first; the latest moves on", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"], { nowMs: NOW });
    await write(p, "a", 1, ["1.0"], { nowMs: NOW + 10, keep: ["0.0"], op: "append" });
    await write(p, "a", 2, [], { nowMs: NOW + 20, keep: ["1.0"], op: "metadata", metadata: { m: 2 } });
    expect(await p.versions("a")).toEqual([
      { item: "a", version: 2, createdMs: NOW + 20, op: "metadata", rows: 3, snapshots: [] },
      { item: "a", version: 1, createdMs: NOW + 10, op: "append", rows: 6, snapshots: [] },
      { item: "a", version: 0, createdMs: NOW, op: "write", rows: 3, snapshots: [] },
    ]);
    expect(await p.item("a")).toMatchObject({ latest: 2, nextVersion: 3, metadata: { m: 2 }, updatedMs: NOW + 20 });
    expect((await p.version("a", 1))?.segments.map((s) => s.id)).toEqual(["0.0", "1.0"]);
    expect((await p.version("a", 2))?.segments.map((s) => s.id)).toEqual(["1.0"]);
  });

  test("versionAt gives the newest version made at or before the time", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"], { nowMs: NOW });
    await write(p, "a", 1, ["1.0"], { nowMs: NOW + 10 });
    await write(p, "a", 2, ["2.0"], { nowMs: NOW + 20 });
    expect(await p.versionAt("a", NOW - 1)).toBeNull();
    expect((await p.versionAt("a", NOW))?.version).toBe(0);
    expect((await p.versionAt("a", NOW + 9))?.version).toBe(0);
    expect((await p.versionAt("a", NOW + 10))?.version).toBe(1);
    const last = await p.versionAt("a", NOW + 1000);
    expect(last).toEqual(await p.version("a", 2));
    expect(last?.segments.map((s) => s.id)).toEqual(["2.0"]);
    expect(await p.versionAt("b", NOW + 1000)).toBeNull();
  });

  test("an expectation that fails is a conflict and the commit changes nothing", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"]);
    await p.putSegments([segPut("a", "1.0"), segPut("b", "0.0")], NOW);
    const segs = [
      ["a", "0.0"],
      ["a", "1.0"],
      ["b", "0.0"],
    ] as const;
    const before = await dump(p, ["a", "b"], segs);
    const plans = [
      { expect: [{ item: "a", latest: null }], versions: [vw("a", 1, ["1.0"])] },
      { expect: [{ item: "a", latest: 1 }], versions: [vw("a", 1, ["1.0"])] },
      // The failing expectation is on an item the plan does not even write.
      {
        expect: [
          { item: "a", latest: 0 },
          { item: "b", latest: 0 },
        ],
        versions: [vw("b", 0, ["0.0"])],
      },
      {
        expect: [{ item: "a", latest: 3 }],
        collectionMetadata: { changed: true },
        versions: [vw("b", 0, ["0.0"])],
        strategies: [{ item: "a", strategy: "compatible" as const }],
        deleteItems: ["a"],
      },
    ];
    for (const plan of plans) expect(await codeOf(p.commit(plan, NOW + 5))).toBe("conflict");
    expect(await dump(p, ["a", "b"], segs)).toEqual(before);
    // Expectations that hold let the same commit through.
    await p.commit(
      {
        expect: [
          { item: "a", latest: 0 },
          { item: "b", latest: null },
        ],
        versions: [vw("b", 0, ["0.0"])],
      },
      NOW,
    );
    expect((await p.item("b"))?.latest).toBe(0);
  });

  test("a version listing a segment neither staged nor listed by the item is invalid; nothing changes", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"]);
    await write(p, "b", 0, ["0.0", "0.1"]);
    await p.putSegments([segPut("a", "1.0"), segPut("c", "0.0")], NOW);
    const segs = [
      ["a", "0.0"],
      ["a", "1.0"],
      ["b", "0.1"],
      ["c", "0.0"],
    ] as const;
    const before = await dump(p, ["a", "b", "c"], segs);
    const plans = [
      { versions: [vw("a", 1, ["1.0", "9.9"])] },
      // b's segment is not a's, even under the same id space.
      { versions: [vw("a", 1, ["0.1"])] },
      // Staged for another item.
      { versions: [vw("a", 1, ["0.0"]), vw("d", 0, ["0.0"])] },
      { collectionMetadata: { x: 1 }, versions: [vw("b", 1, ["0.0"]), vw("a", 1, ["1.0", "nope"])] },
    ];
    for (const plan of plans) expect(await codeOf(p.commit(plan, NOW + 5))).toBe("invalid");
    expect(await dump(p, ["a", "b", "c", "d"], segs)).toEqual(await withNoItem(before, "d"));
  });

  test("concurrent commits on the same expectation: exactly one wins, the other is a conflict", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"]);
    await p.putSegments([segPut("a", "1.0"), segPut("a", "1.1")], NOW);
    const plan = (id: string) => ({ expect: [{ item: "a", latest: 0 }], versions: [vw("a", 1, ["0.0", id])] });
    const outcomes = await Promise.all([
      codeOf(p.commit(plan("1.0"), NOW + 1)),
      codeOf(p.commit(plan("1.1"), NOW + 1)),
    ]);
    expect([...outcomes].sort()).toEqual(["conflict", "no error"]);
    const won = outcomes[0] === "no error" ? "1.0" : "1.1";
    expect((await p.version("a", 1))?.segments.map((s) => s.id)).toEqual(["0.0", won]);
    expect((await p.versions("a")).map((v) => v.version)).toEqual([1, 0]);
    // Two writers staging the same new id: one gets it, the other a conflict.
    const staged = await Promise.all([
      codeOf(p.putSegments([segPut("a", "2.0")], NOW)),
      codeOf(p.putSegments([segPut("a", "2.0")], NOW)),
    ]);
    expect([...staged].sort()).toEqual(["conflict", "no error"]);
  });

  test("a version number other than the item's nextVersion is invalid", async (p) => {
    await created(p);
    expect(await codeOf(p.commit({ versions: [vw("a", 1, [])] }, NOW))).toBe("invalid");
    await write(p, "a", 0, ["0.0"]);
    for (const v of [0, 2, -1]) expect(await codeOf(p.commit({ versions: [vw("a", v, [])] }, NOW))).toBe("invalid");
    expect(await p.item("a")).toMatchObject({ latest: 0, nextVersion: 1 });
  });

  test("a new version shares the segments it keeps: same blobs, one copy, freed only with the last user", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0", "0.1"]);
    await write(p, "a", 1, ["1.0"], { keep: ["0.0", "0.1"], nowMs: NOW + 1 });
    const v0 = await p.version("a", 0);
    const v1 = await p.version("a", 1);
    expect(v1?.segments.slice(0, 2)).toEqual(v0?.segments);
    const [shared, again] = await p.blobs([
      { item: "a", segment: "0.1", ordinals: [0, 1, 2] },
      { item: "a", segment: "0.1", ordinals: [2] },
    ]);
    expect(sameBytes(shared?.[2], blobOf("a", "0.1", 2))).toBe(true);
    expect(sameBytes(again?.[0], blobOf("a", "0.1", 2))).toBe(true);
    // v2 keeps only 0.1: dropping v0 and v1 frees 0.0 and 1.0, never the shared 0.1.
    await write(p, "a", 2, [], { keep: ["0.1"], nowMs: NOW + 2 });
    const r = await p.commit({ dropVersions: [{ item: "a", versions: [0, 1] }] }, NOW + 3);
    expect(r).toEqual({ atMs: NOW + 3, freedSegments: 2 });
    expect(await codeOf(p.blobs([{ item: "a", segment: "0.0", ordinals: [0] }]))).toBe("not_found");
    expect(await codeOf(p.blobs([{ item: "a", segment: "1.0", ordinals: [0] }]))).toBe("not_found");
    const [still] = await p.blobs([{ item: "a", segment: "0.1", ordinals: [1] }]);
    expect(sameBytes(still?.[0], blobOf("a", "0.1", 1))).toBe(true);
    expect((await p.version("a", 2))?.segments).toEqual([segment("0.1")]);
  });

  test("a version may list hundreds of segments: order kept, shared, and all freed together", async (p) => {
    await created(p);
    const ids = Array.from({ length: 260 }, (_, i) => `0.${(i * 7919) % 260}`);
    await p.putSegments(
      ids.slice(0, 130).map((id) => segPut("a", id)),
      NOW,
    );
    await p.putSegments(
      ids.slice(130).map((id) => segPut("a", id)),
      NOW,
    );
    await p.commit({ versions: [vw("a", 0, ids)] }, NOW);
    expect((await p.version("a", 0))?.segments.map((s) => s.id)).toEqual(ids);
    await p.commit({ versions: [vw("a", 1, [...ids].reverse())] }, NOW + 1);
    expect((await p.version("a", 1))?.segments.map((s) => s.id)).toEqual([...ids].reverse());
    expect((await p.commit({ dropVersions: [{ item: "a", versions: [0] }] }, NOW + 2)).freedSegments).toBe(0);
    expect((await p.commit({ deleteItems: ["a"] }, NOW + 3)).freedSegments).toBe(260);
  });

  test("strategies: strict by default, changed by a plan, kept across versions", async (p) => {
    await created(p);
    await p.commit({ versions: [vw("a", 0, [])], strategies: [{ item: "a", strategy: "add_only" }] }, NOW);
    expect((await p.item("a"))?.strategy).toBe("add_only");
    await write(p, "a", 1, []);
    expect((await p.item("a"))?.strategy).toBe("add_only");
    await p.commit({ strategies: [{ item: "a", strategy: "compatible" }] }, NOW + 1);
    expect(await p.item("a")).toMatchObject({ strategy: "compatible", latest: 1 });
    await write(p, "b", 0, []);
    expect((await p.item("b"))?.strategy).toBe("strict");
    const before = await dump(p, ["a", "b"]);
    expect(await codeOf(p.commit({ strategies: [{ item: "zz", strategy: "add_only" }] }, NOW))).toBe("not_found");
    expect(
      await codeOf(p.commit({ versions: [vw("b", 1, [])], strategies: [{ item: "zz", strategy: "strict" }] }, NOW)),
    ).toBe("not_found");
    expect(await dump(p, ["a", "b"])).toEqual(before);
  });

  test("an empty item name is invalid, for versions and for staging", async (p) => {
    await created(p);
    expect(await codeOf(p.commit({ versions: [vw("", 0, [])] }, NOW))).toBe("invalid");
    expect(await codeOf(p.putSegments([segPut("", "0.0")], NOW))).toBe("invalid");
    expect(await p.items({ limit: 10, deleted: true })).toEqual([]);
  });
}

async function withNoItem(state: unknown, name: string): Promise<unknown> {
  return { ...(state as object), [`item ${name}`]: { head: null, versions: [], all: [null] } };
}
