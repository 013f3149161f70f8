/**
 * What the series face answers, typed for the view, and the calls that fetch it. A store cannot
 * list its series directly, so each kind is listed its own way: a chunked store through its
 * native sync feed (`data=ref`: keys and chunk positions, no values), a series store through a
 * scan (which sends values too, so it is read as a stream and cut off), a versioned store not at
 * all (its keys are typed in).
 */
import { json } from "../../app/api.ts";
import { streamNdjson } from "../common/ndjson.ts";

export type StoreKind = "chunked" | "versioned" | "series";

export interface StoreDefinition {
  readonly kind: StoreKind;
  /** Key name -> type (`str`, `int`, `date`, `bool`), in the store's key order. */
  readonly keys: Readonly<Record<string, string>>;
  readonly zone?: string;
  readonly dtype?: string;
  readonly freq?: string;
  readonly chunkAxis?: string;
  readonly sync?: boolean;
}

export interface StoreInfo {
  readonly name: string;
  readonly definition: StoreDefinition;
}

export type SeriesKeys = Readonly<Record<string, string>>;

export interface FoundSeries {
  readonly keys: SeriesKeys;
  /** What the listing could tell about its size: chunks (chunked) or points (series). */
  readonly size: string;
}

export interface SeriesListing {
  readonly series: readonly FoundSeries[];
  /** Why the list is empty or short, when it is. */
  readonly note?: string;
}

export const storeBase = (project: string, store: string) =>
  `/ts/${encodeURIComponent(project)}/${encodeURIComponent(store)}`;

export async function listStores(project: string, signal: AbortSignal): Promise<StoreInfo[]> {
  const { stores } = await json<{ stores: string[] }>(`/ts/${encodeURIComponent(project)}`, { signal });
  // A handful of stores per project: their definitions in parallel.
  return Promise.all(
    stores.map(async (name) => {
      const d = await json<{ definition: StoreDefinition }>(storeBase(project, name), { signal });
      return { name, definition: d.definition };
    }),
  );
}

/** Feed pages read at most to list a chunked store (1,000 chunks a page). */
const MAX_FEED_PAGES = 20;
/** Series read at most from a series store's scan. */
const MAX_SCANNED = 2_000;

export async function listSeries(project: string, store: StoreInfo, signal: AbortSignal): Promise<SeriesListing> {
  const base = storeBase(project, store.name);
  if (store.definition.kind === "versioned") {
    return { series: [], note: "A versioned store cannot list its series: enter the keys below." };
  }
  if (store.definition.kind === "chunked") return listChunked(base, signal);
  const series: FoundSeries[] = [];
  const { stopped } = await streamNdjson(
    `${base}/scan?format=ndjson`,
    (line) => {
      const l = line as { keys?: Record<string, unknown>; index?: unknown[] };
      if (l.keys) series.push({ keys: keyStrings(l.keys), size: `${(l.index ?? []).length} points` });
      return series.length < MAX_SCANNED;
    },
    { signal },
  );
  return { series, ...(stopped ? { note: `Only the first ${MAX_SCANNED} series are listed.` } : {}) };
}

interface FeedPage {
  readonly last: number;
  readonly more: boolean;
  readonly items: readonly { attrs: Record<string, unknown>; chunk_index: number; is_deleted: boolean }[];
}

async function listChunked(base: string, signal: AbortSignal): Promise<SeriesListing> {
  const chunks = new Map<string, { keys: SeriesKeys; live: Set<number> }>();
  let after = 0;
  for (let page = 0; page < MAX_FEED_PAGES; page++) {
    const p = await json<FeedPage>(`${base}/feed/?data=ref&limit=1000&after=${after}`, { signal });
    for (const it of p.items) {
      const keys = keyStrings(it.attrs);
      const id = JSON.stringify(keys);
      const entry = chunks.get(id) ?? { keys, live: new Set<number>() };
      if (it.is_deleted) entry.live.delete(it.chunk_index);
      else entry.live.add(it.chunk_index);
      chunks.set(id, entry);
    }
    if (!p.more) {
      return {
        series: [...chunks.values()].map((c) => ({ keys: c.keys, size: `${c.live.size} chunks` })),
      };
    }
    after = p.last;
  }
  return {
    series: [...chunks.values()].map((c) => ({ keys: c.keys, size: `${c.live.size}+ chunks` })),
    note: `Listed from the first ${MAX_FEED_PAGES * 1000} chunks only.`,
  };
}

function keyStrings(o: Record<string, unknown>): SeriesKeys {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
}

/** The last instant with a value (chunked stores only answer it), epoch ms. */
export async function lastInstant(
  project: string,
  store: StoreInfo,
  keys: SeriesKeys,
  signal: AbortSignal,
): Promise<number | undefined> {
  if (store.definition.kind !== "chunked") return undefined;
  const q = new URLSearchParams(keys);
  const r = await json<{ ms: number | null }>(`${storeBase(project, store.name)}/last?${q}`, { signal });
  return r.ms ?? undefined;
}
