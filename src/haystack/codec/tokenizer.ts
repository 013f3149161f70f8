/**
 * The one tokenizer behind Zinc, Trio values and filters (the role of haxall's HaystackTokenizer).
 * It scans char codes over a string window, builds scalar literals directly as Haystack values,
 * and computes line/column only when it reports an error.
 */
import { LimitError, ParseError, positionOf } from "../errors.ts";
import {
  daysInMonth,
  HDate,
  HDateTime,
  HNumber,
  HRef,
  HSymbol,
  HTime,
  HUri,
  type HVal,
  ISO,
  isRefIdChar,
  scanIso,
} from "../kinds/index.ts";
import { isKnownTz } from "../time/tz.ts";
import {
  decodeEscape,
  type Escape,
  hexVal,
  isAlpha,
  isDigit,
  isIdChar,
  isTzChar,
  isUnitChar,
  isUnitStart,
  isUriKeptEscape,
  PAIRS,
  SINGLE,
  Tok,
  tokName,
} from "./tokens.ts";

export { Tok, tokName } from "./tokens.ts";

export interface TokenizerOptions {
  /** First offset to scan (default 0). */
  readonly start?: number;
  /** Offset just past the last char to scan (default the text length). */
  readonly end?: number;
  /** Emit `Nl` tokens (Zinc, default true); when false newlines are plain whitespace (filters). */
  readonly newlines?: boolean;
}

// Exact powers of ten: a mantissa below 2^53 times or divided by one of these is a single,
// correctly rounded IEEE operation (Clinger's fast path), so common numbers skip parseFloat.
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

// Units and zone names repeat on every row of a history grid: intern them so 100k rows share
// one string. Bounded so hostile input cannot grow it without limit.
const INTERN_MAX = 4096;
const interned = new Map<string, string>();

function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size >= INTERN_MAX) interned.clear();
  interned.set(s, s);
  return s;
}

/**
 * Scans Haystack tokens. Call `next()` to advance; then `tok` is the kind, `val` the literal value
 * (or the identifier text for `Id`), and `start`/`end` bound the token text.
 *
 * @example
 * const t = new Tokenizer("dis:\"x\" temp:72°F");
 * while (t.next() !== Tok.Eof) console.log(tokName(t.tok), t.val);
 */
export class Tokenizer {
  /** The text (cut at the window end, so reads past it yield NaN, which no test matches). */
  readonly src: string;
  /** Current token kind. */
  tok: Tok = Tok.Eof;
  /** Literal value for literal tokens, identifier text for `Id`, else null. */
  val: HVal = null;
  /** Offset of the current token's first char. */
  start = 0;
  private pos: number;
  private readonly len: number;
  private readonly newlines: boolean;
  private lastUnit = "";
  private lastTz = "";
  // The last valid date read (yyyymmdd): history rows repeat the day, so it is checked once.
  private lastDateKey = -1;

  constructor(text: string, opts: TokenizerOptions = {}) {
    const end = opts.end ?? text.length;
    this.src = end < text.length ? text.slice(0, end) : text;
    this.len = this.src.length;
    this.pos = opts.start ?? 0;
    this.newlines = opts.newlines ?? true;
  }

  /** Offset just past the current token. */
  get end(): number {
    return this.pos;
  }

  /** Whether the current token is a scalar literal (Number, Str, Ref, Symbol, Uri, Date, Time, DateTime). */
  isLiteral(): boolean {
    return this.tok >= Tok.Num && this.tok <= Tok.DateTime;
  }

  /** Whether the current token is of kind `k` (a call, so TypeScript does not narrow `tok` across `next()`). */
  is(k: Tok): boolean {
    return this.tok === k;
  }

  /** Whether the current token is identifier `name`. */
  isId(name: string): boolean {
    return this.tok === Tok.Id && this.val === name;
  }

