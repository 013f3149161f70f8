/**
 * A store's definition as a request states it, checked and completed with the defaults
 * (zone Europe/Paris, dtype float64; chunked: month chunks, sync off). Storage compares it with a
 * stored one: a definition is frozen once made, so any difference is a conflict.
 */
import { z } from "zod";
import { isKnownZone } from "../series/calendar.ts";
import { SeriesError } from "../series/errors.ts";
import { parseFreq } from "../series/freq.ts";
import type { KeyDecl, StoreDef } from "../series/model.ts";

/** Query parameters the routes use for themselves, so no key may be named so. */
export const RESERVED_PARAMS = [
  "start",
  "end",
  "limit",
  "offset",
  "since",
  "after",
  "format",
  "shape",
  "mode",
  "flat",
  "data",
  "versioning",
  "combined_delay",
  "step",
  "chunk_index",
] as const;

export const MAX_KEYS = 8;
const KEY_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const keyType = z.enum(["int", "str", "date", "bool"]);

export const StoreDefInput = z
  .object({
    kind: z.enum(["versioned", "series", "chunked"]),
    /** `{"version": "int", "kind": "str"}` (declaration order) or `[{"name", "type"}]`. */
    keys: z
      .union([z.record(z.string(), keyType), z.array(z.object({ name: z.string(), type: keyType }).strict())])
      .optional(),
    zone: z.string().max(64).optional(),
    dtype: z.enum(["float64", "float32", "int64"]).optional(),
    chunkAxis: z.enum(["year", "year,month"]).optional(),
    freq: z.string().max(16).optional(),
    sync: z.boolean().optional(),
  })
  .strict();
export type StoreDefInput = z.infer<typeof StoreDefInput>;

/** HoLcStore's Store: curves by (prm, client_id). */
const VERSIONED_KEYS: readonly KeyDecl[] = [
  { name: "prm", type: "str" },
  { name: "client_id", type: "int" },
];

function keysOf(input: StoreDefInput): KeyDecl[] {
  const raw = input.keys;
  if (raw === undefined) {
    if (input.kind === "versioned") return [...VERSIONED_KEYS];
    throw new SeriesError("invalid", 'a series or chunked store declares its keys, e.g. {"kind": "str"}');
  }
  const keys = Array.isArray(raw) ? raw : Object.entries(raw).map(([name, type]) => ({ name, type }));
  if (keys.length === 0 || keys.length > MAX_KEYS)
    throw new SeriesError("invalid", `a store has 1 to ${MAX_KEYS} keys`);
  const seen = new Set<string>();
  for (const k of keys) {
    if (!KEY_NAME.test(k.name))
      throw new SeriesError("invalid", `key name ${JSON.stringify(k.name)} is not an identifier`);
    if ((RESERVED_PARAMS as readonly string[]).includes(k.name)) {
      throw new SeriesError("invalid", `key name ${k.name} is reserved for a query parameter`);
    }
    if (input.kind === "versioned" && k.name === "version") {
      throw new SeriesError("invalid", "a versioned store numbers its versions itself: no key may be named version");
    }
    if (seen.has(k.name)) throw new SeriesError("invalid", `key ${k.name} is declared twice`);
    seen.add(k.name);
  }
  return keys;
}

/** The complete definition a request asks for, or `invalid` saying what is wrong. */
export function normaliseDefinition(input: StoreDefInput): StoreDef {
  const keys = keysOf(input);
  const zone = input.zone ?? "Europe/Paris";
  if (!isKnownZone(zone)) throw new SeriesError("invalid", `unknown time zone ${JSON.stringify(zone)} (an IANA name)`);
  const dtype = input.dtype ?? "float64";
  if (input.kind !== "chunked") {
    for (const f of ["chunkAxis", "freq", "sync"] as const) {
      if (input[f] !== undefined) throw new SeriesError("invalid", `${f} applies to chunked stores only`);
    }
    return { kind: input.kind, keys, zone, dtype };
  }
  if (input.freq === undefined) throw new SeriesError("invalid", 'a chunked store declares its freq, e.g. "1h"');
  return {
    kind: "chunked",
    keys,
    zone,
    dtype,
    chunkAxis: input.chunkAxis ?? "year,month",
    freq: parseFreq(input.freq).text,
    sync: input.sync ?? false,
  };
}

/** A definition as responses show it (keys as an ordered object, as requests may give them). */
export function definitionJson(def: StoreDef): Record<string, unknown> {
  const keys = Object.fromEntries(def.keys.map((k) => [k.name, k.type]));
  return { ...def, keys };
}
