/** The collection itself: create, overwrite, rules and metadata, drop. */
import { expect } from "vitest";
import { codeOf, created, type FramesCase, NOW, RECORD, segPut, vw, write } from "./support.ts";

export const COLLECTION_LABEL = "collection";

export function collectionCases(test: FramesCase): void {
  test("a collection never created: collection() is null, listings empty, writes not_found", async (p) => {
    expect(await p.collection()).toBeNull();
    expect(await p.items({ limit: 10 })).toEqual([]);
    expect(await p.items({ limit: 10, deleted: true })).toEqual([]);
    expect(await p.item("a")).toBeNull();
    expect(await p.versions("a")).toEqual([]);
    expect(await p.version("a", 0)).toBeNull();
    expect(await p.versionAt("a", NOW)).toBeNull();
    expect(await p.snapshots()).toEqual([]);
    expect(await p.snapshot("s")).toBeNull();
    expect(await codeOf(p.putSegments([segPut("a", "0.0")], NOW))).toBe("not_found");
    expect(await codeOf(p.commit({ collectionMetadata: { a: 1 } }, NOW))).toBe("not_found");
    expect(await codeOf(p.commit({}, NOW))).toBe("not_found");
    expect(await codeOf(write(p, "a", 0, []))).toBe("not_found");
    expect(await p.collection()).toBeNull();
  });

  test("createCollection stores the record as given; a second create is a conflict", async (p) => {
    const r = await p.commit({ createCollection: { record: RECORD, overwrite: false } }, NOW + 5);
    expect(r).toEqual({ atMs: NOW + 5, freedSegments: 0 });
    expect(await p.collection()).toEqual(RECORD);
    const other = { createdMs: NOW + 9, rules: [], metadata: {} };
    expect(await codeOf(p.commit({ createCollection: { record: other, overwrite: false } }, NOW + 9))).toBe("conflict");
    expect(await p.collection()).toEqual(RECORD);
  });

  test("createCollection with overwrite empties everything: items, versions, segments, snapshots", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0", "0.1"]);
    await p.putSegments([segPut("a", "1.0")], NOW);
    await p.commit({ createSnapshot: { name: "s", createdMs: NOW, metadata: {}, items: 1, versions: { a: 0 } } }, NOW);
    const fresh = { createdMs: NOW + 1, rules: [], metadata: { fresh: true } };
    const r = await p.commit({ createCollection: { record: fresh, overwrite: true } }, NOW + 1);
    expect(r.atMs).toBe(NOW + 1);
    expect(await p.collection()).toEqual(fresh);
    expect(await p.items({ limit: 10, deleted: true })).toEqual([]);
    expect(await p.item("a")).toBeNull();
    expect(await p.versions("a")).toEqual([]);
    expect(await p.version("a", 0)).toBeNull();
    expect(await p.snapshots()).toEqual([]);
    expect(await p.snapshot("s")).toBeNull();
    for (const id of ["0.0", "0.1", "1.0"]) {
      expect(await codeOf(p.blobs([{ item: "a", segment: id, ordinals: [0] }]))).toBe("not_found");
    }
    // The item starts over: its ids and numbers are free again.
    await write(p, "a", 0, ["0.0"]);
    expect((await p.item("a"))?.nextVersion).toBe(1);
  });

  test("overwrite creates a collection that does not exist yet", async (p) => {
    await p.commit({ createCollection: { record: RECORD, overwrite: true } }, NOW);
    expect(await p.collection()).toEqual(RECORD);
  });

  test("collectionRules and collectionMetadata replace the record's, each on its own", async (p) => {
    await created(p);
    await p.commit({ collectionRules: [{ rule: "unique_index" }] }, NOW + 1);
    expect(await p.collection()).toEqual({ ...RECORD, rules: [{ rule: "unique_index" }] });
    await p.commit({ collectionMetadata: { z: [1, { b: 2 }] } }, NOW + 2);
    expect(await p.collection()).toEqual({
      ...RECORD,
      rules: [{ rule: "unique_index" }],
      metadata: { z: [1, { b: 2 }] },
    });
    await p.commit({ collectionRules: [], collectionMetadata: {} }, NOW + 3);
    expect(await p.collection()).toEqual({ createdMs: NOW, rules: [], metadata: {} });
  });

  test("a plan may create the collection and write into it at once", async (p) => {
    const r = await p.commit(
      { createCollection: { record: RECORD, overwrite: false }, versions: [vw("a", 0, [], { rows: 0 })] },
      NOW,
    );
    expect(r).toEqual({ atMs: NOW, freedSegments: 0 });
    expect(await p.collection()).toEqual(RECORD);
    expect(await p.version("a", 0)).toEqual({
      ...vw("a", 0, [], { rows: 0 }),
      createdMs: NOW,
      snapshots: [],
      segments: [],
    });
  });

  test("staged segments go with an overwrite: no version can list them after", async (p) => {
    await created(p);
    await p.putSegments([segPut("a", "0.0")], NOW);
    await p.commit({ createCollection: { record: RECORD, overwrite: true } }, NOW);
    expect(await codeOf(write(p, "a", 0, [], { keep: ["0.0"] }))).toBe("invalid");
    expect(await codeOf(p.blobs([{ item: "a", segment: "0.0", ordinals: [0] }]))).toBe("not_found");
  });

  test("drop empties everything and the collection is gone; it can be created anew", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"]);
    await p.putSegments([segPut("b", "0.0")], NOW);
    await p.commit({ createSnapshot: { name: "s", createdMs: NOW, metadata: {}, items: 1, versions: { a: 0 } } }, NOW);
    await p.drop();
    expect(await p.collection()).toBeNull();
    expect(await p.items({ limit: 10, deleted: true })).toEqual([]);
    expect(await p.item("a")).toBeNull();
    expect(await p.version("a", 0)).toBeNull();
    expect(await p.snapshots()).toEqual([]);
    expect(await codeOf(p.blobs([{ item: "a", segment: "0.0", ordinals: [0] }]))).toBe("not_found");
    expect(await codeOf(p.blobs([{ item: "b", segment: "0.0", ordinals: [0] }]))).toBe("not_found");
    expect(await codeOf(write(p, "a", 0, ["0.1"]))).toBe("not_found");
    await created(p);
    expect(await p.item("a")).toBeNull();
    expect(await p.item("b")).toBeNull();
    await write(p, "b", 0, ["0.0"]);
    expect((await p.item("b"))?.latest).toBe(0);
  });

  test("dropping a collection never created is harmless", async (p) => {
    await p.drop();
    expect(await p.collection()).toBeNull();
    await created(p);
    expect(await p.collection()).toEqual(RECORD);
  });
}
