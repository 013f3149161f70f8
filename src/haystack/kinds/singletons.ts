/** Marker, NA and Remove: value-less kinds, one shared instance each. */
export class HMarker {
  readonly kind = "marker" as const;
  toString(): string {
    return "\u2713";
  }
}
export class HNA {
  readonly kind = "na" as const;
  toString(): string {
    return "NA";
  }
}
export class HRemove {
  readonly kind = "remove" as const;
  toString(): string {
    return "remove";
  }
}

export const MARKER: HMarker = new HMarker();
export const NA: HNA = new HNA();
export const REMOVE: HRemove = new HRemove();
