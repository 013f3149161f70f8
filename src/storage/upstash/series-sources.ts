/**
 * Sync sources of a series store on Redis: each source's JSON (definition and state) under
 * `src:<name>`, and the names in `sources` (by name, byte order, as Postgres's COLLATE "C").
 * Adding or removing a source bumps the store's `meta` revision, so a drop (which deletes the
 * sources it read) cannot miss one added meanwhile; a pull's outcome only rewrites its own key.
 */
import { StoreError } from "../errors.ts";
import { checkSource, dueAfterPut } from "../rules/series-plan.ts";
import type { Source, SourceDef, SourceState } from "../series-port.ts";
import type { Upstash } from "./client.ts";
import { optimistic, Program } from "./program.ts";
import type { SeriesKeys } from "./series-keys.ts";
import { overRuns, redisCall } from "./series-load.ts";
import { metaText, parseMeta } from "./series-meta.ts";

/** A source in the port's shape, optional members present only when set (as the contract compares). */
function sourceOf(def: SourceDef, state: SourceState): Source {
  return {
    name: def.name,
    url: def.url,
    protocol: def.protocol,
    ...(def.tokenSecret === undefined ? {} : { tokenSecret: def.tokenSecret }),
    filters: { ...(def.filters ?? {}) },
    everySeconds: def.everySeconds,
    ...(def.pageSize === undefined ? {} : { pageSize: def.pageSize }),
    ...(def.batch === undefined ? {} : { batch: def.batch }),
    state: {
      cursor: state.cursor,
      lastSuccessMs: state.lastSuccessMs,
      lastErrorMs: state.lastErrorMs,
      lastError: state.lastError,
      failures: state.failures,
      nextDueMs: state.nextDueMs,
    },
  };
}

export const parseSource = (text: string): Source => JSON.parse(text) as Source;
export const sourceText = (s: Source): string => JSON.stringify(s);

/** Expectation of a key read as `text` (null: absent). */
export const as = (text: string | null): { absent: true } | { text: string } =>
  text === null ? { absent: true } : { text };

function notDefined(): StoreError {
  return new StoreError("not_found", "The store is not defined");
}

function noSource(name: string): StoreError {
  return new StoreError("not_found", `No source ${name} in this store`);
}

export async function listSources(u: Upstash, k: SeriesKeys): Promise<Source[]> {
  const names = await redisCall<string[]>(u, ["ZRANGE", k.sources, "-", "+", "BYLEX"]);
  if (names.length === 0) return [];
  const texts = await overRuns<string | null>(
    u,
    ["MGET"],
    names.map((n) => k.source(n)),
  );
  return texts.filter((t): t is string => t !== null).map(parseSource);
}

/** Adds or redefines a source, keeping its state; only while the store is defined. */
export async function putSource(u: Upstash, k: SeriesKeys, def: SourceDef, nowMs: number): Promise<Source> {
  checkSource(def);
  return optimistic(u, async () => {
    const [meta, defText, old] = await redisCall<(string | null)[]>(u, ["MGET", k.meta, k.def, k.source(def.name)]);
    if (defText === null || defText === undefined) throw notDefined();
    const was = old ? parseSource(old) : null;
    const state: SourceState = {
      cursor: was?.state.cursor ?? null,
      lastSuccessMs: was?.state.lastSuccessMs ?? null,
      lastErrorMs: was?.state.lastErrorMs ?? null,
      lastError: was?.state.lastError ?? null,
      failures: was?.state.failures ?? 0,
      nextDueMs: dueAfterPut(def, was ? was.state.nextDueMs : null, nowMs),
    };
    const source = sourceOf(def, state);
    const m = parseMeta(meta ?? null);
    const program = new Program()
      .expect(k.meta, as(meta ?? null))
      .expect(k.def, { text: defText })
      .expect(k.source(def.name), as(old ?? null))
      .set(k.source(def.name), sourceText(source))
      .zadd(k.sources, [[0, def.name]])
      .set(k.meta, metaText({ ...m, rev: m.rev + 1 }));
    return { program, answer: () => source };
  });
}

export function dropSource(u: Upstash, k: SeriesKeys, name: string): Promise<boolean> {
  return optimistic(u, async () => {
    const [meta, old] = await redisCall<(string | null)[]>(u, ["MGET", k.meta, k.source(name)]);
    const program = new Program();
    if (old === null || old === undefined) return { program, answer: () => false };
    const m = parseMeta(meta ?? null);
    program
      .expect(k.meta, as(meta ?? null))
      .expect(k.source(name), { text: old })
      .del(k.source(name))
      .zrem(k.sources, [name])
      .set(k.meta, metaText({ ...m, rev: m.rev + 1 }));
    return { program, answer: () => true };
  });
}

export interface PullOutcome {
  readonly okMs?: number;
  readonly error?: string;
  readonly atMs: number;
  readonly nextDueMs: number | null;
}

/** A failure counts up and keeps its message; a success resets the count (the last error stays). */
export async function recordPull(u: Upstash, k: SeriesKeys, name: string, o: PullOutcome): Promise<void> {
  await optimistic(u, async () => {
    const old = await redisCall<string | null>(u, ["GET", k.source(name)]);
    if (old === null) throw noSource(name);
    const s = parseSource(old);
    const state: SourceState =
      o.error !== undefined
        ? {
            ...s.state,
            lastErrorMs: o.atMs,
            lastError: o.error,
            failures: s.state.failures + 1,
            nextDueMs: o.nextDueMs,
          }
        : { ...s.state, lastSuccessMs: o.okMs ?? o.atMs, failures: 0, nextDueMs: o.nextDueMs };
    const program = new Program()
      .expect(k.source(name), { text: old })
      .set(k.source(name), sourceText({ ...s, state }));
    return { program, answer: () => undefined };
  });
}

/**
 * Adds to a commit's program the move of a source's cursor from `expect` to `next`, guarded by the
 * source's text as read. A cursor already elsewhere is the plan's own `conflict`, thrown at once
 * (another pull got there first: retrying cannot help); a change of the source since the read
 * fails the program's check and the commit is planned again.
 */
export async function moveCursor(
  u: Upstash,
  k: SeriesKeys,
  p: Program,
  c: { readonly source: string; readonly expect: string | null; readonly next: string },
): Promise<void> {
  const text = await redisCall<string | null>(u, ["GET", k.source(c.source)]);
  if (text === null) throw noSource(c.source);
  const s = parseSource(text);
  if (s.state.cursor !== c.expect) {
    throw new StoreError(
      "conflict",
      `The cursor of source ${c.source} moved since this pull started: another pull got there first`,
    );
  }
  p.expect(k.source(c.source), { text }).set(
    k.source(c.source),
    sourceText({ ...s, state: { ...s.state, cursor: c.next } }),
  );
}
