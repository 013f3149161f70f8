/**
 * Replays of HoLcStore 0.5.12's captured sync exchanges (test/fixtures/series/holcstore-wire/):
 * from the rows each response lists, our formatters must write the captured body. The kept
 * captures all list attrs as {"kind", "version"}, so with the keys declared in that order the
 * bodies compare byte for byte; with the other order (HoLcStore's is a Python set's, arbitrary)
 * they compare as parsed JSON.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fromBase64 } from "../auth/base64.ts";
import type { KeyDecl } from "../series/model.ts";
import type { ChunkHead, StoredChunk } from "../storage/series-port.ts";
import { attrsToKey } from "./attrs.ts";
import { parseSince } from "./datetime.ts";
import { pageLinks } from "./drf.ts";
import {
  FIRST_SINCE,
  packResponse,
  parsePackReply,
  parsePackRequest,
  parseUpdatesPage,
  parseUpdatesQuery,
  updatesEnvelope,
  updatesUrl,
} from "./holcstore-wire.ts";

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../test/fixtures/series/holcstore-wire");
const ORIGIN = "http://127.0.0.1:8901";
const KEYS: KeyDecl[] = [
  { name: "kind", type: "str" },
  { name: "version", type: "int" },
];
const KEYS_OTHER_ORDER: KeyDecl[] = [KEYS[1] as KeyDecl, KEYS[0] as KeyDecl];

interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly query_string: string;
  readonly request_body: string;
  readonly status: number;
  readonly response_body: string;
}

type Json = Record<string, unknown>;

function load(name: string): Exchange[] {
  return readFileSync(resolve(DIR, `${name}.server.jsonl`), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Exchange);
}

const SCENARIOS = ["00_full_sync_defaults", "01_full_sync", "03_soft_delete", "04_replace"];
const exchanges = SCENARIOS.flatMap((s) => load(s).map((x, i) => ({ name: `${s} #${i + 1} ${x.path}`, x })));
const updates = exchanges.filter((e) => e.x.path.endsWith("/updates/"));
const packs = exchanges.filter((e) => e.x.path.endsWith("/pack/"));

function head(r: Json, keys: readonly KeyDecl[], seq: number): ChunkHead {
  return {
    key: attrsToKey(r.attrs, keys),
    chunkIndex: r.chunk_index as number,
    startMs: parseSince(r.start_ts as string) / 1000,
    dtype: r.dtype as "float64",
    deleted: r.is_deleted as boolean,
    updatedUs: parseSince(r.updated_at as string),
    seq,
  };
}

function envelopeFor(x: Exchange, keys: readonly KeyDecl[]): string {
  const body = JSON.parse(x.response_body) as { count: number; results: Json[] };
  const q = parseUpdatesQuery(new URLSearchParams(x.query_string), keys);
  const links = pageLinks(`${ORIGIN}${x.path}?${x.query_string}`, q.limit, q.offset, body.count);
  return updatesEnvelope({
    count: body.count,
    rows: body.results.map((r, i) => head(r, keys, i + 1)),
    keys,
    nextUrl: links.next,
    previousUrl: links.previous,
  });
}

function packedFor(x: Exchange, keys: readonly KeyDecl[]): StoredChunk[] {
  return (JSON.parse(x.response_body) as Json[]).map((item) => {
    const attrs = { ...(item.attrs as Json) };
    delete attrs.chunk_index;
    const data = fromBase64(item.blob as string);
    if (data === undefined) throw new Error("capture blob is not base64");
    return { ...head({ ...(item.meta as Json), attrs, chunk_index: (item.attrs as Json).chunk_index }, keys, 0), data };
  });
}

describe("updates/ replayed against the captures", () => {
  it("has the exchanges the README lists", () => {
    expect(updates.length).toBe(8);
    expect(packs.length).toBe(11);
  });

  it.each(updates)("writes $name byte for byte", ({ x }) => {
    expect(x.status).toBe(200);
    expect(envelopeFor(x, KEYS)).toBe(x.response_body);
  });

  it.each(updates)("writes $name as the same JSON with the keys declared the other way", ({ x }) => {
    const ours = envelopeFor(x, KEYS_OTHER_ORDER);
    expect(JSON.parse(ours)).toEqual(JSON.parse(x.response_body));
    expect(ours).toContain('"attrs":{"version":');
  });

  it.each(updates)("reads $name back as the client", ({ x }) => {
    const body = JSON.parse(x.response_body) as { count: number; next: string | null; results: Json[] };
    const page = parseUpdatesPage(body, KEYS_OTHER_ORDER, 1000);
    expect(page.count).toBe(body.count);
    expect(page.next).toBe(body.next);
    expect(page.items.map(({ raw: _, ...item }) => item)).toEqual(
      body.results.map((r) => {
        const { seq: _, ...h } = head(r, KEYS_OTHER_ORDER, 0);
        return h;
      }),
    );
    expect(page.items.map((i) => i.raw)).toEqual(body.results);
  });

  it("reads the first since of an empty HoLcStore client", () => {
    const x = (updates[0] as { x: Exchange }).x;
    expect(x.query_string).toBe("since=2000-01-01T00%3A00%3A00%2B01%3A00&limit=200");
    expect(updatesUrl(`${ORIGIN}/api/ts/`, FIRST_SINCE, 200, 0, {})).toBe(`${ORIGIN}${x.path}?${x.query_string}`);
    const q = parseUpdatesQuery(new URLSearchParams(x.query_string), KEYS);
    expect(q).toEqual({ sinceUs: Date.UTC(1999, 11, 31, 23) * 1000, limit: 200, offset: 0, match: [] });
  });

  it("refuses what HoLcStore answers 500 to, with a reason (07_errors)", () => {
    const [noLimit] = load("07_errors");
    expect(noLimit?.status).toBe(500);
    expect(() => parseUpdatesQuery(new URLSearchParams(noLimit?.query_string), KEYS)).toThrow(/limit is required/);
    expect(parseUpdatesQuery(new URLSearchParams(noLimit?.query_string), KEYS, { defaultLimit: 100 }).limit).toBe(100);
    expect(() => parseUpdatesQuery(new URLSearchParams("limit=5"), KEYS)).toThrow(/since is required/);
    expect(() => parseUpdatesQuery(new URLSearchParams("since=2000-01-01T00:00:00&limit=5"), KEYS)).toThrow(/offset/);
    expect(() => parseUpdatesQuery(new URLSearchParams("since=2000-01-01T00:00:00Z&limit=0"), KEYS)).toThrow(/limit/);
    expect(() => parseUpdatesQuery(new URLSearchParams("since=2000-01-01T00:00:00Z&limit=1&offset=-1"), KEYS)).toThrow(
      /offset/,
    );
    expect(() => parseUpdatesQuery(new URLSearchParams("since=2000-01-01T00:00:00Z&limit=1&site=2"), KEYS)).toThrow(
      /unknown parameter/,
    );
  });

  it("takes key filters and caps the limit like DRF's max_limit", () => {
    const q = parseUpdatesQuery(new URLSearchParams("since=2000-01-01T00:00:00Z&limit=500&kind=load"), KEYS, {
      maxLimit: 100,
    });
    expect(q.limit).toBe(100);
    expect(q.match).toEqual([{ pos: 0, value: "load" }]);
    // curl users write the offset's + unencoded; the query decodes it to a space.
    const plus = parseUpdatesQuery(new URLSearchParams("since=2000-01-01T00:00:00+01:00&limit=1"), KEYS);
    expect(plus.sinceUs).toBe(Date.UTC(1999, 11, 31, 23) * 1000);
  });
});

describe("pack/ replayed against the captures", () => {
  it.each(packs)("writes $name byte for byte", ({ x }) => {
    expect(packResponse(packedFor(x, KEYS), KEYS)).toBe(x.response_body);
    expect(JSON.parse(packResponse(packedFor(x, KEYS_OTHER_ORDER), KEYS_OTHER_ORDER))).toEqual(
      JSON.parse(x.response_body),
    );
  });

  it.each(packs)("reads the request of $name (attrs and chunk_index only)", ({ x }) => {
    const asked = JSON.parse(x.request_body) as Json[];
    const refs = parsePackRequest(asked, KEYS);
    expect(refs).toEqual(asked.map((a) => ({ key: attrsToKey(a.attrs, KEYS), chunkIndex: a.chunk_index })));
    expect(refs).toEqual(packedFor(x, KEYS).map((c) => ({ key: c.key, chunkIndex: c.chunkIndex })));
  });

  it.each(packs)("reads the reply of $name as the client", ({ x }) => {
    const got = parsePackReply(JSON.parse(x.response_body), KEYS, 1000);
    expect(got).toEqual(packedFor(x, KEYS).map(({ seq: _, ...c }) => c));
  });

  it("carries LZ4 frames as HoLcStore stores them (Paris, 1 h: October 2024 has 745 values)", () => {
    const pack = (packs[0] as { x: Exchange }).x;
    const oct = packedFor(pack, KEYS).find((c) => c.key === '["load",1]' && c.chunkIndex === 2024 * 12 + 9);
    const frame = oct?.data ?? new Uint8Array();
    expect([...frame.subarray(0, 6)]).toEqual([0x04, 0x22, 0x4d, 0x18, 0x68, 0x40]);
    expect(new DataView(frame.buffer, frame.byteOffset + 6, 8).getBigUint64(0, true)).toBe(745n * 8n);
  });

  it("refuses malformed and oversized requests", () => {
    const one = { attrs: { kind: "x", version: 9 }, chunk_index: 1 };
    expect(parsePackRequest(JSON.parse(load("07_errors")[1]?.request_body ?? ""), KEYS)).toEqual([
      { key: '["x",9]', chunkIndex: 1 },
    ]);
    expect(() => parsePackRequest({}, KEYS)).toThrow(/must be an array/);
    expect(() => parsePackRequest([{ chunk_index: 1 }], KEYS)).toThrow(/attrs is missing/);
    expect(() => parsePackRequest([{ ...one, chunk_index: -1 }], KEYS)).toThrow(/chunk_index/);
    expect(() => parsePackRequest([{ ...one, chunk_index: "1" }], KEYS)).toThrow(/chunk_index/);
    expect(() => parsePackRequest(Array(11).fill(one), KEYS, 10)).toThrow(
      expect.objectContaining({ code: "too_large" }),
    );
  });

  it("refuses a reply whose blob is not base64 or whose meta is not a chunk's", () => {
    const good = JSON.parse((packs[0] as { x: Exchange }).x.response_body) as Json[];
    const first = good[0] as Json;
    expect(() => parsePackReply([{ ...first, blob: "not base64!" }], KEYS, 10)).toThrow(/blob is not base64/);
    expect(() => parsePackReply([{ ...first, meta: { ...(first.meta as Json), dtype: "complex" } }], KEYS, 10)).toThrow(
      /dtype/,
    );
    expect(() =>
      parsePackReply([{ ...first, meta: { ...(first.meta as Json), updated_at: "2026-01-01" } }], KEYS, 10),
    ).toThrow(/updated_at/);
    expect(() => parsePackReply(good, KEYS, 5)).toThrow(expect.objectContaining({ code: "too_large" }));
  });
});
