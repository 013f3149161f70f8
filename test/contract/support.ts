/** Shared pieces of the storage contract suite: records, points and readers every part uses. */
import { HaystackError } from "../../src/haystack/errors.ts";
import { HDateTime, HDict, HRef, type HVal, MARKER } from "../../src/haystack/kinds/index.ts";
import { StoreError } from "../../src/storage/errors.ts";
import { type HisValue, hisValueAt } from "../../src/storage/his-page.ts";
import type { ProjectStore } from "../../src/storage/ports.ts";

/** Registers one case; the runner gives it a fresh, empty project. */
export type Case = (title: string, fn: (s: ProjectStore) => Promise<void>) => void;

export const T0 = Date.UTC(2024, 0, 1);
export const MIN = 60_000;
/** Far enough to hold every test timestamp. */
export const END_OF_TIME = 8.64e15;

/** The code of the StoreError or HaystackError `p` rejects with, or "no error". */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StoreError || e instanceof HaystackError) return e.code;
    throw e;
  }
  return "no error";
}

/** The message of the StoreError or HaystackError `p` rejects with, or "no error". */
export async function messageOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StoreError || e instanceof HaystackError) return e.message;
    throw e;
  }
  return "no error";
}

export function rec(id: string, tags: Record<string, HVal | undefined> = {}): HDict {
  return HDict.of({ id: new HRef(id), ...tags });
}

/** A writable Number his point. */
export function point(id: string, extra: Record<string, HVal | undefined> = {}): HDict {
  return rec(id, {
    point: MARKER,
    his: MARKER,
    writable: MARKER,
    kind: "Number",
    unit: "kW",
    tz: "New_York",
    ...extra,
  });
}

export async function add(s: ProjectStore, rows: HDict[], nowMs = T0): Promise<readonly HDict[]> {
  return s.entities.commit({ op: "add", rows, nowMs });
}

export async function one(s: ProjectStore, id: string): Promise<HDict | undefined> {
  return (await s.entities.readByIds([id]))[0];
}

export async function readAll(
  s: ProjectStore,
  id: string,
  start = 0,
  end = END_OF_TIME,
): Promise<[number, HisValue][]> {
  const out: [number, HisValue][] = [];
  for await (const p of s.history.read(id, { start, end })) {
    for (let i = 0; i < p.count; i++) out.push([p.ts[i] as number, hisValueAt(p, i)]);
  }
  return out;
}

export function ids(rows: readonly (HDict | undefined)[]): (string | undefined)[] {
  return rows.map((r) => (r?.get("id") as HRef | undefined)?.id);
}

export function modOf(r: HDict | undefined): HDateTime {
  const m = r?.get("mod");
  if (!(m instanceof HDateTime)) throw new Error("no mod");
  return m;
}
