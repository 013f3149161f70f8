/**
 * The HoLcStore-compatible endpoints answer HoLcStore 0.5.12's own client exactly as its server
 * did: each captured scenario's chunks are loaded as the captured server held them, every captured
 * request is replayed, and our bodies equal the captured ones byte for byte (base URL aside).
 */
import { describe, expect, it } from "vitest";
import s00 from "../fixtures/series/holcstore-wire/00_full_sync_defaults.server.jsonl?raw";
import s01 from "../fixtures/series/holcstore-wire/01_full_sync.server.jsonl?raw";
import s03 from "../fixtures/series/holcstore-wire/03_soft_delete.server.jsonl?raw";
import s04 from "../fixtures/series/holcstore-wire/04_replace.server.jsonl?raw";
import s07 from "../fixtures/series/holcstore-wire/07_errors.server.jsonl?raw";
import { ClockedWorker } from "../support/clocked.ts";
import { SeriesClient } from "../support/series-http.ts";
import { CAPTURED_BASE, CAPTURED_DEF, capturedChunks, exchanges, load } from "../support/series-replay.ts";

const SCENARIOS: readonly (readonly [string, string])[] = [
  ["00_full_sync_defaults", s00],
  ["01_full_sync", s01],
  ["03_soft_delete", s03],
  ["04_replace", s04],
];

describe.each(SCENARIOS)("replaying %s", (_name, text) => {
  it("answers every request with the captured body", async () => {
    const c = new SeriesClient(new ClockedWorker(), `replay-${crypto.randomUUID().slice(0, 8)}`);
    await c.define("load", CAPTURED_DEF);
    const xs = exchanges(text);
    await load(c, "load", capturedChunks(xs));
    const ours = `http://hayloft.test/ts/${c.project}/load/`;
    for (const x of xs) {
      const op = x.path.slice("/api/ts/".length);
      // fetch cannot send a GET with a body; the same body as a POST (the dev test sends the GET).
      const init: RequestInit =
        op === "pack/" ? { method: "POST", headers: { "content-type": "application/json" }, body: x.request_body } : {};
      const r = await c.w.fetch(`${ours}${op}${x.query_string ? `?${x.query_string}` : ""}`, init);
      const body = await r.text();
      expect([op, x.query_string, r.status]).toEqual([op, x.query_string, x.status]);
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(body).toBe(x.response_body.replaceAll(CAPTURED_BASE, ours));
    }
  });
});

describe("HoLcStore's failures", () => {
  it("become clear 4xx answers where HoLcStore answered 500", async () => {
    const c = new SeriesClient(new ClockedWorker(), `replay-${crypto.randomUUID().slice(0, 8)}`);
    await c.define("load", CAPTURED_DEF);
    const [noLimit, unknownChunk] = exchanges(s07);
    expect([noLimit?.status, unknownChunk?.status]).toEqual([500, 500]);
    // Without a limit DRF's default page applies; HoLcStore had none set and failed.
    const page = (await c.json(`load/updates/?${noLimit?.query_string}`)) as { count: number; results: unknown[] };
    expect(page).toEqual({ count: 0, next: null, previous: null, results: [] });
    const r = await c.fetch("load/pack/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: unknownChunk?.request_body ?? "",
    });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});
