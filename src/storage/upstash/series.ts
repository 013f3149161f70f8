/**
 * The series port (series-port.ts) on Upstash Redis: one store of one project, every key under
 * its hash-tagged base (keys.ts seriesBase; layout in series-keys.ts). Reads walk the indexes in
 * bounded pages (series-read.ts); a write is an optimistic program guarded by the store's `meta`
 * (series-write.ts); sources and drops in series-sources.ts and series-drop.ts.
 */
import type { StoreDef } from "../../series/model.ts";
import { StoreError } from "../errors.ts";
import { defText } from "../rules/series-plan.ts";
import type { Committed, SeriesPort, SeriesReads, Source, SourceDef, WritePlan } from "../series-port.ts";
import type { Upstash } from "./client.ts";
import { seriesBase } from "./keys.ts";
import { MAX_ATTEMPTS, Program } from "./program.ts";
import { dropStore } from "./series-drop.ts";
import { type SeriesKeys, seriesKeys } from "./series-keys.ts";
import { redisCall } from "./series-load.ts";
import { UpstashSeriesReads } from "./series-read.ts";
import { dropSource, listSources, type PullOutcome, putSource, recordPull } from "./series-sources.ts";
import { commitWrite } from "./series-write.ts";

export function upstashSeriesPort(u: Upstash, project: string, store: string): SeriesPort {
  return new UpstashSeries(u, seriesKeys(seriesBase(u.target.keyPrefix, project, store)));
}

class UpstashSeries extends UpstashSeriesReads implements SeriesPort {
  /** What a write's work may see: the reads, and nothing that writes. */
  readonly #reads: SeriesReads;

  constructor(u: Upstash, k: SeriesKeys) {
    super(u, k);
    this.#reads = {
      chunks: (key, from, to) => this.chunks(key, from, to),
      hasSeries: (key) => this.hasSeries(key),
      series: (key, version) => this.series(key, version),
      maxVersion: (key) => this.maxVersion(key),
    };
  }

  async definition(): Promise<StoreDef | null> {
    const text = await redisCall<string | null>(this.u, ["GET", this.k.def]);
    return text === null ? null : (JSON.parse(text) as StoreDef);
  }

  async define(def: StoreDef, _nowMs: number): Promise<boolean> {
    const text = defText(def);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const have = await redisCall<string | null>(this.u, ["GET", this.k.def]);
      if (have === text) return false;
      if (have !== null) {
        throw new StoreError("conflict", "The store is already defined otherwise: a definition is frozen");
      }
      const r = await new Program().expect(this.k.def, { absent: true }).set(this.k.def, text).run(this.u);
      if (r.ok) return true;
    }
    throw new StoreError("conflict", "The store's definition kept changing: retry");
  }

  drop(): Promise<void> {
    return dropStore(this.u, this.k);
  }

  write<T>(
    nowMs: number,
    work: (reads: SeriesReads) => Promise<{ plan: WritePlan; result: T }>,
  ): Promise<T & Committed> {
    return commitWrite(this.u, this.k, this.#reads, nowMs, work);
  }

  sources(): Promise<Source[]> {
    return listSources(this.u, this.k);
  }

  putSource(def: SourceDef, nowMs: number): Promise<Source> {
    return putSource(this.u, this.k, def, nowMs);
  }

  dropSource(name: string): Promise<boolean> {
    return dropSource(this.u, this.k, name);
  }

  recordPull(name: string, outcome: PullOutcome): Promise<void> {
    return recordPull(this.u, this.k, name, outcome);
  }
}
