/**
 * Checks the framing and metadata of Arrow IPC bytes before apache-arrow decodes them, for every
 * face that reads Arrow (frames here; the series bodies map its FrameError to their own errors).
 * apache-arrow trusts the FlatBuffers metadata: a damaged vector length (say, a schema claiming two
 * billion fields) makes it loop and allocate until the isolate runs out of memory. So every
 * message's metadata is walked here with bounds checks first: tables and vectors must lie inside
 * the metadata, counts must fit what is there, buffers inside the body, row counts within the
 * points limit. Layouts are those of Arrow's Message.fbs, Schema.fbs and File.fbs.
 */
import { FrameError } from "./model.ts";

const MAX_FIELDS = 10_000;
const MAX_DEPTH = 32;
/** Header types of Message.fbs: Schema, DictionaryBatch, RecordBatch (Tensor ones are refused). */
const SCHEMA = 1;
const DICTIONARY_BATCH = 2;
const RECORD_BATCH = 3;
/** Type union tag of Union in Schema.fbs: its typeIds vector is read eagerly. */
const UNION = 14;
const FILE_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

function bad(msg: string): FrameError {
  return new FrameError("invalid", `not a readable Arrow IPC stream or file: ${msg}`);
}

/** A FlatBuffer whose every read is bounds-checked. */
class Fb {
  private readonly dv: DataView;
  fields = 0;

  constructor(
    private readonly b: Uint8Array,
    private readonly what: string,
  ) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  private at(p: number, n: number): number {
    if (!(p >= 0 && p + n <= this.b.length)) throw bad(`${this.what} points outside itself`);
    return p;
  }

  u8(p: number): number {
    return this.dv.getUint8(this.at(p, 1));
  }

  u16(p: number): number {
    return this.dv.getUint16(this.at(p, 2), true);
  }

  i32(p: number): number {
    return this.dv.getInt32(this.at(p, 4), true);
  }

  i64(p: number): number {
    return Number(this.dv.getBigInt64(this.at(p, 8), true));
  }

  /** The table at `p`, its vtable checked. */
  table(p: number): number {
    const vt = p - this.i32(p);
    const size = this.u16(vt);
    if (size < 4 || size % 2 !== 0) throw bad(`${this.what} has a malformed table`);
    this.at(vt, size);
    return p;
  }

  /** Absolute position of field `i` of table `t`, or 0 when absent. */
  field(t: number, i: number): number {
    const vt = t - this.i32(t);
    const slot = 4 + 2 * i;
    const off = slot < this.u16(vt) ? this.u16(vt + slot) : 0;
    return off === 0 ? 0 : this.at(t + off, 1);
  }

  /** The target of the offset stored at `p`. */
  ref(p: number): number {
    return this.at(p + this.i32(p), 4);
  }

  /** A sub-table field, or 0. */
  sub(t: number, i: number): number {
    const f = this.field(t, i);
    return f === 0 ? 0 : this.table(this.ref(f));
  }

  /** A vector field: [start of elements, count], count checked against the bytes there. */
  vector(t: number, i: number, elemSize: number): [number, number] {
    const f = this.field(t, i);
    if (f === 0) return [0, 0];
    const v = this.ref(f);
    const n = this.i32(v) >>> 0;
    this.at(v + 4, n * elemSize);
    return [v + 4, n];
  }

  /** Each table of a vector-of-tables field. */
  tables(t: number, i: number, each: (table: number) => void): void {
    const [start, n] = this.vector(t, i, 4);
    for (let k = 0; k < n; k++) each(this.table(this.ref(start + 4 * k)));
  }
}

function checkKeyValues(fb: Fb, t: number, i: number): void {
  fb.tables(t, i, (kv) => {
    fb.vector(kv, 0, 1);
    fb.vector(kv, 1, 1);
  });
}

function checkField(fb: Fb, f: number, depth: number): void {
  if (depth > MAX_DEPTH) throw bad("fields nested too deeply");
  if (++fb.fields > MAX_FIELDS) throw bad(`more than ${MAX_FIELDS} fields`);
  fb.vector(f, 0, 1); // name
  const typeTag = fb.field(f, 2) === 0 ? 0 : fb.u8(fb.field(f, 2));
  const type = fb.sub(f, 3);
  if (typeTag === UNION && type !== 0) fb.vector(type, 1, 4);
  const dict = fb.sub(f, 4);
  if (dict !== 0) fb.sub(dict, 1);
  fb.tables(f, 5, (child) => checkField(fb, child, depth + 1));
  checkKeyValues(fb, f, 6);
}

function checkSchema(fb: Fb, s: number): void {
  fb.tables(s, 1, (f) => checkField(fb, f, 0));
  checkKeyValues(fb, s, 2);
  fb.vector(s, 3, 8);
}

