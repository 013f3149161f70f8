/** Requests to the series face for workers-pool tests, through a ClockedWorker. */
import { expect } from "vitest";
import type { ClockedWorker } from "./clocked.ts";
import { BASE } from "./haystack-http.ts";

export const HOUR = 3_600_000;

export function tsUrl(project: string, path: string, query: Record<string, string | number | boolean> = {}): string {
  const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)] as [string, string])).toString();
  return `${BASE}/ts/${project}${path ? `/${path}` : ""}${q ? `?${q}` : ""}`;
}

export interface Columnar {
  readonly index: (string | number)[];
  readonly values: (number | null)[];
}

export class SeriesClient {
  constructor(
    readonly w: ClockedWorker,
    readonly project: string,
  ) {}

  fetch(path: string, init: RequestInit = {}, query: Record<string, string | number | boolean> = {}) {
    return this.w.fetch(tsUrl(this.project, path, query), init);
  }

  async define(store: string, def: Record<string, unknown>, status = 201): Promise<void> {
    const r = await this.fetch(store, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(def),
    });
    expect(r.status, await r.clone().text()).toBe(status);
    await r.arrayBuffer();
  }

  /** Writes one series (JSON columnar), expecting `status`; the response JSON. */
  async set(
    store: string,
    keys: Record<string, string | number | boolean>,
    body: Columnar,
    query: Record<string, string | number | boolean> = {},
    status = 200,
  ): Promise<Record<string, unknown>> {
    const r = await this.fetch(
      `${store}/series`,
      { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
      { ...keys, ...query },
    );
    const text = await r.text();
    expect(r.status, text).toBe(status);
    return JSON.parse(text) as Record<string, unknown>;
  }

  async get(
    store: string,
    keys: Record<string, string | number | boolean>,
    query: Record<string, string | number | boolean> = {},
    status = 200,
  ): Promise<Record<string, unknown>> {
    const r = await this.fetch(`${store}/series`, { headers: { accept: "application/json" } }, { ...keys, ...query });
    const text = await r.text();
    expect(r.status, text).toBe(status);
    return JSON.parse(text) as Record<string, unknown>;
  }

  async json(
    path: string,
    init: RequestInit = {},
    query: Record<string, string | number | boolean> = {},
    status = 200,
  ) {
    const r = await this.fetch(path, init, query);
    const text = await r.text();
    expect(r.status, text).toBe(status);
    return text === "" ? null : (JSON.parse(text) as unknown);
  }

  /** NDJSON lines of a multi-series read. */
  async lines(path: string, query: Record<string, string | number | boolean> = {}): Promise<Record<string, unknown>[]> {
    const r = await this.fetch(path, { headers: { accept: "application/x-ndjson" } }, query);
    const text = await r.text();
    expect(r.status, text).toBe(200);
    return text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

/** `n` hourly ISO instants (UTC) from `startIso`, and values from `f`. */
export function hourly(startIso: string, n: number, f: (i: number) => number | null): Columnar {
  const t0 = Date.parse(startIso);
  return {
    index: Array.from({ length: n }, (_, i) => new Date(t0 + i * HOUR).toISOString()),
    values: Array.from({ length: n }, (_, i) => f(i)),
  };
}

/** Instants of a response as epoch ms. */
export function ms(index: readonly (string | number)[]): number[] {
  return index.map((t) => (typeof t === "number" ? t : Date.parse(t)));
}
