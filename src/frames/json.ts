/**
 * JSON <-> Frame in the shapes pandas writes and reads:
 * - records: `[{"index": "2024-01-01T00:00:00Z", "a": 1.5}, ...]` (`df.reset_index()
 *   .to_json(orient="records", date_format="iso")`); with no index key at all, rows are numbered
 *   from 0 (pandas' RangeIndex, what plain `to_json(orient="records")` drops the index to);
 * - split: `{"columns": ["a"], "index": [...], "data": [[1.5], ...]}` (`orient="split"`);
 * - columnar: `{"index": [...], "columns": {"a": [...]}}`, the shape columnar stores favour.
 * pandas' `orient="columns"` (`{"a": {"<index>": v}}`) is not read: its index comes back as
 * object keys, epoch-ms strings by default, which cannot be told from int64 indexes.
 *
 * Output writes the same three shapes. NaN and infinities are written as null (pandas' to_json
 * does the same) and so read back as nulls; int64 past 2^53 is a decimal string. Floats with no
 * fraction are written `1.0`, but JSON.parse cannot tell 1.0 from 1, so a float64 column of whole
 * numbers reads back as int64 unless a schema declares it.
 *
 * Records name columns only through their keys, so zero records read back with no columns; use
 * split or columnar to carry an empty frame's columns.
 *
 * NDJSON (one record per line) streams: see readNdjsonStream.
 */
import { Batcher, byteBudget, type ReadOptions } from "./batch.ts";
import { type Cell, cellJSON, indexJSON, quoted } from "./cells.ts";
import { type Frame, FrameError, frameLength } from "./model.ts";

export type JsonShape = "records" | "split" | "columnar";

function parse(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FrameError("invalid", `${where}: not JSON (${e instanceof Error ? e.message.slice(0, 80) : ""})`);
  }
}

