import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_MAX_BODY_BYTES, parseConfig } from "./config.ts";

describe("parseConfig", () => {
  it("defaults to the embedded backend, UTC and the documented limits", () => {
    const c = parseConfig({});
    expect(c.storage).toEqual({ kind: "do" });
    expect(c.tz).toBe("UTC");
    expect(c.maxBodyBytes).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(c.maxRequestRows).toBe(1_000_000);
    expect(c.maxReadRows).toBe(100_000);
    expect(c.errTrace).toBe(false);
    expect(c.demoProject).toBeUndefined();
  });

  it("reads numbers given as strings (secrets, .dev.vars) or numbers ([vars])", () => {
    const c = parseConfig({ MAX_REQUEST_ROWS: "5000", MAX_READ_ROWS: 20, TZ: "New_York", ERR_TRACE: "true" });
    expect([c.maxRequestRows, c.maxReadRows, c.tz, c.errTrace]).toEqual([5000, 20, "New_York", true]);
    expect(parseConfig({ DEMO_PROJECT: "demo" }).demoProject).toBe("demo");
  });

  it.each([
    [{ STORAGE: "mongo" }, /STORAGE/],
    [{ STORAGE: "postgres" }, /DATABASE_URL/],
    [{ MAX_REQUEST_ROWS: "0" }, /MAX_REQUEST_ROWS/],
    [{ MAX_READ_ROWS: "12abc" }, /MAX_READ_ROWS/],
    [{ MAX_BODY_BYTES: -1 }, /MAX_BODY_BYTES/],
    [{ TZ: "Mars/Olympus" }, /TZ/],
    [{ DEMO_PROJECT: "../x" }, /DEMO_PROJECT/],
  ])("refuses %j with a ConfigError naming the variable", (env, name) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(name);
  });
});
