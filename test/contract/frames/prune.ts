/** Pruning (deleteItems, dropVersions), snapshots that keep pruned versions, and freeing segments. */
import { expect } from "vitest";
import type { SnapshotRecord } from "../../../src/storage/frames-port.ts";
import { codeOf, created, dump, type FramesCase, NOW, segment, segPut, vw, write } from "./support.ts";

export const PRUNE_LABEL = "pruning and snapshots";

function snap(name: string, versions: { [item: string]: number }, createdMs = NOW): SnapshotRecord {
  return { name, createdMs, metadata: { why: name }, items: Object.keys(versions).length, versions };
}

const gone = async (p: Parameters<Parameters<FramesCase>[1]>[0], item: string, id: string) =>
  codeOf(p.blobs([{ item, segment: id, ordinals: [0] }]));

export function pruneCases(test: FramesCase): void {
  test("deleteItems: latest null, listed only with deleted, versions pruned, segments freed", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0", "0.1"]);
    await write(p, "a", 1, ["1.0"], { keep: ["0.1"] });
    await write(p, "b", 0, ["0.0"]);
    await p.putSegments([segPut("a", "2.0")], NOW);
    const r = await p.commit({ deleteItems: ["a"] }, NOW + 50);
    expect(r).toEqual({ atMs: NOW + 50, freedSegments: 3 });
    expect(await p.item("a")).toEqual({
      name: "a",
      latest: null,
      nextVersion: 2,
      strategy: "strict",
      metadata: {},
      updatedMs: NOW + 50,
    });
    expect((await p.items({ limit: 10 })).map((i) => i.name)).toEqual(["b"]);
    // No snapshot keeps any of a's versions: nothing of it is retained, so not even deleted lists it.
    expect((await p.items({ limit: 10, deleted: true })).map((i) => i.name)).toEqual(["b"]);
    expect(await p.versions("a")).toEqual([]);
    expect(await p.version("a", 0)).toBeNull();
    expect(await p.version("a", 1)).toBeNull();
    expect(await p.versionAt("a", NOW + 1000)).toBeNull();
    for (const id of ["0.0", "0.1", "1.0"]) expect(await gone(p, "a", id)).toBe("not_found");
    // Staged and never listed: sweep's to free, not the delete's.
    expect(await gone(p, "a", "2.0")).toBe("no error");
    expect(await gone(p, "b", "0.0")).toBe("no error");
    // Written again, the item goes on numbering: versions are never reused.
    expect(await codeOf(p.commit({ versions: [vw("a", 0, [])] }, NOW + 60))).toBe("invalid");
    await p.commit({ expect: [{ item: "a", latest: null }], versions: [vw("a", 2, ["2.0"])] }, NOW + 60);
    expect(await p.item("a")).toMatchObject({ latest: 2, nextVersion: 3, updatedMs: NOW + 60 });
    expect((await p.items({ limit: 10 })).map((i) => i.name)).toEqual(["a", "b"]);
  });

  test("deleting an unknown item is not_found and changes nothing", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"]);
    const before = await dump(p, ["a"], [["a", "0.0"]]);
    expect(await codeOf(p.commit({ versions: [vw("a", 1, [])], deleteItems: ["zz"] }, NOW))).toBe("not_found");
    expect(await dump(p, ["a"], [["a", "0.0"]])).toEqual(before);
  });

  test("dropVersions prunes, frees what only they listed, and refuses the latest or an unknown one", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"], { nowMs: NOW });
    await write(p, "a", 1, ["1.0"], { keep: ["0.0"], nowMs: NOW + 10 });
    await write(p, "a", 2, ["2.0"], { nowMs: NOW + 20 });
    const segs = [
      ["a", "0.0"],
      ["a", "1.0"],
      ["a", "2.0"],
    ] as const;
    const before = await dump(p, ["a"], segs);
    expect(await codeOf(p.commit({ dropVersions: [{ item: "a", versions: [0, 2] }] }, NOW + 30))).toBe("invalid");
    expect(await codeOf(p.commit({ dropVersions: [{ item: "a", versions: [0, 7] }] }, NOW + 30))).toBe("not_found");
    expect(await codeOf(p.commit({ dropVersions: [{ item: "zz", versions: [0] }] }, NOW + 30))).toBe("not_found");
    expect(await dump(p, ["a"], segs)).toEqual(before);
    // v0's only segment is still listed by v1: nothing freed.
    expect(await p.commit({ dropVersions: [{ item: "a", versions: [0] }] }, NOW + 30)).toEqual({
      atMs: NOW + 30,
      freedSegments: 0,
    });
    expect((await p.versions("a")).map((v) => v.version)).toEqual([2, 1]);
    expect(await p.version("a", 0)).toBeNull();
    expect(await p.versionAt("a", NOW + 5)).toBeNull();
    expect((await p.commit({ dropVersions: [{ item: "a", versions: [1] }] }, NOW + 31)).freedSegments).toBe(2);
    expect(await gone(p, "a", "0.0")).toBe("not_found");
    expect(await gone(p, "a", "1.0")).toBe("not_found");
    expect(await p.item("a")).toMatchObject({ latest: 2, nextVersion: 3 });
  });

  test("a snapshot keeps the versions it names through delete and dropVersions, until it is dropped", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"], { nowMs: NOW });
    await write(p, "a", 1, ["1.0"], { nowMs: NOW + 10, keep: ["0.0"] });
    await write(p, "b", 0, ["0.0"], { nowMs: NOW + 10 });
    await p.commit({ createSnapshot: snap("s1", { a: 0, b: 0 }, NOW + 15) }, NOW + 15);
    expect(await p.snapshots()).toEqual([{ name: "s1", createdMs: NOW + 15, metadata: { why: "s1" }, items: 2 }]);
    expect(await p.snapshot("s1")).toEqual(snap("s1", { a: 0, b: 0 }, NOW + 15));
    const v0 = await p.version("a", 0);
    expect(v0?.snapshots).toEqual(["s1"]);
    expect((await p.versions("a")).map((v) => [v.version, v.snapshots])).toEqual([
      [1, []],
      [0, ["s1"]],
    ]);

    // Pruned but kept: version() still gives it whole; versions() and versionAt no longer do.
    await p.commit({ dropVersions: [{ item: "a", versions: [0] }] }, NOW + 20);
    expect(await p.version("a", 0)).toEqual(v0);
    expect((await p.versions("a")).map((v) => v.version)).toEqual([1]);
    expect(await p.versionAt("a", NOW + 5)).toBeNull();
    expect((await p.versionAt("a", NOW + 100))?.version).toBe(1);

    expect((await p.commit({ deleteItems: ["b"] }, NOW + 30)).freedSegments).toBe(0);
    expect((await p.version("b", 0))?.segments).toEqual([segment("0.0")]);
    expect(await p.versions("b")).toEqual([]);
    expect(await p.item("b")).toMatchObject({ latest: null, metadata: {} });
    // Deleted but with a version a snapshot keeps: listed when deleted items are asked for.
    expect((await p.items({ limit: 10 })).map((i) => i.name)).toEqual(["a"]);
    expect((await p.items({ limit: 10, deleted: true })).map((i) => [i.name, i.latest])).toEqual([
      ["a", 1],
      ["b", null],
    ]);
    expect(await gone(p, "b", "0.0")).toBe("no error");

    // Dropping the snapshot frees b's version and its segment; a's v0 shares 0.0 with v1, so only the version goes.
    const r = await p.commit({ dropSnapshot: "s1" }, NOW + 40);
    expect(r).toEqual({ atMs: NOW + 40, freedSegments: 1 });
    expect(await p.snapshots()).toEqual([]);
    expect(await p.snapshot("s1")).toBeNull();
    expect(await p.version("a", 0)).toBeNull();
    expect(await p.version("b", 0)).toBeNull();
    expect(await gone(p, "b", "0.0")).toBe("not_found");
    expect(await gone(p, "a", "0.0")).toBe("no error");
    expect((await p.items({ limit: 10, deleted: true })).map((i) => i.name)).toEqual(["a"]);
  });

  test("a version two snapshots name goes with the last of them; an unpruned one stays", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"]);
    await write(p, "a", 1, ["1.0"]);
    await p.commit({ createSnapshot: snap("s1", { a: 0 }) }, NOW);
    await p.commit({ createSnapshot: snap("s2", { a: 0 }) }, NOW);
    await p.commit({ createSnapshot: snap("s3", { a: 1 }) }, NOW);
    expect((await p.version("a", 0))?.snapshots).toEqual(["s1", "s2"]);
    expect((await p.snapshots()).map((s) => s.name)).toEqual(["s1", "s2", "s3"]);
    await p.commit({ dropVersions: [{ item: "a", versions: [0] }] }, NOW + 1);
    expect((await p.commit({ dropSnapshot: "s2" }, NOW + 2)).freedSegments).toBe(0);
    expect((await p.version("a", 0))?.snapshots).toEqual(["s1"]);
    expect((await p.commit({ dropSnapshot: "s1" }, NOW + 3)).freedSegments).toBe(1);
    expect(await p.version("a", 0)).toBeNull();
    // s3 names the latest, which was never pruned: dropping s3 leaves it.
    expect((await p.commit({ dropSnapshot: "s3" }, NOW + 4)).freedSegments).toBe(0);
    expect((await p.version("a", 1))?.snapshots).toEqual([]);
    expect((await p.versions("a")).map((v) => v.version)).toEqual([1]);
  });

  test("snapshot errors: a taken name conflicts, a gone version is invalid, a missing drop not_found", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"]);
    await write(p, "a", 1, ["1.0"]);
    await p.commit({ createSnapshot: snap("s", { a: 1 }) }, NOW);
    await p.commit({ dropVersions: [{ item: "a", versions: [0] }] }, NOW);
    const before = await dump(p, ["a"], [["a", "1.0"]], ["s", "t"]);
    expect(await codeOf(p.commit({ createSnapshot: snap("s", { a: 1 }) }, NOW))).toBe("conflict");
    expect(await codeOf(p.commit({ createSnapshot: snap("t", { a: 0 }) }, NOW))).toBe("invalid");
    expect(await codeOf(p.commit({ createSnapshot: snap("t", { a: 5 }) }, NOW))).toBe("invalid");
    expect(await codeOf(p.commit({ createSnapshot: snap("t", { zz: 0 }) }, NOW))).toBe("invalid");
    expect(await codeOf(p.commit({ versions: [vw("a", 2, [])], dropSnapshot: "t" }, NOW))).toBe("not_found");
    expect(await dump(p, ["a"], [["a", "1.0"]], ["s", "t"])).toEqual(before);
  });

  test("one plan may write a version and snapshot it; a snapshot after deleteItems in the plan is invalid", async (p) => {
    await created(p);
    await p.putSegments([segPut("a", "0.0")], NOW);
    await p.commit({ versions: [vw("a", 0, ["0.0"])], createSnapshot: snap("s", { a: 0 }) }, NOW);
    expect((await p.version("a", 0))?.snapshots).toEqual(["s"]);
    await write(p, "b", 0, ["0.0"]);
    expect(await codeOf(p.commit({ deleteItems: ["b"], createSnapshot: snap("t", { b: 0 }) }, NOW))).toBe("invalid");
    expect((await p.item("b"))?.latest).toBe(0);
    expect(await gone(p, "b", "0.0")).toBe("no error");
  });
}
