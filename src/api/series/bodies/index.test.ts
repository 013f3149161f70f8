import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeriesError } from "../../../series/errors.ts";
import type { KeyDecl, Points } from "../../../series/model.ts";
import { ByteSink } from "../../byte-sink.ts";
import { readManySeries, readPoints, type SeriesFormat, writeManySeries, writePoints } from "./index.ts";
import { jsonErrorOffset } from "./text.ts";
import type { ManyItem } from "./types.ts";

const FORMATS: SeriesFormat[] = ["json", "ndjson", "csv", "arrow"];
const ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"];
const LIMITS = { maxBytes: 1 << 24, maxPoints: 100_000, maxSeries: 100 };
const DECLS: KeyDecl[] = [
  { name: "site", type: "str" },
  { name: "n", type: "int" },
  { name: "day", type: "date" },
  { name: "on", type: "bool" },
];

async function bytes(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer());
}

async function* each<T>(xs: readonly T[]): AsyncGenerator<T> {
  yield* xs;
}

/** Points as plain arrays, -0 as 0 (text formats write both as 0), for comparison. */
function plain(p: Points): [number[], number[]] {
  return [Array.from(p.index), Array.from(p.values, (v) => (v === 0 ? 0 : v))];
}

const instant = fc.integer({ min: Date.parse("1890-01-01T00:00:00Z"), max: Date.parse("2100-01-01T00:00:00Z") });
const value = fc.oneof(
  fc.double({ noDefaultInfinity: true }),
  fc.integer({ min: -1e6, max: 1e6 }).map((x) => x / 1000),
  fc.constant(Number.NaN),
);
const points = fc
  .array(fc.tuple(instant, value), { maxLength: 40 })
  .map((ps): Points => ({ index: Float64Array.from(ps, (p) => p[0]), values: Float64Array.from(ps, (p) => p[1]) }));
