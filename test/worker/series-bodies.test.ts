/**
 * The series body codecs inside workerd: apache-arrow loads and runs there, Intl gives the zone
 * offsets formatInstant relies on, and streamed bodies go out through a Response.
 */
import { Float64, makeData, Table, TimestampMicrosecond, tableFromIPC, tableToIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import {
  negotiateOutput,
  readManySeries,
  readPoints,
  type SeriesFormat,
  writeManySeries,
  writePoints,
} from "../../src/api/series/bodies/index.ts";
import type { ManyItem } from "../../src/api/series/bodies/types.ts";
import { formatInstant, parseInstant } from "../../src/series/instants.ts";
import type { KeyDecl } from "../../src/series/model.ts";

const P = "Europe/Paris";
const H = 3_600_000;
const T0 = Date.parse("2024-10-27T00:00:00Z");
const LIMITS = { maxBytes: 1 << 24, maxPoints: 100_000, maxSeries: 10 };
const DECLS: KeyDecl[] = [
  { name: "site", type: "str" },
  { name: "year", type: "int" },
];
const OVERLAP = { index: Float64Array.of(T0, T0 + H, T0 + 2 * H), values: Float64Array.of(1.5, Number.NaN, 3) };

async function bytes(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer());
}

describe("series bodies in workerd", () => {
  it("formats and parses instants across the Paris overlap", () => {
    expect([0, 1, 2].map((h) => formatInstant(T0 + h * H, P))).toEqual([
      "2024-10-27T02:00:00+02:00",
      "2024-10-27T02:00:00+01:00",
      "2024-10-27T03:00:00+01:00",
    ]);
    expect(parseInstant("2024-10-27T02:30:00", P)).toBe(T0 + H / 2);
  });

  it("writes the exact JSON and CSV bodies", async () => {
    expect(await new Response(writePoints(OVERLAP, "json", P)).text()).toBe(
      '{"index":["2024-10-27T02:00:00+02:00","2024-10-27T02:00:00+01:00","2024-10-27T03:00:00+01:00"],"values":[1.5,null,3]}',
    );
    expect(await new Response(writePoints(OVERLAP, "csv", P)).text()).toBe(
      "time,value\n2024-10-27T02:00:00+02:00,1.5\n2024-10-27T02:00:00+01:00,\n2024-10-27T03:00:00+01:00,3\n",
    );
  });

  it("round trips one series and many in every format", async () => {
    const items: ManyItem[] = [
      { keys: { site: "a", year: 2024 }, version: 1, points: OVERLAP },
      { keys: { site: "b", year: 2025 }, points: { index: Float64Array.of(0), values: Float64Array.of(-2) } },
    ];
    for (const format of ["json", "ndjson", "csv", "arrow"] as SeriesFormat[]) {
      const one = readPoints(await bytes(writePoints(OVERLAP, format, P)), format, P, LIMITS);
      expect(one, format).toEqual(OVERLAP);
      async function* source(): AsyncGenerator<ManyItem> {
        yield* items;
      }
      const body = await bytes(writeManySeries(source(), format, P, DECLS, { versions: true }));
      expect(readManySeries(body, format, P, DECLS, LIMITS), format).toEqual(items);
    }
  });

  it("reads an Arrow table apache-arrow builds here, and writes one it reads back", async () => {
    const time = makeData({
      type: new TimestampMicrosecond("UTC"),
      length: 2,
      nullCount: 0,
      data: BigInt64Array.of(BigInt(T0) * 1000n, BigInt(T0 + H) * 1000n + 5n),
    });
    const value = makeData({ type: new Float64(), length: 2, nullCount: 0, data: Float64Array.of(4, 5) });
    for (const format of ["stream", "file"] as const) {
      const got = readPoints(tableToIPC(new Table({ time, value }), format), "arrow", P, LIMITS);
      expect(Array.from(got.index)).toEqual([T0, T0 + H]);
    }
    const table = tableFromIPC(await bytes(writePoints(OVERLAP, "arrow", P)));
    expect(String(table.schema.fields[0]?.type)).toBe("Timestamp<MILLISECOND, Europe/Paris>");
    expect([...(table.getChild("value") ?? [])]).toEqual([1.5, null, 3]);
  });

  it("negotiates", () => {
    expect(negotiateOutput("text/csv;q=0.5, application/vnd.apache.arrow.stream")).toBe("arrow");
  });
});
