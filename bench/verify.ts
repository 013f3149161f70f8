/**
 * The checks benchmarks run on both sides' answers: a figure is printed only when ours and the
 * baseline's answers were right, so a fast wrong answer (an error page, a cut result, a lazy
 * grid never read) throws instead of winning (README.md, "Benchmarks").
 */
import { readZincGrid } from "../src/haystack/codec/zinc/index.ts";
import { HDict, HGrid, HRef, type HVal, isRef } from "../src/haystack/kinds/index.ts";

/** A benchmark whose answer was wrong: the run stops, no figure is written. */
export class BenchCheckError extends Error {
  override readonly name = "BenchCheckError";
}

export function expect(ok: boolean, what: string): void {
  if (!ok) throw new BenchCheckError(what);
}

/** `got`, or a BenchCheckError naming `what` when it is not `want`. */
export function expectEqual<T>(what: string, got: T, want: T): T {
  if (got !== want) throw new BenchCheckError(`${what}: got ${String(got)}, expected ${String(want)}`);
  return got;
}

/** Newlines in `chunk`, found natively: a JS loop over tens of MB would cost more than the work timed. */
export function countLines(chunk: Uint8Array): number {
  const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
}

export interface Drained {
  readonly bytes: number;
  /** Zinc, TSV and COPY text put one row a line, so this is rows plus the header lines. */
  readonly lines: number;
}

/** Reads a 200 response to its end without decoding it; any other status throws with the body. */
export async function drain(what: string, res: Response): Promise<Drained> {
  if (res.status !== 200) throw new BenchCheckError(`${what}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  let bytes = 0;
  let lines = 0;
  if (res.body) {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      lines += countLines(chunk);
    }
  }
  return { bytes, lines };
}

/** The body of a 200 response; any other status, or a Haystack error grid, throws. */
export async function okText(what: string, res: Response): Promise<string> {
  const text = await res.text();
  // Haystack answers a failed op with a 200 whose grid meta carries `err`.
  if (res.status !== 200 || /^ver:"3.0" .*\berr\b/.test(text)) {
    throw new BenchCheckError(`${what}: ${res.status} ${text.slice(0, 300)}`);
  }
  return text;
}

/** The `id`s of a Zinc grid's rows, sorted: two reads answered alike when these are equal. */
export function zincIds(what: string, text: string): string[] {
  const g = readZincGrid(text);
  const c = g.colIdx("id");
  expect(c >= 0 || g.rows.length === 0, `${what}: rows without an id column`);
  return g.rows.map((r, i) => {
    const id = r[c];
    if (!isRef(id)) throw new BenchCheckError(`${what}: row ${i} has no Ref id`);
    return id.id;
  });
}

/** Throws unless `got` and `want` hold the same ids (each once). */
export function expectSameIds(what: string, got: readonly string[], want: readonly string[]): void {
  const a = [...got].sort();
  const b = [...want].sort();
  expectEqual(`${what}: row count`, a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) throw new BenchCheckError(`${what}: ids differ (first: ${a[i]} vs ${b[i]})`);
  }
}

/**
 * `v` with every Ref's display name dropped: haystack-core's Zinc writer drops them, so its
 * answers are compared with ours on everything else.
 */
export function withoutRefDis(v: HVal | undefined): HVal | undefined {
  if (isRef(v)) return v.dis === undefined ? v : new HRef(v.id);
  if (Array.isArray(v)) return v.map((x) => withoutRefDis(x) ?? null);
  if (v instanceof HDict) {
    const tags: Record<string, HVal> = {};
    for (const [k, x] of v.entries()) tags[k] = withoutRefDis(x) as HVal;
    return HDict.of(tags);
  }
  if (v instanceof HGrid) {
    const rows = v.rows.map((r) => r.map((x) => withoutRefDis(x ?? undefined) ?? null));
    return new HGrid(withoutRefDis(v.meta) as HDict, v.cols, rows);
  }
  return v;
}