function scalar(v: unknown, where: string): Cell {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  throw new FrameError("invalid", `${where}: values must be strings, numbers, booleans or null`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Adds one record (an object) to the batch; `numbered` gives its index when it has none. */
function addRecord(b: Batcher, rec: unknown, where: string, line: number, numbered: number | undefined): void {
  if (!isObject(rec)) throw new FrameError("invalid", `${where}: a record must be an object`);
  const cells: Cell[] = [];
  let index: Cell | undefined;
  for (const [key, v] of Object.entries(rec)) {
    if (key === b.indexName) index = scalar(v, where);
    else cells[b.column(key)] = scalar(v, where);
  }
  if (index === undefined) {
    if (numbered === undefined) throw new FrameError("invalid", `${where}: no ${quoted(b.indexName)} key`);
    index = numbered;
  }
  b.add(index, cells, line);
}

function readRecords(b: Batcher, body: unknown[]): void {
  const first = body[0];
  const numbered = isObject(first) && !(b.indexName in first);
  body.forEach((rec, i) => {
    addRecord(b, rec, `row ${i + 1}`, i + 1, numbered ? i : undefined);
  });
}

function readSplit(b: Batcher, body: Record<string, unknown>): void {
  const { columns, data, index } = body;
  if (!Array.isArray(columns) || !Array.isArray(data)) {
    throw new FrameError("invalid", 'split JSON needs "columns" and "data" arrays');
  }
  if (index !== undefined && (!Array.isArray(index) || index.length !== data.length)) {
    throw new FrameError("invalid", '"index" must be an array as long as "data"');
  }
  const ks = columns.map((name) => {
    if (typeof name !== "string" || name === "")
      throw new FrameError("invalid", "column names must be non-empty strings");
    const before = b.names.length;
    const k = b.column(name);
    if (b.names.length === before)
      throw new FrameError("duplicate_column", `column ${quoted(name)} appears twice`, name);
    return k;
  });
  data.forEach((row, i) => {
    const where = `row ${i + 1}`;
    if (!Array.isArray(row) || row.length !== ks.length) {
      throw new FrameError("invalid", `${where}: must be an array of ${ks.length} values`);
    }
    const cells: Cell[] = [];
    row.forEach((v, j) => {
      cells[ks[j] as number] = scalar(v, where);
    });
    b.add(index === undefined ? i : scalar((index as unknown[])[i], where), cells, i + 1);
  });
}

function readColumnar(b: Batcher, body: Record<string, unknown>): void {
  const { columns, index } = body;
  if (!Array.isArray(index) || !isObject(columns)) {
    throw new FrameError("invalid", 'columnar JSON needs an "index" array and a "columns" object');
  }
  const entries = Object.entries(columns);
  const ks = entries.map(([name, values]) => {
    if (name === "") throw new FrameError("invalid", "a column has an empty name");
    if (!Array.isArray(values) || values.length !== index.length) {
      throw new FrameError("invalid", `column ${quoted(name)} must be an array as long as "index"`, name);
    }
    return b.column(name);
  });
  index.forEach((iv, i) => {
    const where = `row ${i + 1}`;
    const cells: Cell[] = [];
    entries.forEach(([, values], j) => {
      cells[ks[j] as number] = scalar((values as unknown[])[i], where);
    });
    b.add(scalar(iv, where), cells, i + 1);
  });
}

/**
 * A JSON body (records, split or columnar; told apart by their keys) as one Frame. Example:
 * `readJson('[{"index": 1, "a": "x"}]')` has an int64 index and a string column.
 */
export function readJson(text: string, opts: ReadOptions = {}): Frame {
  byteBudget(opts)(text.length);
  const body = parse(text, "body");
  const b = new Batcher(opts, false, "row");
  if (Array.isArray(body)) readRecords(b, body);
  else if (isObject(body) && Array.isArray(body.columns)) readSplit(b, body);
  else if (isObject(body) && isObject(body.columns)) readColumnar(b, body);
  else throw new FrameError("invalid", "JSON must be an array of records, or an object in split or columnar shape");
  return b.flush();
}

/**
 * NDJSON records (one object per line, blank lines skipped) as Frames of at most `batchRows`
 * rows. Holds one batch and one partial line, never the whole body; a line over maxBytes is
 * "too_large" as soon as it is. Every record needs the index key.
 */
export async function* readNdjsonStream(
  body: AsyncIterable<Uint8Array>,
  opts: ReadOptions & { readonly batchRows: number },
): AsyncGenerator<Frame> {
  const spend = byteBudget(opts);
  const b = new Batcher(opts, false, "line");
  const dec = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let partial = "";
  let line = 0;
  const take = (text: string): void => {
    line++;
    const t = text.endsWith("\r") ? text.slice(0, -1) : text;
    if (t.trim() === "") return;
    addRecord(b, parse(t, `line ${line}`), `line ${line}`, line, undefined);
  };
  const decode = (chunk?: Uint8Array): string => {
    try {
      return chunk === undefined ? dec.decode() : dec.decode(chunk, { stream: true });
    } catch {
      throw new FrameError("invalid", `line ${line + 1}: not UTF-8`);
    }
  };
  for await (const chunk of body) {
    spend(chunk.length);
    const s = partial + decode(chunk);
    let start = 0;
    for (let nl = s.indexOf("\n"); nl >= 0; nl = s.indexOf("\n", start)) {
      take(s.slice(start, nl));
      start = nl + 1;
      if (b.rows >= opts.batchRows) yield b.flush();
    }
    partial = s.slice(start);
  }
  partial += decode();
  if (partial !== "") take(partial);
  if (b.rows > 0) yield b.flush();
}

function rowRecord(f: Frame, i: number): string {
  let s = `{${JSON.stringify(f.index.name)}:${indexJSON(f.index, i)}`;
  for (const c of f.columns) s += `,${JSON.stringify(c.name)}:${cellJSON(c, i)}`;
  return `${s}}`;
}

/** NDJSON text, one piece per row. */
export function* writeNdjson(f: Frame): Generator<string> {
  for (let i = 0; i < frameLength(f); i++) yield `${rowRecord(f, i)}\n`;
}

/** JSON text in `shape`, in pieces (one per row or column) so a response can stream it. */
export function* writeJson(f: Frame, shape: JsonShape = "records"): Generator<string> {
  const n = frameLength(f);
  if (shape === "records") {
    yield "[";
    for (let i = 0; i < n; i++) yield `${i > 0 ? "," : ""}${rowRecord(f, i)}`;
    yield "]";
    return;
  }
  const index = `[${Array.from({ length: n }, (_, i) => indexJSON(f.index, i)).join(",")}]`;
  if (shape === "split") {
    yield `{"columns":${JSON.stringify(f.columns.map((c) => c.name))},"index":${index},"data":[`;
    for (let i = 0; i < n; i++) yield `${i > 0 ? "," : ""}[${f.columns.map((c) => cellJSON(c, i)).join(",")}]`;
    yield "]}";
    return;
  }
  yield `{"index":${index},"columns":{`;
  let first = true;
  for (const c of f.columns) {
    const values = Array.from({ length: n }, (_, i) => cellJSON(c, i)).join(",");
    yield `${first ? "" : ","}${JSON.stringify(c.name)}:[${values}]`;
    first = false;
  }
  yield "}}";
}

/** The frame as one JSON string in `shape`. */
export function toJson(f: Frame, shape: JsonShape = "records"): string {
  return [...writeJson(f, shape)].join("");
}
