/**
 * CSV <-> Frame (RFC 4180): a header row, quoted fields with embedded commas, quotes ("") and
 * newlines, LF or CRLF line ends. The first column is the index unless `index: false` (then rows
 * are numbered from 0, pandas' RangeIndex). An unquoted empty cell is null; a quoted empty cell
 * ("") is the empty string, so string columns round-trip. Blank lines are skipped (the index is
 * never null, so a blank line is never a row). Types: see cells.ts.
 *
 * Output: the index first (an unnamed index, pandas' `,a,b` header, reads back as "index"),
 * timestamps ISO 8601 UTC with 0/3/6/9 fraction digits, floats that stay floats (`1.0`, `NaN`,
 * `inf`), booleans `True`/`False` as pandas writes them.
 */
import { Batcher, byteBudget, type ReadOptions } from "./batch.ts";
import { type Cell, cellText, formatTimestamp, quoted } from "./cells.ts";
import { type Frame, FrameError, frameLength } from "./model.ts";

export interface CsvReadOptions extends ReadOptions {
  /** false: no index column, rows numbered from 0. Default: the first column is the index. */
  readonly index?: boolean;
}

interface Sink {
  record(cells: (string | null)[], line: number): void;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** An incremental RFC 4180 tokenizer: text in any pieces, whole records out. */
class Tokenizer {
  private field = "";
  private quotedField = false;
  private inQuotes = false;
  private afterQuote = false;
  private afterCR = false;
  private record: (string | null)[] = [];
  private line = 1;
  private recordLine = 1;

  constructor(private readonly sink: Sink) {}

  feed(s: string): void {
    const n = s.length;
    let i = 0;
    while (i < n) {
      const ch = s.charCodeAt(i);
      if (this.inQuotes) {
        if (ch === QUOTE) {
          this.inQuotes = false;
          this.afterQuote = true;
          this.afterCR = false;
          i++;
          continue;
        }
        let j = i;
        while (j < n && s.charCodeAt(j) !== QUOTE) j++;
        this.countLines(s, i, j);
        this.field += s.slice(i, j);
        i = j;
        continue;
      }
      if (this.afterQuote) {
        this.afterQuote = false;
        if (ch === QUOTE) {
          this.field += '"';
          this.inQuotes = true;
          i++;
          continue;
        }
        if (ch !== COMMA && ch !== LF && ch !== CR) {
          throw new FrameError("invalid", `line ${this.line}: text after a closing quote`);
        }
      }
      if (ch === LF && this.afterCR) {
        this.afterCR = false;
        i++;
        continue;
      }
      this.afterCR = false;
      if (ch === COMMA) {
        this.endField();
      } else if (ch === LF || ch === CR) {
        this.endField();
        this.endRecord();
        this.line++;
        this.recordLine = this.line;
        this.afterCR = ch === CR;
      } else if (ch === QUOTE) {
        if (this.field !== "" || this.quotedField) {
          throw new FrameError("invalid", `line ${this.line}: a quote inside an unquoted field`);
        }
        this.inQuotes = true;
        this.quotedField = true;
      } else {
        let j = i + 1;
        while (j < n) {
          const c = s.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR || c === QUOTE) break;
          j++;
        }
        if (this.quotedField) throw new FrameError("invalid", `line ${this.line}: text after a closing quote`);
        this.field += s.slice(i, j);
        i = j;
        continue;
      }
      i++;
    }
  }

  end(): void {
    if (this.inQuotes) throw new FrameError("invalid", `line ${this.recordLine}: a quoted field is never closed`);
    this.afterQuote = false;
    if (this.field !== "" || this.quotedField || this.record.length > 0) {
      this.endField();
      this.endRecord();
    }
  }

  private countLines(s: string, from: number, to: number): void {
    for (let k = from; k < to; k++) {
      const c = s.charCodeAt(k);
      if (c === CR || (c === LF && !this.afterCR)) this.line++;
      this.afterCR = c === CR;
    }
  }

  private endField(): void {
    this.record.push(this.field === "" && !this.quotedField ? null : this.field);
    this.field = "";
    this.quotedField = false;
  }

  private endRecord(): void {
    const r = this.record;
    this.record = [];
    if (r.length === 1 && r[0] === null) return;
    this.sink.record(r, this.recordLine);
  }
}

/** Header handling and rows into a Batcher. */
class CsvRows implements Sink {
  readonly batcher: Batcher;
  private width = -1;
  private readonly hasIndex: boolean;
  private readonly namedByCaller: boolean;
  private rowNumber = 0;

  constructor(opts: CsvReadOptions) {
    // Without an index column the rows are numbered, whatever index a schema declares.
    const schema =
      opts.index === false && opts.schema
        ? { ...opts.schema, index: { ...opts.schema.index, kind: "int64" as const } }
        : opts.schema;
    this.batcher = new Batcher({ ...opts, schema }, true, "line");
    this.hasIndex = opts.index !== false;
    this.namedByCaller = opts.indexName !== undefined;
  }

