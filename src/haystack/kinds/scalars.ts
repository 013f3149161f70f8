/** Small string-backed and composite scalar kinds: Uri, Ref, Symbol, Coord, XStr. */

export class HUri {
  readonly kind = "uri" as const;
  constructor(readonly val: string) {}
  toString(): string {
    return this.val;
  }
}

/** Ref: an entity id (without the `@`) and an optional display name. Equality ignores `dis`. */
export class HRef {
  readonly kind = "ref" as const;
  constructor(
    readonly id: string,
    readonly dis?: string,
  ) {}
  toString(): string {
    return `@${this.id}`;
  }
  /** Same id, no display name (what storage keys use). */
  noDis(): HRef {
    return this.dis === undefined ? this : new HRef(this.id);
  }
}

export class HSymbol {
  readonly kind = "symbol" as const;
  constructor(readonly val: string) {}
  toString(): string {
    return `^${this.val}`;
  }
}

export class HCoord {
  readonly kind = "coord" as const;
  constructor(
    readonly lat: number,
    readonly lng: number,
  ) {}
  toString(): string {
    return `C(${this.lat},${this.lng})`;
  }
}

/** Extended string: a type name (starts upper case) and an opaque string value. */
export class HXStr {
  readonly kind = "xstr" as const;
  constructor(
    readonly type: string,
    readonly val: string,
  ) {}
  toString(): string {
    return `${this.type}("${this.val}")`;
  }
}

/** Ref id characters per the spec: letters, digits, `_ : - . ~`. */
export function isRefIdChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 95 ||
    c === 58 ||
    c === 45 ||
    c === 46 ||
    c === 126
  );
}

export function isValidRefId(id: string): boolean {
  if (id.length === 0) return false;
  for (let i = 0; i < id.length; i++) if (!isRefIdChar(id.charCodeAt(i))) return false;
  return true;
}
