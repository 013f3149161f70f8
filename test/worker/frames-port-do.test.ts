import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { doFramesBackend } from "../../src/durable/frames-client.ts";
import { itemsStatement } from "../../src/storage/do/frames-rows.ts";
import { remoteFrames } from "../../src/storage/do/frames-rpc.ts";
import { type FramesPort, MAX_BLOB_BYTES } from "../../src/storage/frames-port.ts";
import { runFramesPortContract } from "../contract/frames/index.ts";
import { bytes, codeOf, created, NOW, RECORD, sameBytes, segment, vw, write } from "../contract/frames/support.ts";

/** The port of a fresh FramesObject, reached over RPC as the Worker reaches it. */
function freshObject(): FramesPort {
  const collection = crypto.randomUUID();
  return remoteFrames(env.FRAMES.getByName(`p/${collection}`), "p", collection);
}

runFramesPortContract("do", freshObject);

describe("do: how the object stores a collection", () => {
  it("splits a blob over 1 MiB into 1 MiB rows, and an empty blob is one empty row", async () => {
    const name = `p/${crypto.randomUUID()}`;
    const stub = env.FRAMES.getByName(name);
    const p = remoteFrames(stub, "p", name);
    await created(p);
    const big = bytes(3 * 1024 * 1024 + 7, 3);
    await p.putSegments([{ item: "a", segment: segment("0.0"), blobs: [new Uint8Array(0), big] }], NOW);
    const parts = await runInDurableObject(stub, async (_o, state) =>
      state.storage.sql
        .exec<{ ordinal: number; size: number }>(
          "SELECT ordinal, length(bytes) AS size FROM fr_blobs WHERE item = 'a' ORDER BY ordinal, part",
        )
        .toArray(),
    );
    const MiB = 1024 * 1024;
    expect(parts).toEqual([
      { ordinal: 0, size: 0 },
      { ordinal: 1, size: MiB },
      { ordinal: 1, size: MiB },
      { ordinal: 1, size: MiB },
      { ordinal: 1, size: 7 },
    ]);
  });

  it("moves blobs of any size up to MAX_BLOB_BYTES across RPC's 32 MiB limit, both ways", async () => {
    const p = freshObject();
    await created(p);
    const huge = bytes(MAX_BLOB_BYTES, 5);
    const mid = bytes(20 * 1024 * 1024 + 3, 6);
    const a = { item: "a", segment: segment("0.0"), blobs: [new Uint8Array(0), mid, bytes(1, 7)] };
    const b = { item: "a", segment: segment("0.1"), blobs: [huge] };
    await p.putSegments([a, b], NOW);
    // A streamed batch is still all or nothing.
    const c = { item: "a", segment: segment("0.2"), blobs: [mid] };
    expect(await codeOf(p.putSegments([c, b], NOW))).toBe("conflict");
    expect(await codeOf(p.blobs([{ item: "a", segment: "0.2", ordinals: [0] }]))).toBe("not_found");
    const [ga, gb] = await p.blobs([
      { item: "a", segment: "0.0", ordinals: [0, 1, 2] },
      { item: "a", segment: "0.1", ordinals: [0] },
    ]);
    expect(ga?.map((x) => x.byteLength)).toEqual([0, mid.byteLength, 1]);
    expect(sameBytes(ga?.[1], mid)).toBe(true);
    expect(sameBytes(ga?.[2], bytes(1, 7))).toBe(true);
    expect(sameBytes(gb?.[0], huge)).toBe(true);
  }, 120_000);

  it("answers items(where) from the (key, value) index, not a scan of the items", async () => {
    const name = `p/${crypto.randomUUID()}`;
    const stub = env.FRAMES.getByName(name);
    const p = remoteFrames(stub, "p", name);
    await created(p);
    for (let i = 0; i < 30; i++) await write(p, `i${i}`, 0, [], { metadata: { site: `s${i % 3}`, n: i % 2 } });
    expect((await p.items({ limit: 100, where: { site: "s1", n: 1 } })).map((i) => i.name)).toEqual([
      "i1",
      "i13",
      "i19",
      "i25",
      "i7",
    ]);
    for (const deleted of [false, true]) {
      const { query, params } = itemsStatement({ limit: 10, where: { site: "s1", n: 1 }, deleted });
      const plan = await runInDurableObject(stub, async (_o, state) =>
        state.storage.sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...params)
          .toArray()
          .map((r) => r.detail)
          .join(" | "),
      );
      expect(plan).toMatch(/SEARCH m0 USING COVERING INDEX fr_item_meta_match \(key=\? AND value=\? AND item>\?\)/);
      expect(plan).not.toMatch(/SCAN|TEMP B-TREE/);
    }
  });

  it("refuses a listing on more metadata keys than a statement can bind", async () => {
    const p = freshObject();
    await created(p);
    await write(p, "a", 0, []);
    const where = Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`k${i}`, i]));
    expect(await codeOf(p.items({ limit: 10, where }))).toBe("invalid");
    const forty = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
    await p.commit({ versions: [vw("a", 1, [], { metadata: forty })] }, NOW);
    expect((await p.items({ limit: 10, where: forty })).map((i) => i.name)).toEqual(["a"]);
  });
});

describe("do: the frames backend lists a project's collections through the catalog", () => {
  const backend = doFramesBackend(env);
  const tag = crypto.randomUUID().slice(0, 8);
  const alpha = `alpha-${tag}`;
  // Sorts right after alpha's entries: a listing of alpha must stop where alpha's end.
  const alphaB = `alpha-${tag}b`;

  const create = async (project: string, collection: string) => created(backend.open(project, collection).port);

  it("registers on create, pages by name, keeps projects apart, unregisters on drop", async () => {
    for (const c of ["c2", "c1", "c3", "c4"]) await create(alpha, c);
    for (const c of ["a0", "c1", "z9"]) await create(alphaB, c);
    expect(await backend.collections(alpha, "", 10)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(await backend.collections(alpha, "", 2)).toEqual(["c1", "c2"]);
    expect(await backend.collections(alpha, "c2", 2)).toEqual(["c3", "c4"]);
    expect(await backend.collections(alpha, "c4", 10)).toEqual([]);
    expect(await backend.collections(alphaB, "", 10)).toEqual(["a0", "c1", "z9"]);
    expect(await backend.collections(`beta-${tag}`, "", 10)).toEqual([]);

    // A failed create registers nothing; a create with overwrite of an existing one changes nothing.
    const taken = backend.open(alpha, "c1").port;
    expect(await codeOf(created(taken))).toBe("conflict");
    await taken.commit({ createCollection: { record: RECORD, overwrite: true } }, NOW + 1);
    expect(await backend.collections(alpha, "", 10)).toEqual(["c1", "c2", "c3", "c4"]);

    await backend.open(alpha, "c2").port.drop();
    expect(await backend.collections(alpha, "", 10)).toEqual(["c1", "c3", "c4"]);
    expect(await backend.open(alpha, "c2").port.collection()).toBeNull();
    expect(await backend.collections(alphaB, "", 10)).toEqual(["a0", "c1", "z9"]);
    await create(alpha, "c2");
    expect(await backend.collections(alpha, "c1", 10)).toEqual(["c2", "c3", "c4"]);
  });

  it("a collection's port reaches the same object each time it is opened", async () => {
    const project = `gamma-${tag}`;
    await create(project, "one");
    expect(await backend.open(project, "one").port.collection()).toEqual(RECORD);
    expect(await backend.open(project, "two").port.collection()).toBeNull();
  });
});
