/**
 * HoLcStore's three models over one store's storage port: normalise the input with the series
 * core, read what a write depends on and plan it inside the port's serialised write, so every
 * request commits completely or not at all. One instance serves one store; the definition is
 * read once and kept (a store's definition is frozen once made).
 */
import type { Clock } from "../clock.ts";
import { chunkSpan, chunkStartMs, type Grid, gridOf, timeAt } from "../series/calendar.ts";
import { SeriesError } from "../series/errors.ts";
import { fromChunks, toChunks } from "../series/grid.ts";
import { findHoles } from "../series/holes.ts";
import { lz4FrameEncode } from "../series/lz4.ts";
import { planSet } from "../series/merge.ts";
import {
  type ChunkedDef,
  type DenseChunk,
  type Dtype,
  type KeyMatch,
  keyOfText,
  keyText,
  type Points,
  type SeriesKey,
  type StoreDef,
} from "../series/model.ts";
import { packValues, unpackValues } from "../series/values.ts";
import { combineFirst, combineVersions } from "../series/versions.ts";
import type {
  ChunkWrite,
  SeriesPort,
  SeriesReads,
  Source,
  SourceDef,
  StoredChunk,
  StoredSeries,
  WritePlan,
} from "../storage/series-port.ts";
import type { Hole, KeyedPoints, SeriesApi, SeriesPage, SetMode, SetResult, VersionedGet } from "./api.ts";
import { checkKey } from "./keys.ts";
import { LIMITS } from "./limits.ts";

const EMPTY_FRAME = lz4FrameEncode(new Uint8Array(0));
/** Chunk indexes wider than any calendar: "every chunk of the series". */
const ALL = { from: -1e9, to: 1e9 } as const;
const NONE: SetResult = { written: 0, removed: 0, offGrid: 0, seq: 0 };

function notDefined(): SeriesError {
  return new SeriesError("not_found", "no such store: define it first with PUT");
}

function wrongKind(def: StoreDef, want: StoreDef["kind"]): SeriesError {
  return new SeriesError("invalid", `this is a ${def.kind} store; the request needs a ${want} store`);
}

function decodeChunk(c: StoredChunk): DenseChunk {
  return { chunkIndex: c.chunkIndex, startMs: c.startMs, values: unpackValues(c.data, c.dtype) };
}

function decodeSeries(s: StoredSeries, dtype: Dtype): Points {
  return { index: unpackValues(s.index, "float64", s.count), values: unpackValues(s.values, dtype, s.count) };
}

function window(p: Points, startMs?: number, endMs?: number): Points {
  if (startMs === undefined && endMs === undefined) return p;
  const lo = startMs ?? Number.NEGATIVE_INFINITY;
  const hi = endMs ?? Number.POSITIVE_INFINITY;
  let a = 0;
  while (a < p.index.length && (p.index[a] as number) < lo) a++;
  let b = p.index.length;
  while (b > a && (p.index[b - 1] as number) > hi) b--;
  return { index: p.index.subarray(a, b), values: p.values.subarray(a, b) };
}

function hasValue(p: Points): boolean {
  for (const v of p.values) if (!Number.isNaN(v)) return true;
  return false;
}

export class SeriesService implements SeriesApi {
  readonly #port: SeriesPort;
  readonly #clock: Clock;
  #def: StoreDef | null | undefined;

  constructor(port: SeriesPort, clock: Clock) {
    this.#port = port;
    this.#clock = clock;
  }

  async definition(): Promise<StoreDef | null> {
    if (this.#def === undefined) this.#def = await this.#port.definition();
    return this.#def;
  }

  /** The port compares definitions (a different one is `conflict`) in the same step as it stores one. */
  async define(def: StoreDef): Promise<boolean> {
    const created = await this.#port.define(def, this.#clock.now());
    this.#def = def;
    return created;
  }

  async drop(): Promise<void> {
    await this.#port.drop();
    this.#def = null;
  }

  async #store(): Promise<StoreDef> {
    const def = await this.definition();
    if (!def) throw notDefined();
    return def;
  }

