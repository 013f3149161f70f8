import { describe, expect, it } from "vitest";
import { readZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import { type HDateTime, type HGrid, HNumber, type HRef } from "../../src/haystack/kinds/index.ts";
import { building, get, hisLines, hisWriteAll, newProject, ok, post, seed } from "../support/haystack-http.ts";
import { rollupHttpCases } from "../support/rollup-http.ts";

describe("Haystack HTTP: history", () => {
  it("hisRead evaluates a date range in the point's zone and reports hisStart/hisEnd", async () => {
    const p = newProject();
    await building(p);
    await ok(
      post(
        p,
        "hisWrite",
        `ver:"3.0" id:@p1\nts,val\n` +
          `2024-03-10T23:59:00-04:00 New_York,1°F\n2024-03-09T23:59:00-05:00 New_York,0°F\n` +
          `2024-03-10T00:00:00-05:00 New_York,2°F\n2024-03-11T00:00:00-04:00 New_York,3°F\n`,
      ),
    );
    const g = await ok(get(p, "hisRead", "id=@p1&range=2024-03-10"));
    expect((g.meta.get("hisStart") as HDateTime).toString()).toBe("2024-03-10T00:00:00-05:00 New_York");
    expect((g.meta.get("hisEnd") as HDateTime).toString()).toBe("2024-03-11T00:00:00-04:00 New_York");
    expect((g.meta.get("id") as HRef).dis).toBe("Temp");
    expect(g.rows.map((r) => (r[1] as HNumber).val)).toEqual([2, 1]);
    expect(String(g.rows[1]?.[0])).toBe("2024-03-10T23:59:00-04:00 New_York");
  });

  it("batch hisWrite and batch hisRead join points on timestamp, columns tagged with id", async () => {
    const p = newProject();
    await building(p);
    await ok(
      post(
        p,
        "hisWrite",
        `ver:"3.0"\nts,v0 id:@p2,v1 id:@p3\n` +
          `2024-01-01T00:00:00Z UTC,T,"a"\n2024-01-01T00:15:00Z UTC,F,\n2024-01-01T00:30:00Z UTC,,"b"\n`,
      ),
    );
    const g = await ok(
      post(p, "hisRead", `ver:"3.0" range:"2024-01-01T00:00:00Z UTC,2024-01-02T00:00:00Z UTC"\nid\n@p2\n@p3\n`),
    );
    expect(g.cols.map((c) => c.name)).toEqual(["ts", "v0", "v1"]);
    expect(String(g.cols[1]?.meta.get("id"))).toBe("@p2");
    expect(String(g.cols[2]?.meta.get("id"))).toBe("@p3");
    expect(g.rows.map((r) => [r[1], r[2]])).toEqual([
      [true, "a"],
      [false, null],
      [null, "b"],
    ]);
  });

  it("streams a 50,000-row hisRead in many chunks, every row present", async () => {
    const p = newProject();
    await building(p);
    await hisWriteAll(
      p,
      "p1",
      hisLines(Date.UTC(2024, 0, 1), 50_000, 60_000, (i) => `${i}°F`),
    );
    const r = await get(p, "hisRead", "id=@p1&range=2023-12-31,2024-03-01");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-length")).toBeNull();
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let chunks = 0;
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      text += decoder.decode(value, { stream: true });
    }
    expect(chunks).toBeGreaterThan(10);
    const g = readZincGrid(text);
    expect(g.rows).toHaveLength(50_000);
    expect(g.rows[0]?.[1]).toEqual(new HNumber(0, "°F"));
    expect(String(g.rows[0]?.[0])).toBe("2023-12-31T19:00:00-05:00 New_York");
    expect(g.rows[49_999]?.[1]).toEqual(new HNumber(49_999, "°F"));
    const ms = g.rows.map((row) => (row[0] as HDateTime).ms);
    expect(ms.every((t, i) => i === 0 || t - (ms[i - 1] as number) === 60_000)).toBe(true);
  });
});

function localDate(ms: number, iana: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: iana, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    ms,
  );
}

const tsMs = (g: HGrid): number[] => g.rows.map((r) => (r[0] as HDateTime).ms);

