import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  chunkIndexOf,
  chunkLayout,
  chunkLength,
  chunkSpan,
  chunkStartMs,
  gridOf,
  isKnownZone,
  MAX_CHUNK_POINTS,
  makeGrid,
  timeAt,
} from "./calendar.ts";
import { SeriesError } from "./errors.ts";
import type { ChunkedDef } from "./model.ts";

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const month = (y: number, m: number) => y * 12 + m - 1;

const paris1h = makeGrid("Europe/Paris", "year,month", "1h");

describe("chunk indexes (HoLcStore numbering)", () => {
  it("numbers month chunks year * 12 + month - 1 and year chunks by year, on the local date", () => {
    expect(chunkIndexOf(paris1h, ms("2024-01-01T00:00:00+01:00"))).toBe(24288);
    // 23:00Z on Dec 31 is already January 1 in Paris.
    expect(chunkIndexOf(paris1h, ms("2023-12-31T23:00:00Z"))).toBe(24288);
    expect(chunkIndexOf(paris1h, ms("2023-12-31T22:59:59.999Z"))).toBe(24287);
    expect(chunkIndexOf(paris1h, ms("2024-10-31T22:59:59Z"))).toBe(24297);
    expect(chunkIndexOf(paris1h, ms("2024-10-31T23:00:00Z"))).toBe(24298);
    const year = makeGrid("Europe/Paris", "year", "1h");
    expect(chunkIndexOf(year, ms("2023-12-31T23:00:00Z"))).toBe(2024);
    expect(chunkIndexOf(year, ms("2023-12-31T22:00:00Z"))).toBe(2023);
    expect(chunkStartMs(year, 2024)).toBe(ms("2023-12-31T23:00:00Z"));
    expect(chunkLength(year, 2024)).toBe(366 * 24);
    expect(chunkLength(year, 2023)).toBe(365 * 24);
  });

  it("matches every chunk of the HoLcStore 0.5.12 wire captures: index, start_ts and length", () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), "../../test/fixtures/series/holcstore-wire");
    const seen = new Map<number, { start: string; n: number }>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".jsonl"))) {
      for (const line of readFileSync(resolve(dir, file), "utf8").split("\n")) {
        if (!line.trim()) continue;
        const rec = JSON.parse(line) as { path: string; status: number; response_body: string };
        if (!rec.path.endsWith("/pack/") || rec.status !== 200) continue;
        const items = JSON.parse(rec.response_body) as {
          blob: string;
          attrs: { chunk_index: number };
          meta: { start_ts: string; is_deleted: boolean };
        }[];
        for (const item of items) {
          if (item.meta.is_deleted) continue;
          const frame = Buffer.from(item.blob, "base64");
          // LZ4 frame header: magic, FLG (bit 3 = content size present), BD, then the 8-byte size.
          expect(frame.readUInt32LE(0)).toBe(0x184d2204);
          expect((frame[4] as number) & 8).toBe(8);
          seen.set(item.attrs.chunk_index, { start: item.meta.start_ts, n: Number(frame.readBigUInt64LE(6)) / 8 });
        }
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(15);
    for (const [c, { start, n }] of seen) {
      expect(iso(chunkStartMs(paris1h, c)), `start of ${c}`).toBe(start.replace("Z", ".000Z"));
      expect(chunkIndexOf(paris1h, ms(start)), `index of ${start}`).toBe(c);
      expect(chunkLength(paris1h, c), `length of ${c}`).toBe(n);
    }
    expect(seen.get(24297)).toEqual({ start: "2024-09-30T22:00:00Z", n: 745 });
    expect(seen.get(24290)).toEqual({ start: "2024-02-29T23:00:00Z", n: 743 });
  });
});

