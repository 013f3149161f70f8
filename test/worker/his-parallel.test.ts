/**
 * Large batch hisReads in parallel on the embedded default. Under `wrangler dev` four such reads
 * got 503 "Your worker restarted mid-request": the project object runs on the Worker's thread
 * there, a read was thousands of page round trips that never waited on a socket, so workerd did
 * not poll its sockets until the read ended, and its HTTP timeouts (checked on a clock that only
 * moves when it polls) dropped the connections waiting meanwhile. This pool does not starve that
 * way (an RPC here is I/O, and SELF has no sockets), so the parallel reads arrive whole with or
 * without the fix; the other two tests check what the fix changes, by chunk contents and by the
 * order of events, never by time.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { BATCH_BUFFER_ROWS, hisRead, MERGE_CELLS } from "../../src/api/haystack/ops/his.ts";
import type { OpContext } from "../../src/api/haystack/ops/types.ts";
import { gridResponse } from "../../src/api/haystack/respond.ts";
import { loadConfig } from "../../src/config.ts";
import { watchClient } from "../../src/durable/project-client.ts";
import { ZINC } from "../../src/haystack/codec/formats.ts";
import { readZincGrid } from "../../src/haystack/codec/zinc/index.ts";
import { HNumber } from "../../src/haystack/kinds/index.ts";
import { type ProjectStub, remoteStore } from "../../src/storage/do/client.ts";
import { pageOf } from "../../src/storage/his-page.ts";
import type { ProjectStore } from "../../src/storage/ports.ts";
import { unwrap } from "../../src/storage/wire.ts";
import { newProject, post, seed, stubOf } from "../support/haystack-http.ts";

/** The batch limit; 2,000 samples each makes a reply of 400,000 cells (about 3.5 MB of Zinc). */
const POINTS = 200;
const ROWS = 2000;
const PARALLEL = 4;
const START = Date.UTC(2025, 0, 1);
const STEP_MS = 60_000;

const sample = (point: number, row: number) => point * 10_000 + row;

/** A project with POINTS his points of ROWS samples each, written straight to its object. */
async function bigProject(): Promise<string> {
  const p = newProject();
  const recs = Array.from({ length: POINTS }, (_, k) => `@p${k},"P${k}",M,M,"UTC","Number","kW"`);
  await seed(p, "id,dis,point,his,tz,kind,unit", ...recs);
  const stub = stubOf(p);
  for (let k = 0; k < POINTS; k++) {
    const items = Array.from({ length: ROWS }, (_, i) => ({
      ts: START + i * STEP_MS,
      val: new HNumber(sample(k, i), "kW"),
    }));
    unwrap(await stub.hisWrite([{ id: `p${k}`, page: pageOf(items) }]));
  }
  return p;
}

function ids(): string {
  return Array.from({ length: POINTS }, (_, k) => `@p${k}`).join("\n");
}

function batchRead(project: string): Promise<Response> {
  return post(project, "hisRead", `ver:"3.0" range:"2024-12-31,2025-01-03"\nid\n${ids()}\n`);
}

/** What the router hands an op, for a read by the server admin. */
function opContext(project: string, store: ProjectStore): OpContext {
  return {
    project,
    store,
    watches: watchClient(stubOf(project), project),
    config: loadConfig(env),
    nowMs: Date.now(),
    host: "hayloft.test",
    principal: { user: "admin", role: "admin", project, via: "token", credentialId: "test" },
    endSession: async () => {},
  };
}

async function chunksOf(res: Response): Promise<Uint8Array[]> {
  expect(res.status).toBe(200);
  const chunks: Uint8Array[] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

function text(chunks: readonly Uint8Array[]): string {
  const d = new TextDecoder();
  return chunks.map((c) => d.decode(c, { stream: true })).join("") + d.decode();
}

/** Room for a slow shared machine; nothing here asserts on time. */
const SLOW = 120_000;

describe("batch hisRead, several at once", () => {
  let p = "";
  beforeAll(async () => {
    p = await bigProject();
  }, SLOW);

  it("four 200-point reads in parallel arrive whole, round after round", { timeout: SLOW }, async () => {
    for (let round = 0; round < 2; round++) {
      const replies = await Promise.all(
        Array.from({ length: PARALLEL }, async () => text(await chunksOf(await batchRead(p)))),
      );
      for (const reply of replies) {
        const g = readZincGrid(reply);
        expect(g.meta.has("err")).toBe(false);
        expect(g.cols).toHaveLength(POINTS + 1);
        expect(g.rows).toHaveLength(ROWS);
        const last = g.rows[ROWS - 1] ?? [];
        expect(last.slice(1).map((v) => (v as HNumber).val)).toEqual(
          Array.from({ length: POINTS }, (_, k) => sample(k, ROWS - 1)),
        );
      }
    }
  });

  it("encodes a batch MERGE_CELLS cells at a time and holds at most a page per point", { timeout: SLOW }, async () => {
    // In the Worker's own terms, not through SELF: the runtime re-cuts chunks that cross it.
    const remote = remoteStore(stubOf(p));
    let fetched = 0;
    const store: ProjectStore = {
      ...remote,
      history: {
        ...remote.history,
        async *read(id, span, size) {
          for await (const page of remote.history.read(id, span, size)) {
            fetched += page.count;
            yield page;
          }
        },
      },
    };
    const req = readZincGrid(`ver:"3.0" range:"2024-12-31,2025-01-03"\nid\n${ids()}\n`);
    const out = await hisRead.run(req, opContext(p, store));
    const reader = (gridResponse(ZINC, out).body as ReadableStream<Uint8Array>).getReader();
    let rows = -2; // the version line and the column line come first
    let largest = 0;
    let mostHeld = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const n = value.reduce((k, b) => (b === 10 ? k + 1 : k), 0);
      if (rows >= 0) largest = Math.max(largest, n);
      rows += n;
      mostHeld = Math.max(mostHeld, fetched - Math.max(0, rows) * POINTS);
    }
    expect(rows).toBe(ROWS);
    expect(fetched).toBe(ROWS * POINTS);
    expect(largest * POINTS).toBeLessThanOrEqual(MERGE_CELLS);
    // A page per point, plus the batch being encoded and the one the stream holds ahead.
    expect(mostHeld).toBeLessThanOrEqual(BATCH_BUFFER_ROWS + 2 * MERGE_CELLS);
  });

  it("gives the event loop a turn after each page, even from an object that answers at once", async () => {
    // Under wrangler dev the object shares the Worker's thread and a page comes back without I/O;
    // a stub that answers at once stands for that (through SELF in this pool an RPC is I/O).
    const page = pageOf(Array.from({ length: 10 }, (_, i) => ({ ts: START + i, val: i })));
    const instant = { id: { toString: () => "instant" }, hisPage: async () => ({ ok: page }) };
    let pages = 0;
    let pagesWhenTimerRan = -1;
    setTimeout(() => {
      pagesWhenTimerRan = pages;
    }, 0);
    const read = remoteStore(instant as unknown as ProjectStub).history.read(
      "p0",
      { start: START, end: START + 1e9 },
      10,
    );
    for await (const _ of read) if (++pages === 50) break;
    // Without a turn, all 50 pages pass in microtasks and the timer has not run by now.
    expect(pagesWhenTimerRan).toBeGreaterThanOrEqual(0);
    expect(pagesWhenTimerRan).toBeLessThanOrEqual(1);
  });
});