describe("Haystack HTTP: hisRead ranges and hisWrite tolerance", () => {
  /** A Tokyo point (UTC+9, no DST) with hourly samples over the last 72 hours. */
  async function tokyo(project: string): Promise<number[]> {
    await seed(project, "id,dis,point,his,kind,tz", `@k,"K",M,M,"Number","Tokyo"`);
    const h0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 71 * 3_600_000;
    const lines = hisLines(h0, 72, 3_600_000, String);
    await ok(post(project, "hisWrite", `ver:"3.0" id:@k\nts,val\n${lines.join("\n")}\n`));
    return Array.from({ length: 72 }, (_, i) => h0 + i * 3_600_000);
  }

  it("today and yesterday are days in the point's zone, not the server's", async () => {
    const p = newProject();
    const written = await tokyo(p);
    const now = Date.now();
    const today = localDate(now, "Asia/Tokyo");
    const yesterday = localDate(now - 86_400_000, "Asia/Tokyo");
    const y = await ok(get(p, "hisRead", "id=@k&range=yesterday"));
    expect(String(y.meta.get("hisStart"))).toBe(`${yesterday}T00:00:00+09:00 Tokyo`);
    expect(String(y.meta.get("hisEnd"))).toBe(`${today}T00:00:00+09:00 Tokyo`);
    expect(tsMs(y)).toEqual(written.filter((ms) => localDate(ms, "Asia/Tokyo") === yesterday));
    expect(y.rows).toHaveLength(24);
    expect(String(y.rows[0]?.[0])).toBe(`${yesterday}T00:00:00+09:00 Tokyo`);
    const t = await ok(get(p, "hisRead", "id=@k&range=today"));
    expect(String(t.meta.get("hisStart"))).toBe(`${today}T00:00:00+09:00 Tokyo`);
    expect(tsMs(t)).toEqual(written.filter((ms) => localDate(ms, "Asia/Tokyo") === today));
  });

  it("a lone dateTime runs until now; a date pair covers both whole days", async () => {
    const p = newProject();
    const written = await tokyo(p);
    const from = written[60] as number;
    const since = await ok(
      get(p, "hisRead", `id=@k&range=${encodeURIComponent(`${new Date(from).toISOString()} UTC`)}`),
    );
    expect(tsMs(since)).toEqual(written.slice(60));
    expect((since.meta.get("hisStart") as HDateTime).ms).toBe(from);
    expect((since.meta.get("hisEnd") as HDateTime).ms).toBeGreaterThan(written[71] as number);
    expect((since.meta.get("hisEnd") as HDateTime).tz).toBe("Tokyo");
    const first = localDate(written[0] as number, "Asia/Tokyo");
    const second = localDate((written[0] as number) + 86_400_000, "Asia/Tokyo");
    const pair = await ok(get(p, "hisRead", `id=@k&range=${first},${second}`));
    expect(tsMs(pair)).toEqual(written.filter((ms) => [first, second].includes(localDate(ms, "Asia/Tokyo"))));
  });

  it("hisWrite keeps the last of duplicate timestamps, sorts out-of-order rows and sets curVal to the newest", async () => {
    const p = newProject();
    await building(p);
    await ok(
      post(
        p,
        "hisWrite",
        `ver:"3.0" id:@p1\nts,val\n` +
          `2024-01-05T02:00:00Z UTC,3°F\n2024-01-05T00:00:00Z UTC,1°F\n` +
          `2024-01-05T00:00:00Z UTC,2°F\n2024-01-05T01:00:00Z UTC,5°F\n`,
      ),
    );
    const g = await ok(get(p, "hisRead", "id=@p1&range=2024-01-04,2024-01-05"));
    expect(g.rows.map((r) => [(r[0] as HDateTime).ms, (r[1] as HNumber).val])).toEqual([
      [Date.UTC(2024, 0, 5, 0), 2],
      [Date.UTC(2024, 0, 5, 1), 5],
      [Date.UTC(2024, 0, 5, 2), 3],
    ]);
    expect((await ok(get(p, "read", "id=@p1"))).rowDict(0).get("curVal")).toEqual(new HNumber(3, "°F"));
  });

  it("batch hisRead evaluates a date range in the first point's zone and tags each column with its id", async () => {
    const p = newProject();
    await building(p);
    const lines = hisLines(Date.UTC(2024, 0, 1), 3, 3_600_000, (i) => (i % 2 === 0 ? "T" : "F"));
    await ok(post(p, "hisWrite", `ver:"3.0" id:@p2\nts,val\n${lines.join("\n")}\n`));
    await ok(
      post(p, "hisWrite", `ver:"3.0" id:@p1\nts,val\n${lines.map((l) => l.replace(/,.*/, ",1°F")).join("\n")}\n`),
    );
    const g = await ok(post(p, "hisRead", `ver:"3.0" range:"2023-12-31"\nid\n@p1\n@p3\n@p2\n`));
    expect(String(g.meta.get("hisStart"))).toBe("2023-12-31T00:00:00-05:00 New_York");
    expect(String(g.meta.get("hisEnd"))).toBe("2024-01-01T00:00:00-05:00 New_York");
    expect(g.colNames()).toEqual(["ts", "v0", "v1", "v2"]);
    expect(g.cols.map((c) => (c.meta.get("id") as HRef | undefined)?.id)).toEqual([undefined, "p1", "p3", "p2"]);
    expect(g.rows.map((r) => [String(r[0]), r[1], r[2], r[3]])).toEqual([
      ["2023-12-31T19:00:00-05:00 New_York", new HNumber(1, "°F"), null, true],
      ["2023-12-31T20:00:00-05:00 New_York", new HNumber(1, "°F"), null, false],
      ["2023-12-31T21:00:00-05:00 New_York", new HNumber(1, "°F"), null, true],
    ]);
  });
});

describe("Haystack HTTP: history rollups (embedded default)", rollupHttpCases);