describe("chunk grids", () => {
  it("Paris October and March month chunks: 745 and 743 hourly points from local midnight", () => {
    expect(iso(chunkStartMs(paris1h, month(2024, 10)))).toBe("2024-09-30T22:00:00.000Z");
    expect(chunkLength(paris1h, month(2024, 10))).toBe(745);
    expect(iso(chunkStartMs(paris1h, month(2024, 3)))).toBe("2024-02-29T23:00:00.000Z");
    expect(chunkLength(paris1h, month(2024, 3))).toBe(743);
    // The last October point is 31 Oct 23:00 local (+01:00), the last March one 31 Mar 23:00 (+02:00).
    expect(iso(timeAt(paris1h, month(2024, 10), 744))).toBe("2024-10-31T22:00:00.000Z");
    expect(iso(timeAt(paris1h, month(2024, 3), 742))).toBe("2024-03-31T21:00:00.000Z");
    const q = makeGrid("Europe/Paris", "year,month", "15min");
    expect(chunkLength(q, month(2024, 10))).toBe(745 * 4);
  });

  it("a 1D Paris October chunk has 31 points, each at local midnight", () => {
    const g = makeGrid("Europe/Paris", "year,month", "1D");
    const c = month(2024, 10);
    expect(chunkLength(g, c)).toBe(31);
    expect(iso(timeAt(g, c, 0))).toBe("2024-09-30T22:00:00.000Z");
    expect(iso(timeAt(g, c, 26))).toBe("2024-10-26T22:00:00.000Z"); // Oct 27, 00:00 +02:00
    expect(iso(timeAt(g, c, 27))).toBe("2024-10-27T23:00:00.000Z"); // Oct 28, 00:00 +01:00
    expect(iso(timeAt(g, c, 30))).toBe("2024-10-30T23:00:00.000Z");
    const layout = chunkLayout(g, c);
    expect(layout.length).toBe(31);
    expect(Array.from(layout.times ?? [])).toEqual(Array.from({ length: 31 }, (_, i) => timeAt(g, c, i)));
    expect(iso(layout.endMs)).toBe("2024-10-31T23:00:00.000Z");
    const week = makeGrid("Europe/Paris", "year,month", "7D");
    expect(chunkLength(week, c)).toBe(5);
    expect(chunkLength(makeGrid("Europe/Paris", "year", "1D"), 2024)).toBe(366);
  });

  it.each([
    // zone, freq, month, start, length
    ["America/New_York", "30min", [2024, 3], "2024-03-01T05:00:00.000Z", 1486],
    ["America/New_York", "30min", [2024, 11], "2024-11-01T04:00:00.000Z", 1442],
    ["Australia/Sydney", "1h", [2024, 4], "2024-03-31T13:00:00.000Z", 721],
    ["Australia/Sydney", "1h", [2024, 10], "2024-09-30T14:00:00.000Z", 743],
    // Half-hour DST: October loses 30 minutes, April gains them (a fraction of a step: one more point).
    ["Australia/Lord_Howe", "1h", [2024, 10], "2024-09-30T13:30:00.000Z", 744],
    ["Australia/Lord_Howe", "30min", [2024, 10], "2024-09-30T13:30:00.000Z", 1487],
    ["Australia/Lord_Howe", "1h", [2024, 4], "2024-03-31T13:00:00.000Z", 721],
    ["Asia/Kathmandu", "15min", [2024, 1], "2023-12-31T18:15:00.000Z", 2976],
    ["UTC", "1h", [2024, 2], "2024-02-01T00:00:00.000Z", 696],
    // Midnight in a DST gap (Asuncion, 2017-10-01 00:00 -> 01:00): the chunk starts at 01:00 local.
    ["America/Asuncion", "1h", [2017, 10], "2017-10-01T04:00:00.000Z", 743],
  ] as const)("%s %s %j starts at %s with %i points", (zone, freq, [y, m], start, n) => {
    const g = makeGrid(zone, "year,month", freq);
    const c = month(y, m);
    expect(iso(chunkStartMs(g, c))).toBe(start);
    expect(chunkLength(g, c)).toBe(n);
    const layout = chunkLayout(g, c);
    expect(layout).toMatchObject({ chunkIndex: c, startMs: ms(start), length: n, endMs: chunkStartMs(g, c + 1) });
    // Every point lies in the chunk, and one more step would not.
    const last = timeAt(g, c, n - 1);
    expect(chunkIndexOf(g, last)).toBe(c);
    expect(last < layout.endMs).toBe(true);
    expect(timeAt(g, c, n) >= layout.endMs).toBe(true);
  });

  it("sub-daily points keep absolute spacing across a half-hour DST change (Lord Howe: :30 local after it)", () => {
    const g = makeGrid("Australia/Lord_Howe", "year,month", "1h");
    const c = month(2024, 10);
    // 2024-10-06 02:00 +10:30 -> 02:30 +11:00; seven days in, the point is 00:30 local (+11:00).
    expect(timeAt(g, c, 6 * 24)).toBe(ms("2024-10-07T00:30:00+11:00"));
    expect(timeAt(g, c, 5 * 24)).toBe(ms("2024-10-06T00:00:00+10:30"));
  });

  it("Kathmandu's 1986 move from +05:30 to +05:45 shortens that year by 15 minutes", () => {
    const g = makeGrid("Asia/Kathmandu", "year", "15min");
    expect(iso(chunkStartMs(g, 1986))).toBe("1985-12-31T18:30:00.000Z");
    expect(iso(chunkStartMs(g, 1987))).toBe("1986-12-31T18:15:00.000Z");
    expect(chunkLength(g, 1986)).toBe(365 * 96 - 1);
  });

  it("a daily grid across a midnight DST gap puts that day's point at its first instant (Havana)", () => {
    const g = makeGrid("America/Havana", "year,month", "1D");
    const c = month(2024, 3);
    expect(iso(timeAt(g, c, 8))).toBe("2024-03-09T05:00:00.000Z");
    expect(iso(timeAt(g, c, 9))).toBe("2024-03-10T05:00:00.000Z"); // 01:00 -04:00, midnight never happened
    expect(iso(timeAt(g, c, 10))).toBe("2024-03-11T04:00:00.000Z");
  });

  it("a day the zone skipped (Apia, 2011-12-30) shares its instant with the next day", () => {
    const g = makeGrid("Pacific/Apia", "year,month", "1D");
    const layout = chunkLayout(g, month(2011, 12));
    expect(layout.length).toBe(31);
    expect(layout.times?.[29]).toBe(layout.times?.[30]);
    expect(iso(layout.times?.[30] as number)).toBe("2011-12-30T10:00:00.000Z");
  });

  it("chunkSpan lists the chunks an inclusive interval touches", () => {
    expect(chunkSpan(paris1h, ms("2024-01-15T00:00:00Z"), ms("2024-03-31T22:00:00Z"))).toEqual({
      from: 24288,
      to: 24291,
    });
    expect(chunkSpan(paris1h, ms("2024-01-15T00:00:00Z"), ms("2024-01-15T00:00:00Z"))).toEqual({
      from: 24288,
      to: 24288,
    });
    const empty = chunkSpan(paris1h, ms("2024-01-15T00:00:00Z"), ms("2024-01-14T00:00:00Z"));
    expect(empty.from > empty.to).toBe(true);
  });
});

