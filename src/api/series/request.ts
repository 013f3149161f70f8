/**
 * What series routes read from a request: the store's keys from query parameters, instants in
 * the store's zone, the set mode, and bodies in any supported format within the limits.
 */
import type { Context } from "hono";
import { SeriesError } from "../../series/errors.ts";
import { parseInstant } from "../../series/instants.ts";
import type { KeyMatch, Points, SeriesKey, StoreDef } from "../../series/model.ts";
import { normalisePoints } from "../../series/versions.ts";
import { fullKey, parseKeyValue, partialKey } from "../../timeseries/keys.ts";
import { readBytes } from "../body.ts";
import type { AppEnv } from "../context.ts";
import { HttpError } from "../errors/index.ts";
import { type BodyLimits, inputFormat, type ManyItem, readManySeries, readPoints } from "./bodies/index.ts";

export type Ctx = Context<AppEnv>;

/** Most points one request body may carry, and most series. */
export const MAX_BODY_POINTS = 5_000_000;
export const MAX_BODY_SERIES = 10_000;

function one(c: Ctx, name: string): string | undefined {
  const all = c.req.queries(name);
  if (all === undefined || all.length === 0) return undefined;
  if (all.length > 1) throw new SeriesError("invalid", `query parameter ${name} is given ${all.length} times`);
  return all[0];
}

export function queryKey(c: Ctx, def: StoreDef): SeriesKey {
  return fullKey((n) => one(c, n), def.keys);
}

export function queryMatch(c: Ctx, def: StoreDef): KeyMatch {
  return partialKey((n) => one(c, n), def.keys);
}

/** Every full key the query names, each key parameter possibly repeated (get_many over several prms). */
export function queryKeys(c: Ctx, def: StoreDef, max: number): SeriesKey[] {
  let keys: SeriesKey[] = [[]];
  for (const d of def.keys) {
    const values = c.req.queries(d.name);
    if (!values || values.length === 0) throw new SeriesError("invalid", `missing key ${d.name}`);
    const parsed = values.map((v) => parseKeyValue(v, d));
    keys = keys.flatMap((k) => parsed.map((v) => [...k, v] as SeriesKey));
    if (keys.length > max) throw new SeriesError("too_large", `the query names more than ${max} series`);
  }
  return keys;
}

export function instant(c: Ctx, name: string, def: StoreDef): number | undefined {
  const text = one(c, name);
  if (text === undefined || text === "") return undefined;
  return parseInstant(/^-?\d+$/.test(text) ? Number(text) : text, def.zone);
}

export function flag(c: Ctx, name: string): boolean {
  const v = one(c, name);
  if (v === undefined) return false;
  if (v === "true" || v === "1" || v === "") return true;
  if (v === "false" || v === "0") return false;
  throw new SeriesError("invalid", `${name} must be true or false`);
}

export function param(c: Ctx, name: string): string | undefined {
  return one(c, name);
}

/** `mode=...`, or HoLcStore's flags `update=true` / `replace=true` (both at once is an error). */
export function setMode<M extends string>(c: Ctx, modes: readonly M[], fallback: M): M {
  const update = flag(c, "update");
  const replace = flag(c, "replace");
  const mode = one(c, "mode");
  if (update && replace) throw new SeriesError("invalid", "update and replace cannot both be set");
  if (mode !== undefined && (update || replace)) throw new SeriesError("invalid", "give mode or a flag, not both");
  const chosen = mode ?? (update ? "update" : replace ? "replace" : fallback);
  if (!(modes as readonly string[]).includes(chosen)) {
    throw new SeriesError("invalid", `mode must be one of ${modes.join(", ")}`);
  }
  return chosen as M;
}

async function body(c: Ctx): Promise<{ bytes: Uint8Array; format: NonNullable<ReturnType<typeof inputFormat>> }> {
  const format = inputFormat(c.req.header("content-type"));
  if (!format) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      "send application/json, application/x-ndjson, text/csv or Arrow IPC",
    );
  }
  return { bytes: await readBytes(c.req.raw, c.var.config.maxBodyBytes), format };
}

function limits(c: Ctx): BodyLimits {
  return { maxBytes: c.var.config.maxBodyBytes, maxPoints: MAX_BODY_POINTS, maxSeries: MAX_BODY_SERIES };
}

/** One series from the body, sorted, duplicate instants refused. */
export async function bodyPoints(c: Ctx, def: StoreDef): Promise<Points> {
  const { bytes, format } = await body(c);
  const p = readPoints(bytes, format, def.zone, limits(c));
  return normalisePoints(p.index, p.values);
}

/** Several series from the body (set_many). */
export async function bodySeries(c: Ctx, def: StoreDef): Promise<ManyItem[]> {
  const { bytes, format } = await body(c);
  return readManySeries(bytes, format, def.zone, def.keys, limits(c)).map((item) => ({
    ...item,
    points: normalisePoints(item.points.index, item.points.values),
  }));
}
