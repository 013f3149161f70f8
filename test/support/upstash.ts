/**
 * The run's Upstash target (test/upstash-target.ts) as a store client: the real `@upstash/redis`
 * client through the REST stand-in to the real Redis. A small request bound by default, so
 * ordinary test data crosses it and the split paths run.
 */
import { inject } from "vitest";
import { openUpstash, type Upstash } from "../../src/storage/upstash/client.ts";

export const TEST_MAX_REQUEST_BYTES = 64 * 1024;

export function testUpstash(maxRequestBytes = TEST_MAX_REQUEST_BYTES): Upstash {
  const t = inject("upstash");
  return openUpstash({ url: t.url, token: t.token, keyPrefix: t.keyPrefix, maxRequestBytes });
}

/**
 * The same Redis through the fault stand-in that `upstashControl` takes down and cuts: for the
 * workers-upstash project's files only, which run one at a time.
 */
export function faultyUpstash(maxRequestBytes = TEST_MAX_REQUEST_BYTES): Upstash {
  const t = inject("upstash");
  return openUpstash({ url: t.faultsUrl, token: t.token, keyPrefix: t.keyPrefix, maxRequestBytes });
}

/**
 * POSTs a fault control to the stand-in: `down`, `up` (also clears a pending cut), or
 * `cut?when=before|after[&skip=N]` (the request after the next N).
 */
export async function upstashControl(
  action: "down" | "up" | `cut?when=${"before" | "after"}${"" | `&skip=${number}`}`,
): Promise<void> {
  const res = await fetch(`${inject("upstash").control}/_control/${action}`, { method: "POST" });
  if (res.status !== 204) throw new Error(`stand-in control ${action}: HTTP ${res.status}`);
}