const keys = fc.record({
  site: fc.string({ maxLength: 8, unit: "binary" }),
  n: fc.integer(),
  day: fc
    .date({ min: new Date("1900-01-01"), max: new Date("2100-12-31"), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  on: fc.boolean(),
});

describe("round trips", () => {
  it("reads back every point of one series in every format and zone", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FORMATS),
        fc.constantFrom(...ZONES),
        points,
        fc.boolean(),
        async (format, zone, p, pairs) => {
          const body = await bytes(writePoints(p, format, zone, { shape: pairs ? "pairs" : "columnar" }));
          expect(plain(readPoints(body, format, zone, LIMITS))).toEqual(plain(p));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads back many series in every format, keys of every type", async () => {
    const item = fc.record({ keys, version: fc.option(fc.nat(), { nil: undefined }), points });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FORMATS),
        fc.uniqueArray(item, { maxLength: 5, selector: (i) => JSON.stringify([i.keys, i.version]) }),
        async (format, raw) => {
          // Arrow and CSV are long: a series without points leaves no row behind.
          const sent: ManyItem[] = raw
            .filter((i) => i.points.index.length > 0 || format === "json" || format === "ndjson")
            .map((i) =>
              i.version === undefined
                ? { keys: i.keys, points: i.points }
                : { keys: i.keys, version: i.version, points: i.points },
            );
          const body = await bytes(writeManySeries(each(sent), format, "Europe/Paris", DECLS, { versions: true }));
          const back = readManySeries(body, format, "Europe/Paris", DECLS, LIMITS);
          expect(back.map((i) => [i.keys, i.version, plain(i.points)])).toEqual(
            sent.map((i) => [i.keys, i.version, plain(i.points)]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("encodes ten years of hourly points quickly", async () => {
    const n = 87_600;
    const start = Date.parse("2015-01-01T00:00:00Z");
    const p = {
      index: Float64Array.from({ length: n }, (_, i) => start + i * 3_600_000),
      values: Float64Array.from({ length: n }, (_, i) => (i % 97 === 0 ? Number.NaN : ((i * 7919) % 100_000) / 1000)),
    };
    const body = await bytes(writePoints(p, "json", "Europe/Paris"));
    const t0 = performance.now();
    await bytes(writePoints(p, "json", "Europe/Paris"));
    const ms = performance.now() - t0;
    expect(plain(readPoints(body, "json", "Europe/Paris", LIMITS))).toEqual(plain(p));
    // Generous for a loaded CI machine; a quiet one takes about 10 ms.
    expect(ms).toBeLessThan(500);
  });
});

describe("damaged bodies", () => {
  it("either read or fail with a SeriesError, in every format, one series or many", async () => {
    const item: ManyItem = {
      keys: { site: "a", n: 1, day: "2024-01-01", on: true },
      version: 1,
      points: { index: Float64Array.of(0, 3_600_000, 7_200_000), values: Float64Array.of(1.5, Number.NaN, -3) },
    };
    const bodies = new Map<string, Uint8Array>();
    for (const f of FORMATS) {
      bodies.set(`${f} one`, await bytes(writePoints(item.points, f, "Europe/Paris")));
      bodies.set(
        `${f} many`,
        await bytes(writeManySeries(each([item, item]), f, "Europe/Paris", DECLS, { versions: true })),
      );
    }
    const small = { maxBytes: 1 << 16, maxPoints: 100, maxSeries: 5 };
    fc.assert(
      fc.property(
        fc.constantFrom(...bodies.keys()),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (name, flips, cut) => {
          const [format, kind] = name.split(" ") as [SeriesFormat, string];
          const body = (bodies.get(name) as Uint8Array).slice();
          for (const [at, b] of flips) body[at % body.length] = b;
          const damaged = cut % 4 === 0 ? body.subarray(0, cut % body.length) : body;
          try {
            if (kind === "one") readPoints(damaged, format, "Europe/Paris", small);
            else readManySeries(damaged, format, "Europe/Paris", DECLS, small);
          } catch (e) {
            if (!(e instanceof SeriesError)) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("streaming", () => {
  it("pulls many-series items only as the body is read, and closes the source on cancel", async () => {
    const log: string[] = [];
    async function* source(): AsyncGenerator<ManyItem> {
      try {
        for (let i = 0; i < 3; i++) {
          log.push(`item ${i}`);
          yield {
            keys: { site: "s", n: i, day: "2024-01-01", on: true },
            points: { index: Float64Array.of(0), values: Float64Array.of(i) },
          };
        }
      } finally {
        log.push("closed");
      }
    }
    const reader = writeManySeries(source(), "ndjson", "UTC", DECLS).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"n":0');
    // One chunk read, at most one more buffered: the third item is not yet produced.
    expect(log).not.toContain("item 2");
    await reader.cancel();
    expect(log.at(-1)).toBe("closed");
  });

  it("errors the stream when the source fails midway", async () => {
    async function* source(): AsyncGenerator<ManyItem> {
      yield {
        keys: { site: "s", n: 1, day: "2024-01-01", on: true },
        points: { index: Float64Array.of(0), values: Float64Array.of(1) },
      };
      throw new Error("storage went away");
    }
    await expect(bytes(writeManySeries(source(), "json", "UTC", DECLS))).rejects.toThrow("storage went away");
  });

  it("refuses points whose index and values differ in length, and unknown zones", async () => {
    const bad = { index: Float64Array.of(0, 1), values: Float64Array.of(0) };
    expect(() => writePoints(bad, "json", "UTC")).toThrow(SeriesError);
    await expect(bytes(writeManySeries(each([{ keys: {}, points: bad }]), "csv", "UTC", []))).rejects.toThrow(
      "2 times but 1 values",
    );
    expect(() => readPoints(new Uint8Array(0), "json", "Nowhere/Land", LIMITS)).toThrow(
      'unknown time zone "Nowhere/Land"',
    );
  });
});

describe("ByteSink.number", () => {
  it("writes exactly what String(v) writes", () => {
    const sink = new ByteSink();
    const check = (v: number) => {
      sink.number(v);
      expect(new TextDecoder().decode(sink.take())).toBe(String(v));
    };
    for (const v of [
      0,
      -0,
      1,
      -1,
      0.5,
      0.001,
      0.1,
      0.30000000000000004,
      123.456,
      -999999999.999,
      1e9,
      1e21,
      5e-7,
      2 ** 53,
      1.0005,
    ])
      check(v);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.integer({ min: -1e12, max: 1e12 }).map((x) => x / 1000),
          fc.integer({ min: -1e7, max: 1e7 }).map((x) => x / 100),
        ),
        check,
      ),
      { numRuns: 20_000 },
    );
  });
});

describe("jsonErrorOffset", () => {
  it("finds where JSON.parse would stop", () => {
    expect(jsonErrorOffset('{"a": [1, 2,]}')).toBe(12);
    expect(jsonErrorOffset('{"a" 1}')).toBe(5);
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(jsonErrorOffset("[01]")).toBe(2);
    expect(jsonErrorOffset('["\\u12G4"]')).toBe(2);
    expect(jsonErrorOffset('["a\nb"]')).toBe(3);
    expect(jsonErrorOffset("[".repeat(100_000))).toBe(100_000);
    expect(jsonErrorOffset("nul")).toBe(0);
  });

  it("never points past an error on valid prefixes of valid documents", () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), (doc, cut) => {
        const text = doc.slice(0, cut % (doc.length + 1));
        let ok = true;
        try {
          JSON.parse(text);
        } catch {
          ok = false;
        }
        if (!ok) expect(jsonErrorOffset(text)).toBeLessThanOrEqual(text.length);
      }),
    );
  });
});
