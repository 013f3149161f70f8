import { describe, expect, it } from "vitest";
import { HGrid } from "../kinds/index.ts";
import { CSV, FORMATS, formatForContentType, JSON3, JSON4, negotiate, TRIO, ZINC } from "./formats.ts";

describe("formatForContentType", () => {
  it.each([
    ["text/zinc", ZINC],
    ["text/zinc; charset=utf-8", ZINC],
    ["Application/JSON", JSON4],
    ["application/json; charset=UTF-8", JSON4],
    ["application/vnd.haystack+json", JSON4],
    ["application/vnd.haystack+json;version=4", JSON4],
    ['application/vnd.haystack+json; version="3"; charset=utf-8', JSON3],
    ["text/csv", CSV],
    ["text/trio", TRIO],
  ])("%s", (ct, f) => {
    expect(formatForContentType(ct)).toBe(f);
  });

  it.each(["", "text/plain", "application/vnd.haystack+json;version=5", "*/*", "garbage", "text/"])(
    "%s is unknown",
    (ct) => {
      expect(formatForContentType(ct)).toBeUndefined();
    },
  );

  it("treats a missing header as unknown", () => {
    expect(formatForContentType(undefined)).toBeUndefined();
    expect(formatForContentType(null)).toBeUndefined();
  });
});

describe("negotiate", () => {
  it.each([
    [undefined, ZINC],
    ["", ZINC],
    ["*/*", ZINC],
    ["text/*", ZINC],
    ["application/*", JSON4],
    ["application/json", JSON4],
    ["application/json, text/zinc", JSON4],
    ["text/zinc, application/json", ZINC],
    ["text/zinc;q=0.5, application/json", JSON4],
    ["application/json;q=0.9, text/csv;q=0.95", CSV],
    ["*/*;q=0.1, text/trio", TRIO],
    ["*/*, text/zinc;q=0", JSON4],
    ["text/*;q=0, */*", JSON4],
    ["application/vnd.haystack+json;version=3", JSON3],
    ["application/vnd.haystack+json", JSON4],
    ["application/vnd.haystack+json;version=3;q=1, application/json;q=0.5", JSON3],
    ["text/html, */*;q=0.8", ZINC],
    ["TEXT/CSV", CSV],
  ])("%s -> %s", (accept, f) => {
    expect(negotiate(accept)).toBe(f);
  });

  it.each([
    "text/html",
    "image/png, application/xml",
    "text/zinc;q=0",
    "*/*;q=0",
    "application/vnd.haystack+json;version=9",
  ])("%s is not acceptable", (accept) => {
    expect(negotiate(accept)).toBeUndefined();
  });
});

describe("registry", () => {
  it("every format writes a grid; all but CSV read it back", () => {
    const g = HGrid.of(
      ["a", "b"],
      [
        [1, "x"],
        [2, "y"],
      ],
    );
    for (const f of FORMATS) {
      const text = f.writer.writeGrid(g);
      expect(text.length).toBeGreaterThan(0);
      if (f.reader) expect(f.reader.readGrid(text).size).toBe(2);
      else expect(f.name).toBe("csv");
    }
    expect(new Set(FORMATS.map((f) => f.name)).size).toBe(FORMATS.length);
  });
});
