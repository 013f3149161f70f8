/** Staging segments, reading blobs back exactly, and sweeping what no commit listed. */
import { expect } from "vitest";
import {
  blobOf,
  bytes,
  codeOf,
  created,
  type FramesCase,
  NOW,
  sameBytes,
  segment,
  segPut,
  vw,
  write,
} from "./support.ts";

export const SEGMENTS_LABEL = "segments and blobs";

export function segmentsCases(test: FramesCase): void {
  test("blobs returns exactly the bytes put, by ordinal, in the order asked", async (p) => {
    await created(p);
    await p.putSegments([segPut("a", "0.0"), segPut("a", "0.1")], NOW);
    const got = await p.blobs([
      { item: "a", segment: "0.1", ordinals: [2, 0] },
      { item: "a", segment: "0.0", ordinals: [1] },
      { item: "a", segment: "0.1", ordinals: [] },
    ]);
    expect(got.map((g) => g.length)).toEqual([2, 1, 0]);
    expect(sameBytes(got[0]?.[0], blobOf("a", "0.1", 2))).toBe(true);
    expect(sameBytes(got[0]?.[1], blobOf("a", "0.1", 0))).toBe(true);
    expect(sameBytes(got[1]?.[0], blobOf("a", "0.0", 1))).toBe(true);
    expect(got[0]?.[0]).toBeInstanceOf(Uint8Array);
    expect(await p.blobs([])).toEqual([]);
  });

  test("an empty blob and a 3 MiB blob come back exactly", async (p) => {
    await created(p);
    const big = bytes(3 * 1024 * 1024 + 7, 42);
    const empty = new Uint8Array(0);
    const exact = bytes(1024 * 1024, 7);
    await p.putSegments([{ item: "a", segment: segment("0.0"), blobs: [empty, big, exact] }], NOW);
    const [got] = await p.blobs([{ item: "a", segment: "0.0", ordinals: [0, 1, 2] }]);
    expect(got?.[0]?.byteLength).toBe(0);
    expect(sameBytes(got?.[1], big)).toBe(true);
    expect(sameBytes(got?.[2], exact)).toBe(true);
    await p.commit({ versions: [vw("a", 0, ["0.0"])] }, NOW);
    const [again] = await p.blobs([{ item: "a", segment: "0.0", ordinals: [1] }]);
    expect(sameBytes(again?.[0], big)).toBe(true);
  });

  test("blobs of an unknown segment, item or ordinal are not_found", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"]);
    expect(await codeOf(p.blobs([{ item: "a", segment: "9.9", ordinals: [0] }]))).toBe("not_found");
    expect(await codeOf(p.blobs([{ item: "b", segment: "0.0", ordinals: [0] }]))).toBe("not_found");
    expect(await codeOf(p.blobs([{ item: "a", segment: "0.0", ordinals: [3] }]))).toBe("not_found");
    expect(
      await codeOf(
        p.blobs([
          { item: "a", segment: "0.0", ordinals: [0] },
          { item: "a", segment: "0.9", ordinals: [0] },
        ]),
      ),
    ).toBe("not_found");
  });

  test("a segment id already used in the item is a conflict, and the whole batch stages nothing", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"]);
    await p.putSegments([segPut("a", "1.0")], NOW);
    expect(await codeOf(p.putSegments([segPut("a", "1.1"), segPut("a", "0.0")], NOW))).toBe("conflict");
    expect(await codeOf(p.putSegments([segPut("a", "1.0")], NOW))).toBe("conflict");
    expect(await codeOf(p.putSegments([segPut("a", "1.2"), segPut("a", "1.2")], NOW))).toBe("conflict");
    expect(await codeOf(p.blobs([{ item: "a", segment: "1.1", ordinals: [0] }]))).toBe("not_found");
    expect(await codeOf(p.blobs([{ item: "a", segment: "1.2", ordinals: [0] }]))).toBe("not_found");
    // The same id in another item is another segment.
    await p.putSegments([segPut("b", "0.0")], NOW);
    const [b] = await p.blobs([{ item: "b", segment: "0.0", ordinals: [0] }]);
    expect(sameBytes(b?.[0], blobOf("b", "0.0", 0))).toBe(true);
  });

  test("staged segments are not seen as listed: no version shows them", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"]);
    await p.putSegments([segPut("a", "1.0")], NOW);
    expect((await p.version("a", 0))?.segments).toEqual([segment("0.0")]);
    expect(await p.versions("a")).toHaveLength(1);
    expect((await p.item("a"))?.latest).toBe(0);
    expect(await p.item("b")).toBeNull();
  });

  test("sweep frees old staged segments no version lists; never listed ones, never young ones", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"], { nowMs: NOW });
    await p.putSegments([segPut("a", "1.0"), segPut("b", "0.0")], NOW);
    await p.putSegments([segPut("a", "1.1")], NOW + 900);
    // Listed by a later commit: once listed, a segment is the versions' to free, never sweep's.
    await p.putSegments([segPut("a", "1.2")], NOW);
    await write(p, "a", 1, [], { keep: ["1.2"], nowMs: NOW + 950 });
    expect(await p.sweep(NOW + 1000, 500)).toBe(2);
    expect(await codeOf(p.blobs([{ item: "a", segment: "1.0", ordinals: [0] }]))).toBe("not_found");
    expect(await codeOf(p.blobs([{ item: "b", segment: "0.0", ordinals: [0] }]))).toBe("not_found");
    const kept = await p.blobs([
      { item: "a", segment: "0.0", ordinals: [0] },
      { item: "a", segment: "1.1", ordinals: [0] },
      { item: "a", segment: "1.2", ordinals: [0] },
    ]);
    expect(kept.map((k) => k.length)).toEqual([1, 1, 1]);
    // A swept segment can no longer be listed; the young one still can.
    expect(await codeOf(p.commit({ versions: [vw("a", 2, ["1.0"])] }, NOW + 1000))).toBe("invalid");
    await p.commit({ versions: [vw("a", 2, ["1.1"])] }, NOW + 1000);
    expect(await p.sweep(NOW + 10_000, 500)).toBe(0);
    expect((await p.version("a", 0))?.segments).toEqual([segment("0.0")]);
    expect((await p.version("a", 1))?.segments).toEqual([segment("1.2")]);
  });

  test("discard frees the named staged segments at once, never a listed one", async (p) => {
    await created(p);
    await write(p, "a", 0, ["0.0"], { nowMs: NOW });
    await p.putSegments([segPut("a", "1.0"), segPut("a", "1.1"), segPut("b", "0.0")], NOW);
    await p.discard([
      { item: "a", id: "0.0" },
      { item: "a", id: "1.0" },
      { item: "b", id: "0.0" },
      { item: "zz", id: "9.9" },
    ]);
    expect(await codeOf(p.blobs([{ item: "a", segment: "1.0", ordinals: [0] }]))).toBe("not_found");
    expect(await codeOf(p.blobs([{ item: "b", segment: "0.0", ordinals: [0] }]))).toBe("not_found");
    const kept = await p.blobs([
      { item: "a", segment: "0.0", ordinals: [0] },
      { item: "a", segment: "1.1", ordinals: [0] },
    ]);
    expect(kept.map((k) => k.length)).toEqual([1, 1]);
    expect(await codeOf(p.commit({ versions: [vw("a", 1, ["1.0"])] }, NOW + 1))).toBe("invalid");
    expect((await p.version("a", 0))?.segments).toEqual([segment("0.0")]);
  });

  test("sweep with nothing to free returns 0", async (p) => {
    await created(p);
    expect(await p.sweep(NOW, 0)).toBe(0);
    await write(p, "a", 0, ["0.0"]);
    expect(await p.sweep(NOW + 10_000, 0)).toBe(0);
  });
}
