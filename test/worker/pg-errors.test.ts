/**
 * What a Postgres failure becomes on its way to a reply, in workerd through the Neon driver and
 * the real database: a statement past PG_STATEMENT_TIMEOUT_MS ends in StoreError `timeout` and
 * leaves the connection serving the next request; data Postgres cannot handle ends in
 * `invalid` with our words, Postgres's only in `cause`.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { parseFilter } from "../../src/haystack/filter/index.ts";
import { HDict, HRef, MARKER } from "../../src/haystack/kinds/index.ts";
import { StoreError } from "../../src/storage/errors.ts";
import { DEFAULT_STATEMENT_TIMEOUT_MS, openPg } from "../../src/storage/postgres/connect.ts";
import { pgStore } from "../../src/storage/postgres/project.ts";
import { inTx, type Querier, run } from "../../src/storage/postgres/sql.ts";

const project = `pg-errors-${crypto.randomUUID()}`;
const opened: { end(): Promise<void> }[] = [];

function pool(statementTimeoutMs?: number) {
  const { pool } = openPg({ ...inject("pg"), statementTimeoutMs });
  opened.push(pool);
  return pool;
}

afterAll(async () => {
  await run(pool() as unknown as Querier, "DELETE FROM entities WHERE project = $1", [project]);
  for (const p of opened) await p.end();
});

async function failure(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw e;
  }
  throw new Error("no error");
}

function limitOf(q: Querier): Promise<string | undefined> {
  return run<{ t: string }>(q, "SELECT current_setting('statement_timeout') AS t").then((r) => r[0]?.t);
}

/** The server process behind the connection a query runs on. */
async function backend(q: Querier): Promise<number> {
  return (await run<{ pid: number }>(q, "SELECT pg_backend_pid() AS pid"))[0]?.pid as number;
}

describe("statement timeout", () => {
  it("is set on every connection, DEFAULT_STATEMENT_TIMEOUT_MS unless configured", async () => {
    expect(DEFAULT_STATEMENT_TIMEOUT_MS).toBe(10_000);
    expect(await limitOf(pool() as unknown as Querier)).toBe("10s");
    expect(await limitOf(pool(0) as unknown as Querier)).toBe("0");
    const tx = await inTx(pool(1500), (c) => limitOf(c as unknown as Querier));
    expect(tx).toBe("1500ms");
    expect(() => pool(-1)).toThrow(RangeError);
  });

  it("stops a statement past it with StoreError timeout, and the pool serves the next request", async () => {
    const q = pool(200) as unknown as Querier;
    const err = await failure(run(q, "SELECT pg_sleep(5)"));
    expect(err.code).toBe("timeout");
    expect(err.message).toContain("took longer than 200 ms (PG_STATEMENT_TIMEOUT_MS)");
    expect(err.message).not.toMatch(/cancel/i);
    expect((err.cause as { code?: string }).code).toBe("57014");
    // The pool drops a connection whose query failed; the next one is bounded the same way.
    expect(await run(q, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    expect(await limitOf(q)).toBe("200ms");
  });

  it("leaves the connection of a transaction it stopped usable", async () => {
    const p = pool(200);
    let pid = 0;
    const err = await failure(
      inTx(p, async (c) => {
        const q = c as unknown as Querier;
        pid = await backend(q);
        await run(q, "SELECT pg_sleep(5)");
      }),
    );
    expect(err.code).toBe("timeout");
    // The same server process, after the stop and the rollback, answers and is still bounded.
    const after = await inTx(p, async (c) => {
      const q = c as unknown as Querier;
      return { pid: await backend(q), limit: await limitOf(q), one: await run(q, "SELECT 1 AS one") };
    });
    expect(after).toEqual({ pid, limit: "200ms", one: [{ one: 1 }] });
  });

  it("ends a filter read that runs past it", async () => {
    const raw = pool() as unknown as Querier;
    // 20,000 points, each 3 record lookups away from the end of the path.
    await run(
      raw,
      "INSERT INTO entities (project, id, tags, mod) SELECT $1, 'p' || i, jsonb_build_object(" +
        "'id', jsonb_build_object('_kind', 'ref', 'val', 'p' || i), 'point', jsonb_build_object('_kind', 'marker'), " +
        "'equipRef', jsonb_build_object('_kind', 'ref', 'val', 'p' || (i % 100))), 0 FROM generate_series(0, 19999) AS i",
      [project],
    );
    const slow = parseFilter("point and equipRef->equipRef->equipRef->dis");
    const err = await failure(pgStore(pool(1), project).entities.read(slow, { limit: 10 }));
    expect(err.code).toBe("timeout");
    expect(err.message).toContain("took longer than 1 ms (PG_STATEMENT_TIMEOUT_MS)");
    expect((await pgStore(pool(), project).entities.read(slow, { limit: 10 })).rows).toEqual([]);
  });

  it("rolls back a write that waits past it, and the next write commits", async () => {
    const store = pgStore(pool(300), project);
    const [added] = await store.entities.commit({
      op: "add",
      rows: [HDict.of({ id: new HRef("w1"), site: MARKER })],
      nowMs: Date.now(),
    });
    const mod = added?.get("mod");
    // Another session holds the record's row lock, so the update waits until the limit stops it.
    const blocker = pool();
    const held = inTx(blocker, async (c) => {
      const q = c as unknown as Querier;
      await run(q, "SELECT id FROM entities WHERE project = $1 AND id = 'w1' FOR UPDATE", [project]);
      const update = store.entities.commit({
        op: "update",
        rows: [HDict.of({ id: new HRef("w1"), mod, dis: "late" })],
        nowMs: Date.now(),
      });
      return failure(update);
    });
    const err = await held;
    expect(err.code).toBe("timeout");
    expect((await store.entities.readByIds(["w1"]))[0]?.get("dis")).toBeUndefined();
    const [updated] = await store.entities.commit({
      op: "update",
      rows: [HDict.of({ id: new HRef("w1"), mod, dis: "now" })],
      nowMs: Date.now(),
    });
    expect(updated?.get("dis")).toBe("now");
  });
});

describe("data Postgres cannot handle", () => {
  it("answers invalid in our words; Postgres's stay in cause", async () => {
    const q = pool() as unknown as Querier;
    const err = await failure(run(q, "SELECT $1::float8 AS x", ["1e400"]));
    expect(err.code).toBe("invalid");
    expect(err.message).toBe(
      "The database met a number out of the range it can handle in this request or the records it reads",
    );
    expect((err.cause as Error).message).toContain("out of range for type double precision");
    const other = await failure(run(q, "SELECT $1::int AS x", ["five"]));
    expect(other.code).toBe("invalid");
    expect(other.message).not.toContain("five");
    expect(other.message).not.toContain("integer");
  });

  it("a stored number past float8 in a filter read is invalid, not a quoted database error", async () => {
    const raw = pool() as unknown as Querier;
    await run(raw, "INSERT INTO entities (project, id, tags, mod) VALUES ($1, 'big', $2::jsonb, 0)", [
      project,
      '{"id":{"_kind":"ref","val":"big"},"big":1e400}',
    ]);
    const err = await failure(pgStore(pool(), project).entities.read(parseFilter("big > 5"), { limit: 10 }));
    expect(err.code).toBe("invalid");
    expect(err.message).not.toContain("double precision");
  });
});
