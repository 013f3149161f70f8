/**
 * The Haystack error style (HttpApi.fandoc #errorGrid): every failure on `/api/...` is an error
 * grid with meta `err`, `dis` and our stable `errCode`. Before the request grid has been read a
 * failure keeps its HTTP status; once an op runs, failures are HTTP 200 error grids, except a
 * backend that cannot be reached (503), so clients and proxies can retry.
 */
import { ConfigError } from "../../config.ts";
import { CSV, TRIO, ZINC } from "../../haystack/codec/formats.ts";
import type { Format } from "../../haystack/codec/types.ts";
import { HaystackError } from "../../haystack/errors.ts";
import { HDict, HGrid, MARKER } from "../../haystack/kinds/index.ts";
import { StoreError } from "../../storage/errors.ts";
import { HttpError } from "./http-error.ts";

export interface ErrorInfo {
  readonly code: string;
  readonly dis: string;
  readonly trace?: string;
}

/** Whether the request grid had been read when the failure happened. */
export type Phase = "request" | "op";

export interface GridFailure {
  readonly info: ErrorInfo;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Not the caller's doing: worth a log line. */
  readonly unexpected: boolean;
}

/** Maps any thrown value to an error grid's content and status, for the whole Haystack face. */
export function gridFailure(err: unknown, phase: Phase, withTrace: boolean): GridFailure {
  const trace = withTrace && err instanceof Error ? { trace: err.stack ?? String(err) } : {};
  const fail = (code: string, dis: string, status: number, unexpected = false, headers = {}): GridFailure => ({
    info: { code, dis, ...trace },
    status,
    headers,
    unexpected,
  });
  if (err instanceof HttpError) return fail(err.code, err.message, err.status, err.status >= 500, err.headers);
  if (err instanceof HaystackError) return fail(err.code, err.message, phase === "request" ? 400 : 200);
  if (err instanceof StoreError) {
    const down = err.code === "unavailable";
    return fail(err.code, err.message, down ? 503 : 200, down);
  }
  // A bad deployment is the operator's to fix and its message holds no secret: say it plainly.
  if (err instanceof ConfigError) return fail(err.code, err.message, 500, true);
  return fail("internal", "Internal error", phase === "request" ? 500 : 200, true);
}

/** An error grid: meta `err`, `dis`, our stable `errCode`, `errTrace` when configured; no rows. */
export function errorGrid(e: ErrorInfo): HGrid {
  return HGrid.empty(HDict.of({ err: MARKER, dis: e.dis, errCode: e.code, errTrace: e.trace }));
}

/** CSV and Trio cannot carry grid meta, so an error grid asked for in either is sent as Zinc. */
export function errorGridResponse(
  format: Format | undefined,
  f: Pick<GridFailure, "info" | "status" | "headers">,
): Response {
  const out = format === undefined || format === CSV || format === TRIO ? ZINC : format;
  const res = new Response(out.writer.writeGrid(errorGrid(f.info)), {
    status: f.status,
    headers: { "content-type": `${out.mime}; charset=utf-8` },
  });
  for (const [k, v] of Object.entries(f.headers)) res.headers.set(k, v);
  return res;
}
