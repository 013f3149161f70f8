import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_MAX_BODY_BYTES, parseConfig, TSTORAGE_DEFAULTS } from "./config.ts";

/** The two secrets every deployment must set. */
const SECRETS = { AUTH_SECRET: "s".repeat(32), ADMIN_PASSWORD: "p".repeat(12) };

describe("parseConfig", () => {
  it("defaults to the embedded backend, UTC and the documented limits", () => {
    const c = parseConfig(SECRETS);
    expect(c.storage).toEqual({ kind: "do" });
    expect(c.tz).toBe("UTC");
    expect(c.maxBodyBytes).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(c.maxRequestRows).toBe(1_000_000);
    expect(c.maxReadRows).toBe(100_000);
    expect(c.errTrace).toBe(false);
    expect(c.demoProject).toBeUndefined();
    expect([c.maxRequestCols, c.maxRequestDepth, c.maxFilterLength, c.maxFilterDepth]).toEqual([1000, 32, 16384, 32]);
    expect(c.auth).toMatchObject({
      adminUser: "admin",
      tokenTtlMs: 3_600_000,
      rateLimit: 600,
      scramIterations: 100_000,
    });
  });

  it("reads the auth settings", () => {
    const c = parseConfig({ ...SECRETS, ADMIN_USER: "root", TOKEN_TTL: "60", RATE_LIMIT: 5, SCRAM_ITERATIONS: "4096" });
    expect(c.auth).toMatchObject({ adminUser: "root", tokenTtlMs: 60_000, rateLimit: 5, scramIterations: 4096 });
    expect(parseConfig({ ...SECRETS, MAX_REQUEST_DEPTH: "5000" }).maxRequestDepth).toBe(1000);
  });

  it("reads numbers given as strings (secrets, .dev.vars) or numbers ([vars])", () => {
    const c = parseConfig({
      ...SECRETS,
      MAX_REQUEST_ROWS: "5000",
      MAX_READ_ROWS: 20,
      TZ: "New_York",
      ERR_TRACE: "true",
    });
    expect([c.maxRequestRows, c.maxReadRows, c.tz, c.errTrace]).toEqual([5000, 20, "New_York", true]);
    expect(parseConfig({ ...SECRETS, DEMO_PROJECT: "demo" }).demoProject).toBe("demo");
  });

  it("reads CORS_ORIGINS as exact origins, none by default", () => {
    expect(parseConfig(SECRETS).corsOrigins).toEqual([]);
    expect(
      parseConfig({
        ...SECRETS,
        CORS_ORIGINS: "https://a.example.com, http://localhost:5173 https://b.example.com:8443",
      }).corsOrigins,
    ).toEqual(["https://a.example.com", "http://localhost:5173", "https://b.example.com:8443"]);
  });

  it("reads the Upstash settings, with a 1 MiB request bound and the prefix hl by default", () => {
    const c = parseConfig({
      ...SECRETS,
      STORAGE: "upstash",
      UPSTASH_REDIS_REST_URL: "https://eu1-x.upstash.io/",
      UPSTASH_REDIS_REST_TOKEN: "tok",
    });
    expect(c.storage).toEqual({
      kind: "upstash",
      url: "https://eu1-x.upstash.io",
      token: "tok",
      maxRequestBytes: 1024 * 1024,
      keyPrefix: "hl",
    });
  });

  it.each([
    [{ STORAGE: "mongo" }, /STORAGE/],
    [{ STORAGE: "upstash", UPSTASH_REDIS_REST_TOKEN: "t" }, /UPSTASH_REDIS_REST_URL/],
    [{ CORS_ORIGINS: "*" }, /CORS_ORIGINS may not be \*/],
    [{ CORS_ORIGINS: "https://a.example.com/" }, /CORS_ORIGINS.*not an origin/],
    [{ CORS_ORIGINS: "https://a.example.com/app" }, /CORS_ORIGINS.*not an origin/],
    [{ CORS_ORIGINS: "a.example.com" }, /CORS_ORIGINS.*not an origin/],
    [{ CORS_ORIGINS: "ftp://a.example.com" }, /CORS_ORIGINS.*not an origin/],
    [{ STORAGE: "upstash", UPSTASH_REDIS_REST_URL: "https://x.upstash.io" }, /UPSTASH_REDIS_REST_TOKEN/],
    [{ STORAGE: "upstash", UPSTASH_REDIS_REST_URL: "x.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t" }, /http/],
    [
      {
        STORAGE: "upstash",
        UPSTASH_REDIS_REST_URL: "https://x",
        UPSTASH_REDIS_REST_TOKEN: "t",
        UPSTASH_MAX_REQUEST_BYTES: "20000000",
      },
      /UPSTASH_MAX_REQUEST_BYTES/,
    ],
    [
      {
        STORAGE: "upstash",
        UPSTASH_REDIS_REST_URL: "https://x",
        UPSTASH_REDIS_REST_TOKEN: "t",
        UPSTASH_KEY_PREFIX: "a b",
      },
      /UPSTASH_KEY_PREFIX/,
    ],
    [{ STORAGE: "postgres" }, /DATABASE_URL/],
    [{ MAX_REQUEST_ROWS: "0" }, /MAX_REQUEST_ROWS/],
    [{ MAX_READ_ROWS: "12abc" }, /MAX_READ_ROWS/],
    [{ MAX_BODY_BYTES: -1 }, /MAX_BODY_BYTES/],
    [{ TZ: "Mars/Olympus" }, /TZ/],
    [{ DEMO_PROJECT: "../x" }, /DEMO_PROJECT/],
    [{ AUTH_SECRET: "" }, /AUTH_SECRET/],
    [{ AUTH_SECRET: "x".repeat(31) }, /AUTH_SECRET/],
    [{ AUTH_SECRET_PREVIOUS: "old" }, /AUTH_SECRET_PREVIOUS/],
    [{ ADMIN_PASSWORD: undefined }, /ADMIN_PASSWORD/],
    [{ ADMIN_USER: "a,b" }, /ADMIN_USER/],
    [{ SCRAM_ITERATIONS: "200000" }, /SCRAM_ITERATIONS/],
    [{ TOKEN_TTL: "0" }, /TOKEN_TTL/],
    [{ MAX_FILTER_LENGTH: "x" }, /MAX_FILTER_LENGTH/],
    [{ MAX_FILTER_HOPS: "0" }, /MAX_FILTER_HOPS/],
    [{ STORAGE: "postgres", DATABASE_URL: "postgres://x", PG_STATEMENT_TIMEOUT_MS: "-5" }, /PG_STATEMENT_TIMEOUT_MS/],
  ])("refuses %j with a ConfigError naming the variable", (change, name) => {
    const env = { ...SECRETS, ...change };
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(name);
  });

  it("reads the filter hop limit and the Postgres statement timeout (0 switches it off)", () => {
    expect(parseConfig(SECRETS).maxFilterHops).toBe(8);
    expect(parseConfig({ ...SECRETS, MAX_FILTER_HOPS: "3" }).maxFilterHops).toBe(3);
    const pg = (v?: string) =>
      parseConfig({ ...SECRETS, STORAGE: "postgres", DATABASE_URL: "postgres://x", PG_STATEMENT_TIMEOUT_MS: v })
        .storage;
    expect(pg()).toMatchObject({ kind: "postgres", statementTimeoutMs: 10_000 });
    expect(pg("250")).toMatchObject({ statementTimeoutMs: 250 });
    expect(pg("0")).toMatchObject({ statementTimeoutMs: 0 });
  });

  it("never echoes a secret in its errors", () => {
    for (const change of [{ AUTH_SECRET: "short-secret" }, { ADMIN_PASSWORD: "tiny-pass" }]) {
      const value = Object.values(change)[0] as string;
      let message = "";
      try {
        parseConfig({ ...SECRETS, ...change });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/must be set/);
      expect(message).not.toContain(value);
    }
  });
});

