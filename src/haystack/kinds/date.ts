import { daysFromCivil, daysInMonth, MS_PER_DAY, pad2, pad4 } from "./calendar.ts";

/** A calendar date with no zone. */
export class HDate {
  readonly kind = "date" as const;
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
  ) {}

  /** Validating constructor: throws RangeError on an impossible date. */
  static of(year: number, month: number, day: number): HDate {
    if (!Number.isInteger(year) || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      throw new RangeError(`invalid date ${year}-${month}-${day}`);
    }
    return new HDate(year, month, day);
  }

  /** Days since 1970-01-01. */
  toEpochDays(): number {
    return daysFromCivil(this.year, this.month, this.day);
  }

  /** Midnight UTC of this date, epoch ms (zone conversion lives in time/). */
  toUtcMs(): number {
    return this.toEpochDays() * MS_PER_DAY;
  }

  toString(): string {
    return `${pad4(this.year)}-${pad2(this.month)}-${pad2(this.day)}`;
  }
}