  /** A ParseError at `offset` (default: the current token). */
  error(msg: string, offset: number = this.start): ParseError {
    return new ParseError(msg, positionOf(this.src, offset));
  }

  /** A LimitError at `offset` (default: the current token). */
  limitError(msg: string, offset: number = this.start): LimitError {
    return new LimitError(msg, positionOf(this.src, offset));
  }

  /** The current token for messages: kind plus (abridged) text. */
  describe(): string {
    if (this.tok === Tok.Eof || this.tok === Tok.Nl) return tokName(this.tok);
    const text = this.src.slice(this.start, Math.min(this.pos, this.start + 40));
    return this.tok >= Tok.Dot ? text : `${tokName(this.tok)} ${JSON.stringify(text)}`;
  }

  /** Code of the next char after the current token, skipping spaces and tabs (NaN at the end). */
  peekChar(): number {
    let i = this.pos;
    let c = this.src.charCodeAt(i);
    while (c === 32 || c === 9) c = this.src.charCodeAt(++i);
    return c;
  }

  /**
   * Reads raw text up to (not including) char `close` on the same line, moves past it and scans
   * the following token. Serves old forms such as Zinc 2.0's unquoted `Bin(text/plain)`.
   */
  rawUntil(close: number): string {
    const s = this.src;
    const from = this.pos;
    let i = from;
    while (i < this.len) {
      const c = s.charCodeAt(i);
      if (c === close) break;
      if (c === 10 || c === 13) break;
      i++;
    }
    if (s.charCodeAt(i) !== close) throw this.error(`Expected '${String.fromCharCode(close)}'`, i);
    this.pos = i + 1;
    this.next();
    return s.slice(from, i);
  }

  /**
   * With a comma current: consumes up to `max` commas right after it (a run of empty Zinc cells,
   * 85% of the Alpha building's cells) and scans the token after them; returns how many.
   */
  commaRun(max: number): number {
    const s = this.src;
    const from = this.pos;
    const stop = from + max;
    let i = from;
    while (i < stop && s.charCodeAt(i) === 44) i++;
    this.pos = i;
    this.next();
    return i - from;
  }

