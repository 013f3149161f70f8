/**
 * Trio writer (layout and quoting policy of haxall's TrioWriter): records separated by `---`, tags
 * sorted with `id`, `name`, `dis` first; Markers as bare names; Strs unquoted when safe, multi-line
 * Strs as indented blocks; anything holding a grid as an indented `Zinc:` block; other values in
 * their Zinc form. Every choice is one that `readTrio` reads back to the same value.
 */
import { type HCol, HDict, HGrid, type HRow, type HVal, MARKER, newTags } from "../../kinds/index.ts";
import type { GridEncoder, GridWriter } from "../types.ts";
import { writeZincGrid, writeZincValue, zincStr } from "../zinc/index.ts";

const KEYWORDS = new Set(["true", "false", "T", "F", "INF", "NA", "NaN", "R", "Zinc"]);

function isPlainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 32 || c === 45 || c === 95;
}

/**
 * haxall's `TrioWriter.useQuotes`: quote unless the Str starts with a letter and holds only
 * letters, digits, space, `-`, `_` (or starts beyond ASCII), and is not a keyword like `true`.
 */
export function trioUseQuotes(s: string): boolean {
  if (s.length === 0) return true;
  const c0 = s.charCodeAt(0);
  if (c0 > 127) return false;
  if (!((c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90))) return true;
  if (KEYWORDS.has(s)) return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 127 && !isPlainChar(c)) return true;
  }
  return false;
}

/** Beyond haxall's policy: texts its reader would trim, split or misread must be quoted too. */
function mustQuote(s: string): boolean {
  if (trioUseQuotes(s)) return true;
  const last = s.charCodeAt(s.length - 1);
  if (last <= 32 || last === 58) return true; // trimmed, or `name:` block syntax
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 127 || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/**
 * Whether a multi-line Str survives as an indented block: no controls but `\n`, no trailing
 * whitespace on a line (readers trim it), and some line starting at the left margin (so exactly
 * the two-space indent is stripped back off).
 */
function blockSafe(s: string): boolean {
  let lineStart = 0;
  let margin = false;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 10;
    if (c === 10) {
      if (i > lineStart) {
        if (s.charCodeAt(i - 1) <= 32) return false;
        if (s.charCodeAt(lineStart) > 32) margin = true;
      }
      lineStart = i + 1;
    } else if (c < 32 || c === 127 || (c >= 0xd800 && c <= 0xdfff)) {
      return false;
    }
  }
  return margin;
}

function hasGrid(v: HVal): boolean {
  if (v === null || typeof v !== "object") return false;
  if (Array.isArray(v)) return v.some(hasGrid);
  const x = v as Exclude<HVal, null | boolean | string | number | readonly HVal[]>;
  if (x.kind === "grid") return true;
  if (x.kind !== "dict") return false;
  for (const k of x.names()) if (hasGrid(x.get(k) ?? null)) return true;
  return false;
}

/** Each line indented two spaces; a Str keeps a final empty line (its trailing newline). */
function indented(text: string, isStr = false): string {
  const lines = text.split("\n");
  if (!isStr && lines[lines.length - 1] === "") lines.pop();
  let s = "";
  for (const line of lines) s += line === "" ? "\n" : `  ${line}\n`;
  return s;
}

/** One `name...` tag line (or block), newline included. */
function tagText(name: string, v: HVal): string {
  if (v === MARKER) return `${name}\n`;
  if (typeof v === "string") {
    if (v.includes("\n") && blockSafe(v)) return `${name}:\n${indented(v, true)}`;
    return `${name}:${mustQuote(v) ? zincStr(v) : v}\n`;
  }
  if (typeof v === "boolean") return `${name}:${v ? "true" : "false"}\n`;
  if (hasGrid(v)) {
    return `${name}:Zinc:\n${indented(v instanceof HGrid ? writeZincGrid(v) : writeZincValue(v))}`;
  }
  return `${name}:${writeZincValue(v)}\n`;
}

function order(a: string, b: string): number {
  const rank = (n: string) => (n === "id" ? 0 : n === "name" ? 1 : n === "dis" ? 2 : n === "src" ? 4 : 3);
  const d = rank(a) - rank(b);
  return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
}

/** One record's text (no separator). */
export function writeTrioDict(d: HDict): string {
  let s = "";
  for (const n of d.names().sort(order)) {
    const v = d.get(n);
    if (v !== undefined && v !== null) s += tagText(n, v);
  }
  return s;
}

/** A Trio document of the dicts, separated by `---` lines. */
export function writeTrio(dicts: Iterable<HDict>): string {
  let s = "";
  let first = true;
  for (const d of dicts) {
    if (!first) s += "---\n";
    first = false;
    s += writeTrioDict(d);
  }
  return s;
}

class TrioEncoder implements GridEncoder {
  private names: string[] = [];
  private count = 0;

  begin(_meta: HDict, cols: readonly HCol[]): string {
    this.names = cols.map((c) => c.name);
    this.count = 0;
    return "";
  }

  row(cells: HRow): string {
    const tags = newTags();
    for (let i = 0; i < this.names.length; i++) {
      const v = cells[i];
      if (v !== null && v !== undefined) tags[this.names[i] as string] = v;
    }
    const text = writeTrioDict(HDict.unsafeOf(tags));
    return this.count++ === 0 ? text : `---\n${text}`;
  }

  end(): string {
    return "";
  }
}

/** A fresh incremental Trio encoder: each row becomes a record (grid meta is not written). */
export function trioEncoder(): GridEncoder {
  return new TrioEncoder();
}

export const TRIO_WRITER: GridWriter = {
  writeGrid: (g: HGrid) => writeTrio(g.dicts()),
  encoder: trioEncoder,
};
