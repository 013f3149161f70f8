/**
 * The series face on Upstash when Redis is out of reach or a connection is cut: a 503 problem body
 * with code `unavailable`, nothing written (the store reads back as before), and the same request
 * succeeding once it is back. Big writes cross the 64 KiB request bound, so they are staged over
 * several requests, any of which the cut may hit.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ClockedWorker } from "../support/clocked.ts";
import { hourly, SeriesClient } from "../support/series-http.ts";
import { upstashControl } from "../support/upstash.ts";

afterEach(async () => {
  await upstashControl("up");
});

const LOAD = { kind: "chunked", keys: { site: "str" }, freq: "1h", zone: "UTC" };

function client(): SeriesClient {
  return new SeriesClient(new ClockedWorker(), `tsf-${crypto.randomUUID().slice(0, 8)}`);
}

/** What a failed write could have changed: the series read back whole. */
async function snapshot(c: SeriesClient): Promise<string> {
  const r = await c.fetch("load/series", { headers: { accept: "application/json" } }, { site: "a" });
  return `${r.status} ${await r.text()}`;
}

describe("series on Upstash, faults", () => {
  it("answers 503 unavailable while Redis is out of reach, writes nothing, then the same write succeeds", async () => {
    const c = client();
    await c.define("load", LOAD);
    await c.set(
      "load",
      { site: "a" },
      hourly("2024-01-01T00:00:00Z", 48, (i) => i),
    );
    const before = await snapshot(c);
    const body = hourly("2024-01-02T00:00:00Z", 24 * 90, (i) => i * 2);
    await upstashControl("down");
    const r = await c.fetch(
      "load/series",
      { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
      { site: "a", mode: "update" },
    );
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    await upstashControl("up");
    expect(await snapshot(c)).toBe(before);
    await c.set("load", { site: "a" }, body, { mode: "update" });
    expect(await snapshot(c)).not.toBe(before);
  });

  it("a big write cut at any of its requests, before or after Redis ran it, stored all of it or none", async () => {
    const seen = new Set<string>();
    // Four months of hourly values: several chunks and blobs, staged over several requests.
    const body = hourly("2024-01-01T00:00:00Z", 24 * 120, (i) => Math.sin(i) * 100);
    for (const when of ["before", "after"] as const) {
      for (const skip of [0, 1, 2, 4, 8]) {
        const c = client();
        await c.define("load", LOAD);
        const empty = await snapshot(c);
        await upstashControl(`cut?when=${when}&skip=${skip}`);
        const r = await c.fetch(
          "load/series",
          { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
          { site: "a" },
        );
        await r.arrayBuffer();
        await upstashControl("up");
        const now = await snapshot(c);
        const all =
          now.startsWith("200") &&
          (JSON.parse(now.slice(4)) as { index: unknown[] }).index.length === body.index.length;
        expect(all || now === empty, `cut ${when} request ${skip}: status ${r.status}, ${now.slice(0, 80)}`).toBe(true);
        if (r.status !== 200) expect(r.status).toBe(503);
        seen.add(`${r.status}:${all ? "all" : "none"}`);
      }
    }
    expect(seen).toContain("503:none");
  });
});