  /** Advances to the next token and returns its kind. */
  next(): Tok {
    const s = this.src;
    const len = this.len;
    let i = this.pos;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 9 || c === 0xa0) {
        i++;
      } else if (c === 47 && s.charCodeAt(i + 1) === 47) {
        i += 2;
        while (i < len && s.charCodeAt(i) !== 10 && s.charCodeAt(i) !== 13) i++;
      } else if (c === 47 && s.charCodeAt(i + 1) === 42) {
        i = this.skipBlockComment(i);
      } else if ((c === 10 || c === 13) && !this.newlines) {
        i++;
      } else {
        break;
      }
    }
    this.start = i;
    this.val = null;
    if (i >= len) {
      this.pos = i;
      this.tok = Tok.Eof;
      return Tok.Eof;
    }
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) {
      this.pos = c === 13 && s.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
      this.tok = Tok.Nl;
      return Tok.Nl;
    }
    if (c === 44) {
      // Commas separate every Zinc cell: skip the table lookup.
      this.pos = i + 1;
      this.tok = Tok.Comma;
      return Tok.Comma;
    }
    if (isAlpha(c) || (c === 95 && isIdChar(s.charCodeAt(i + 1)))) return this.id(i);
    if (isDigit(c) || (c === 45 && isDigit(s.charCodeAt(i + 1)))) return this.num(i);
    switch (c) {
      case 34:
        return this.str(i);
      case 64:
        return this.refOrSymbol(i, Tok.Ref);
      case 94:
        return this.refOrSymbol(i, Tok.Symbol);
      case 96:
        return this.uri(i);
      default:
        return this.operator(i, c);
    }
  }

  private skipBlockComment(from: number): number {
    // Nested like haxall's; an unterminated one is an error rather than silently eating the rest.
    const s = this.src;
    let depth = 0;
    let i = from;
    while (i < this.len) {
      const c = s.charCodeAt(i);
      if (c === 47 && s.charCodeAt(i + 1) === 42) {
        depth++;
        i += 2;
      } else if (c === 42 && s.charCodeAt(i + 1) === 47) {
        i += 2;
        if (--depth === 0) return i;
      } else {
        i++;
      }
    }
    throw this.error("Unterminated /* comment", from);
  }

  private id(from: number): Tok {
    const s = this.src;
    let i = from + 1;
    while (isIdChar(s.charCodeAt(i))) i++;
    this.pos = i;
    this.val = s.slice(from, i);
    this.tok = Tok.Id;
    return Tok.Id;
  }

  private num(from: number): Tok {
    const s = this.src;
    let i = from;
    const neg = s.charCodeAt(i) === 45;
    if (neg) i++;
    if (s.charCodeAt(i) === 48 && s.charCodeAt(i + 1) === 120) return this.hex(from, i + 2, neg);
    const intStart = i;
    let mant = 0;
    let nd = 0;
    let c = s.charCodeAt(i);
    for (;;) {
      if (c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        nd++;
      } else if (c !== 95 || !isDigit(s.charCodeAt(i + 1))) {
        break;
      }
      c = s.charCodeAt(++i);
    }
    if (!neg && i - intStart === nd) {
      if (nd === 4 && c === 45) return this.dateOrDateTime(from, mant);
      if ((nd === 1 || nd === 2) && c === 58 && isDigit(s.charCodeAt(i + 1))) return this.time(from, i, mant);
    }
    let fd = 0;
    if (c === 46 && isDigit(s.charCodeAt(i + 1))) {
      c = s.charCodeAt(++i);
      for (;;) {
        if (c >= 48 && c <= 57) {
          mant = mant * 10 + (c - 48);
          nd++;
          fd++;
        } else if (c !== 95 || !isDigit(s.charCodeAt(i + 1))) {
          break;
        }
        c = s.charCodeAt(++i);
      }
    }
    let exp = 0;
    if (c === 101 || c === 69) {
      let j = i + 1;
      let e = s.charCodeAt(j);
      const eneg = e === 45;
      if (e === 43 || e === 45) e = s.charCodeAt(++j);
      if (isDigit(e)) {
        while (isDigit(e)) {
          if (exp < 100_000) exp = exp * 10 + (e - 48);
          e = s.charCodeAt(++j);
        }
        if (eneg) exp = -exp;
        i = j;
        c = e;
      } else if (j > i + 1) {
        throw this.error("Invalid Number literal: exponent without digits", from);
      }
    }
    let v: number;
    const e10 = exp - fd;
    if (nd <= 15 && e10 >= -22 && e10 <= 22) {
      v = e10 >= 0 ? mant * (POW10[e10] as number) : mant / (POW10[-e10] as number);
      if (neg) v = -v;
    } else {
      v = Number(s.slice(from, i).split("_").join(""));
      if (Number.isNaN(v)) throw this.error("Invalid Number literal", from);
    }
    if (isUnitStart(c)) {
      const us = i;
      i++;
      while (isUnitChar(s.charCodeAt(i))) i++;
      this.val = new HNumber(v, this.unit(us, i));
    } else {
      this.val = v;
    }
    this.pos = i;
    this.tok = Tok.Num;
    return Tok.Num;
  }

  private hex(from: number, digitsFrom: number, neg: boolean): Tok {
    const s = this.src;
    let i = digitsFrom;
    let v = 0;
    let any = false;
    for (;;) {
      const c = s.charCodeAt(i);
      const h = hexVal(c);
      if (h >= 0) {
        v = v * 16 + h;
        any = true;
      } else if (c !== 95) {
        break;
      }
      i++;
    }
    if (!any) throw this.error("Invalid hex Number literal", from);
    this.pos = i;
    this.val = neg ? -v : v;
    this.tok = Tok.Num;
    return Tok.Num;
  }

  private unit(a: number, b: number): string {
    const last = this.lastUnit;
    if (last.length === b - a && this.src.startsWith(last, a)) return last;
    const u = intern(this.src.slice(a, b));
    this.lastUnit = u;
    return u;
  }

  private twoDigits(i: number): number {
    const a = this.src.charCodeAt(i) - 48;
    const b = this.src.charCodeAt(i + 1) - 48;
    return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
  }

  private dateOrDateTime(from: number, year: number): Tok {
    const s = this.src;
    const mo = this.twoDigits(from + 5);
    const d = this.twoDigits(from + 8);
    const key = year * 10_000 + mo * 100 + d;
    if (key !== this.lastDateKey) {
      if (mo < 1 || mo > 12 || s.charCodeAt(from + 7) !== 45 || d < 1 || d > daysInMonth(year, mo)) {
        throw this.error(`Invalid Date literal '${s.slice(from, from + 10)}'`, from);
      }
      this.lastDateKey = key;
    } else if (s.charCodeAt(from + 7) !== 45) {
      throw this.error(`Invalid Date literal '${s.slice(from, from + 10)}'`, from);
    }
    if (s.charCodeAt(from + 10) !== 84) {
      this.pos = from + 10;
      this.val = new HDate(year, mo, d);
      this.tok = Tok.Date;
      return Tok.Date;
    }
    // scanIso allocates nothing and caches the day, so re-reading the date costs little.
    const i0 = scanIso(s, from);
    if (i0 < 0) throw this.error("Invalid DateTime literal", from);
    const offset = ISO.offset;
    const ms = ISO.ms;
    let i = i0;
    let tz: string;
    if (s.charCodeAt(i) === 32 && s.charCodeAt(i + 1) >= 65 && s.charCodeAt(i + 1) <= 90) {
      const a = i + 1;
      i = a + 1;
      while (isTzChar(s.charCodeAt(i))) i++;
      tz = this.tzName(a, i);
    } else if (s.charCodeAt(i - 1) === 90) {
      tz = "UTC";
    } else {
      throw this.error("Expecting timezone name after DateTime", i);
    }
    this.pos = i;
    this.val = new HDateTime(ms, tz, offset);
    this.tok = Tok.DateTime;
    return Tok.DateTime;
  }

  private tzName(a: number, b: number): string {
    const last = this.lastTz;
    if (last.length === b - a && this.src.startsWith(last, a)) return last;
    const tz = intern(this.src.slice(a, b));
    // As haxall's TimeZone.fromStr: a name the zone database does not know is a syntax error, not
    // a value that fails later when someone asks for its offset (isKnownTz caches per name).
    if (!isKnownTz(tz)) throw this.error(`Unknown timezone '${tz}'`, a);
    this.lastTz = tz;
    return tz;
  }

  /** `h:mm`, `hh:mm`, `hh:mm:ss`, `hh:mm:ss.fff...` (short forms as haxall reads them). */
  private time(from: number, colon: number, hour: number): Tok {
    const s = this.src;
    const min = this.twoDigits(colon + 1);
    let i = colon + 3;
    let sec = 0;
    let ms = 0;
    if (min >= 0 && s.charCodeAt(i) === 58) {
      sec = this.twoDigits(i + 1);
      i += 3;
      if (sec >= 0 && s.charCodeAt(i) === 46 && isDigit(s.charCodeAt(i + 1))) {
        i++;
        let scale = 100;
        while (isDigit(s.charCodeAt(i))) {
          ms += (s.charCodeAt(i) - 48) * scale;
          scale /= 10;
          i++;
        }
        ms = Math.floor(ms);
      }
    }
    if (hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 59) {
      throw this.error(`Invalid Time literal '${s.slice(from, i)}'`, from);
    }
    this.pos = i;
    this.val = new HTime(hour, min, sec, ms);
    this.tok = Tok.Time;
    return Tok.Time;
  }

  private str(from: number): Tok {
    const s = this.src;
    const len = this.len;
    let i = from + 1;
    const triple = s.charCodeAt(i) === 34 && s.charCodeAt(i + 1) === 34;
    if (!triple) {
      // No backslash before the closing quote: one indexOf and one slice instead of a char loop
      // (Alpha building decode 2.70 -> 2.45 ms). The next backslash is cached, so this stays linear.
      const q = s.indexOf('"', i);
      if (this.nextBackslash < i) {
        const b = s.indexOf("\\", i);
        this.nextBackslash = b < 0 ? len : b;
      }
      if (q >= 0 && this.nextBackslash > q) {
        this.val = s.slice(i, q);
        this.pos = q + 1;
        this.tok = Tok.Str;
        return Tok.Str;
      }
    }
    if (triple) i += 2;
    let chunk = i;
    let out = "";
    for (;;) {
      if (i >= len) throw this.error("Unexpected end of Str", from);
      const c = s.charCodeAt(i);
      if (c === 34) {
        if (!triple) break;
        if (s.charCodeAt(i + 1) === 34 && s.charCodeAt(i + 2) === 34) break;
        i++;
      } else if (c === 92) {
        out += s.slice(chunk, i);
        i = this.escape(i);
        out += this.esc.ch;
        chunk = i;
      } else {
        i++;
      }
    }
    this.val = out + s.slice(chunk, i);
    this.pos = i + (triple ? 3 : 1);
    this.tok = Tok.Str;
    return Tok.Str;
  }

  private readonly esc: Escape = { ch: "" };
  /** Offset of the next backslash at or after the last Str scanned (the length when none). */
  private nextBackslash = -1;

  /** Decodes the escape at `i` (a backslash) into `this.esc.ch`; returns the index after it. */
  private escape(i: number): number {
    const next = decodeEscape(this.src, i, this.esc);
    if (next < 0) throw this.error("Invalid escape sequence", i);
    return next;
  }

  private uri(from: number): Tok {
    const s = this.src;
    let i = from + 1;
    let chunk = i;
    let out = "";
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 96) break;
      if (i >= this.len || c === 10) throw this.error("Unexpected end of Uri", from);
      if (c === 92) {
        if (isUriKeptEscape(s.charCodeAt(i + 1))) {
          i += 2;
          continue;
        }
        out += s.slice(chunk, i);
        i = this.escape(i);
        out += this.esc.ch;
        chunk = i;
      } else {
        i++;
      }
    }
    this.val = new HUri(out + s.slice(chunk, i));
    this.pos = i + 1;
    this.tok = Tok.Uri;
    return Tok.Uri;
  }

  private refOrSymbol(from: number, kind: typeof Tok.Ref | typeof Tok.Symbol): Tok {
    const s = this.src;
    let i = from + 1;
    while (isRefIdChar(s.charCodeAt(i))) i++;
    if (i === from + 1) throw this.error(kind === Tok.Ref ? "Invalid empty Ref" : "Invalid empty Symbol", from);
    const id = s.slice(from + 1, i);
    this.val = kind === Tok.Ref ? new HRef(id) : new HSymbol(id);
    this.pos = i;
    this.tok = kind;
    return kind;
  }

  private operator(from: number, c: number): Tok {
    const pair = PAIRS.get(c * 65536 + this.src.charCodeAt(from + 1));
    const t = pair ?? (c < 128 ? SINGLE[c] : undefined);
    if (t === undefined) {
      const ch = String.fromCodePoint(this.src.codePointAt(from) ?? c);
      throw this.error(`Unexpected character ${JSON.stringify(ch)} (0x${c.toString(16)})`, from);
    }
    this.pos = from + (pair === undefined ? 1 : 2);
    this.tok = t;
    return t;
  }
}
