/**
 * Trio reader (Trio.fandoc; value rules of haxall's TrioReader). One tag per line: `name` is a
 * Marker, `name: value` a Zinc scalar or else an unquoted Str; `name:` followed by indented lines
 * is a multi-line Str (common indent stripped); `name: Zinc:` / `name: Trio:` + indented block is a
 * Zinc value / nested dict; `name: [` opens an indented Zinc list. A line starting with `-` ends a
 * record, `//` starts a comment line.
 */
import { LimitError, ParseError, positionOf, type SourcePosition } from "../../errors.ts";
import { HDateTime, HDict, HGrid, type HVal, MARKER, NA, newTags, REMOVE } from "../../kinds/index.ts";
import { isTagName, parseDateText, parseTimeText } from "../json/common.ts";
import { DEFAULT_LIMITS, type ReadLimits } from "../types.ts";
import { readZincValue } from "../zinc/index.ts";

/** A block of indented lines, dedented, with where each line came from (for error positions). */
interface Block {
  readonly text: string;
  /** Offset in the source of each block line's first kept char. */
  readonly starts: readonly number[];
}

function isWs(c: number): boolean {
  return c <= 32; // space, tab and controls, as haxall's Str.trim
}

function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

class TrioParser {
  private readonly lines: string[];
  private readonly starts: number[];
  private i = 0;

  constructor(
    src: string,
    private readonly limits: Required<ReadLimits>,
    private readonly depth: number,
    /** Maps an offset in `src` to a position in the outermost text (nested Trio: blocks). */
    private readonly posOf: (offset: number) => SourcePosition,
  ) {
    this.lines = src.split("\n");
    // A final newline ends the last line; it does not start an empty one.
    if (this.lines[this.lines.length - 1] === "") this.lines.pop();
    this.starts = new Array(this.lines.length);
    let off = 0;
    for (let k = 0; k < this.lines.length; k++) {
      this.starts[k] = off;
      const line = this.lines[k] as string;
      off += line.length + 1;
      if (line.charCodeAt(line.length - 1) === 13) this.lines[k] = line.slice(0, -1);
    }
  }

  private error(msg: string, offset: number): ParseError {
    return new ParseError(msg, this.posOf(offset));
  }

  /** All records; empty records (runs of separators) are skipped. */
  records(): HDict[] {
    const out: HDict[] = [];
    let tags = newTags();
    let any = false;
    const lines = this.lines;
    while (this.i < lines.length) {
      const line = lines[this.i] as string;
      const c = line.charCodeAt(0);
      if (c === 45) {
        if (any) out.push(HDict.unsafeOf(tags));
        tags = newTags();
        any = false;
        this.i++;
        continue;
      }
      if (line.length === 0 || (c === 47 && line.charCodeAt(1) === 47) || trimWs(line) === "") {
        this.i++;
        continue;
      }
      const lineStart = this.starts[this.i] as number;
      this.i++;
      const colon = line.indexOf(":");
      const name = trimWs(colon < 0 ? line : line.slice(0, colon));
      if (!isTagName(name)) throw this.error(`Invalid tag name ${JSON.stringify(name)}`, lineStart);
      // A record is a dict: a second value for a name would silently replace the first.
      if (tags[name] !== undefined) {
        throw this.error(`Duplicate tag name ${JSON.stringify(name)} in one record`, lineStart + line.indexOf(name));
      }
      let val: HVal = MARKER;
      if (colon >= 0) {
        let a = colon + 1;
        while (a < line.length && isWs(line.charCodeAt(a))) a++;
        const s = trimWs(line.slice(a));
        val = s === "" ? this.block().text : this.scalar(s, lineStart + a);
      }
      tags[name] = val;
      any = true;
    }
    if (any) out.push(HDict.unsafeOf(tags));
    return out;
  }

  /** Indented lines after the current one, up to a non-empty line that starts at column 1. */
  private block(): Block {
    const lines = this.lines;
    const from = this.i;
    let min = Number.POSITIVE_INFINITY;
    while (this.i < lines.length) {
      const line = lines[this.i] as string;
      if (line.length > 0 && !isWs(line.charCodeAt(0))) break;
      for (let k = 0; k < line.length; k++) {
        if (!isWs(line.charCodeAt(k))) {
          if (k < min) min = k;
          break;
        }
      }
      this.i++;
    }
    let text = "";
    const starts: number[] = [];
    for (let k = from; k < this.i; k++) {
      const line = lines[k] as string;
      let end = line.length;
      while (end > 0 && isWs(line.charCodeAt(end - 1))) end--;
      text += (k === from ? "" : "\n") + (end <= min ? "" : line.slice(min, end));
      starts.push((this.starts[k] as number) + Math.min(min, end));
    }
    return { text, starts };
  }

