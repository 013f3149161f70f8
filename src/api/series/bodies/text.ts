/** Request bodies as text, within the byte limit, and JSON syntax errors with their place. */
import { SeriesError } from "../../../series/errors.ts";
import type { BodyLimits } from "./types.ts";

/** Throws "too_large" when the body is over the byte limit (before anything is parsed). */
export function checkBytes(body: Uint8Array, limits: BodyLimits): void {
  if (body.byteLength > limits.maxBytes) {
    throw new SeriesError("too_large", `body is larger than ${limits.maxBytes} bytes`);
  }
}

/** The body as UTF-8 text (a BOM is dropped); "invalid" at the first byte that is not UTF-8. */
export function utf8Text(body: Uint8Array, limits: BodyLimits): string {
  checkBytes(body, limits);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw new SeriesError("invalid", `body is not valid UTF-8 (from byte ${firstBadUtf8(body)})`);
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (only on the error path). */
function firstBadUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    // Overlong and surrogate forms are rare enough to report at the sequence start too.
    const d = b[i + 1] ?? 0;
    if ((c === 0xe0 && d < 0xa0) || (c === 0xed && d > 0x9f) || (c === 0xf0 && d < 0x90) || (c === 0xf4 && d > 0x8f)) {
      return i;
    }
    i += n + 1;
  }
  return i;
}

/** `line L, column C` (1-based) of offset `at` in `text`. */
export function lineColumn(text: string, at: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < at; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line}, column ${at - start + 1}`;
}

/** JSON.parse, or "invalid" naming where the syntax breaks (`where` prefixes the message). */
export function parseJson(text: string, where: () => string = () => ""): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = jsonErrorOffset(text);
    const reason = e instanceof Error ? e.message.slice(0, 160) : "syntax error";
    throw new SeriesError("invalid", `${where()}invalid JSON at ${lineColumn(text, at)}: ${reason}`);
  }
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER_RE = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const HEX4_RE = /[0-9a-fA-F]{4}/y;

/**
 * Finds the first syntax error of a JSON text. Only runs after JSON.parse failed, whose messages
 * give no position on every engine. Iterative, so deep nesting cannot overflow the stack.
 */
class JsonScan {
  i = 0;
  /** Open containers: 0x5b `[` or 0x7b `{`. */
  private readonly stack: number[] = [];

  constructor(private readonly s: string) {}

  /** Offset of the first error (the text's length when it ends too early). */
  errorOffset(): number {
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        const depth = this.stack.length;
        if (!this.value()) return this.i;
        // A container that was opened and is not empty wants its first element or member value.
        expectValue = this.stack.length > depth;
        if (expectValue) continue;
      }
      this.ws();
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) return this.i;
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        if (top === 0x7b && !this.member()) return this.i;
        expectValue = true;
      } else if (c === (top === 0x5b ? 0x5d : 0x7d)) {
        this.stack.pop();
        this.i++;
      } else return this.i;
    }
  }

  private ws(): void {
    while (this.i < this.s.length && WS.has(this.s.charCodeAt(this.i))) this.i++;
  }

  private value(): boolean {
    this.ws();
    const c = this.s.charCodeAt(this.i);
    if (c === 0x22) return this.str();
    if (c === 0x5b || c === 0x7b) {
      this.stack.push(c);
      this.i++;
      this.ws();
      if (this.s.charCodeAt(this.i) === (c === 0x5b ? 0x5d : 0x7d)) {
        this.stack.pop();
        this.i++;
        return true;
      }
      return c === 0x7b ? this.member() : true;
    }
    for (const lit of ["true", "false", "null"]) {
      if (this.s.startsWith(lit, this.i)) {
        this.i += lit.length;
        return true;
      }
    }
    NUMBER_RE.lastIndex = this.i;
    if (!NUMBER_RE.test(this.s)) return false;
    this.i = NUMBER_RE.lastIndex;
    return true;
  }

  private str(): boolean {
    const s = this.s;
    this.i++;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        this.i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      const e = s.charAt(this.i + 1);
      HEX4_RE.lastIndex = this.i + 2;
      if (e === "u" && HEX4_RE.test(s)) this.i += 6;
      else if (e !== "" && '"\\/bfnrt'.includes(e)) this.i += 2;
      else return false;
    }
    return false;
  }

  /** A member's name and colon; its value follows. */
  private member(): boolean {
    this.ws();
    if (this.s.charCodeAt(this.i) !== 0x22 || !this.str()) return false;
    this.ws();
    if (this.s.charCodeAt(this.i) !== 0x3a) return false;
    this.i++;
    return true;
  }
}

/** Offset of the first JSON syntax error of `s`. */
export function jsonErrorOffset(s: string): number {
  return new JsonScan(s).errorOffset();
}
