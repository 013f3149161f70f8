import { pad2, pad3 } from "./calendar.ts";

/** A time of day with millisecond precision and no zone. */
export class HTime {
  readonly kind = "time" as const;
  constructor(
    readonly hour: number,
    readonly minute: number,
    readonly second = 0,
    readonly ms = 0,
  ) {}

  static of(hour: number, minute: number, second = 0, ms = 0): HTime {
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0 || ms > 999) {
      throw new RangeError(`invalid time ${hour}:${minute}:${second}.${ms}`);
    }
    return new HTime(hour, minute, second, ms);
  }

  /** Milliseconds since midnight. */
  toMsOfDay(): number {
    return ((this.hour * 60 + this.minute) * 60 + this.second) * 1000 + this.ms;
  }

  /** `hh:mm:ss` or `hh:mm:ss.fff` (the canonical Zinc and JSON form). */
  toString(): string {
    const base = `${pad2(this.hour)}:${pad2(this.minute)}:${pad2(this.second)}`;
    return this.ms === 0 ? base : `${base}.${pad3(this.ms)}`;
  }
}
