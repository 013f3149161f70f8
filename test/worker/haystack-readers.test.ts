/**
 * Request input at the edges, end to end on the embedded default: a request grid naming a column
 * twice (refused before anything runs) and hisRead over the whole calendar, 0001 to 9999.
 */
import { describe } from "vitest";
import { calendarRangeHttpCases, duplicateColumnHttpCases } from "../support/edge-http.ts";

describe("Haystack HTTP: a column named twice", duplicateColumnHttpCases);
describe("Haystack HTTP: hisRead over the whole calendar", calendarRangeHttpCases);
