import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { doSeriesPort } from "../../src/storage/do/series.ts";
import { DoSql } from "../../src/storage/do/sql.ts";
import type { SeriesPort } from "../../src/storage/series-port.ts";
import { runSeriesContract } from "../contract/series/index.ts";
import { codeOf, cw, defined, k, NOW, put } from "../contract/series/support.ts";

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * The port of a fresh SeriesObject, each call run inside the object as the object itself would
 * run it (a write's work included: the pool runs objects in the test's isolate, so the closure
 * goes in as it is). Concurrent calls are concurrent requests to the object.
 */
function inFreshObject(): SeriesPort {
  const stub = env.SERIES.getByName(crypto.randomUUID());
  const call = (name: string, args: unknown[]) =>
    runInDurableObject(stub, async (_obj, state) => {
      const port = doSeriesPort(new DoSql(state.storage)) as unknown as Record<string, Method>;
      return (port[name] as Method)(...args);
    });
  return new Proxy({} as SeriesPort, {
    // Not a thenable: `await open()` must give the port itself.
    get: (_t, name) =>
      typeof name === "string" && name !== "then" ? (...args: unknown[]) => call(name, args) : undefined,
  });
}

runSeriesContract("do", inFreshObject);

describe("do: a write whose work waits on I/O", () => {
  it("fails with conflict when another write committed meanwhile, and changes nothing", async () => {
    const p = inFreshObject();
    await defined(p);
    const slow = p.write(NOW, async (reads) => {
      await reads.maxVersion(k("a"));
      // A timer lets the object take other requests, as a fetch would: the work is no longer alone.
      await new Promise((r) => setTimeout(r, 100));
      return { plan: { chunks: [cw(k("a"), 1)] }, result: {} };
    });
    await new Promise((r) => setTimeout(r, 20));
    await put(p, { chunks: [cw(k("b"), 1)] });
    expect(await codeOf(slow)).toBe("conflict");
    expect(await p.keys([], null, 10)).toEqual([k("b")]);
    expect(await p.sequence()).toBe(1);
  });
});
