/**
 * The pure Haystack core inside workerd: the same code the Worker will run, with workerd's own
 * Intl zone data (Node's ICU may differ) and its streams.
 */
import { describe, expect, it } from "vitest";
import { readJsonGrid, writeJsonGrid } from "../../src/haystack/codec/json/index.ts";
import { encodeGridStream } from "../../src/haystack/codec/stream.ts";
import { readZincGrid, writeZincGrid, zincEncoder } from "../../src/haystack/codec/zinc/index.ts";
import { compileFilter, parseFilter, recordContext } from "../../src/haystack/filter/index.ts";
import { col, equals, HDateTime, HDict, type HRow } from "../../src/haystack/kinds/index.ts";
import { parseHisRange } from "../../src/haystack/time/index.ts";

const ZINC = `ver:"3.0"
id,dis,site,equip,point,siteRef,equipRef,tz,ts,val
@s,"HQ",M,,,,,"New_York",,
@e,"AHU-1",,M,,@s,,,,
@p,"Temp",,,M,@s,@e,"New_York",2024-03-10T01:45:00-05:00 New_York,71.5°F
`;

describe("Haystack core in workerd", () => {
  it("reads and writes Zinc and JSON v4 to equal grids", () => {
    const g = readZincGrid(ZINC);
    expect(equals(readZincGrid(writeZincGrid(g)), g)).toBe(true);
    expect(equals(readJsonGrid(writeJsonGrid(g)), g)).toBe(true);
  });

  it("evaluates a 2-hop filter through refs", () => {
    const recs = readZincGrid(ZINC).dicts();
    const pred = compileFilter(parseFilter('point and equipRef->siteRef->dis == "HQ"'));
    const cx = recordContext(recs);
    expect(recs.filter((r) => pred(r, cx)).map((r) => r.get("dis"))).toEqual(["Temp"]);
  });

  it("knows DST from workerd's Intl data", () => {
    const spring = parseHisRange("2024-03-10", "New_York", Date.UTC(2024, 5, 1));
    expect((spring.end.ms - spring.start.ms) / 3_600_000).toBe(23);
    expect(HDateTime.of(Date.UTC(2024, 6, 1), "Kolkata").offset).toBe(5.5 * 3600);
    expect(HDateTime.of(Date.UTC(2024, 0, 1), "Kathmandu").offset).toBe(5.75 * 3600);
  });

  it("streams a 100k-row grid as bytes equal to the whole text", async () => {
    const rows: HRow[] = [];
    for (let i = 0; i < 100_000; i++) rows.push([HDateTime.of(Date.UTC(2024, 0, 1) + i * 900_000, "New_York"), i]);
    const stream = encodeGridStream(zincEncoder(), HDict.EMPTY, [col("ts"), col("val")], rows);
    let chunks = 0;
    let text = "";
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      chunks++;
      text += decoder.decode(chunk, { stream: true });
    }
    expect(chunks).toBeGreaterThan(10);
    expect(readZincGrid(text).size).toBe(100_000);
  });
});
