import { describe, expect, it } from "vitest";
import type { KeyDecl } from "../series/model.ts";
import type { StoredChunk } from "../storage/series-port.ts";
import { EMPTY_LZ4_FRAME } from "./lz4-empty.ts";
import { feedPage, feedUrl, parseFeedPage, parseFeedQuery } from "./native-wire.ts";

const KEYS: KeyDecl[] = [
  { name: "site", type: "str" },
  { name: "n", type: "int" },
];
const T0 = Date.UTC(2026, 10, 22, 13, 19, 10) * 1000 + 8945;

function chunk(seq: number, over: Partial<StoredChunk> = {}): StoredChunk {
  return {
    key: '["a",1]',
    chunkIndex: 24288 + seq,
    startMs: Date.UTC(2023, 11, 31, 23),
    dtype: "float64",
    data: Uint8Array.of(1, 2, 3, seq),
    deleted: false,
    updatedUs: T0 + seq,
    seq,
    ...over,
  };
}

describe("feed page", () => {
  it("writes items in seq order with bytes inline", () => {
    const body = feedPage({
      after: 4,
      items: [chunk(5), chunk(7, { deleted: true, data: EMPTY_LZ4_FRAME })],
      more: true,
      keys: KEYS,
      data: "inline",
    });
    expect(body).toBe(
      '{"after":4,"last":7,"more":true,"items":[' +
        '{"seq":5,"attrs":{"site":"a","n":1},"chunk_index":24293,"start_ts":"2023-12-31T23:00:00Z","dtype":"float64","is_deleted":false,"updated_at":"2026-11-22T13:19:10.008950Z","blob":"AQIDBQ=="},' +
        '{"seq":7,"attrs":{"site":"a","n":1},"chunk_index":24295,"start_ts":"2023-12-31T23:00:00Z","dtype":"float64","is_deleted":true,"updated_at":"2026-11-22T13:19:10.008952Z","blob":"BCJNGGBAggAAAAA="}]}',
    );
  });

  it("leaves bytes out by reference, and an empty page's last is its after", () => {
    const { data: _, ...head } = chunk(5);
    expect(feedPage({ after: 4, items: [head], more: false, keys: KEYS, data: "ref" })).not.toContain("blob");
    expect(feedPage({ after: 9, items: [], more: false, keys: KEYS, data: "inline" })).toBe(
      '{"after":9,"last":9,"more":false,"items":[]}',
    );
    expect(() => feedPage({ after: 4, items: [head], more: false, keys: KEYS, data: "inline" })).toThrow(/bytes/);
  });

  it("reads back what it writes", () => {
    const items = [chunk(5), chunk(6, { key: '["b",-2]', deleted: true, data: EMPTY_LZ4_FRAME })];
    const page = parseFeedPage(
      JSON.parse(feedPage({ after: 4, items, more: false, keys: KEYS, data: "inline" })),
      KEYS,
      4,
      10,
    );
    expect(page.last).toBe(6);
    expect(page.more).toBe(false);
    expect(page.items.map(({ ref: _, ...i }) => i)).toEqual(items);
    expect(page.items[1]?.ref).toEqual({ attrs: { site: "b", n: -2 }, chunk_index: 24294 });
    const { data: _, ...head } = chunk(5);
    const byRef = parseFeedPage(
      JSON.parse(feedPage({ after: 4, items: [head], more: false, keys: KEYS, data: "ref" })),
      KEYS,
      4,
      10,
    );
    expect(byRef.items[0]?.data).toBeNull();
  });

  it.each([
    ["another after", { after: 3, last: 4, more: false, items: [] }, /asked for 4/],
    ["last before after", { after: 4, last: 3, more: false, items: [] }, /last/],
    ["more without progress", { after: 4, last: 4, more: true, items: [] }, /no progress/],
    ["a seq not after after", { after: 4, last: 9, more: false, items: [{ seq: 4 }] }, /seq/],
    ["a seq past last", { after: 4, last: 5, more: false, items: [{ seq: 6 }] }, /past feed.last/],
    ["items not an array", { after: 4, last: 5, more: false, items: {} }, /array/],
  ])("refuses a page with %s", (_, json, why) => {
    expect(() => parseFeedPage(json, KEYS, 4, 10)).toThrow(why);
  });

  it("refuses falling seqs, a bad blob, and too many items", () => {
    const page = JSON.parse(
      feedPage({ after: 0, items: [chunk(2), chunk(3)], more: false, keys: KEYS, data: "inline" }),
    );
    const swapped = { ...page, items: [page.items[1], page.items[0]] };
    expect(() => parseFeedPage(swapped, KEYS, 0, 10)).toThrow(/seq/);
    expect(() => parseFeedPage({ ...page, items: [{ ...page.items[0], blob: "%%" }] }, KEYS, 0, 10)).toThrow(/base64/);
    expect(() => parseFeedPage(page, KEYS, 0, 1)).toThrow(expect.objectContaining({ code: "too_large" }));
  });
});

describe("feed query and URL", () => {
  it("has defaults, caps the limit and takes key filters", () => {
    expect(parseFeedQuery(new URLSearchParams(""), KEYS)).toEqual({ after: 0, limit: 100, data: "inline", match: [] });
    expect(parseFeedQuery(new URLSearchParams("after=7&limit=5000&data=ref&n=3"), KEYS, { maxLimit: 500 })).toEqual({
      after: 7,
      limit: 500,
      data: "ref",
      match: [{ pos: 1, value: 3 }],
    });
  });

  it.each(["after=-1", "after=x", "limit=0", "data=all", "zone=1", "n=1&n=2"])("refuses %s", (q) => {
    expect(() => parseFeedQuery(new URLSearchParams(q), KEYS)).toThrow(expect.objectContaining({ code: "invalid" }));
  });

  it("builds the URL a client asks", () => {
    expect(feedUrl("https://h/ts/p/s/", 12, 100, "ref", { site: "a b" })).toBe(
      "https://h/ts/p/s/feed/?after=12&limit=100&data=ref&site=a+b",
    );
    expect(
      parseFeedQuery(new URL(feedUrl("https://h/ts/p/s/", 12, 100, "ref", { site: "a b" })).searchParams, KEYS).match,
    ).toEqual([{ pos: 0, value: "a b" }]);
  });
});
