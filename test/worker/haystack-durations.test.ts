/**
 * Durations end to end on the embedded default: level-8 `duration` by pointWrite and invokeAction,
 * `expires`, rollup `interval` and watch `lease`; rounded to whole milliseconds, bounded, echoed
 * as a person writes them.
 */
import { describe } from "vitest";
import { durationHttpCases } from "../support/edge-http.ts";

describe("Haystack HTTP: durations", durationHttpCases);
