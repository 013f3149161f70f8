import { HaystackError } from "../../src/haystack/errors.ts";

/** The stable code `f` throws (undefined when it does not throw), so tests assert codes, not prose. */
export function errorCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof HaystackError ? e.code : `not a HaystackError: ${String(e)}`;
  }
  return undefined;
}
