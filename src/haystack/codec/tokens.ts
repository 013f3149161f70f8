/**
 * Token kinds and character classes of the shared Haystack tokenizer (Zinc, Trio values, filters).
 */

/** Token kinds. Literal kinds are the contiguous range Num..DateTime (see `isLiteral`). */
export const Tok = {
  Eof: 0,
  Id: 1,
  Num: 2,
  Str: 3,
  Ref: 4,
  Symbol: 5,
  Uri: 6,
  Date: 7,
  Time: 8,
  DateTime: 9,
  Dot: 10,
  Colon: 11,
  Colon2: 12,
  Comma: 13,
  Semicolon: 14,
  Minus: 15,
  Eq: 16,
  NotEq: 17,
  Lt: 18,
  Lt2: 19,
  LtEq: 20,
  Gt: 21,
  Gt2: 22,
  GtEq: 23,
  LBrace: 24,
  RBrace: 25,
  LParen: 26,
  RParen: 27,
  LBracket: 28,
  RBracket: 29,
  Arrow: 30,
  FnArrow: 31,
  Slash: 32,
  Assign: 33,
  Bang: 34,
  Question: 35,
  Amp: 36,
  Pipe: 37,
  Nl: 38,
} as const;
export type Tok = (typeof Tok)[keyof typeof Tok];

const TOK_NAMES: readonly string[] = [
  "end of input",
  "identifier",
  "Number",
  "Str",
  "Ref",
  "Symbol",
  "Uri",
  "Date",
  "Time",
  "DateTime",
  "'.'",
  "':'",
  "'::'",
  "','",
  "';'",
  "'-'",
  "'=='",
  "'!='",
  "'<'",
  "'<<'",
  "'<='",
  "'>'",
  "'>>'",
  "'>='",
  "'{'",
  "'}'",
  "'('",
  "')'",
  "'['",
  "']'",
  "'->'",
  "'=>'",
  "'/'",
  "'='",
  "'!'",
  "'?'",
  "'&'",
  "'|'",
  "newline",
];

/** Display name of a token kind, for error messages. */
export function tokName(t: Tok): string {
  return TOK_NAMES[t] ?? "token";
}

/** Single-char punctuation by char code. */
export const SINGLE: readonly (Tok | undefined)[] = (() => {
  const out: (Tok | undefined)[] = new Array(128).fill(undefined);
  const pairs: [string, Tok][] = [
    [",", Tok.Comma],
    [":", Tok.Colon],
    [";", Tok.Semicolon],
    ["[", Tok.LBracket],
    ["]", Tok.RBracket],
    ["{", Tok.LBrace],
    ["}", Tok.RBrace],
    ["(", Tok.LParen],
    [")", Tok.RParen],
    ["<", Tok.Lt],
    [">", Tok.Gt],
    ["-", Tok.Minus],
    ["=", Tok.Assign],
    ["!", Tok.Bang],
    ["/", Tok.Slash],
    [".", Tok.Dot],
    ["?", Tok.Question],
    ["&", Tok.Amp],
    ["|", Tok.Pipe],
  ];
  for (const [s, t] of pairs) out[s.charCodeAt(0)] = t;
  return out;
})();

const PAIR_LIST: [string, Tok][] = [
  ["::", Tok.Colon2],
  ["<<", Tok.Lt2],
  ["<=", Tok.LtEq],
  [">>", Tok.Gt2],
  [">=", Tok.GtEq],
  ["->", Tok.Arrow],
  ["==", Tok.Eq],
  ["=>", Tok.FnArrow],
  ["!=", Tok.NotEq],
];

/** Two-char punctuation keyed by `first * 65536 + second`. */
export const PAIRS: ReadonlyMap<number, Tok> = new Map(
  PAIR_LIST.map(([s, t]) => [s.charCodeAt(0) * 65536 + s.charCodeAt(1), t]),
);

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

export function isIdChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

export function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Zinc `<unitChar>`: alpha, `% _ / $` and anything above 128 (non-breaking space excluded). */
export function isUnitStart(c: number): boolean {
  return isAlpha(c) || c === 37 || c === 95 || c === 47 || c === 36 || (c > 128 && c !== 0xa0);
}

/** After the first unit char digits may follow (as haxall reads them). */
export function isUnitChar(c: number): boolean {
  return isUnitStart(c) || isDigit(c);
}

export function isTzChar(c: number): boolean {
  return isIdChar(c) || c === 45 || c === 43;
}

/** Uri escapes that stay in the value as backslash + char (Zinc `<uriEscChar>`). */
export function isUriKeptEscape(c: number): boolean {
  switch (c) {
    case 58: // :
    case 47: // /
    case 63: // ?
    case 35: // #
    case 91: // [
    case 93: // ]
    case 64: // @
    case 92: // \
    case 38: // &
    case 61: // =
    case 59: // ;
      return true;
    default:
      return false;
  }
}

/** Out-parameter of `decodeEscape` (one object per tokenizer, so escapes allocate no tuples). */
export interface Escape {
  ch: string;
}

/**
 * Decodes the Str escape whose backslash is at `i` (`\n`, `\"`, `\$`, `\uXXXX`, `\u{X..}`, ...) into
 * `out.ch`; returns the index after it, or -1 when it is not a valid escape.
 */
export function decodeEscape(s: string, i: number, out: Escape): number {
  const c = s.charCodeAt(i + 1);
  switch (c) {
    case 98:
      out.ch = "\b";
      return i + 2;
    case 102:
      out.ch = "\f";
      return i + 2;
    case 110:
      out.ch = "\n";
      return i + 2;
    case 114:
      out.ch = "\r";
      return i + 2;
    case 116:
      out.ch = "\t";
      return i + 2;
    case 34:
    case 36:
    case 39:
    case 96:
    case 92:
      out.ch = String.fromCharCode(c);
      return i + 2;
    case 117:
      return unicodeEscape(s, i, out);
    default:
      return -1;
  }
}

function unicodeEscape(s: string, i: number, out: Escape): number {
  let code = 0;
  let j = i + 2;
  if (s.charCodeAt(j) === 123) {
    j++;
    let n = 0;
    while (s.charCodeAt(j) !== 125) {
      const h = hexVal(s.charCodeAt(j));
      if (h < 0 || ++n > 6) return -1;
      code = code * 16 + h;
      j++;
    }
    if (n === 0 || code > 0x10ffff) return -1;
    out.ch = String.fromCodePoint(code);
    return j + 1;
  }
  for (let k = 0; k < 4; k++) {
    const h = hexVal(s.charCodeAt(j + k));
    if (h < 0) return -1;
    code = code * 16 + h;
  }
  out.ch = String.fromCharCode(code);
  return j + 4;
}
