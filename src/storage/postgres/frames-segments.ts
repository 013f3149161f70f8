/**
 * Segments and their blobs in Postgres (frames-port.ts): staging, reading blobs back, and freeing
 * what no version lists. Blobs travel as binary parameters of multi-row inserts (no hex text),
 * batched like series chunks (series-apply.ts `batches`) so no statement nears Postgres's 65,535
 * parameters nor a message's size.
 */
import { StoreError } from "../errors.ts";
import type { BlobRef, SegmentPut } from "../frames-port.ts";
import { checkPuts } from "../rules/frames-plan.ts";
import { type CollectionKey, jsonParam, params } from "./frames-sql.ts";
import { batches } from "./series-apply.ts";
import { plain } from "./series-sql.ts";
import { type Querier, run } from "./sql.ts";

/** Most blob refs one read asks for; a larger request is split. */
const REFS_PER_READ = 1000;

interface BlobRow {
  item: string;
  segment: string;
  ordinal: number;
  /** Null when the ref names no stored blob. */
  bytes: Uint8Array | null;
  [col: string]: unknown;
}

/**
 * Stages `puts` inside a transaction: the collection must exist (its row is share-locked, so a
 * drop cannot pass the insert) and every id must be new within its item (`conflict` otherwise:
 * another writer staged it, e.g. building the same version number).
 */
export async function stageSegments(
  q: Querier,
  k: CollectionKey,
  puts: readonly SegmentPut[],
  nowMs: number,
): Promise<void> {
  checkPuts(puts);
  const there = await run(q, "SELECT 1 FROM fr_collections WHERE project = $1 AND collection = $2 FOR KEY SHARE", [
    k.project,
    k.collection,
  ]);
  if (there.length === 0) throw new StoreError("not_found", "No such collection");
  if (puts.length === 0) return;
  const taken = await run<{ item: string; id: string }>(
    q,
    "SELECT u.item, u.id FROM unnest($3::text[], $4::text[]) AS u(item, id) WHERE (SELECT 1 FROM fr_segments s " +
      "WHERE s.project = $1 AND s.collection = $2 AND s.item = u.item AND s.id = u.id) IS NOT NULL LIMIT 1",
    [k.project, k.collection, puts.map((p) => p.item), puts.map((p) => p.segment.id)],
  );
  const first = taken[0];
  if (first) throw new StoreError("conflict", `Segment ${first.id} of ${first.item} exists already`);
  for (const batch of batches(puts, (p) => JSON.stringify(p.segment).length)) {
    await insertSegments(
      q,
      "INSERT INTO fr_segments (project, collection, item, id, record, staged_ms) " +
        "SELECT $1, $2, u.item, u.id, u.record::jsonb, $6::bigint FROM unnest($3::text[], $4::text[], $5::text[]) " +
        "AS u(item, id, record)",
      [
        k.project,
        k.collection,
        batch.map((p) => p.item),
        batch.map((p) => p.segment.id),
        batch.map((p) => jsonParam(p.segment)),
        nowMs,
      ],
    );
  }
  const blobs = puts.flatMap((p) =>
    p.blobs.map((bytes, ordinal) => ({ item: p.item, id: p.segment.id, ordinal, bytes })),
  );
  for (const batch of batches(blobs, (b) => b.bytes.byteLength)) {
    const p = params(k);
    const values = batch.map(
      (b) => `($1, $2, ${p.add(b.item)}, ${p.add(b.id)}, ${p.add(b.ordinal)}::int, ${p.add(b.bytes)}::bytea)`,
    );
    await run(
      q,
      `INSERT INTO fr_blobs (project, collection, item, segment, ordinal, bytes) VALUES ${values.join(", ")}`,
      p.values,
    );
  }
}

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = "23505";

/**
 * Inserts segment rows; an id another upload inserted since the check (both passed it, one
 * commits first, the other waits for it on the key) is the same `conflict` the check gives.
 */
async function insertSegments(q: Querier, text: string, values: unknown[]): Promise<void> {
  try {
    await run(q, text, values);
  } catch (err) {
    if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
    throw new StoreError("conflict", "A segment of this upload was staged by another meanwhile", { cause: err });
  }
}

