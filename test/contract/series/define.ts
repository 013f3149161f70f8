/** Defining a store, its frozen definition, and dropping it. */
import { expect } from "vitest";
import type { StoreDef } from "../../../src/series/model.ts";
import { CHUNKED, codeOf, cw, defined, k, NOW, put, type SeriesCase, sw, VERSIONED } from "./support.ts";

export const DEFINE_LABEL = "definition";

const SOURCE = {
  name: "up",
  url: "https://example.test/ts/p/s/",
  protocol: "hayloft",
  filters: {},
  everySeconds: 0,
} as const;

export function defineCases(test: SeriesCase): void {
  test("a store never defined has no definition, no sequence and no data", async (p) => {
    expect(await p.definition()).toBeNull();
    expect(await p.sequence()).toBe(0);
    expect(await p.keys([], null, 10)).toEqual([]);
    expect(await p.feed(0, 10, [], true)).toEqual([]);
    expect(await p.sources()).toEqual([]);
    expect(await p.chunk(k("a", 1), 0)).toBeNull();
  });

  test("define is idempotent for the same definition and frozen against any other", async (p) => {
    expect(await p.define(CHUNKED, NOW)).toBe(true);
    expect(await p.definition()).toEqual(CHUNKED);
    // The same definition with its members in another order is the same definition.
    const reordered = Object.fromEntries(Object.entries(CHUNKED).reverse()) as unknown as StoreDef;
    expect(await p.define(reordered, NOW + 5)).toBe(false);
    const changes: StoreDef[] = [
      { ...CHUNKED, zone: "UTC" },
      { ...CHUNKED, sync: false },
      { ...CHUNKED, keys: [{ name: "site", type: "str" }] },
      { ...CHUNKED, keys: [CHUNKED.keys[0] as never, { name: "n", type: "str" }] },
      VERSIONED,
    ];
    for (const d of changes) expect(await codeOf(p.define(d, NOW))).toBe("conflict");
    expect(await p.definition()).toEqual(CHUNKED);
  });

  test("writes and sources need a defined store", async (p) => {
    expect(await codeOf(put(p, { chunks: [cw(k("a", 1), 0)] }))).toBe("not_found");
    expect(await codeOf(p.putSource(SOURCE, NOW))).toBe("not_found");
    expect(await p.sequence()).toBe(0);
    expect(await p.sources()).toEqual([]);
  });

  test("drop removes the definition, data and sources; the sequence never goes back", async (p) => {
    await defined(p);
    await p.putSource(SOURCE, NOW);
    await put(p, { chunks: [cw(k("a", 1), 0), cw(k("a", 1), 1)], series: [sw(k("v", 1), 0)] });
    await p.drop();
    expect(await p.definition()).toBeNull();
    expect(await p.chunk(k("a", 1), 0)).toBeNull();
    expect(await p.chunks(k("a", 1), 0, 10)).toEqual([]);
    expect(await p.series(k("v", 1))).toEqual([]);
    expect(await p.keys([], null, 10)).toEqual([]);
    expect(await p.sources()).toEqual([]);
    expect(await p.feed(0, 10, [], false)).toEqual([]);
    expect(await p.updates(0, 10, 0, [])).toEqual({ count: 0, rows: [] });
    expect(await codeOf(put(p, { chunks: [cw(k("a", 1), 0)] }))).toBe("not_found");
    // Defined anew, even otherwise; its changes come after any cursor a reader held before.
    expect(await p.define(VERSIONED, NOW)).toBe(true);
    expect(await p.definition()).toEqual(VERSIONED);
    const c = await put(p, { chunks: [cw(k("a", 1), 0)] });
    expect(c.seq).toBe(3);
    expect(await p.feed(2, 10, [], false)).toHaveLength(1);
  });

  test("dropping a store never defined is harmless", async (p) => {
    await p.drop();
    expect(await p.definition()).toBeNull();
    expect(await p.define(CHUNKED, NOW)).toBe(true);
  });
}