  async #chunked(): Promise<{ def: ChunkedDef; grid: Grid }> {
    const def = await this.#store();
    if (def.kind !== "chunked") throw wrongKind(def, "chunked");
    return { def, grid: gridOf(def) };
  }

  async #irregular(kind: "versioned" | "series"): Promise<StoreDef> {
    const def = await this.#store();
    if (def.kind !== kind) throw wrongKind(def, kind);
    return def;
  }

  #write<T>(work: (reads: SeriesReads) => Promise<{ plan: WritePlan; result: T }>) {
    return this.#port.write(this.#clock.now(), work);
  }

  // chunked ---------------------------------------------------------------------------------

  async set(key: SeriesKey, points: Points, mode: SetMode): Promise<SetResult> {
    const { def, grid } = await this.#chunked();
    checkKey(key, def.keys);
    if (def.sync && mode === "create") {
      throw new SeriesError("invalid", "a sync store is written with mode=update or mode=replace, never create");
    }
    const { chunks, offGrid } = toChunks(points, grid);
    if (mode === "create" && offGrid > 0) {
      throw new SeriesError("invalid", `${offGrid} timestamp(s) are off the store's ${def.freq} grid`);
    }
    if (chunks.length === 0) {
      // HoLcStore ignores a series without values; a replace by nothing would silently delete.
      if (mode === "replace") throw new SeriesError("invalid", "replace with no values: DELETE the series instead");
      return { ...NONE, offGrid };
    }
    const kt = keyText(key);
    const r = await this.#write(async (reads) => {
      const span =
        mode === "replace"
          ? ALL
          : { from: (chunks[0] as DenseChunk).chunkIndex, to: (chunks.at(-1) as DenseChunk).chunkIndex };
      const existing = await reads.chunks(kt, span.from, span.to);
      const plan = planSet(
        mode,
        chunks,
        existing.map((c) => ({ chunkIndex: c.chunkIndex, values: c.deleted ? null : decodeChunk(c).values })),
      );
      return { plan: this.#chunkPlan(def, kt, plan.write, existing, plan.tombstone), result: { plan } };
    });
    return { written: r.plan.write.length, removed: r.plan.tombstone.length, offGrid, seq: r.seq };
  }

  /** Writes, and removals: tombstones on a sync store, rows dropped otherwise. */
  #chunkPlan(
    def: ChunkedDef,
    kt: string,
    write: readonly DenseChunk[],
    existing: readonly StoredChunk[],
    remove: readonly number[],
  ): WritePlan {
    const chunks: ChunkWrite[] = write.map((c) => ({
      key: kt,
      chunkIndex: c.chunkIndex,
      startMs: c.startMs,
      dtype: def.dtype,
      data: packValues(c.values, def.dtype),
      deleted: false,
    }));
    if (!def.sync) return { chunks, dropChunks: remove.map((chunkIndex) => ({ key: kt, chunkIndex })) };
    const startOf = new Map(existing.map((c) => [c.chunkIndex, c.startMs]));
    for (const chunkIndex of remove) {
      chunks.push({
        key: kt,
        chunkIndex,
        startMs: startOf.get(chunkIndex) ?? chunkStartMs(gridOf(def), chunkIndex),
        dtype: def.dtype,
        data: EMPTY_FRAME,
        deleted: true,
      });
    }
    return { chunks };
  }

  async setMany(items: readonly { readonly key: SeriesKey; readonly points: Points }[]): Promise<SetResult> {
    const { def, grid } = await this.#chunked();
    if (def.sync)
      throw new SeriesError("invalid", "set_many creates series, and a sync store is never written by create");
    if (items.length > LIMITS.maxSeriesPerRequest) {
      throw new SeriesError("too_large", `at most ${LIMITS.maxSeriesPerRequest} series per request`);
    }
    const seen = new Set<string>();
    const prepared = items.map(({ key, points }) => {
      checkKey(key, def.keys);
      const kt = keyText(key);
      if (seen.has(kt)) throw new SeriesError("invalid", `series ${kt} appears twice`);
      seen.add(kt);
      const { chunks, offGrid } = toChunks(points, grid);
      if (offGrid > 0)
        throw new SeriesError("invalid", `series ${kt}: ${offGrid} timestamp(s) off the ${def.freq} grid`);
      return { kt, chunks };
    });
    const r = await this.#write(async (reads) => {
      const chunks: ChunkWrite[] = [];
      for (const { kt, chunks: incoming } of prepared) {
        if (incoming.length === 0) continue;
        const first = incoming[0] as DenseChunk;
        const last = incoming.at(-1) as DenseChunk;
        const existing = await reads.chunks(kt, first.chunkIndex, last.chunkIndex);
        const plan = planSet(
          "create",
          incoming,
          existing.map((c) => ({ chunkIndex: c.chunkIndex, values: c.deleted ? null : new Float64Array(0) })),
        );
        chunks.push(...(this.#chunkPlan(def, kt, plan.write, existing, []).chunks ?? []));
      }
      return { plan: { chunks }, result: { written: chunks.length } };
    });
    return { written: r.written, removed: 0, offGrid: 0, seq: r.seq };
  }

  async get(key: SeriesKey, startMs?: number, endMs?: number): Promise<Points | null> {
    const { def, grid } = await this.#chunked();
    checkKey(key, def.keys);
    const span = this.#span(grid, startMs, endMs);
    if (span.from > span.to) return null;
    const live = (await this.#port.chunks(keyText(key), span.from, span.to)).filter((c) => !c.deleted);
    if (live.length === 0) return null;
    return fromChunks(live.map(decodeChunk), grid, startMs, endMs);
  }

  #span(grid: Grid, startMs?: number, endMs?: number): { from: number; to: number } {
    if (startMs === undefined && endMs === undefined) return ALL;
    const s = chunkSpan(grid, startMs ?? endMs ?? 0, endMs ?? startMs ?? 0);
    return { from: startMs === undefined ? ALL.from : s.from, to: endMs === undefined ? ALL.to : s.to };
  }

  async scan(
    match: KeyMatch,
    startMs: number | undefined,
    endMs: number | undefined,
    after: string | null,
  ): Promise<SeriesPage> {
    const { grid } = await this.#chunked();
    const span = this.#span(grid, startMs, endMs);
    const items: KeyedPoints[] = [];
    if (span.from > span.to) return { items, next: null };
    // Whole series per page: read chunk pages until the page budget is spent at a series boundary.
    let pos = after === null ? null : { key: after, n: Number.MAX_SAFE_INTEGER };
    let key: string | null = null;
    let chunks: DenseChunk[] = [];
    let taken = 0;
    const flush = () => {
      if (key === null) return;
      const points = fromChunks(chunks, grid, startMs, endMs);
      if (points.index.length > 0) items.push({ key: keyOfText(key), points });
      taken += chunks.length;
      chunks = [];
    };
    for (;;) {
      const page = await this.#port.scanChunks(match, span.from, span.to, pos, LIMITS.scanChunkPage);
      for (const c of page) {
        if (key !== null && key !== c.key) {
          const done: string = key;
          flush();
          // The rest of this storage page is read again by the next call, which starts after `done`.
          if (taken >= LIMITS.scanChunkPage) return { items, next: done };
        }
        key = c.key;
        chunks.push(decodeChunk(c));
      }
      const last = page.at(-1);
      if (page.length < LIMITS.scanChunkPage || !last) {
        flush();
        return { items, next: null };
      }
      pos = { key: last.key, n: last.chunkIndex };
    }
  }

  async maxHorodate(match: KeyMatch): Promise<number | null> {
    const { grid } = await this.#chunked();
    const top = await this.#port.lastChunk(match);
    if (!top) return null;
    // Other series may have a live chunk at the same index: the latest value is among them all.
    let best: number | null = null;
    let pos: { key: string; n: number } | null = null;
    for (;;) {
      const page = await this.#port.scanChunks(match, top.chunkIndex, top.chunkIndex, pos, LIMITS.scanChunkPage);
      for (const c of page) {
        const values = decodeChunk(c).values;
        for (let i = values.length - 1; i >= 0; i--) {
          if (!Number.isNaN(values[i] as number)) {
            const t = timeAt(grid, c.chunkIndex, i);
            if (best === null || t > best) best = t;
            break;
          }
        }
      }
      const last = page.at(-1);
      if (page.length < LIMITS.scanChunkPage || !last) return best;
      pos = { key: last.key, n: last.chunkIndex };
    }
  }

  async delete(match: KeyMatch): Promise<SetResult> {
    const def = await this.#store();
    const keys = await this.#keys(match);
    if (keys.length === 0) return NONE;
    const r = await this.#write(async (reads) => {
      if (def.kind !== "chunked") {
        return { plan: { dropSeries: keys.map((key) => ({ key })) }, result: { written: 0, removed: keys.length } };
      }
      const chunks: ChunkWrite[] = [];
      const dropChunks: { key: string; chunkIndex: number }[] = [];
      for (const kt of keys) {
        const existing = (await reads.chunks(kt, ALL.from, ALL.to)).filter((c) => !c.deleted);
        const plan = this.#chunkPlan(
          def,
          kt,
          [],
          existing,
          existing.map((c) => c.chunkIndex),
        );
        chunks.push(...(plan.chunks ?? []));
        dropChunks.push(...(plan.dropChunks ?? []));
      }
      return { plan: { chunks, dropChunks }, result: { written: 0, removed: chunks.length + dropChunks.length } };
    });
    return { written: 0, removed: r.removed, offGrid: 0, seq: r.seq };
  }

  /** Every key the match selects, refusing a delete wider than one request may make. */
  async #keys(match: KeyMatch): Promise<string[]> {
    const out: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await this.#port.keys(match, after, LIMITS.keyPage);
      out.push(...page);
      if (out.length > LIMITS.maxSeriesPerRequest) {
        throw new SeriesError("too_large", `the filter matches more than ${LIMITS.maxSeriesPerRequest} series`);
      }
      if (page.length < LIMITS.keyPage) return out;
      after = page.at(-1) ?? null;
    }
  }

  // versioned -------------------------------------------------------------------------------

  async setVersioned(key: SeriesKey, points: Points, versioning: boolean): Promise<SetResult> {
    const def = await this.#irregular("versioned");
    checkKey(key, def.keys);
    // HoLcStore ignores a series with no value at all.
    if (!hasValue(points)) return NONE;
    const kt = keyText(key);
    const r = await this.#write(async (reads) => {
      const version = versioning ? (await reads.maxVersion(kt)) + 1 : 0;
      return { plan: { series: [this.#seriesWrite(def, kt, version, points)] }, result: { version } };
    });
    return { written: 1, removed: 0, offGrid: 0, version: r.version, seq: r.seq };
  }

  #seriesWrite(def: StoreDef, kt: string, version: number, p: Points) {
    if (p.index.length > LIMITS.maxPointsPerSeries) {
      throw new SeriesError("too_large", `at most ${LIMITS.maxPointsPerSeries} points per series`);
    }
    return {
      key: kt,
      version,
      count: p.index.length,
      index: packValues(p.index, "float64"),
      values: packValues(p.values, def.dtype),
    };
  }

  async getVersioned(key: SeriesKey, opts: VersionedGet): Promise<KeyedPoints[] | null> {
    const def = await this.#irregular("versioned");
    checkKey(key, def.keys);
    const kt = keyText(key);
    const one = typeof opts.version === "number" ? opts.version : undefined;
    const rows = await this.#port.series(kt, one);
    if (rows.length === 0) return null;
    const decoded = rows.map((r) => ({ row: r, points: decodeSeries(r, def.dtype) }));
    if (opts.version !== undefined) {
      return decoded.map(({ row, points }) => ({
        key,
        version: row.version,
        updatedMs: Math.floor(row.updatedUs / 1000),
        points: window(points, opts.startMs, opts.endMs),
      }));
    }
    const newest = (decoded[0] as { row: StoredSeries }).row;
    const combined = combineVersions(
      decoded.map((d) => d.points),
      opts.combinedDelayMs,
    );
    return [
      {
        key,
        version: newest.version,
        updatedMs: Math.floor(newest.updatedUs / 1000),
        points: window(combined, opts.startMs, opts.endMs),
      },
    ];
  }

  async findHoles(keys: readonly SeriesKey[], startMs: number, endMs: number, freq: string): Promise<Hole[]> {
    const def = await this.#irregular("versioned");
    const holes: Hole[] = [];
    for (const key of keys) {
      const got = await this.getVersioned(key, {});
      const points = got?.[0]?.points ?? { index: new Float64Array(0), values: new Float64Array(0) };
      for (const h of findHoles(points, { startMs, endMs, freq, zone: def.zone })) {
        holes.push({ key, startMs: h.fromMs, endMs: h.toMs });
      }
    }
    return holes;
  }

  async deleteVersion(key: SeriesKey, version?: number): Promise<SetResult> {
    const def = await this.#irregular("versioned");
    checkKey(key, def.keys);
    const kt = keyText(key);
    const r = await this.#write(async (reads) => {
      const n = (await reads.series(kt, version)).length;
      return {
        plan: { dropSeries: [version === undefined ? { key: kt } : { key: kt, version }] },
        result: { removed: n },
      };
    });
    return { written: 0, removed: r.removed, offGrid: 0, seq: r.seq };
  }

  // series ----------------------------------------------------------------------------------

  async setSeries(key: SeriesKey, points: Points, mode: "set" | "update" | "replace"): Promise<SetResult> {
    const def = await this.#irregular("series");
    checkKey(key, def.keys);
    const kt = keyText(key);
    const r = await this.#write(async (reads) => {
      const [existing] = await reads.series(kt, 0);
      if (existing && mode === "set") {
        throw new SeriesError("conflict", `series ${kt} exists: use mode=update or mode=replace`);
      }
      const merged = existing && mode === "update" ? combineFirst(points, decodeSeries(existing, def.dtype)) : points;
      return { plan: { series: [this.#seriesWrite(def, kt, 0, merged)] }, result: {} };
    });
    return { written: 1, removed: 0, offGrid: 0, seq: r.seq };
  }

  async getSeries(match: KeyMatch, after: string | null): Promise<SeriesPage> {
    const def = await this.#irregular("series");
    const rows = await this.#port.scanSeries(
      match,
      false,
      after === null ? null : { key: after, n: -1 },
      LIMITS.seriesPage,
    );
    const items = rows.map((r) => ({
      key: keyOfText(r.key),
      points: decodeSeries(r, def.dtype),
      updatedMs: Math.floor(r.updatedUs / 1000),
    }));
    return { items, next: rows.length < LIMITS.seriesPage ? null : (rows.at(-1)?.key ?? null) };
  }

  // sync ------------------------------------------------------------------------------------

  async #syncStore(): Promise<{ def: ChunkedDef; grid: Grid }> {
    const c = await this.#chunked();
    if (!c.def.sync) throw new SeriesError("invalid", "this store is not a sync store (declare it with sync: true)");
    return c;
  }

  async updates(sinceUs: number, limit: number, offset: number, match: KeyMatch) {
    await this.#syncStore();
    return this.#port.updates(sinceUs, limit, offset, match);
  }

  async pack(refs: readonly { readonly key: string; readonly chunkIndex: number }[]): Promise<StoredChunk[]> {
    await this.#syncStore();
    if (refs.length > LIMITS.maxPack) throw new SeriesError("too_large", `at most ${LIMITS.maxPack} chunks per pack`);
    const out: StoredChunk[] = [];
    for (const r of refs) {
      const c = await this.#port.chunk(r.key, r.chunkIndex);
      if (!c) throw new SeriesError("not_found", `no chunk ${r.chunkIndex} of series ${r.key}`);
      out.push(c);
    }
    return out;
  }

  async feed(after: number, limit: number, match: KeyMatch, withData: boolean) {
    await this.#syncStore();
    // One over the page size lets the route tell whether another page follows.
    return this.#port.feed(after, Math.max(1, Math.min(limit, LIMITS.maxFeedPage + 1)), match, withData);
  }

  async applyPulled(source: string, expect: string | null, next: string, chunks: readonly ChunkWrite[]): Promise<void> {
    const { def, grid } = await this.#chunked();
    for (const c of chunks) this.#checkPulled(def, grid, c);
    await this.#write(async () => ({ plan: { chunks, cursor: { source, expect, next } }, result: {} }));
  }

  /** A pulled chunk must fit this store's grid: the remote's data is checked like a request's. */
  #checkPulled(def: ChunkedDef, grid: Grid, c: ChunkWrite): void {
    checkKey(keyOfText(c.key), def.keys);
    const start = chunkStartMs(grid, c.chunkIndex);
    if (c.startMs !== start) {
      throw new SeriesError(
        "invalid",
        `pulled chunk ${c.chunkIndex} starts at ${c.startMs}, not ${start} as this store's grid does`,
      );
    }
    if (c.deleted) return;
    if (c.dtype !== def.dtype)
      throw new SeriesError("invalid", `pulled chunk dtype ${c.dtype} is not the store's ${def.dtype}`);
    unpackValues(c.data, c.dtype);
  }

  async localUpdatedUs(
    refs: readonly { readonly key: string; readonly chunkIndex: number }[],
  ): Promise<(number | null)[]> {
    if (refs.length > LIMITS.maxPack * 20) throw new SeriesError("too_large", "too many chunks in one lookup");
    const out: (number | null)[] = [];
    for (const r of refs) out.push((await this.#port.chunk(r.key, r.chunkIndex))?.updatedUs ?? null);
    return out;
  }

  // sources ---------------------------------------------------------------------------------

  async sources(): Promise<Source[]> {
    await this.#store();
    return this.#port.sources();
  }

  async putSource(def: SourceDef): Promise<Source> {
    await this.#syncStore();
    return this.#port.putSource(def, this.#clock.now());
  }

  async dropSource(name: string): Promise<boolean> {
    return this.#port.dropSource(name);
  }

  async recordPull(
    name: string,
    outcome: { readonly ok: boolean; readonly error?: string; readonly nextDueMs: number | null },
  ): Promise<Source> {
    const now = this.#clock.now();
    await this.#port.recordPull(name, {
      atMs: now,
      nextDueMs: outcome.nextDueMs,
      ...(outcome.ok ? { okMs: now } : { error: outcome.error ?? "failed" }),
    });
    const s = (await this.#port.sources()).find((x) => x.name === name);
    if (!s) throw new SeriesError("not_found", `no source ${name}`);
    return s;
  }
}
