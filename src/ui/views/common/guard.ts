/**
 * Work a view starts and may abandon (another series picked, the view left): an abandoned
 * request is aborted and its failure is not an error the user needs to see; any other failure
 * goes to the banner.
 */
import { showError } from "../../app/status.ts";

export async function guarded(signal: AbortSignal, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!signal.aborted) showError(e);
  }
}

/** One piece of work at a time: starting the next aborts the last. */
export function latest(): { next(): AbortSignal; stop(): void } {
  let ctl: AbortController | undefined;
  return {
    next() {
      ctl?.abort();
      ctl = new AbortController();
      return ctl.signal;
    },
    stop() {
      ctl?.abort();
    },
  };
}
