/** Talking to the TStorage bridge from workers-pool tests, and to the doubles' control endpoints. */
import { inject } from "vitest";
import { authedFetch } from "./auth.ts";
import { BASE } from "./haystack-http.ts";

export type Mode = "mock" | "real";

export function bridgeUrl(project: string, target: string, path: string, query: Record<string, string> = {}): string {
  const q = new URLSearchParams(query).toString();
  return `${BASE}/tstorage/${project}/${target}/${path}${q ? `?${q}` : ""}`;
}

export interface Rec {
  cid: number;
  mid: string;
  moid: number;
  cap: string;
  acq?: string;
  payload: unknown;
}

/** POSTs records as NDJSON (or a JSON array) to records or records/puta. */
export function putRecords(
  project: string,
  target: string,
  records: readonly Rec[],
  options: { puta?: boolean; format?: string; json?: boolean; headers?: Record<string, string> } = {},
): Promise<Response> {
  const query: Record<string, string> = options.format ? { format: options.format } : {};
  const body = options.json ? JSON.stringify(records) : records.map((r) => JSON.stringify(r)).join("\n");
  return authedFetch(bridgeUrl(project, target, options.puta ? "records/puta" : "records", query), {
    method: "POST",
    headers: { "content-type": options.json ? "application/json" : "application/x-ndjson", ...options.headers },
    body,
  });
}

/** A body as UTF-8 text (workerd warns on .text() for types it does not know are text, as NDJSON). */
export async function textOf(r: Response): Promise<string> {
  return new TextDecoder().decode(await r.arrayBuffer());
}

/** A GET's NDJSON lines, parsed. */
export async function getLines(
  project: string,
  target: string,
  query: Record<string, string>,
): Promise<{ status: number; lines: Record<string, unknown>[] }> {
  const r = await authedFetch(bridgeUrl(project, target, "records", query));
  const text = await textOf(r);
  return {
    status: r.status,
    lines:
      text.trimEnd() === ""
        ? []
        : text
            .trimEnd()
            .split("\n")
            .map((l) => JSON.parse(l)),
  };
}

/** The control endpoint of a double (test/tstorage-target.ts). */
export function control(mode: Mode, action: string, query = ""): Promise<Response> {
  return fetch(`${inject("tstorage")[mode].control}/${action}${query ? `?${query}` : ""}`, { method: "POST" });
}

export async function problemOf(r: Response): Promise<{ code: string; message: string; line?: number }> {
  return ((await r.json()) as { error: { code: string; message: string; line?: number } }).error;
}
