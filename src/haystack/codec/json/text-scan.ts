/**
 * The JSON lexical layer under the Hayson reader: whitespace, strings (interned when they repeat),
 * numbers, literals and member punctuation, scanned in place on char codes. Strict JSON: a syntax
 * error is a ParseError at the offending character.
 */
import { ParseError, positionOf } from "../../errors.ts";
import { parseJsonText, skipValue } from "./scan.ts";

// Exact powers of ten: a mantissa below 2^53 divided by one is a single correctly rounded
// operation (Clinger's fast path), so common decimals skip `Number(text)`.
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** A few recent strings compared in place, so repeated zone names and units are not re-sliced. */
export class Interned {
  private readonly items: string[] = [];
  find(s: string, start: number, len: number): string | undefined {
    for (const x of this.items) if (x.length === len && s.startsWith(x, start)) return x;
    return undefined;
  }
  /** Remembers `x` unless it holds a quote, backslash or control char (raw text never matches those). */
  add(x: string): string {
    for (let i = 0; i < x.length; i++) {
      const c = x.charCodeAt(i);
      if (c < 32 || c === 34 || c === 92) return x;
    }
    if (this.items.length >= 8) this.items.pop();
    this.items.unshift(x);
    return x;
  }
}

/**
 * Member keys (`"name":` texts) found by a hash of their raw chars, so a row key that is not the
 * expected one is matched in place rather than sliced out and looked up as a new string (30% of
 * the Alpha building's row keys; JSON building decode 4.0 -> 3.6 ms).
 */
export class KeyTable {
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;

  /** `keys[i]` is the quoted key plus colon of index `i`; `index` says which indexes to enter. */
  constructor(
    private readonly keys: readonly string[],
    index: Iterable<number>,
  ) {
    let size = 16;
    while (size < keys.length * 4) size *= 2;
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    for (const i of index) {
      const k = keys[i] as string;
      let h = 0;
      for (let j = 1; j < k.length - 2; j++) h = (Math.imul(h, 31) + k.charCodeAt(j)) | 0;
      let j = h & this.mask;
      while (this.slots[j] !== 0) j = (j + 1) & this.mask;
      this.slots[j] = i + 1;
      this.hashes[j] = h;
    }
  }

  /** The index of the key text at `at` (its opening quote), colon included; -1 when none matches. */
  find(s: string, at: number): number {
    let h = 0;
    let i = at + 1;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 34) break;
      // Escapes, controls, space and '!' (no tag name has them) and the end go the slow way.
      if (!(c > 34) || c === 92) return -1;
      h = (Math.imul(h, 31) + c) | 0;
      i++;
    }
    if (s.charCodeAt(i + 1) !== 58) return -1;
    for (let j = h & this.mask; ; j = (j + 1) & this.mask) {
      const v = this.slots[j] as number;
      if (v === 0) return -1;
      if (this.hashes[j] === h && s.startsWith(this.keys[v - 1] as string, at)) return v - 1;
    }
  }
}

export class JsonScanner {
  pos = 0;

  constructor(protected readonly s: string) {}

  /** `true`, `false` or `null` at `pos`. */
  protected literal(): boolean | null {
    const s = this.s;
    if (s.startsWith("true", this.pos)) return this.lit("true", true);
    if (s.startsWith("false", this.pos)) return this.lit("false", false);
    return this.lit("null", null);
  }

  protected err(msg: string, at = this.pos): ParseError {
    return new ParseError(`invalid JSON: ${msg}`, positionOf(this.s, at));
  }

