import { describe, expect, it } from "vitest";
import { CONTENT_TYPES, inputFormat, negotiateOutput } from "./negotiate.ts";

describe("negotiateOutput", () => {
  it("answers JSON without Accept or for */*", () => {
    expect(negotiateOutput(undefined)).toBe("json");
    expect(negotiateOutput("")).toBe("json");
    expect(negotiateOutput("*/*")).toBe("json");
    expect(negotiateOutput("application/*")).toBe("json");
  });

  it("picks each format by its media type", () => {
    expect(negotiateOutput("application/json")).toBe("json");
    expect(negotiateOutput("application/x-ndjson")).toBe("ndjson");
    expect(negotiateOutput("application/jsonl")).toBe("ndjson");
    expect(negotiateOutput("text/csv")).toBe("csv");
    expect(negotiateOutput("text/*")).toBe("csv");
    expect(negotiateOutput("application/vnd.apache.arrow.stream")).toBe("arrow");
    expect(negotiateOutput("Application/VND.Apache.Arrow.Stream ; charset=x")).toBe("arrow");
  });

  it("honours q-values, then specificity, then json > ndjson > csv > arrow", () => {
    expect(negotiateOutput("text/csv;q=0.5, application/vnd.apache.arrow.stream")).toBe("arrow");
    expect(negotiateOutput("application/json;q=0.2, text/csv;q=0.9")).toBe("csv");
    expect(negotiateOutput("text/csv;q=0.8, */*;q=0.8")).toBe("csv");
    expect(negotiateOutput("text/csv, application/vnd.apache.arrow.stream")).toBe("csv");
    expect(negotiateOutput("application/vnd.apache.arrow.stream, text/csv")).toBe("csv");
    expect(negotiateOutput("application/json;q=0, */*")).toBe("ndjson");
    expect(negotiateOutput("*/*;q=0.1, application/json;q=0")).toBe("ndjson");
    expect(negotiateOutput("text/csv; q=1.0")).toBe("csv");
  });

  it("answers null when nothing offered is acceptable", () => {
    expect(negotiateOutput("text/html")).toBeNull();
    expect(negotiateOutput("application/xml, text/html;q=0.9")).toBeNull();
    expect(negotiateOutput("application/json;q=0")).toBeNull();
    expect(negotiateOutput("*/*;q=0")).toBeNull();
    // A malformed q-value counts as 0: the range is not a yes.
    expect(negotiateOutput("text/csv;q=2")).toBeNull();
    expect(negotiateOutput("text/csv;q=abc")).toBeNull();
    // The Arrow file format is read but never written: responses stream.
    expect(negotiateOutput("application/vnd.apache.arrow.file")).toBeNull();
    expect(negotiateOutput(",,;;garbage")).toBeNull();
  });

  it("lets an explicit format win over Accept, and refuses an unknown one", () => {
    expect(negotiateOutput("text/html", "csv")).toBe("csv");
    expect(negotiateOutput(undefined, "ARROW")).toBe("arrow");
    expect(negotiateOutput(undefined, "application/x-ndjson")).toBe("ndjson");
    expect(negotiateOutput("application/json", "parquet")).toBeNull();
    expect(negotiateOutput(undefined, "application/vnd.apache.arrow.file")).toBeNull();
  });
});

describe("inputFormat", () => {
  it("maps request media types, parameters and case aside", () => {
    expect(inputFormat("application/json; charset=utf-8")).toBe("json");
    expect(inputFormat("application/x-ndjson")).toBe("ndjson");
    expect(inputFormat("application/ndjson")).toBe("ndjson");
    expect(inputFormat("TEXT/CSV")).toBe("csv");
    expect(inputFormat("application/vnd.apache.arrow.stream")).toBe("arrow");
    expect(inputFormat("application/vnd.apache.arrow.file")).toBe("arrow");
  });

  it("reads a body without Content-Type as JSON and refuses other types", () => {
    expect(inputFormat(undefined)).toBe("json");
    expect(inputFormat(" ")).toBe("json");
    expect(inputFormat("application/x-www-form-urlencoded")).toBeNull();
    expect(inputFormat("text/plain")).toBeNull();
    expect(inputFormat("application/octet-stream")).toBeNull();
  });

  it("names a content type for every format that inputFormat reads back", () => {
    for (const [format, type] of Object.entries(CONTENT_TYPES)) expect(inputFormat(type)).toBe(format);
  });
});
