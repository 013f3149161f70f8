/**
 * The dependency rules of src/, checked over the real import graph (type imports included):
 * imports point down the layers (api -> durable -> storage -> pure cores), no two folders import
 * each other even through others, and the pure cores import no framework or backend driver but
 * for the one TStorage transport adapter that may import `cloudflare:sockets`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** Layers from the bottom; a file may import its own layer and those below it. */
const LAYERS: readonly (readonly [string, readonly string[]])[] = [
  ["pure", ["haystack/", "series/", "frames/", "tstorage/", "auth/", "clock.ts", "version.ts", "bytes.ts"]],
  ["storage", ["storage/"]],
  ["services", ["demo/", "watch/", "timeseries/", "sync/", "dataframes/"]],
  ["config", ["env.ts", "config.ts", "objects.ts"]],
  ["durable", ["durable/"]],
  ["api", ["api/", "app.ts"]],
  ["root", ["index.ts", "worker.ts", "backends.ts"]],
  // The explorer runs in browsers: it may use the pure cores (SCRAM client, filter parser), never the server.
  ["ui", ["ui/"]],
];

/** The only file under a pure core that may import the platform. */
const TRANSPORT_ADAPTER = "tstorage/transport-workers.ts";
const FORBIDDEN_IN_PURE = /^(hono|drizzle-orm|@neondatabase\/|@upstash\/|cloudflare:)/;

function layerOf(file: string): number {
  const i = LAYERS.findIndex(([, prefixes]) => prefixes.some((p) => file === p || file.startsWith(p)));
  if (i < 0) throw new Error(`${file} belongs to no layer: add it to LAYERS`);
  return i;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g;

interface Edge {
  readonly from: string;
  /** A file under src/ (relative), or a package specifier. */
  readonly to: string;
  readonly local: boolean;
}

function edgesOf(abs: string): Edge[] {
  const from = relative(SRC, abs);
  const text = readFileSync(abs, "utf8");
  const out: Edge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? "";
    if (spec.startsWith(".")) out.push({ from, to: relative(SRC, resolve(dirname(abs), spec)), local: true });
    else out.push({ from, to: spec, local: false });
  }
  return out;
}

const edges = sources(SRC).flatMap(edgesOf);
const localEdges = edges.filter((e) => e.local && !e.to.startsWith(".."));

const PURE_CORES = ["haystack", "series", "frames", "tstorage", "auth"];

/**
 * The unit a file belongs to for the cycle rule: its folder; a file at the top of src/ is a unit
 * of its own (they sit in different layers); a pure core is one unit, its sub-folders being parts
 * of one library (haystack's kinds, time and codecs lean on each other by design).
 */
function unitOf(file: string): string {
  const dir = dirname(file);
  if (dir === ".") return file;
  const top = dir.split("/")[0] as string;
  return PURE_CORES.includes(top) ? top : dir;
}

/** Cycles between units, by Tarjan's strongly connected components. */
function folderCycles(): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of localEdges) {
    const a = unitOf(e.from);
    const b = unitOf(e.to);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)?.add(b);
  }
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop() as string;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe("src/ dependency rules", () => {
  it("finds the imports it checks", () => {
    expect(localEdges.length).toBeGreaterThan(300);
    expect(localEdges).toContainEqual({ from: "app.ts", to: "api/haystack/router.ts", local: true });
  });

  it("every import points down the layers (api -> durable -> storage -> pure cores)", () => {
    const upward = localEdges
      .filter((e) => layerOf(e.to) > layerOf(e.from))
      .map((e) => `${e.from} (${LAYERS[layerOf(e.from)]?.[0]}) -> ${e.to} (${LAYERS[layerOf(e.to)]?.[0]})`);
    expect(upward).toEqual([]);
  });

  it("no two folders import each other, directly or around a loop", () => {
    expect(folderCycles()).toEqual([]);
  });

  it("pure cores import no framework, backend driver or cloudflare:* module (but the TStorage transport adapter)", () => {
    const bad = edges
      .filter((e) => !e.local && layerOf(e.from) === 0 && e.from !== TRANSPORT_ADAPTER && FORBIDDEN_IN_PURE.test(e.to))
      .map((e) => `${e.from} -> ${e.to}`);
    expect(bad).toEqual([]);
  });

  it("storage never imports durable, and op handlers never import a backend", () => {
    const bad = localEdges
      .filter(
        (e) =>
          (e.from.startsWith("storage/") && e.to.startsWith("durable/")) ||
          (e.from.startsWith("api/haystack/ops/") && /^storage\/(do|postgres|upstash)\//.test(e.to)),
      )
      .map((e) => `${e.from} -> ${e.to}`);
    expect(bad).toEqual([]);
  });
});

describe("src/ui (the explorer, bundled for browsers)", () => {
  it("imports only itself, the pure cores and its chart library: never the server", () => {
    const allowed = (e: Edge) =>
      e.local
        ? e.to.startsWith("ui/") || PURE_CORES.some((c) => e.to.startsWith(`${c}/`))
        : /^(uplot|vite)(\/|$)|^node:/.test(e.to);
    const ui = edges.filter((e) => e.from.startsWith("ui/"));
    expect(ui.length).toBeGreaterThan(10);
    expect(ui.filter((e) => !allowed(e)).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });
});