/** The blobs `refs` name, in the order named; `not_found` when one is not stored. */
export async function readBlobs(q: Querier, k: CollectionKey, refs: readonly BlobRef[]): Promise<Uint8Array[][]> {
  const flat = refs.flatMap((r) => r.ordinals.map((ordinal) => ({ item: r.item, segment: r.segment, ordinal })));
  const found: Uint8Array[] = [];
  for (let i = 0; i < flat.length; i += REFS_PER_READ) {
    const part = flat.slice(i, i + REFS_PER_READ);
    // One statement per part: the blobs of one part come from one snapshot.
    const rows = await run<BlobRow>(
      q,
      "SELECT u.item, u.segment, u.ordinal, (SELECT b.bytes FROM fr_blobs b WHERE b.project = $1 " +
        "AND b.collection = $2 AND b.item = u.item AND b.segment = u.segment AND b.ordinal = u.ordinal) AS bytes " +
        "FROM unnest($3::text[], $4::text[], $5::int[]) WITH ORDINALITY AS u(item, segment, ordinal, n) ORDER BY u.n",
      [k.project, k.collection, part.map((f) => f.item), part.map((f) => f.segment), part.map((f) => f.ordinal)],
    );
    for (const r of rows) {
      if (r.bytes === null) {
        throw new StoreError("not_found", `No blob ${r.ordinal} of segment ${r.segment} of ${r.item}`);
      }
      found.push(plain(r.bytes));
    }
  }
  let at = 0;
  return refs.map((r) => r.ordinals.map(() => found[at++] as Uint8Array));
}

/**
 * Frees the segments of `items` that were listed once and no version lists any more (their blobs
 * cascade); returns how many. Staged segments wait for `sweep`. Runs under the commit's lock.
 * One anti-join of the items' segments with their links, kept from nested loops: with stale
 * statistics Postgres would plan one as "one row each side" and rescan the links for every
 * segment, quadratic in the item's size (schema.ts, fr_version_segments). Hashing is linear.
 */
export async function freeUnlisted(q: Querier, k: CollectionKey, items: readonly string[]): Promise<number> {
  if (items.length === 0) return 0;
  const [was] = await run<{ v: string }>(
    q,
    "SELECT current_setting('enable_nestloop') AS v, set_config('enable_nestloop', 'off', true)",
  );
  const [row] = await run<{ n: string }>(
    q,
    "WITH d AS (DELETE FROM fr_segments s WHERE s.project = $1 AND s.collection = $2 AND s.item = ANY($3::text[]) " +
      "AND s.staged_ms IS NULL AND NOT EXISTS (SELECT 1 FROM fr_version_segments vs WHERE vs.project = $1 " +
      "AND vs.collection = $2 AND vs.item = ANY($3::text[]) AND vs.item = s.item AND vs.segment = s.id) RETURNING 1) " +
      "SELECT count(*) AS n FROM d",
    [k.project, k.collection, items],
  );
  await run(q, "SELECT set_config('enable_nestloop', $1, true)", [was?.v ?? "on"]);
  return Number(row?.n ?? 0);
}

/** Frees staged segments staged more than `graceMs` before `nowMs`; returns how many. */
export async function sweepStaged(q: Querier, k: CollectionKey, nowMs: number, graceMs: number): Promise<number> {
  const [row] = await run<{ n: string }>(
    q,
    "WITH d AS (DELETE FROM fr_segments WHERE project = $1 AND collection = $2 AND staged_ms IS NOT NULL " +
      "AND staged_ms < $3::bigint - $4::bigint RETURNING 1) SELECT count(*) AS n FROM d",
    [k.project, k.collection, nowMs, graceMs],
  );
  return Number(row?.n ?? 0);
}

/** Frees the named segments that are still staged (never listed); listed ones are left alone. */
export async function discardStaged(
  q: Querier,
  k: CollectionKey,
  segments: readonly { readonly item: string; readonly id: string }[],
): Promise<void> {
  if (segments.length === 0) return;
  await run(
    q,
    "DELETE FROM fr_segments s USING unnest($3::text[], $4::text[]) AS d(item, id) " +
      "WHERE s.project = $1 AND s.collection = $2 AND s.item = d.item AND s.id = d.id AND s.staged_ms IS NOT NULL",
    [k.project, k.collection, segments.map((x) => x.item), segments.map((x) => x.id)],
  );
}
