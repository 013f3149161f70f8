/**
 * Edge cases of request input over HTTP, run by the suites of every backend: request grids that
 * name a column twice, hisRead over the whole calendar, and durations (level-8 `duration`,
 * invokeAction's override, watch `lease`, rollup `interval`).
 */
import { expect, it } from "vitest";
import { JSON3, JSON4 } from "../../src/haystack/codec/formats.ts";
import { writeZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import { type HGrid, HNumber } from "../../src/haystack/kinds/index.ts";
import { errorGrid, get, idsOf, newProject, ok, post, seed, zinc } from "./haystack-http.ts";

/** Everything a refused request could have changed: every record and each point's history. */
export async function snapshot(p: string, his: readonly string[] = []): Promise<string> {
  const parts = [writeZincGrid(await ok(get(p, "read", "filter=id")))];
  for (const id of his) parts.push(writeZincGrid(await ok(get(p, "hisRead", `id=@${id}&range=2000-01-01,2100-01-01`))));
  return parts.join("\n");
}

export function duplicateColumnHttpCases(): void {
  it("a Zinc request grid naming a column twice is a 400 at the second name, and writes nothing", async () => {
    const p = newProject();
    await seed(p, "id,dis,point,his,kind,tz", `@a,"A",M,M,"Number","UTC"`);
    const before = await snapshot(p, ["a"]);
    const read = await errorGrid(post(p, "read", 'ver:"3.0"\nid,id\n@a,@b\n'), 400);
    expect(read.get("errCode")).toBe("parse_error");
    expect(read.get("dis")).toBe('Duplicate column name "id" [line 2, column 4]');
    const commit = await errorGrid(
      post(p, "commit", 'ver:"3.0" commit:"add"\nid,dis,point,dis\n@n,"first",M,"second"\n'),
      400,
    );
    expect(commit.get("errCode")).toBe("parse_error");
    expect(commit.get("dis")).toMatch(/^Duplicate column name "dis" \[line 2, column 14\]/);
    const his = post(p, "hisWrite", 'ver:"3.0" id:@a\nts,val,val\n2024-01-01T00:00:00Z UTC,1,2\n');
    expect((await errorGrid(his, 400)).get("dis")).toMatch(/^Duplicate column name "val"/);
    // The same name in a Trio record is refused too.
    const trio = await errorGrid(post(p, "read", "id:@a\nid:@b\n", { "content-type": "text/trio" }), 400);
    expect(trio.get("dis")).toBe('Duplicate tag name "id" in one record [line 2, column 1]');
    expect(await snapshot(p, ["a"])).toBe(before);
    expect(idsOf(await ok(get(p, "read", "id=@n")))).toEqual([null]);
  });
}

const FIRST = "0001-01-01T00:00:00Z UTC";
const LAST = "9999-12-31T23:59:59.999Z UTC";

export function calendarRangeHttpCases(): void {
  it("hisRead of 0001-01-01,9999-12-31 answers the first and last day's data in every format", async () => {
    const p = newProject();
    await seed(p, "id,dis,point,his,kind,tz", `@u,"U",M,M,"Number","UTC"`, `@t,"T",M,M,"Number","Tokyo"`);
    // The first and the last millisecond of the calendar, and the same days seen from Tokyo.
    await ok(post(p, "hisWrite", `ver:"3.0" id:@u\nts,val\n${LAST},2\n${FIRST},1\n`));
    await ok(
      post(p, "hisWrite", `ver:"3.0" id:@t\nts,val\n0001-01-01T12:00:00Z UTC,1\n9999-12-31T14:59:59.999Z UTC,2\n`),
    );
    const g = await ok(get(p, "hisRead", "id=@u&range=0001-01-01,9999-12-31"));
    expect(g.rows.map((r) => [String(r[0]), r[1]])).toEqual([
      [FIRST, 1],
      [LAST, 2],
    ]);
    expect(String(g.meta.get("hisStart"))).toBe(FIRST);
    // Midnight of year 10000 has no four-digit form: hisEnd is the last millisecond, included.
    expect(String(g.meta.get("hisEnd"))).toBe(LAST);
    const tokyo = await ok(get(p, "hisRead", "id=@t&range=0001-01-01,9999-12-31"));
    expect(tokyo.rows.map((r) => r[1])).toEqual([1, 2]);
    expect(String(tokyo.meta.get("hisEnd"))).toBe("9999-12-31T23:59:59.999+09:00 Tokyo");
    expect(String(tokyo.rows[1]?.[0])).toBe("9999-12-31T23:59:59.999+09:00 Tokyo");
    // Either end alone.
    expect((await ok(get(p, "hisRead", "id=@u&range=9999-12-31"))).rows.map((r) => r[1])).toEqual([2]);
    expect((await ok(get(p, "hisRead", "id=@u&range=0001-01-01"))).rows.map((r) => r[1])).toEqual([1]);

    for (const format of [JSON4, JSON3]) {
      const res = await get(p, "hisRead", "id=@u&range=0001-01-01,9999-12-31", { accept: format.mime });
      expect(res.status).toBe(200);
      const grid = format.reader?.readGrid(await res.text()) as HGrid;
      expect([format.name, String(grid.meta.get("hisStart")), String(grid.meta.get("hisEnd"))]).toEqual([
        format.name,
        FIRST,
        LAST,
      ]);
      expect(grid.rows).toHaveLength(2);
    }
    for (const accept of ["text/csv", "text/trio"]) {
      const res = await get(p, "hisRead", "id=@u&range=0001-01-01,9999-12-31", { accept });
      const text = await res.text();
      expect([
        accept,
        res.status,
        text.includes("0001-01-01T00:00:00"),
        text.includes("9999-12-31T23:59:59.999"),
      ]).toEqual([accept, 200, true, true]);
    }
  });

  it("a range part outside 0001..9999 is named in the error", async () => {
    const p = newProject();
    await seed(p, "id,dis,point,his,kind,tz", `@u,"U",M,M,"Number","UTC"`, `@t,"T",M,M,"Number","Tokyo"`);
    const start = await errorGrid(get(p, "hisRead", "id=@u&range=0000-12-31,0001-01-01"));
    expect(start.get("errCode")).toBe("invalid_range");
    expect(start.get("dis")).toMatch(/: start 0000-12-31 is outside years 0001 to 9999$/);
    const end = await errorGrid(
      get(p, "hisRead", `id=@t&range=${encodeURIComponent("9999-12-31T00:00:00Z UTC,9999-12-31T20:00:00Z UTC")}`),
    );
    expect(end.get("dis")).toMatch(
      /: end 9999-12-31T20:00:00Z UTC is 10000-01-01T05:00:00\+09:00 Tokyo in the point's zone/,
    );
  });
}

/** A writable point @w (Number, kW) that defines the pointOverride action "Override". */
async function writable(p: string): Promise<void> {
  await seed(
    p,
    "id,dis,point,writable,his,kind,unit,tz,actions",
    `@w,"W",M,M,M,"Number","kW","UTC",<<ver:"3.0"\ndis,expr\n"Override","pointOverride($self, $val, $duration)"\n>>`,
  );
}

function pointWrite(p: string, duration: string): Promise<Response> {
  return post(p, "pointWrite", `ver:"3.0"\nid,level,val,who,duration\n@w,8,5kW,"op",${duration}\n`);
}

function override(p: string, duration: string): Promise<Response> {
  return post(p, "invokeAction", `ver:"3.0" id:@w action:"Override"\nval,duration\n5kW,${duration}\n`);
}

/** Level 8's `expires` in a priority-array reply, as Zinc text. */
function expiresOf(arr: HGrid): string {
  return String(arr.rowDict(7).get("expires"));
}

export function durationHttpCases(): void {
  it("durations that are not whole milliseconds are rounded, by pointWrite and by invokeAction", async () => {
    const p = newProject();
    await writable(p);
    for (const send of [pointWrite, override]) {
      // 1.5ms is 2 ms, 1.0001s is 1000 ms: both accepted, never an internal error from storage.
      expect(expiresOf(await ok(send(p, "1.5ms")))).toBe("2ms");
      expect(expiresOf(await ok(send(p, "1.0001s")))).toBe("1s");
      const huge = await errorGrid(send(p, "1e20yr"));
      expect(huge.get("errCode")).toBe("invalid_value");
      expect(huge.get("dis")).toBe("duration must be at most 100yr, got 100000000000000000000yr");
      const tiny = await errorGrid(send(p, "0.4ms"));
      expect([tiny.get("errCode"), tiny.get("dis")]).toEqual([
        "invalid_value",
        "duration must be at least 1ms, got 0.4ms",
      ]);
    }
    // The stored array still reads back.
    expect((await ok(post(p, "pointWrite", `ver:"3.0"\nid\n@w\n`))).rows).toHaveLength(17);
  });

  it("a refused duration writes nothing", async () => {
    const p = newProject();
    await writable(p);
    await ok(post(p, "pointWrite", `ver:"3.0"\nid,level,val,who\n@w,16,1kW,"bms"\n`));
    const before = await snapshot(p);
    const arr = writeZincGrid(await ok(post(p, "pointWrite", `ver:"3.0"\nid\n@w\n`)));
    for (const d of ["1e20yr", "-1h", "0ms", "5kW", "30"]) {
      expect((await errorGrid(pointWrite(p, d))).get("errCode"), d).toBe("invalid_value");
      expect((await errorGrid(override(p, d))).get("errCode"), d).toBe("invalid_value");
    }
    expect(await snapshot(p)).toBe(before);
    expect(writeZincGrid(await ok(post(p, "pointWrite", `ver:"3.0"\nid\n@w\n`)))).toBe(arr);
  });

  it("expires is written as a person reads it", async () => {
    const p = newProject();
    await writable(p);
    const cases: [string, string][] = [
      ["59.50823333333334min", "59.5min"],
      ["45s", "45s"],
      ["72min", "1.2h"],
      ["90min", "1.5h"],
      ["36h", "1.5day"],
      ["1wk", "7day"],
    ];
    for (const [duration, expires] of cases) {
      expect([duration, expiresOf(await ok(pointWrite(p, duration)))]).toEqual([duration, expires]);
      expect([duration, expiresOf(await ok(override(p, duration)))]).toEqual([duration, expires]);
    }
    // Read later, a little of the week has gone: still three significant digits at most.
    const later = (await ok(post(p, "pointWrite", `ver:"3.0"\nid\n@w\n`))).rowDict(7).get("expires");
    expect(later).toBeInstanceOf(HNumber);
    expect(String(later)).toMatch(/^(7|6\.\d\d?)day$/);
  });

  it("a rollup echoes its interval as written by a person; a missing rollup or interval is named", async () => {
    const p = newProject();
    await seed(p, "id,dis,point,his,kind,tz", `@u,"U",M,M,"Number","UTC"`);
    await ok(post(p, "hisWrite", `ver:"3.0" id:@u\nts,val\n2024-01-01T00:00:00Z UTC,1\n2024-01-01T01:30:00Z UTC,3\n`));
    const echo: [string, string][] = [
      ["1h", "1h"],
      ["60min", "1h"],
      ["3600000ms", "1h"],
      ["15min", "15min"],
      ["90s", "90s"],
      ["1.5min", "90s"],
      ["1day", "1day"],
      ["1.0001s", "1s"],
    ];
    for (const [interval, want] of echo) {
      const g = await ok(get(p, "hisRead", `id=@u&range=2024-01-01&rollup=avg&interval=${interval}`));
      expect([interval, String(g.meta.get("interval"))]).toEqual([interval, want]);
    }
    const posted = await ok(post(p, "hisRead", 'ver:"3.0" range:"2024-01-01" rollup:"sum" interval:2h\nid\n@u\n'));
    expect(String(posted.meta.get("interval"))).toBe("2h");
    expect([String(posted.rows[0]?.[0]), posted.rows[0]?.[1]]).toEqual(["2024-01-01T00:00:00Z UTC", 4]);
    const why = async (q: string) => {
      const e = await errorGrid(get(p, "hisRead", `id=@u&range=2024-01-01&${q}`));
      expect([q, e.get("errCode")]).toEqual([q, "invalid_value"]);
      return e.get("dis");
    };
    expect(await why("rollup=avg")).toBe("rollup needs an interval (a duration such as 1h)");
    expect(await why("interval=1h")).toBe("interval needs a rollup (one of avg, min, max, sum, count, first, last)");
    expect(await why("rollup=avg&interval=10ms")).toBe("interval must be at least 1s, got 10ms");
    expect(await why("rollup=avg&interval=5")).toMatch(
      /^interval must be a Number with a duration unit .*got no unit$/,
    );
    expect(await why("rollup=avg&interval=1e20yr")).toBe("interval must be at most 100yr, got 100000000000000000000yr");
  });

  it("a watch echoes its lease exactly and refuses an impossible one", async () => {
    const p = newProject();
    await writable(p);
    const sub = (lease: string) => post(p, "watchSub", `ver:"3.0" watchDis:"d" lease:${lease}\nid\n@w\n`);
    expect(String((await ok(sub("90s"))).meta.get("lease"))).toBe("90s");
    expect(String((await ok(sub("1.0001s"))).meta.get("lease"))).toBe("1s");
    expect(String((await ok(sub("45min"))).meta.get("lease"))).toBe("45min");
    const bad = await errorGrid(sub("1e20yr"));
    expect([bad.get("errCode"), bad.get("dis")]).toEqual([
      "invalid_value",
      "lease must be at most 100yr, got 100000000000000000000yr",
    ]);
    expect((await zinc(sub("-1min"))).meta.get("dis")).toBe("lease must be at least 1ms, got -1min");
  });
}
