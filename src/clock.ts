/**
 * Time as the server reads it. Everything that decides by the time of day (token lifetimes,
 * watch leases, level-8 expiries, timed jobs) asks a Clock it was given, never `Date.now()`, so a
 * test moves time forward instead of sleeping.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that moves only when told: for tests, and for replaying what happened at a given time.
 *
 * @example const clock = new ManualClock(Date.UTC(2024, 0, 1)); clock.advance(61_000);
 */
export class ManualClock implements Clock {
  #ms: number;

  constructor(startMs: number) {
    this.#ms = startMs;
  }

  now(): number {
    return this.#ms;
  }

  advance(ms: number): void {
    this.#ms += ms;
  }
}
