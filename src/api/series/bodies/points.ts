/**
 * Collecting parsed points under the body limits: a shared budget of points and series for the
 * whole body, and a growable pair of Float64Arrays per series that never grows past the budget.
 */
import { SeriesError } from "../../../series/errors.ts";
import type { KeyDecl, KeyValue, Points } from "../../../series/model.ts";
import type { BodyLimits, ManyItem } from "./types.ts";

/** Points and series left for one body. */
export class Budget {
  private points = 0;
  private series = 0;

  constructor(readonly limits: BodyLimits) {}

  /** Claims `n` more points; throws "too_large" past maxPoints. */
  takePoints(n: number): void {
    this.points += n;
    if (this.points > this.limits.maxPoints) {
      throw new SeriesError("too_large", `body has more than ${this.limits.maxPoints} points`);
    }
  }

  /** Throws "too_large" early when `n` more points would not fit (before converting any). */
  room(n: number): void {
    if (this.points + n > this.limits.maxPoints) {
      throw new SeriesError("too_large", `body has more than ${this.limits.maxPoints} points`);
    }
  }

  /** Claims one more series; throws "too_large" past maxSeries. */
  takeSeries(): void {
    this.series++;
    if (this.series > this.limits.maxSeries) {
      throw new SeriesError("too_large", `body has more than ${this.limits.maxSeries} series`);
    }
  }
}

/** Points of one series, appended one at a time. */
export class PointsBuilder {
  private index: Float64Array;
  private values: Float64Array;
  private n = 0;

  constructor(
    private readonly budget: Budget,
    sizeHint = 256,
  ) {
    const size = Math.max(16, Math.min(sizeHint, budget.limits.maxPoints));
    this.index = new Float64Array(size);
    this.values = new Float64Array(size);
  }

  get length(): number {
    return this.n;
  }

  push(t: number, v: number): void {
    if (this.n === this.index.length) this.grow();
    this.budget.takePoints(1);
    this.index[this.n] = t;
    this.values[this.n] = v;
    this.n++;
  }

  build(): Points {
    return { index: this.index.slice(0, this.n), values: this.values.slice(0, this.n) };
  }

  private grow(): void {
    // The budget caps the points, so doubling never allocates more than twice maxPoints.
    const size = this.index.length * 2;
    const index = new Float64Array(size);
    const values = new Float64Array(size);
    index.set(this.index);
    values.set(this.values);
    this.index = index;
    this.values = values;
  }
}

/**
 * The series of a many-series body, one per key tuple and version in order of first appearance:
 * rows of one series may be spread over a long CSV or Arrow body, and repeated items of a JSON
 * body join too, so every format yields each series once.
 */
export class ManyCollector {
  private readonly groups = new Map<string, { keys: Record<string, KeyValue>; version?: number; b: PointsBuilder }>();
  private lastId = "";
  private last: PointsBuilder | undefined;

  constructor(
    private readonly decls: readonly KeyDecl[],
    private readonly budget: Budget,
  ) {}

  /** The builder of the series named by `keys` (already checked) and `version`. */
  series(keys: Record<string, KeyValue>, version?: number, sizeHint?: number): PointsBuilder {
    const id = `${version ?? ""}|${JSON.stringify(this.decls.map((d) => keys[d.name]))}`;
    // Long bodies repeat one series' keys row after row: skip the map for a repeat.
    if (id === this.lastId && this.last) return this.last;
    let g = this.groups.get(id);
    if (g === undefined) {
      this.budget.takeSeries();
      g = { keys, b: new PointsBuilder(this.budget, sizeHint) };
      if (version !== undefined) g.version = version;
      this.groups.set(id, g);
    }
    this.lastId = id;
    this.last = g.b;
    return g.b;
  }

  items(): ManyItem[] {
    return [...this.groups.values()].map((g) =>
      g.version === undefined
        ? { keys: g.keys, points: g.b.build() }
        : { keys: g.keys, version: g.version, points: g.b.build() },
    );
  }
}