  /** A one-line value (haxall TrioReader.parseScalar), `at` its offset in the source. */
  private scalar(s: string, at: number): HVal {
    const c = s.charCodeAt(0);
    const n = s.length;
    if ((c >= 48 && c <= 57) || c === 45) {
      // Only `dddd-` starts a date: `3.5e-323kW` also has a `-` at index 4.
      const datePrefix = s.charCodeAt(4) === 45 && isDigits(s, 0, 4);
      if (n === 10 && datePrefix) return parseDateText(s) ?? s;
      if (n > 20 && datePrefix) {
        const dt = this.tryZinc(s);
        return dt instanceof HDateTime ? dt : s;
      }
      if (n > 3 && (s.charCodeAt(1) === 58 || s.charCodeAt(2) === 58)) return parseTimeText(s) ?? s;
      return s.includes(" ") ? s : this.zinc(s, at);
    }
    if (c === 34 || c === 96) {
      if (n < 2 || s.charCodeAt(n - 1) !== c) throw this.error(`Invalid quoted literal ${abridge(s)}`, at);
      return this.zinc(s, at);
    }
    // Zinc-looking text: refs, symbols, dicts, lists, and `Type(...)` (coords, XStrs). A `)`-ending
    // text that does not start with an ASCII upper-case type name stays a Str (haxall writes
    // `ΔFoo(xx)` unquoted).
    if (c === 64 || c === 94 || c === 123) return this.zinc(s, at);
    if (c >= 65 && c <= 90 && s.charCodeAt(n - 1) === 41) return this.zinc(s, at);
    if (c === 91) return s === "[" ? this.indentedList() : this.zinc(s, at);
    switch (s) {
      case "true":
      case "T":
        return true;
      case "false":
      case "F":
        return false;
      case "NA":
        return NA;
      case "NaN":
        return Number.NaN;
      case "INF":
        return Number.POSITIVE_INFINITY;
      case "R":
        return REMOVE;
      case "Zinc:":
        return this.zincBlock(this.block());
      case "Trio:":
        return this.trioBlock(this.block());
    }
    if (s.charCodeAt(n - 1) === 58) throw this.error(`Unsupported indentation format ${abridge(s)}`, at);
    return s;
  }

  private zincLimits(): ReadLimits {
    return { ...this.limits, maxDepth: Math.max(1, this.limits.maxDepth - this.depth) };
  }

  private tryZinc(s: string): HVal | undefined {
    try {
      return readZincValue(s, this.zincLimits());
    } catch {
      return undefined;
    }
  }

  /** Zinc text starting at source offset `at`; its errors are moved to the Trio position. */
  private zinc(s: string, at: number): HVal {
    try {
      return readZincValue(s, this.zincLimits());
    } catch (e) {
      throw this.moved(e, (off) => at + off);
    }
  }

  private zincBlock(b: Block): HVal {
    try {
      return readZincValue(b.text, this.zincLimits());
    } catch (e) {
      throw this.moved(e, (off) => blockOffset(b, off));
    }
  }

  private trioBlock(b: Block): HDict {
    if (this.depth + 1 >= this.limits.maxDepth) {
      throw new LimitError(`Trio nesting deeper than ${this.limits.maxDepth}`, this.posOf(b.starts[0] ?? 0));
    }
    const inner = new TrioParser(b.text, this.limits, this.depth + 1, (off) => this.posOf(blockOffset(b, off)));
    const recs = inner.records();
    const first = recs[0];
    if (!first) throw this.error("Expected a dict in the Trio: block", b.starts[0] ?? 0);
    return first;
  }

  /** `name: [` then indented lines up to the closing `]`; `//` lines are skipped. */
  private indentedList(): HVal {
    const b = this.block();
    let text = "[";
    for (const line of b.text.split("\n")) if (!trimWs(line).startsWith("//")) text += `${line} `;
    try {
      return readZincValue(text, this.zincLimits());
    } catch (e) {
      throw this.moved(e, () => b.starts[0] ?? 0);
    }
  }

  private moved(e: unknown, map: (offset: number) => number): unknown {
    if (!(e instanceof ParseError)) return e;
    const pos = this.posOf(map(e.offset));
    const msg = e.message.replace(/ \[line \d+, column \d+\]$/, "");
    return e instanceof LimitError ? new LimitError(msg, pos) : new ParseError(msg, pos);
  }
}

/** Source offset of offset `off` inside a dedented block. */
function blockOffset(b: Block, off: number): number {
  let line = 0;
  let lineStart = 0;
  for (let k = 0; k < off && k < b.text.length; k++) {
    if (b.text.charCodeAt(k) === 10) {
      line++;
      lineStart = k + 1;
    }
  }
  return (b.starts[line] ?? b.starts[b.starts.length - 1] ?? 0) + (off - lineStart);
}

function abridge(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
}

/** Nested `Trio:` blocks recurse; whatever the caller asks, the stack stays safe. */
const HARD_MAX_DEPTH = 1000;

function fullLimits(limits: ReadLimits | undefined): Required<ReadLimits> {
  const l = { ...DEFAULT_LIMITS, ...limits };
  return { ...l, maxDepth: Math.min(l.maxDepth, HARD_MAX_DEPTH) };
}

/**
 * Reads every record of a Trio document.
 *
 * ```ts
 * readTrio("dis: Site 1\nsite\n---\ndis: \"Site 2\"") // two dicts
 * ```
 */
export function readTrio(text: string, limits?: ReadLimits): HDict[] {
  return new TrioParser(text, fullLimits(limits), 0, (off) => positionOf(text, off)).records();
}

/** Reads a Trio document as a grid: one row per record, columns the union of tag names. */
export function readTrioGrid(text: string, limits?: ReadLimits): HGrid {
  const recs = readTrio(text, limits);
  const max = limits?.maxRows ?? DEFAULT_LIMITS.maxRows;
  if (recs.length > max) throw new LimitError(`More than ${max} records`, positionOf(text, text.length));
  return HGrid.fromDicts(recs);
}

function isDigits(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
