/**
 * The Parquet codec inside workerd: hyparquet and hyparquet-writer are pure JavaScript, and this
 * proves the Worker bundle resolves and runs them (the unit tests in src/frames/ cover the codec
 * in depth, in Node).
 */
import { parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { type Frame, FrameError } from "../../src/frames/model.ts";
import { frameToParquet, parquetToFrame } from "../../src/frames/parquet.ts";

const n = 2_500;
const valid = Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 1));
const frame: Frame = {
  index: {
    kind: "timestamp",
    name: "time",
    values: BigInt64Array.from({ length: n }, (_, i) => 1_700_000_000_000_000_001n + BigInt(i) * 1_000n),
  },
  columns: [
    { name: "v", dtype: "float64", values: Float64Array.from({ length: n }, (_, i) => Math.sin(i)), valid },
    { name: "n", dtype: "int64", values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * -3n) },
    { name: "ok", dtype: "bool", values: Uint8Array.from({ length: n }, (_, i) => i % 2) },
    { name: "tag", dtype: "string", values: Array.from({ length: n }, (_, i) => `p${i % 7}`), valid },
    {
      name: "kind",
      dtype: "category",
      values: { codes: Int32Array.from({ length: n }, (_, i) => i % 3), dictionary: ["a", "b", "c"] },
    },
  ],
};

describe("frames parquet codec in workerd", () => {
  it("runs in the Workers runtime", () => {
    expect((globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent).toBe("Cloudflare-Workers");
  });

  it("round-trips a frame through several SNAPPY row groups", async () => {
    const bytes = frameToParquet(frame, { rowGroupRows: 1_000 });
    const back = await parquetToFrame(bytes);
    expect(Array.from(back.index.values)).toEqual(Array.from(frame.index.values));
    expect(back.columns.map((c) => c.dtype)).toEqual(["float64", "int64", "bool", "string", "category"]);
    const v = back.columns[0];
    expect(v?.valid).toEqual(valid);
    const src = frame.columns[0]?.values as Float64Array;
    expect(Array.from(v?.values as Float64Array).filter((_, i) => valid[i])).toEqual(
      Array.from(src).filter((_, i) => valid[i]),
    );
    expect(back.columns[1]?.values).toEqual(frame.columns[1]?.values);
    expect((back.columns[3]?.values as string[] | undefined)?.slice(1, 5)).toEqual(["p1", "p2", "p3", "p4"]);
    const kind = back.columns[4];
    expect(kind?.dtype === "category" && kind.values.dictionary).toEqual(["a", "b", "c"]);
    expect(kind?.dtype === "category" && Array.from(kind.values.codes.slice(0, 4))).toEqual([0, 1, 2, 0]);

    const rows = await parquetReadObjects({
      file: bytes.slice().buffer,
      columns: ["n"],
      rowStart: 2_000,
      rowEnd: 2_002,
    });
    expect(rows.map((r) => r.n)).toEqual([-6_000n, -6_003n]);
  });

  it("reads chosen columns, and ends every damaged copy in a frame or a FrameError (the guard in workerd)", async () => {
    const bytes = frameToParquet(frame, { rowGroupRows: 1_000 });
    const only = await parquetToFrame(bytes, { columns: ["n"] });
    expect(only.columns.map((c) => c.name)).toEqual(["n"]);
    expect(only.columns[0]?.values).toEqual(frame.columns[1]?.values);
    let refused = 0;
    for (let k = 0; k < 60; k++) {
      const bad = bytes.slice();
      // Deterministic spread of damage across the file, headers and footer included.
      for (let j = 0; j < 3; j++) bad[(k * 7919 + j * 104_729) % bad.length] = (k * 37 + j * 101) & 0xff;
      try {
        await parquetToFrame(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(FrameError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it("rejects garbage with a FrameError", async () => {
    await expect(parquetToFrame(new TextEncoder().encode("PAR1 not really PAR1"))).rejects.toBeInstanceOf(FrameError);
  });
});