function checkBatch(fb: Fb, rb: number, bodyLength: number, maxRows: number): void {
  const lengthAt = fb.field(rb, 0);
  const length = lengthAt === 0 ? 0 : fb.i64(lengthAt);
  if (!(length >= 0)) throw bad(`a record batch of ${length} rows`);
  if (length > maxRows) throw new FrameError("too_large", `body has more than ${maxRows} rows`);
  const [nodes, nNodes] = fb.vector(rb, 1, 16);
  for (let k = 0; k < nNodes; k++) {
    const n = fb.i64(nodes + 16 * k);
    const nulls = fb.i64(nodes + 16 * k + 8);
    // Nested children may hold more values than rows; a lie of billions is what is refused.
    if (!(n >= 0 && n <= 64 * maxRows + 64 && nulls >= 0 && nulls <= n)) throw bad(`a column of ${n} values`);
  }
  const [buffers, nBuffers] = fb.vector(rb, 2, 16);
  for (let k = 0; k < nBuffers; k++) {
    const off = fb.i64(buffers + 16 * k);
    const len = fb.i64(buffers + 16 * k + 8);
    if (!(off >= 0 && len >= 0 && off + len <= bodyLength)) throw bad("a buffer outside its message body");
  }
  const [counts, nCounts] = fb.vector(rb, 4, 8);
  let variadic = 0;
  for (let k = 0; k < nCounts; k++) variadic += fb.i64(counts + 8 * k);
  if (!(variadic >= 0 && variadic <= nBuffers)) throw bad("more variadic buffers than buffers");
}

/** One message's metadata; returns its body length. */
export function checkMessage(meta: Uint8Array, bodyRoom: number, maxRows: number): number {
  const fb = new Fb(meta, "message metadata");
  const m = fb.table(fb.ref(0));
  const typeAt = fb.field(m, 1);
  const headerType = typeAt === 0 ? 0 : fb.u8(typeAt);
  const header = fb.sub(m, 2);
  const bodyAt = fb.field(m, 3);
  const bodyLength = bodyAt === 0 ? 0 : fb.i64(bodyAt);
  if (!(bodyLength >= 0 && bodyLength <= bodyRoom)) throw bad("a message body longer than the input");
  checkKeyValues(fb, m, 4);
  if (header === 0) throw bad("a message without a header");
  if (headerType === SCHEMA) checkSchema(fb, header);
  else if (headerType === RECORD_BATCH) checkBatch(fb, header, bodyLength, maxRows);
  else if (headerType === DICTIONARY_BATCH) {
    const data = fb.sub(header, 1);
    if (data !== 0) checkBatch(fb, data, bodyLength, maxRows);
  } else throw bad(`unsupported message type ${headerType}`);
  return bodyLength;
}

/** Length-prefixed messages from `p` to `end` (continuation marker optional, as in pre-0.15 streams). */
function checkStream(b: Uint8Array, from: number, end: number, maxRows: number, oneMessage = false): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = from;
  while (p + 4 <= end) {
    let len = dv.getInt32(p, true);
    p += 4;
    if (len === -1) {
      if (p + 4 > end) return;
      len = dv.getInt32(p, true);
      p += 4;
    }
    if (len === 0) return;
    if (len < 0 || p + len > end) throw bad("a message longer than the input");
    const bodyLength = checkMessage(b.subarray(p, p + len), end - p - len, maxRows);
    p += len + bodyLength;
    if (oneMessage) return;
  }
}

function isFile(b: Uint8Array): boolean {
  return b.length >= 6 && FILE_MAGIC.every((c, i) => b[i] === c);
}

/** The footer of the file format: its schema and the blocks it points to. */
function checkFile(b: Uint8Array, maxRows: number): void {
  const n = b.length;
  if (n < 8 + 4 + 6 || !FILE_MAGIC.every((c, i) => b[n - 6 + i] === c)) throw bad("a file without its trailer");
  const footerLength = new DataView(b.buffer, b.byteOffset, n).getInt32(n - 10, true);
  const footerStart = n - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8) throw bad("a file footer longer than the file");
  const fb = new Fb(b.subarray(footerStart, n - 10), "file footer");
  const footer = fb.table(fb.ref(0));
  const schema = fb.sub(footer, 1);
  if (schema !== 0) checkSchema(fb, schema);
  for (const i of [2, 3]) {
    const [blocks, count] = fb.vector(footer, i, 24);
    for (let k = 0; k < count; k++) {
      const offset = fb.i64(blocks + 24 * k);
      const metaLength = fb.i32(blocks + 24 * k + 8);
      const bodyLength = fb.i64(blocks + 24 * k + 16);
      const end = offset + metaLength + bodyLength;
      if (!(offset >= 8 && metaLength > 0 && bodyLength >= 0 && end <= footerStart))
        throw bad("a block outside the file");
      checkStream(b, offset, end, maxRows, true);
    }
  }
}

/**
 * Throws FrameError "invalid" unless `body` is an Arrow IPC stream or file whose metadata is
 * in bounds and whose record batches have at most `maxRows` rows.
 */
export function checkArrowIpc(body: Uint8Array, maxRows: number): void {
  if (isFile(body)) checkFile(body, maxRows);
  else checkStream(body, 0, body.length, maxRows);
}