  /** Skips whitespace; returns the new position. */
  protected ws(): number {
    const s = this.s;
    let i = this.pos;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
      i++;
    }
    this.pos = i;
    return i;
  }

  protected expect(c: number, what: string): void {
    if (this.s.charCodeAt(this.ws()) !== c) throw this.err(`expected ${what}`);
    this.pos++;
  }

  protected lit<T>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.pos)) throw this.err("unexpected character");
    this.pos += word.length;
    return v;
  }

  /** A string at `pos` (the opening quote). */
  str(): string {
    const s = this.s;
    const start = this.pos + 1;
    let i = start;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) return this.escapedStr();
      if (c < 32 || i >= s.length)
        throw this.err(i >= s.length ? "unterminated string" : "control character in string", i);
      i++;
    }
    this.pos = i + 1;
    return s.slice(start, i);
  }

  protected escapedStr(): string {
    const s = this.s;
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 34) break;
      if (i >= s.length) throw this.err("unterminated string", i);
      if (c < 32) throw this.err("control character in string", i);
      i += c === 92 ? 2 : 1;
    }
    try {
      const v = JSON.parse(s.slice(start, i + 1)) as string;
      this.pos = i + 1;
      return v;
    } catch {
      throw this.err("bad escape in string", start);
    }
  }

  /**
   * A string whose text repeats (zone names, units): matched in place against recent ones. A new
   * one is remembered only if `ok` accepts it; undefined when it does not.
   */
  protected internedStr(cache: Interned, ok?: (v: string) => boolean): string | undefined {
    const s = this.s;
    const start = this.pos + 1;
    const end = s.indexOf('"', start);
    if (end > 0) {
      const hit = cache.find(s, start, end - start);
      if (hit !== undefined) {
        this.pos = end + 1;
        return hit;
      }
    }
    const v = this.str();
    if (ok && !ok(v)) return undefined;
    return cache.add(v);
  }

  protected num(): number {
    const s = this.s;
    const start = this.pos;
    let i = start;
    const neg = s.charCodeAt(i) === 45;
    if (neg) i++;
    let mant = 0;
    let digits = 0;
    let c = s.charCodeAt(i);
    if (c === 48) {
      c = s.charCodeAt(++i);
      if (c >= 48 && c <= 57) throw this.err("leading zero in number", start);
    } else {
      if (!(c >= 49 && c <= 57)) throw this.err("expected digit", i);
      while (c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        digits++;
        c = s.charCodeAt(++i);
      }
    }
    let frac = 0;
    if (c === 46) {
      c = s.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) throw this.err("expected digit", i);
      while (c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        digits++;
        frac++;
        c = s.charCodeAt(++i);
      }
    }
    let simple = true;
    if (c === 101 || c === 69) {
      simple = false;
      c = s.charCodeAt(++i);
      if (c === 43 || c === 45) c = s.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) throw this.err("expected digit", i);
      while (c >= 48 && c <= 57) c = s.charCodeAt(++i);
    }
    this.pos = i;
    if (simple && digits <= 15) {
      const v = frac === 0 ? mant : mant / (POW10[frac] as number);
      return neg ? -v : v;
    }
    return Number(s.slice(start, i));
  }

  /** After a member value: true when another member follows, false at `}`. */
  protected more(): boolean {
    const c = this.s.charCodeAt(this.ws());
    this.pos++;
    if (c === 44) return true;
    if (c === 125) return false;
    throw this.err("expected ',' or '}'", this.pos - 1);
  }

  protected moreItems(): boolean {
    const c = this.s.charCodeAt(this.ws());
    this.pos++;
    if (c === 44) return true;
    if (c === 93) return false;
    throw this.err("expected ',' or ']'", this.pos - 1);
  }

  /** A member key and its colon; leaves `pos` at the value. */
  protected key(): string {
    if (this.s.charCodeAt(this.ws()) !== 34) throw this.err("expected a double-quoted property name");
    const k = this.str();
    this.expect(58, "':' after property name");
    return k;
  }

  /** Whether the next key is `lit` (a quoted literal); if so consumes it and its colon. */
  protected keyIs(lit: string): boolean {
    if (!this.s.startsWith(lit, this.ws())) return false;
    this.pos += lit.length;
    this.expect(58, "':' after property name");
    return true;
  }

  /**
   * The next value as plain JSON, for members the converter reads as such (typed-object fields,
   * ignored keys): exactly what `JSON.parse` + v4-convert see, so both readers agree.
   */
  protected raw(): unknown {
    const s = this.s;
    const at = this.ws();
    const c = s.charCodeAt(at);
    if (c === 123 || c === 91) {
      let end = s.length;
      try {
        end = skipValue(s, at);
      } catch {
        // unterminated: JSON.parse fails below and the validator reports where
      }
      try {
        const v: unknown = JSON.parse(s.slice(at, end));
        this.pos = end;
        return v;
      } catch {
        parseJsonText(s);
        throw this.err("invalid JSON value", at);
      }
    }
    if (c === 34) return this.str();
    return c === 45 || (c >= 48 && c <= 57) ? this.num() : this.literal();
  }
}