  record(cells: (string | null)[], line: number): void {
    if (this.width < 0) {
      this.header(cells);
      return;
    }
    if (cells.length !== this.width) {
      throw new FrameError("invalid", `line ${line}: ${cells.length} fields, the header has ${this.width}`);
    }
    if (this.hasIndex) this.batcher.add(cells[0] as Cell, cells.slice(1), line);
    else this.batcher.add(String(this.rowNumber++), cells, line);
  }

  private header(cells: (string | null)[]): void {
    this.width = cells.length;
    const names = this.hasIndex ? cells.slice(1) : cells;
    // A named index column: its name wins unless the caller named one.
    if (this.hasIndex && cells[0] !== null && !this.namedByCaller) this.batcher.indexName = cells[0] as string;
    const seen = new Set<string>();
    for (const name of names) {
      if (name === null || name === "") throw new FrameError("invalid", "line 1: a column has an empty name");
      if (seen.has(name)) throw new FrameError("duplicate_column", `column ${quoted(name)} appears twice`, name);
      seen.add(name);
      this.batcher.column(name);
    }
  }
}

async function* texts(body: AsyncIterable<Uint8Array>, opts: ReadOptions): AsyncGenerator<string> {
  const spend = byteBudget(opts);
  const dec = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  try {
    for await (const chunk of body) {
      spend(chunk.length);
      yield dec.decode(chunk, { stream: true });
    }
    yield dec.decode();
  } catch (e) {
    if (e instanceof TypeError) throw new FrameError("invalid", "the body is not UTF-8");
    throw e;
  }
}

/**
 * A whole CSV body as one Frame. Example: `readCsv("index,a\n2024-01-01T00:00:00Z,1.5\n")` is a
 * timestamp-indexed frame with a float64 column "a".
 */
export function readCsv(body: string, opts: CsvReadOptions = {}): Frame {
  byteBudget(opts)(body.length);
  const rows = new CsvRows(opts);
  const t = new Tokenizer(rows);
  t.feed(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
  t.end();
  return rows.batcher.flush();
}

/**
 * A streamed CSV body as Frames of at most `batchRows` rows, holding one batch (and one partial
 * record) at a time. Every Frame has the first batch's dtypes.
 */
export async function* readCsvStream(
  body: AsyncIterable<Uint8Array>,
  opts: CsvReadOptions & { readonly batchRows: number },
): AsyncGenerator<Frame> {
  const rows = new CsvRows(opts);
  const t = new Tokenizer(rows);
  let first = true;
  for await (let s of texts(body, opts)) {
    if (first && s.length > 0) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      first = false;
    }
    t.feed(s);
    // The tokenizer may pass many records per piece; hand them on in batches.
    while (rows.batcher.rows >= opts.batchRows) yield* splitBatch(rows.batcher.flush(), opts.batchRows);
  }
  t.end();
  if (rows.batcher.rows > 0) yield* splitBatch(rows.batcher.flush(), opts.batchRows);
}

function* splitBatch(f: Frame, size: number): Generator<Frame> {
  const n = frameLength(f);
  if (n <= size) {
    yield f;
    return;
  }
  for (let s = 0; s < n; s += size) yield sliceFrame(f, s, Math.min(n, s + size));
}

function sliceFrame(f: Frame, s: number, e: number): Frame {
  const index = { ...f.index, values: f.index.values.slice(s, e) };
  const columns = f.columns.map((c) => {
    const valid = c.valid?.slice(s, e);
    if (c.dtype === "category") {
      return { ...c, values: { codes: c.values.codes.slice(s, e), dictionary: c.values.dictionary }, valid };
    }
    return { ...c, values: c.values.slice(s, e), valid };
  }) as Frame["columns"];
  return { index, columns };
}

const NEEDS_QUOTES = /[",\r\n]|^$|^\s|\s$/;

function field(s: string | null): string {
  if (s === null) return "";
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The frame as CSV text, one piece per row (header first) so a response can stream it. */
export function* writeCsv(f: Frame, rowsPerPiece = 1): Generator<string> {
  yield `${[f.index.name, ...f.columns.map((c) => c.name)].map(field).join(",")}\r\n`;
  const n = frameLength(f);
  let piece = "";
  for (let i = 0; i < n; i++) {
    const v = f.index.values[i] as bigint;
    let line = f.index.kind === "timestamp" ? formatTimestamp(v) : String(v);
    for (const c of f.columns) line += `,${field(cellText(c, i))}`;
    piece += `${line}\r\n`;
    if ((i + 1) % rowsPerPiece === 0) {
      yield piece;
      piece = "";
    }
  }
  if (piece !== "") yield piece;
}

/** The frame as one CSV string. */
export function toCsv(f: Frame): string {
  return [...writeCsv(f, 1024)].join("");
}
