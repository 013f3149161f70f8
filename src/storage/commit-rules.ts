/**
 * The rules of a commit that hold on every backend: which rows an op accepts, how ids are made,
 * how `mod` is checked and advanced, and how an update's tags merge.
 */
import { HDateTime, HDict, HRef, type HVal, isRef, REMOVE } from "../haystack/kinds/index.ts";
import { StoreError } from "./errors.ts";
import { randomHex } from "./ids.ts";
import type { CommitRequest } from "./ports.ts";

export function idOf(d: HDict): string {
  const id = d.get("id");
  return isRef(id) ? id.id : "";
}

export function requireId(row: HDict): string {
  const id = row.get("id");
  if (!isRef(id)) throw new StoreError("invalid", "Every commit row needs an id Ref");
  return id.id;
}

export function checkDistinct(req: CommitRequest): void {
  const seen = new Set<string>();
  for (const row of req.rows) {
    const id = row.get("id");
    if (!isRef(id)) continue;
    if (seen.has(id.id)) throw new StoreError("invalid", `@${id.id} appears twice in one commit`);
    seen.add(id.id);
  }
}

/** A fresh id in haxall's `Ref.gen` shape: 8 hex digits, a dash, 8 hex digits. */
export function genId(): string {
  return `${randomHex(4)}-${randomHex(4)}`;
}

/** The id an added row gets: its own (refused when taken) or a fresh one. */
export function addId(row: HDict, exists: (id: string) => boolean): string {
  const given = row.get("id");
  if (given === undefined) {
    let id = genId();
    while (exists(id)) id = genId();
    return id;
  }
  if (!isRef(given)) throw new StoreError("invalid", "id must be a Ref");
  if (exists(given.id)) throw new StoreError("duplicate", `@${given.id} already exists`);
  return given.id;
}

export function withoutRemoves(row: HDict, id: string): Record<string, HVal> {
  const tags: Record<string, HVal> = {};
  for (const [k, v] of row.entries()) {
    if (v === REMOVE) throw new StoreError("invalid", `add of @${id} cannot remove tag ${k}`);
    if (k !== "mod") tags[k] = v;
  }
  return tags;
}

export function checkMod(row: HDict, old: HDict, id: string): void {
  const given = row.get("mod");
  const stored = old.get("mod");
  if (!(given instanceof HDateTime)) throw new StoreError("invalid", `@${id}: mod (a DateTime) is required`);
  if (!(stored instanceof HDateTime) || stored.ms !== given.ms) {
    throw new StoreError("conflict", `@${id} was changed by someone else (stale mod)`);
  }
}

export function applyDiff(old: HDict, row: HDict): HDict {
  const changes: Record<string, HVal | undefined> = {};
  for (const [k, v] of row.entries()) {
    if (k === "id" || k === "mod") continue;
    changes[k] = v === REMOVE ? undefined : v;
  }
  return old.merge(changes);
}

/** A new mod strictly after the old one, so two commits in one millisecond still differ. */
export function nextMod(old: HDict, nowMs: number): number {
  const prev = old.get("mod");
  return prev instanceof HDateTime && prev.ms >= nowMs ? prev.ms + 1 : nowMs;
}

/** The record with `id` first and a fresh `mod` last, as haxall lays records out. */
export function stamp(rec: HDict, id: string, modMs: number): HDict {
  return HDict.of({ id: new HRef(id), ...rec.toObject(), mod: HDateTime.of(modMs, "UTC") });
}
