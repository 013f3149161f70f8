/** The hisRead rollup extension over HTTP, run by the suites of every backend. */
import { expect, it } from "vitest";
import { HNumber } from "../../src/haystack/kinds/index.ts";
import { building, errorGrid, get, hisLines, hisWriteAll, newProject, ok, post } from "./haystack-http.ts";

export function rollupHttpCases(): void {
  it("hisRead with rollup and interval answers one row per bucket, stamped in the point's zone", async () => {
    const p = newProject();
    await building(p);
    // 2024-01-02 in New York: 96 quarter-hours valued 0..95 °F.
    const start = Date.UTC(2024, 0, 2, 5);
    await hisWriteAll(
      p,
      "p1",
      hisLines(start, 96, 900_000, (i) => `${i}°F`),
    );
    const g = await ok(get(p, "hisRead", "id=@p1&range=2024-01-02&rollup=avg&interval=6h"));
    expect(g.meta.get("rollup")).toBe("avg");
    const rows = g.dicts().map((d) => [String(d.get("ts")), d.get("val")]);
    expect(rows).toEqual([
      ["2024-01-02T00:00:00-05:00 New_York", new HNumber(11.5, "°F")],
      ["2024-01-02T06:00:00-05:00 New_York", new HNumber(35.5, "°F")],
      ["2024-01-02T12:00:00-05:00 New_York", new HNumber(59.5, "°F")],
      ["2024-01-02T18:00:00-05:00 New_York", new HNumber(83.5, "°F")],
    ]);
    const counts = await ok(get(p, "hisRead", "id=@p1&range=2024-01-02&rollup=count&interval=1day"));
    expect(counts.dicts().map((d) => d.get("val"))).toEqual([96]);
  });

  it("a rollup of several points, of an unknown fold or with a tiny or unitless interval is an error grid", async () => {
    const p = newProject();
    await building(p);
    const batch = post(p, "hisRead", 'ver:"3.0" range:"today" rollup:"avg" interval:1h\nid\n@p1\n@p2\n');
    expect((await errorGrid(batch)).get("dis")).toMatch(/one point/);
    for (const q of [
      "id=@p1&range=today&rollup=median&interval=1h",
      "id=@p1&range=today&rollup=avg&interval=10ms",
      "id=@p1&range=today&rollup=avg&interval=5",
      "id=@p1&range=2000-01-01,2024-01-01&rollup=avg&interval=1s",
    ]) {
      expect((await errorGrid(get(p, "hisRead", q))).get("errCode"), q).toBe("invalid_value");
    }
  });
}
