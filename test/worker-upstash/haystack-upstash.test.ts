/**
 * The Haystack face with STORAGE=upstash: the same Worker, its records, indexes, history, priority
 * arrays and change feed in the real Redis through the real `@upstash/redis` client and the REST
 * stand-in (64 KiB request bound, so writes are split and staged), and what a client sees when
 * Redis or the stand-in goes away, before or after a request ran.
 */
import { afterEach, describe, expect, it } from "vitest";
import { calendarRangeHttpCases, duplicateColumnHttpCases, durationHttpCases, snapshot } from "../support/edge-http.ts";
import { building, errorGrid, get, hisLines, idsOf, newProject, ok, post } from "../support/haystack-http.ts";
import { rollupHttpCases } from "../support/rollup-http.ts";
import { storeFaultHttpCases, storeHttpCases } from "../support/store-http-cases.ts";
import { upstashControl } from "../support/upstash.ts";

afterEach(async () => {
  await upstashControl("up");
});

describe("Haystack on Upstash", () => {
  storeHttpCases("the Redis change feed");
  storeFaultHttpCases("Redis", { lose: () => upstashControl("down"), restore: () => upstashControl("up") });

  it("answers 503 while Redis is out of reach, writes nothing, and the same request then succeeds", async () => {
    const p = newProject();
    await building(p);
    const before = await snapshot(p, ["p1"]);
    const body = `ver:"3.0" commit:"add"\nid,dis\n@n1,"one"\n@n2,"two"\n`;
    await upstashControl("down");
    const meta = await errorGrid(post(p, "commit", body), 503);
    expect(meta.get("errCode")).toBe("unavailable");
    const his = await errorGrid(post(p, "hisWrite", `ver:"3.0" id:@p1\nts,val\n2024-01-01T00:00:00Z UTC,1\n`), 503);
    expect(his.get("errCode")).toBe("unavailable");
    await upstashControl("up");
    expect(await snapshot(p, ["p1"])).toBe(before);
    expect(idsOf(await ok(post(p, "commit", body)))).toEqual(["n1", "n2"]);
  });

  it("a commit cut at any of its requests, before or after Redis ran it, changed nothing or all of it", async () => {
    const body = `ver:"3.0" commit:"add"\nid,dis,site\n@c1,"one",M\n@c2,"two",M\n`;
    const seen = new Set<string>();
    for (const when of ["before", "after"] as const) {
      for (let skip = 0; skip < 4; skip++) {
        const p = newProject();
        await building(p);
        const was = await snapshot(p);
        await upstashControl(`cut?when=${when}&skip=${skip}`);
        const r = await post(p, "commit", body);
        await upstashControl("up");
        const ids = idsOf(await ok(get(p, "read", "filter=site")));
        const all = ids.includes("c1") && ids.includes("c2");
        const none = !ids.includes("c1") && !ids.includes("c2");
        expect(all || none, `cut ${when} request ${skip}: ${ids.join(",")}`).toBe(true);
        if (none) expect(await snapshot(p)).toBe(was);
        if (r.status !== 200) expect((await errorGrid(Promise.resolve(r), 503)).get("errCode")).toBe("unavailable");
        seen.add(`${r.status}:${all ? "all" : "none"}`);
      }
    }
    // Cuts before the write ran stored none; a cut of the write's answer stored all and said 503.
    expect(seen).toContain("503:none");
    expect(seen).toContain("503:all");
  });

  it("a large hisWrite (staged over several requests) cut at any point stores all of it or none", async () => {
    const p = newProject();
    await building(p);
    const rows = 5000; // MAX_REQUEST_ROWS under test; ~40 requests' worth of samples at 64 KiB
    const day = 86_400_000;
    const outcomes: number[] = [];
    for (const [i, delay] of [0, 2, 5, 10, 20, 40, 80].entries()) {
      const from = Date.UTC(2024, 0, 1) + i * 30 * day;
      const lines = hisLines(from, rows, 100, (j) => `${j}°F`);
      const write = post(p, "hisWrite", `ver:"3.0" id:@p1\nts,val\n${lines.join("\n")}\n`);
      await new Promise((r) => setTimeout(r, delay));
      await upstashControl(i % 2 === 0 ? "cut?when=before" : "cut?when=after");
      // (The cut lands on whichever of the write's requests comes next: a staging push or the commit.)
      const r = await write;
      // A write done before the cut was asked for leaves it pending: clear it, so the read is whole.
      await upstashControl("up");
      outcomes.push(r.status);
      const span = `${new Date(from).toISOString()} UTC,${new Date(from + day).toISOString()} UTC`;
      const got = (await (await post(p, "hisRead", `ver:"3.0"\nid,range\n@p1,"${span}"\n`)).text())
        .trimEnd()
        .split("\n")
        .slice(2);
      // All of it or none of it: never a part. A cut after the commit ran answers 503 with all stored.
      expect([0, rows], `attempt ${i}: status ${r.status}`).toContain(got.length);
      if (r.status === 200) expect(got.length).toBe(rows);
    }
    expect(outcomes).toContain(503);
  });
});

describe("Haystack on Upstash: durations", durationHttpCases);
describe("Haystack on Upstash: a column named twice", duplicateColumnHttpCases);
describe("Haystack on Upstash: hisRead over the whole calendar", calendarRangeHttpCases);
describe("Haystack on Upstash: history rollups", rollupHttpCases);
