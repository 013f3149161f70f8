/** Listing items: name order, paging, metadata equalities, any unicode in names and keys. */
import { expect } from "vitest";
import { MAX_FRAMES_PAGE } from "../../../src/storage/frames-port.ts";
import { codeOf, created, type FramesCase, NOW, segment, vw, write } from "./support.ts";

export const ITEMS_LABEL = "item listings";

const names = (items: readonly { readonly name: string }[]): string[] => items.map((i) => i.name);

export function itemsCases(test: FramesCase): void {
  test("items are listed by name, paged by after and limit", async (p) => {
    await created(p);
    for (const n of ["c", "a", "e", "b", "d"]) await write(p, n, 0, []);
    expect(names(await p.items({ limit: 10 }))).toEqual(["a", "b", "c", "d", "e"]);
    expect(names(await p.items({ limit: 2 }))).toEqual(["a", "b"]);
    expect(names(await p.items({ limit: 2, after: "b" }))).toEqual(["c", "d"]);
    expect(names(await p.items({ limit: 2, after: "bb" }))).toEqual(["c", "d"]);
    expect(names(await p.items({ limit: 2, after: "d" }))).toEqual(["e"]);
    expect(names(await p.items({ limit: 2, after: "e" }))).toEqual([]);
    expect(names(await p.items({ limit: MAX_FRAMES_PAGE }))).toHaveLength(5);
    expect(await codeOf(p.items({ limit: MAX_FRAMES_PAGE + 1 }))).toBe("invalid");
  });

  test("names are ordered by code point (UTF-8 bytes), whatever the locale", async (p) => {
    await created(p);
    // UTF-16 order would put the astral 😀 (a surrogate pair, 0xD83D...) before the fullwidth Ａ (0xFF21).
    const all = ["😀", "\uFF21", "é", "Z", "a", "a b", "a\t"];
    for (const n of all) await write(p, n, 0, []);
    expect(names(await p.items({ limit: 10 }))).toEqual(["Z", "a", "a\t", "a b", "é", "\uFF21", "😀"]);
    expect(names(await p.items({ limit: 10, after: "\uFF21" }))).toEqual(["😀"]);
    expect(names(await p.items({ limit: 1, after: "é" }))).toEqual(["\uFF21"]);
  });

  test("item names and metadata keys may hold any unicode", async (p) => {
    await created(p);
    const name = "données/été 🌍 \"quoted\" 'single' \\ % _ *";
    const metadata = { "clé ünï 🔑": "välüe 😀", "": "empty key", "a.b": { "x y": [1, "ß"] } };
    await write(p, name, 0, ["0.0"], { metadata });
    expect(await p.item(name)).toMatchObject({ name, latest: 0, metadata });
    expect((await p.version(name, 0))?.segments).toEqual([segment("0.0")]);
    expect(names(await p.items({ limit: 10, where: { "clé ünï 🔑": "välüe 😀" } }))).toEqual([name]);
    expect(names(await p.items({ limit: 10, where: { "": "empty key" } }))).toEqual([name]);
    expect(names(await p.items({ limit: 10, where: { "a.b": { "x y": [1, "ß"] } } }))).toEqual([name]);
    // LIKE-style wildcards are plain characters.
    expect(await p.item("données/été 🌍 \"quoted\" 'single' \\ _ % *")).toBeNull();
  });

  test("where is an AND of metadata equalities, compared as canonical JSON", async (p) => {
    await created(p);
    await write(p, "a", 0, [], { metadata: { site: "x", n: 1, cfg: { b: 2, a: [1, { d: 4, c: 3 }] }, z: null } });
    await write(p, "b", 0, [], { metadata: { site: "x", n: 2, cfg: { a: [1, { c: 3, d: 4 }], b: 2 } } });
    await write(p, "c", 0, [], { metadata: { site: "y", n: 1.0, flag: true, s: "1" } });
    const where = async (w: { [k: string]: import("../../../src/storage/frames-port.ts").Json }) =>
      names(await p.items({ limit: 10, where: w }));
    expect(await where({})).toEqual(["a", "b", "c"]);
    expect(await where({ site: "x" })).toEqual(["a", "b"]);
    expect(await where({ site: "x", n: 1 })).toEqual(["a"]);
    expect(await where({ n: 1.0 })).toEqual(["a", "c"]);
    // Key order inside objects is irrelevant; array order is not.
    expect(await where({ cfg: { a: [1, { c: 3, d: 4 }], b: 2 } })).toEqual(["a", "b"]);
    expect(await where({ cfg: { b: 2, a: [{ c: 3, d: 4 }, 1] } })).toEqual([]);
    // Types are kept: "1" is not 1, true is not 1, null matches only a stored null.
    expect(await where({ s: 1 })).toEqual([]);
    expect(await where({ s: "1" })).toEqual(["c"]);
    expect(await where({ flag: 1 })).toEqual([]);
    expect(await where({ flag: true })).toEqual(["c"]);
    expect(await where({ z: null })).toEqual(["a"]);
    expect(await where({ missing: null })).toEqual([]);
    expect(await where({ site: "x", flag: true })).toEqual([]);
    // Paging applies to the matches.
    expect(names(await p.items({ limit: 1, after: "a", where: { cfg: { b: 2, a: [1, { d: 4, c: 3 }] } } }))).toEqual([
      "b",
    ]);
  });

  test("where matches the latest version's metadata only, and deleted items never", async (p) => {
    await created(p);
    await write(p, "a", 0, [], { metadata: { stage: "old" } });
    await write(p, "a", 1, [], { metadata: { stage: "new" } });
    await write(p, "b", 0, [], { metadata: { stage: "old" } });
    await p.commit({ versions: [vw("c", 0, [], { metadata: { stage: "old" } })] }, NOW);
    await p.commit({ createSnapshot: { name: "s", createdMs: NOW, metadata: {}, items: 1, versions: { c: 0 } } }, NOW);
    await p.commit({ deleteItems: ["c"] }, NOW + 1);
    expect(names(await p.items({ limit: 10, where: { stage: "old" } }))).toEqual(["b"]);
    expect(names(await p.items({ limit: 10, where: { stage: "new" } }))).toEqual(["a"]);
    // A deleted item's metadata is {}: matched by no equality even when deleted ones are asked for.
    expect(names(await p.items({ limit: 10, where: { stage: "old" }, deleted: true }))).toEqual(["b"]);
    expect(names(await p.items({ limit: 10, deleted: true }))).toEqual(["a", "b", "c"]);
    // Written again, it is matched by its new metadata.
    await p.commit({ versions: [vw("c", 1, [], { metadata: { stage: "new" } })] }, NOW + 2);
    expect(names(await p.items({ limit: 10, where: { stage: "new" } }))).toEqual(["a", "c"]);
  });
}
