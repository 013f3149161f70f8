/**
 * The Haystack face with STORAGE=postgres: the same Worker, its records, history, priority arrays
 * and change feed in this run's Postgres database (through the Neon driver and the local
 * stand-in), and what a client sees when the database goes away mid-request.
 */
import { describe, expect, inject, it } from "vitest";
import { calendarRangeHttpCases, duplicateColumnHttpCases, durationHttpCases } from "../support/edge-http.ts";
import { building, errorGrid, get, hisLines, idsOf, newProject, ok, post } from "../support/haystack-http.ts";
import { rollupHttpCases } from "../support/rollup-http.ts";
import { storeFaultHttpCases, storeHttpCases } from "../support/store-http-cases.ts";

const control = (action: "cut" | "down" | "up") => fetch(`${inject("pg").control}/${action}`, { method: "POST" });

describe("Haystack on Postgres", () => {
  storeHttpCases("the Postgres change feed");
  storeFaultHttpCases("a database", {
    lose: async () => {
      await control("down");
      await control("cut");
    },
    restore: async () => {
      await control("up");
    },
  });

  it("answers 503 while the database is unreachable, writes nothing, and the same request then succeeds", async () => {
    const p = newProject();
    await building(p);
    const body = `ver:"3.0" commit:"add"\nid,dis\n@n1,"one"\n@n2,"two"\n`;
    await control("down");
    try {
      await control("cut");
      const meta = await errorGrid(post(p, "commit", body), 503);
      expect(meta.get("errCode")).toBe("unavailable");
    } finally {
      await control("up");
    }
    expect(idsOf(await ok(get(p, "read", "filter=dis")))).not.toContain("n1");
    expect(idsOf(await ok(post(p, "commit", body)))).toEqual(["n1", "n2"]);
  });

  it("a connection cut in the middle of a large hisWrite stores none of it", async () => {
    const p = newProject();
    await building(p);
    const rows = 5000; // MAX_REQUEST_ROWS under test
    const day = 86_400_000;
    const outcomes: number[] = [];
    // Cuts at growing delays: each attempt writes its own day, so what it left behind is visible.
    for (const [i, delay] of [0, 1, 3, 6, 10, 20].entries()) {
      const from = Date.UTC(2024, 0, 1) + i * 30 * day;
      const lines = hisLines(from, rows, 100, (j) => `${j}°F`);
      const write = post(p, "hisWrite", `ver:"3.0" id:@p1\nts,val\n${lines.join("\n")}\n`);
      await new Promise((r) => setTimeout(r, delay));
      await control("cut");
      const r = await write;
      outcomes.push(r.status);
      const span = `${new Date(from).toISOString()} UTC,${new Date(from + day).toISOString()} UTC`;
      const got = (await (await post(p, "hisRead", `ver:"3.0"\nid,range\n@p1,"${span}"\n`)).text())
        .trimEnd()
        .split("\n")
        .slice(2);
      // All of it (the write beat the cut) or none of it (503): never a part.
      expect(got.length, `attempt ${i}: status ${r.status}`).toBe(r.status === 200 ? rows : 0);
    }
    expect(outcomes).toContain(503);
  });
});

describe("Haystack on Postgres: durations", durationHttpCases);
describe("Haystack on Postgres: a column named twice", duplicateColumnHttpCases);
describe("Haystack on Postgres: hisRead over the whole calendar", calendarRangeHttpCases);

describe(
  "Haystack on Postgres: history rollups (date_bin here; time_bucket where TimescaleDB is installed)",
  rollupHttpCases,
);