describe("TSTORAGE_TARGETS", () => {
  it("reads names bound to every project or to some, and the bridge limits", () => {
    const c = parseConfig({
      ...SECRETS,
      TSTORAGE_TARGETS: JSON.stringify({ main: "10.0.0.5:2025", lab: { address: "[::1]:7", projects: ["demo"] } }),
      TSTORAGE_MAX_PUT_RECORDS: "10",
    });
    expect([...c.tstorage.targets]).toEqual([
      ["main", { hostname: "10.0.0.5", port: 2025 }],
      ["lab", { hostname: "::1", port: 7, projects: ["demo"] }],
    ]);
    expect(c.tstorage.limits).toEqual({ ...TSTORAGE_DEFAULTS, maxPutRecords: 10 });
    expect(parseConfig(SECRETS).tstorage.targets.size).toBe(0);
  });

  it.each([
    ["not json", "{main"],
    ["an array", '["10.0.0.5:2025"]'],
    ["a bad name", '{"Main": "h:1"}'],
    ["a name with a colon", '{"h:1": "h:1"}'],
    ["no port", '{"main": "10.0.0.5"}'],
    ["port 0", '{"main": "h:0"}'],
    ["port too large", '{"main": "h:65536"}'],
    ["a URL", '{"main": "tcp://h:1"}'],
    ["a number", '{"main": 2025}'],
    ["projects not a list", '{"main": {"address": "h:1", "projects": "demo"}}'],
    ["a bad project name", '{"main": {"address": "h:1", "projects": ["../x"]}}'],
    ["an unknown field", '{"main": {"address": "h:1", "host": "x"}}'],
    ["no address", '{"main": {"projects": ["demo"]}}'],
  ])("refuses %s", (_why, raw) => {
    expect(() => parseConfig({ ...SECRETS, TSTORAGE_TARGETS: raw })).toThrow(ConfigError);
    expect(() => parseConfig({ ...SECRETS, TSTORAGE_TARGETS: raw })).toThrow(/TSTORAGE_TARGETS/);
  });
});
