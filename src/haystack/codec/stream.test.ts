import { describe, expect, it } from "vitest";
import { HDateTime, HDict, HGrid, type HRow, num } from "../kinds/index.ts";
import { csvEncoder, writeCsvGrid } from "./csv.ts";
import { json3Encoder, jsonEncoder, writeJson3Grid, writeJsonGrid } from "./json/index.ts";
import { encodeGridStream } from "./stream.ts";
import type { GridEncoder } from "./types.ts";
import { writeZincGrid, zincEncoder } from "./zinc/index.ts";

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

function text(chunks: Uint8Array[]): string {
  const dec = new TextDecoder();
  return chunks.map((c) => dec.decode(c, { stream: true })).join("") + dec.decode();
}

const awkward = HGrid.of(
  ["s", "n"],
  Array.from({ length: 2000 }, (_, i): HRow => [i % 7 === 0 ? null : `r${i} € 漢 😀 "q"\n`, num(i / 3, "m³/h")]),
  HDict.of({ dis: "awkward" }),
);

describe("encodeGridStream", () => {
  const cases: [string, () => GridEncoder, (g: HGrid) => string][] = [
    ["json v4", jsonEncoder, writeJsonGrid],
    ["json v3", json3Encoder, writeJson3Grid],
    ["csv", () => csvEncoder(), (g) => writeCsvGrid(g)],
  ];
  for (const [name, enc, write] of cases) {
    it(`${name}: streamed bytes decode to writeGrid, in small chunks split inside characters`, async () => {
      const chunks = await collect(
        encodeGridStream(enc(), awkward.meta, awkward.cols, awkward.rows, { chunkBytes: 97 }),
      );
      expect(text(chunks)).toBe(write(awkward));
      for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(94);
      for (const c of chunks) expect(c.length).toBeLessThanOrEqual(97);
    });
  }

  it("an async row source gives the same bytes", async () => {
    async function* rows() {
      for (const r of awkward.rows) yield r;
    }
    const chunks = await collect(
      encodeGridStream(jsonEncoder(), awkward.meta, awkward.cols, rows(), { chunkBytes: 500 }),
    );
    expect(text(chunks)).toBe(writeJsonGrid(awkward));
  });

  it("streams a 1M-row source lazily in 64 KiB chunks", async () => {
    const N = 1_000_000;
    let pulled = 0;
    function* rows(): Generator<HRow> {
      for (let i = 0; i < N; i++) {
        pulled++;
        yield [i];
      }
    }
    const cols = HGrid.of(["v"], []).cols;
    const reader = encodeGridStream(jsonEncoder(), HDict.EMPTY, cols, rows()).getReader();
    const first = await reader.read();
    expect(first.value?.length).toBe(65536);
    // Only what one or two chunks need has been pulled (a row is ~12 bytes).
    expect(pulled).toBeLessThan(3 * (65536 / 10));
    const sizes: number[] = [first.value?.length ?? 0];
    const dec = new TextDecoder();
    let body = dec.decode(first.value, { stream: true });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sizes.push(value.length);
      body += dec.decode(value, { stream: true });
      // The source advances with the consumer, never far ahead of it.
      expect(pulled * 8).toBeLessThan(sizes.reduce((a, b) => a + b, 0) + 3 * 65536);
    }
    expect(pulled).toBe(N);
    expect(sizes.slice(0, -1).every((s) => s === 65536)).toBe(true);
    expect(body).toBe(
      writeJsonGrid(
        HGrid.of(
          ["v"],
          Array.from({ length: N }, (_, i) => [i]),
        ),
      ),
    );
  });

  it("a row source error errors the stream", async () => {
    function* rows(): Generator<HRow> {
      yield [1];
      throw new Error("db went away");
    }
    const stream = encodeGridStream(jsonEncoder(), HDict.EMPTY, HGrid.of(["v"], []).cols, rows(), { chunkBytes: 16 });
    await expect(collect(stream)).rejects.toThrow("db went away");
  });

  it("cancelling closes the source iterator", async () => {
    let closed = false;
    function* rows(): Generator<HRow> {
      try {
        for (let i = 0; ; i++) yield [i];
      } finally {
        closed = true;
      }
    }
    const reader = encodeGridStream(jsonEncoder(), HDict.EMPTY, HGrid.of(["v"], []).cols, rows(), {
      chunkBytes: 256,
    }).getReader();
    await reader.read(); // past the header, so the generator has started
    expect(closed).toBe(false);
    await reader.cancel("client left");
    expect(closed).toBe(true);
  });
});

describe("encodeGridStream with row batches", () => {
  async function* batchesOf(rows: readonly HRow[], size: number): AsyncGenerator<HRow[]> {
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
    yield [];
  }
  const his = HGrid.of(
    ["ts", "val"],
    Array.from(
      { length: 3000 },
      (_, i): HRow => [HDateTime.of(Date.UTC(2024, 2, 10, 5) + i * 60_000, "New_York"), num(i / 4, "kW")],
    ),
    HDict.of({ id: "x" }),
  );
  const cases: [string, () => GridEncoder, (g: HGrid) => string][] = [
    ["zinc (byte path)", zincEncoder, writeZincGrid],
    ["json v4 (byte path)", jsonEncoder, writeJsonGrid],
    ["json v3 (text path)", json3Encoder, writeJson3Grid],
  ];
  for (const [name, enc, write] of cases) {
    it(`${name}: batches across a DST change and an empty batch decode to writeGrid`, async () => {
      for (const g of [his, awkward]) {
        const chunks = await collect(encodeGridStream(enc(), g.meta, g.cols, { batches: batchesOf(g.rows, 701) }));
        expect(text(chunks)).toBe(write(g));
      }
    });
  }
});