describe("grids and zones", () => {
  it("gridOf reads a chunked store's definition", () => {
    const def: ChunkedDef = {
      kind: "chunked",
      keys: [{ name: "prm", type: "str" }],
      zone: "Europe/Paris",
      dtype: "float64",
      chunkAxis: "year,month",
      freq: "H",
      sync: false,
    };
    expect(gridOf(def)).toEqual({ zone: "Europe/Paris", axis: "year,month", freq: { text: "1h", stepMs: 3_600_000 } });
  });

  it.each([
    "Europe/Paris",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "UTC",
    "Etc/GMT+5",
    "America/Argentina/Buenos_Aires",
  ])("knows %s", (z) => {
    expect(isKnownZone(z)).toBe(true);
  });

  it.each(["", "Paris", "Foo/Paris", "Europe/Nowhere", "not a zone", "Europe/Paris/Extra", "x".repeat(200)])(
    "refuses %j",
    (z) => {
      expect(isKnownZone(z)).toBe(false);
      expect(() => makeGrid(z, "year", "1h")).toThrow(SeriesError);
    },
  );

  it("refuses a bad axis, a bad freq and chunks too large to allocate", () => {
    expect(() => makeGrid("UTC", "month" as "year", "1h")).toThrow(/chunk axis/);
    expect(() => makeGrid("UTC", "year", "7min")).toThrow(/divide 24h/);
    expect(() => makeGrid("UTC", "year", "1s")).toThrow(/limit/);
    expect(makeGrid("UTC", "year,month", "1s").freq.stepMs).toBe(1000);
    expect(31 * 86_400 + 7200).toBeLessThan(MAX_CHUNK_POINTS);
  });

  it("refuses instants and chunk indexes outside years 1 to 9999 with SeriesError", () => {
    expect(() => chunkIndexOf(paris1h, Number.NaN)).toThrow(SeriesError);
    expect(() => chunkIndexOf(paris1h, 8.64e15)).toThrow(SeriesError);
    expect(() => chunkStartMs(paris1h, 10_000 * 12)).toThrow(SeriesError);
    expect(() => chunkStartMs(paris1h, 1.5)).toThrow(SeriesError);
    expect(() => timeAt(paris1h, 24288, -1)).toThrow(SeriesError);
    expect(chunkIndexOf(paris1h, ms("9999-12-31T20:00:00Z"))).toBe(9999 * 12 + 11);
    expect(chunkLength(paris1h, 9999 * 12 + 11)).toBe(744);
  });
});
