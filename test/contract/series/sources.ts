/** Sync sources: definitions, state kept across redefinition, pull outcomes. */
import { expect } from "vitest";
import type { SourceDef } from "../../../src/storage/series-port.ts";
import { codeOf, cw, defined, k, NOW, put, type SeriesCase } from "./support.ts";

export const SOURCES_LABEL = "sources";

const UP: SourceDef = {
  name: "up",
  url: "https://example.test/ts/p/s/",
  protocol: "hayloft",
  tokenSecret: "UP_TOKEN",
  filters: { site: "a", n: "1" },
  everySeconds: 60,
};

const FRESH = { cursor: null, lastSuccessMs: null, lastErrorMs: null, lastError: null, failures: 0 };

export function sourcesCases(test: SeriesCase): void {
  test("putSource adds a source, due at once when scheduled; sources lists them by name", async (p) => {
    await defined(p);
    const manual: SourceDef = {
      name: "hol",
      url: "https://hol.test/api/",
      protocol: "holcstore",
      filters: {},
      everySeconds: 0,
    };
    expect(await p.putSource(UP, NOW)).toEqual({ ...UP, state: { ...FRESH, nextDueMs: NOW } });
    const m = await p.putSource(manual, NOW);
    expect(m).toEqual({ ...manual, state: { ...FRESH, nextDueMs: null } });
    expect("tokenSecret" in m).toBe(false);
    expect((await p.sources()).map((s) => s.name)).toEqual(["hol", "up"]);
    expect((await p.sources())[1]).toEqual({ ...UP, state: { ...FRESH, nextDueMs: NOW } });
  });

  test("redefining a source keeps its state: cursor, outcomes and due time", async (p) => {
    await defined(p);
    await p.putSource(UP, NOW);
    await put(p, { chunks: [cw(k("a", 1), 1)], cursor: { source: "up", expect: null, next: "7" } });
    await p.recordPull("up", { error: "HTTP 500", atMs: NOW + 10, nextDueMs: NOW + 500 });
    const changed: SourceDef = { ...UP, url: "https://other.test/ts/p/s/", filters: {}, everySeconds: 30 };
    const state = {
      cursor: "7",
      lastSuccessMs: null,
      lastErrorMs: NOW + 10,
      lastError: "HTTP 500",
      failures: 1,
      nextDueMs: NOW + 500,
    };
    expect(await p.putSource(changed, NOW + 20)).toEqual({ ...changed, state });
    // Made manual-only, it is due never; scheduled again, due at once.
    expect((await p.putSource({ ...changed, everySeconds: 0 }, NOW + 30)).state).toEqual({ ...state, nextDueMs: null });
    expect((await p.putSource(changed, NOW + 40)).state).toEqual({ ...state, nextDueMs: NOW + 40 });
  });

  test("recordPull: failures count up with the last error, a success resets them", async (p) => {
    await defined(p);
    await p.putSource(UP, NOW);
    await p.recordPull("up", { error: "timeout", atMs: NOW + 1, nextDueMs: NOW + 100 });
    await p.recordPull("up", { error: "HTTP 429", atMs: NOW + 2, nextDueMs: NOW + 400 });
    expect((await p.sources())[0]?.state).toEqual({
      cursor: null,
      lastSuccessMs: null,
      lastErrorMs: NOW + 2,
      lastError: "HTTP 429",
      failures: 2,
      nextDueMs: NOW + 400,
    });
    await p.recordPull("up", { okMs: NOW + 3, atMs: NOW + 3, nextDueMs: NOW + 63 });
    expect((await p.sources())[0]?.state).toEqual({
      cursor: null,
      lastSuccessMs: NOW + 3,
      lastErrorMs: NOW + 2,
      lastError: "HTTP 429",
      failures: 0,
      nextDueMs: NOW + 63,
    });
    expect(await codeOf(p.recordPull("nope", { okMs: NOW, atMs: NOW, nextDueMs: null }))).toBe("not_found");
  });

  test("dropSource removes the source and its cursor", async (p) => {
    await defined(p);
    await p.putSource(UP, NOW);
    await put(p, { cursor: { source: "up", expect: null, next: "3" } });
    expect(await p.dropSource("up")).toBe(true);
    expect(await p.dropSource("up")).toBe(false);
    expect(await p.sources()).toEqual([]);
    expect((await p.putSource(UP, NOW + 1)).state.cursor).toBeNull();
  });

  test("a source no pull could use is refused", async (p) => {
    await defined(p);
    const bad = [
      { ...UP, protocol: "ftp" as never },
      { ...UP, name: "" },
      { ...UP, url: "" },
      { ...UP, everySeconds: -1 },
      { ...UP, filters: { site: 1 as never } },
    ];
    for (const s of bad) expect(await codeOf(p.putSource(s, NOW))).toBe("invalid");
    expect(await p.sources()).toEqual([]);
  });
}
