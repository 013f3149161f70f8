/**
 * HoLcStore 0.5.12's captured sync traffic (test/fixtures/series/holcstore-wire), replayed against
 * our server: the chunks the captured server held go into a store as they were (same bytes, same
 * `updated_at`), then every captured request is sent to us and our answer compared with the
 * captured one, byte for byte, with only the base URL changed.
 */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { keyText } from "../../src/series/model.ts";
import type { ChunkWrite } from "../../src/storage/series-port.ts";
import { parseSince } from "../../src/sync/datetime.ts";
import { EMPTY_LZ4_FRAME } from "../../src/sync/lz4-empty.ts";
import type { SeriesClient } from "./series-http.ts";

export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly query_string: string;
  readonly request_body: string;
  readonly status: number;
  readonly response_body: string;
}

interface Item {
  readonly attrs: { readonly kind: string; readonly version: number; readonly chunk_index?: number };
  readonly chunk_index?: number;
  readonly dtype: string;
  readonly start_ts: string;
  readonly updated_at: string;
  readonly is_deleted: boolean;
}

/** The captured server's base URL, as its `next` links spell it. */
export const CAPTURED_BASE = "http://127.0.0.1:8901/api/ts/";

/** The store the captures come from: keys declared in the order the captures list attrs. */
export const CAPTURED_DEF = { kind: "chunked", keys: { kind: "str", version: "int" }, freq: "1h", sync: true };

export function exchanges(text: string): Exchange[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Exchange);
}

function bytesOf(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
}

/** Every chunk a scenario's answers show, with its bytes where a pack/ answer gave them. */
export function capturedChunks(xs: readonly Exchange[]): ChunkWrite[] {
  const blobs = new Map<string, Uint8Array>();
  const heads = new Map<string, Item>();
  const id = (attrs: Item["attrs"], chunkIndex: number) => `${attrs.kind}/${attrs.version}/${chunkIndex}`;
  for (const x of xs) {
    if (x.status !== 200) continue;
    if (x.path.endsWith("/updates/")) {
      for (const it of (JSON.parse(x.response_body) as { results: Item[] }).results) {
        heads.set(id(it.attrs, it.chunk_index as number), it);
      }
    } else {
      for (const p of JSON.parse(x.response_body) as { blob: string; attrs: Item["attrs"] }[]) {
        blobs.set(id(p.attrs, p.attrs.chunk_index as number), bytesOf(p.blob));
      }
    }
  }
  return [...heads.entries()].map(([k, it]) => {
    const data = it.is_deleted ? EMPTY_LZ4_FRAME : blobs.get(k);
    if (!data) throw new Error(`the captures hold no bytes for live chunk ${k}`);
    return {
      key: keyText([it.attrs.kind, it.attrs.version]),
      chunkIndex: it.chunk_index as number,
      startMs: Date.parse(it.start_ts),
      dtype: "float64",
      data,
      deleted: it.is_deleted,
      updatedUs: parseSince(it.updated_at),
    };
  });
}

/** Loads `chunks` into the client's store `store` as a pull would (keeping their updated_at). */
export async function load(c: SeriesClient, store: string, chunks: readonly ChunkWrite[]): Promise<void> {
  await c.json(`${store}/sources/replay`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: "http://127.0.0.1:8901/api/ts/" }),
  });
  const stub = env.SERIES.getByName(`${c.project}/${store}`);
  const r = await stub.callSeries(c.project, store, "applyPulled", ["replay", null, "loaded", [...chunks]]);
  expect(r).toEqual({ ok: undefined });
}
