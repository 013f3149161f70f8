/** What the frames face answers, typed for the view, and the calls that fetch it. */
import { json } from "../../app/api.ts";

export interface Collection {
  readonly name: string;
  readonly createdMs: number;
  readonly rules: readonly { readonly id: string; readonly kind: string; readonly [k: string]: unknown }[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface ItemSummary {
  readonly name: string;
  readonly version: number;
  readonly updatedMs: number;
  readonly strategy: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface Field {
  readonly name: string;
  readonly dtype: string;
  readonly nullable: boolean;
}

export interface ItemInfo {
  readonly name: string;
  readonly version: number;
  readonly op: string;
  readonly createdMs: number;
  readonly rows: number;
  readonly schema: {
    readonly index: { readonly kind: string; readonly name: string };
    readonly fields: readonly Field[];
  };
  readonly zone?: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly strategy: string;
  readonly segments: number;
  readonly bytes: number;
}

export interface Version {
  readonly version: number;
  readonly createdMs: number;
  readonly op: string;
  readonly rows: number;
  readonly snapshots?: readonly string[];
}

export interface Snapshot {
  readonly name: string;
  readonly createdMs: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly items: number;
}

/** A read in `shape=columnar`: the index and one array per column. */
export interface Columnar {
  readonly index: readonly (string | number)[];
  readonly columns: Readonly<Record<string, readonly unknown[]>>;
}

const enc = encodeURIComponent;
export const collectionBase = (p: string, c: string) => `/frames/${enc(p)}/${enc(c)}`;
export const itemBase = (p: string, c: string, i: string) => `${collectionBase(p, c)}/items/${enc(i)}`;

/** Pages followed at most when listing (a page is up to the face's maximum). */
const MAX_PAGES = 20;

async function paged<T>(
  first: string,
  pick: (body: Record<string, unknown>) => readonly T[],
  nameOf: (t: T) => string,
  signal: AbortSignal,
): Promise<T[]> {
  const all: T[] = [];
  let after: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const sep = first.includes("?") ? "&" : "?";
    const url: string = after === null ? first : `${first}${sep}after=${enc(after)}`;
    const body: Record<string, unknown> & { next: string | null } = await json<
      Record<string, unknown> & { next: string | null }
    >(url, { signal });
    const got = pick(body);
    all.push(...got);
    if (body.next === null || got.length === 0) break;
    after = body.next ?? nameOf(got[got.length - 1] as T);
  }
  return all;
}

export const listCollections = (p: string, signal: AbortSignal) =>
  paged<string>(
    `/frames/${enc(p)}`,
    (b) => b.collections as string[],
    (n) => n,
    signal,
  );

export const getCollection = (p: string, c: string, signal: AbortSignal) =>
  json<Collection>(collectionBase(p, c), { signal });

export const listItems = (p: string, c: string, signal: AbortSignal) =>
  paged<ItemSummary>(
    `${collectionBase(p, c)}/items`,
    (b) => b.items as ItemSummary[],
    (i) => i.name,
    signal,
  );

export const listSnapshots = async (p: string, c: string, signal: AbortSignal) =>
  (await json<{ snapshots: Snapshot[] }>(`${collectionBase(p, c)}/snapshots`, { signal })).snapshots;

export const itemInfo = (p: string, c: string, i: string, signal: AbortSignal) =>
  json<ItemInfo>(`${itemBase(p, c, i)}/info`, { signal });

export const itemVersions = async (p: string, c: string, i: string, signal: AbortSignal) =>
  (await json<{ versions: Version[] }>(`${itemBase(p, c, i)}/versions`, { signal })).versions;

/** The first `rows` rows, columnar (one JSON answer: small enough at a head of a few thousand). */
export const itemHead = (p: string, c: string, i: string, rows: number, signal: AbortSignal) =>
  json<Columnar>(`${itemBase(p, c, i)}?head=${rows}&shape=columnar&format=json`, { signal });
