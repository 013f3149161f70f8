import type { Vars } from "./env.ts";
import { DEFAULT_MAX_FILTER_HOPS } from "./haystack/filter/parse.ts";
import { isKnownTz } from "./haystack/time/tz.ts";
import { DEFAULT_STATEMENT_TIMEOUT_MS } from "./storage/postgres/connect.ts";

/**
 * Each backend carries exactly what it needs, so code that holds one cannot lack its settings.
 * A kind is added here only together with its backend (src/backends.ts is keyed by these kinds,
 * so a kind without one does not compile).
 */
export type StorageConfig =
  | { readonly kind: "do" }
  | {
      readonly kind: "postgres";
      readonly databaseUrl: string;
      readonly wsProxy?: string;
      /** Longest a statement may run before it is stopped (0: no limit). */
      readonly statementTimeoutMs: number;
    }
  | {
      readonly kind: "upstash";
      /** The database's REST URL and token (UPSTASH_REDIS_REST_URL / _TOKEN). */
      readonly url: string;
      readonly token: string;
      /** Largest request sent to Upstash, in bytes: bigger work is split (Upstash refuses over 10 MB). */
      readonly maxRequestBytes: number;
      /** Prefix of every key, so deployments (or test runs) can share one database. */
      readonly keyPrefix: string;
    };

export type StorageKind = StorageConfig["kind"];

/** Everything auth needs. Secrets stay in here and are never logged or echoed. */
export interface AuthConfig {
  readonly secret: string;
  readonly previousSecret?: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly tokenTtlMs: number;
  readonly rateLimit: number;
  readonly handshakeRateLimit: number;
  readonly scramIterations: number;
}

/** A TStorage server the bridge may reach, and the projects that may reach it (undefined: all). */
export interface TStorageTarget {
  readonly hostname: string;
  readonly port: number;
  readonly projects?: readonly string[];
}

/** The bridge's bounds per request; defaults in TSTORAGE_DEFAULTS. */
export interface TStorageLimits {
  readonly maxPutRecords: number;
  readonly maxPutBytes: number;
  /** The most bytes one record of a get may take (a larger one is 413 NO_MEMORY): it bounds what one record makes the isolate hold. */
  readonly getMaxRecordBytes: number;
}

export interface TStorageConfig {
  readonly targets: ReadonlyMap<string, TStorageTarget>;
  readonly limits: TStorageLimits;
}

export const TSTORAGE_DEFAULTS: TStorageLimits = {
  maxPutRecords: 1_000_000,
  maxPutBytes: 64 * 1024 * 1024,
  // A record is held whole and written as JSON (base64 adds a third): up to 32 MiB payloads would
  // need about 100 MB of a 128 MB isolate; 4 MiB keeps it safe.
  getMaxRecordBytes: 4 * 1024 * 1024,
};

export interface Config {
  readonly storage: StorageConfig;
  readonly auth: AuthConfig;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  readonly maxRequestRows: number;
  readonly maxRequestCols: number;
  readonly maxRequestDepth: number;
  readonly maxFilterLength: number;
  readonly maxFilterDepth: number;
  /** Most `->` hops in one filter path. */
  readonly maxFilterHops: number;
  readonly maxReadRows: number;
  /** Streamed frame appends (NDJSON, CSV, Arrow streams): bytes and rows of one body. */
  readonly framesMaxStreamBytes: number;
  readonly framesMaxStreamRows: number;
  readonly tz: string;
  readonly errTrace: boolean;
  readonly demoProject?: string;
  readonly tstorage: TStorageConfig;
  /** Origins (scheme://host[:port]) whose browser pages may call the API; none by default. */
  readonly corsOrigins: readonly string[];
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_REQUEST_ROWS = 1_000_000;
export const DEFAULT_MAX_READ_ROWS = 100_000;
export const DEFAULT_FRAMES_MAX_STREAM_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_FRAMES_MAX_STREAM_ROWS = 20_000_000;
/** Upstash's documented limit is 10 MB per request (1 MB on older plans): 1 MiB works on every plan. */
export const DEFAULT_UPSTASH_MAX_REQUEST_BYTES = 1024 * 1024;
export const DEFAULT_MAX_REQUEST_COLS = 1_000;
export const DEFAULT_MAX_REQUEST_DEPTH = 32;
export const DEFAULT_MAX_FILTER_LENGTH = 16 * 1024;
export const DEFAULT_MAX_FILTER_DEPTH = 32;
export const DEFAULT_TOKEN_TTL_S = 3600;
export const DEFAULT_RATE_LIMIT = 600;
export const DEFAULT_HANDSHAKE_RATE_LIMIT = 60;
const MIN_SECRET = 32;
const MIN_ADMIN_PASSWORD = 12;

/** A deployment mistake. The message names the variable and never echoes a secret. */
export class ConfigError extends Error {
  readonly code = "bad_config";
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Turns raw env into a typed config, throwing ConfigError on the first bad value rather than
 * limping on with a default the operator did not choose.
 *
 * @example parseConfig({ STORAGE: "do" }) // { storage: { kind: "do" }, maxBodyBytes: 10485760 }
 */
export function parseConfig(env: Vars): Config {
  const tz = env.TZ === undefined || env.TZ === "" ? "UTC" : env.TZ;
  if (!isKnownTz(tz))
    throw new ConfigError(`TZ must be a Haystack zone name such as New_York, got ${JSON.stringify(tz)}`);
  const demo = env.DEMO_PROJECT === undefined || env.DEMO_PROJECT === "" ? undefined : env.DEMO_PROJECT;
  if (demo !== undefined && !PROJECT_NAME.test(demo)) {
    throw new ConfigError(
      `DEMO_PROJECT must be a project name (letters, digits, _ and -), got ${JSON.stringify(demo)}`,
    );
  }
  return {
    storage: parseStorage(env),
    auth: parseAuth(env),
    maxBodyBytes: positiveInt("MAX_BODY_BYTES", env.MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
    maxRequestRows: positiveInt("MAX_REQUEST_ROWS", env.MAX_REQUEST_ROWS, DEFAULT_MAX_REQUEST_ROWS),
    maxRequestCols: positiveInt("MAX_REQUEST_COLS", env.MAX_REQUEST_COLS, DEFAULT_MAX_REQUEST_COLS),
    // The readers stop at 1000 levels whatever they are told, so a larger setting would mislead.
    maxRequestDepth: Math.min(1000, positiveInt("MAX_REQUEST_DEPTH", env.MAX_REQUEST_DEPTH, DEFAULT_MAX_REQUEST_DEPTH)),
    maxFilterLength: positiveInt("MAX_FILTER_LENGTH", env.MAX_FILTER_LENGTH, DEFAULT_MAX_FILTER_LENGTH),
    maxFilterDepth: positiveInt("MAX_FILTER_DEPTH", env.MAX_FILTER_DEPTH, DEFAULT_MAX_FILTER_DEPTH),
    maxFilterHops: positiveInt("MAX_FILTER_HOPS", env.MAX_FILTER_HOPS, DEFAULT_MAX_FILTER_HOPS),
    maxReadRows: positiveInt("MAX_READ_ROWS", env.MAX_READ_ROWS, DEFAULT_MAX_READ_ROWS),
    framesMaxStreamBytes: positiveInt(
      "FRAMES_MAX_STREAM_BYTES",
      env.FRAMES_MAX_STREAM_BYTES,
      DEFAULT_FRAMES_MAX_STREAM_BYTES,
    ),
    framesMaxStreamRows: positiveInt(
      "FRAMES_MAX_STREAM_ROWS",
      env.FRAMES_MAX_STREAM_ROWS,
      DEFAULT_FRAMES_MAX_STREAM_ROWS,
    ),
    tz,
    errTrace: env.ERR_TRACE === true || env.ERR_TRACE === "true",
    ...(demo === undefined ? {} : { demoProject: demo }),
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS),
    tstorage: {
      targets: parseTStorageTargets(env.TSTORAGE_TARGETS),
      limits: {
        maxPutRecords: positiveInt(
          "TSTORAGE_MAX_PUT_RECORDS",
          env.TSTORAGE_MAX_PUT_RECORDS,
          TSTORAGE_DEFAULTS.maxPutRecords,
        ),
        maxPutBytes: positiveInt("TSTORAGE_MAX_PUT_BYTES", env.TSTORAGE_MAX_PUT_BYTES, TSTORAGE_DEFAULTS.maxPutBytes),
        getMaxRecordBytes: positiveInt(
          "TSTORAGE_GET_MAX_RECORD_BYTES",
          env.TSTORAGE_GET_MAX_RECORD_BYTES,
          TSTORAGE_DEFAULTS.getMaxRecordBytes,
        ),
      },
    },
  };
}

const cache = new WeakMap<object, Config>();

/** parseConfig memoised per env object: workerd reuses one env per isolate, so this runs once. */
export function loadConfig(env: Vars): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env);
    cache.set(env, config);
  }
  return config;
}

function parseAuth(env: Vars): AuthConfig {
  const secret = env.AUTH_SECRET ?? "";
  if (secret.length < MIN_SECRET) {
    throw new ConfigError(
      `AUTH_SECRET must be set to a random string of at least ${MIN_SECRET} characters ` +
        "(wrangler secret put AUTH_SECRET; .dev.vars locally): refusing to serve without authentication",
    );
  }
  const previous =
    env.AUTH_SECRET_PREVIOUS === undefined || env.AUTH_SECRET_PREVIOUS === "" ? undefined : env.AUTH_SECRET_PREVIOUS;
  if (previous !== undefined && previous.length < MIN_SECRET) {
    throw new ConfigError(`AUTH_SECRET_PREVIOUS must be at least ${MIN_SECRET} characters when set`);
  }
  const adminPassword = env.ADMIN_PASSWORD ?? "";
  if (adminPassword.length < MIN_ADMIN_PASSWORD) {
    throw new ConfigError(
      `ADMIN_PASSWORD must be set to at least ${MIN_ADMIN_PASSWORD} characters ` +
        "(wrangler secret put ADMIN_PASSWORD; .dev.vars locally): it is the first admin's password",
    );
  }
  const adminUser = env.ADMIN_USER === undefined || env.ADMIN_USER === "" ? "admin" : env.ADMIN_USER;
  if (!USER_NAME.test(adminUser))
    throw new ConfigError(`ADMIN_USER must be a user name, got ${JSON.stringify(adminUser)}`);
  const iterations = positiveInt("SCRAM_ITERATIONS", env.SCRAM_ITERATIONS, 100_000);
  if (iterations < 4096 || iterations > 100_000) {
    throw new ConfigError(`SCRAM_ITERATIONS must be 4096..100000 (workerd's PBKDF2 cap), got ${iterations}`);
  }
  return {
    secret,
    ...(previous === undefined ? {} : { previousSecret: previous }),
    adminUser,
    adminPassword,
    tokenTtlMs: positiveInt("TOKEN_TTL", env.TOKEN_TTL, DEFAULT_TOKEN_TTL_S) * 1000,
    rateLimit: positiveInt("RATE_LIMIT", env.RATE_LIMIT, DEFAULT_RATE_LIMIT),
    handshakeRateLimit: positiveInt("HANDSHAKE_RATE_LIMIT", env.HANDSHAKE_RATE_LIMIT, DEFAULT_HANDSHAKE_RATE_LIMIT),
    scramIterations: iterations,
  };
}

/** User names: what people type, without separators that SCRAM or URLs would need to escape. */
export const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

function parseStorage(env: Vars): StorageConfig {
  const kind = env.STORAGE === undefined || env.STORAGE === "" ? "do" : env.STORAGE;
  switch (kind) {
    case "do":
      return { kind };
    case "postgres": {
      const proxy = env.PG_WS_PROXY === undefined || env.PG_WS_PROXY === "" ? undefined : env.PG_WS_PROXY;
      if (proxy !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$/.test(proxy)) {
        throw new ConfigError(`PG_WS_PROXY must be host:port, got ${JSON.stringify(proxy)}`);
      }
      return {
        kind,
        databaseUrl: required(env, "DATABASE_URL", kind),
        ...(proxy ? { wsProxy: proxy } : {}),
        statementTimeoutMs: wholeNumber(
          "PG_STATEMENT_TIMEOUT_MS",
          env.PG_STATEMENT_TIMEOUT_MS,
          DEFAULT_STATEMENT_TIMEOUT_MS,
        ),
      };
    }
    case "upstash": {
      const url = required(env, "UPSTASH_REDIS_REST_URL", kind);
      if (!/^https?:\/\/[^\s/]+/.test(url)) {
        throw new ConfigError(`UPSTASH_REDIS_REST_URL must be an http(s) URL, got ${JSON.stringify(url)}`);
      }
      const prefix =
        env.UPSTASH_KEY_PREFIX === undefined || env.UPSTASH_KEY_PREFIX === "" ? "hl" : env.UPSTASH_KEY_PREFIX;
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(prefix)) {
        throw new ConfigError(
          `UPSTASH_KEY_PREFIX must be 1-64 of letters, digits and _.:-, got ${JSON.stringify(prefix)}`,
        );
      }
      const maxRequestBytes = positiveInt(
        "UPSTASH_MAX_REQUEST_BYTES",
        env.UPSTASH_MAX_REQUEST_BYTES,
        DEFAULT_UPSTASH_MAX_REQUEST_BYTES,
      );
      if (maxRequestBytes < 64 * 1024 || maxRequestBytes > 10 * 1024 * 1024) {
        throw new ConfigError("UPSTASH_MAX_REQUEST_BYTES must be between 65536 and 10485760 (Upstash's limit)");
      }
      return {
        kind,
        url: url.replace(/\/+$/, ""),
        token: required(env, "UPSTASH_REDIS_REST_TOKEN", kind),
        maxRequestBytes,
        keyPrefix: prefix,
      };
    }
    default:
      throw new ConfigError(`STORAGE must be "do", "postgres" or "upstash", got ${JSON.stringify(kind)}`);
  }
}

/**
 * CORS_ORIGINS: exact origins separated by commas or spaces. `*` is refused: any page on the web
 * could then drive a signed-in user's browser against the API.
 */
function parseCorsOrigins(text: string | undefined): string[] {
  if (text === undefined || text.trim() === "") return [];
  return text
    .split(/[\s,]+/)
    .filter((o) => o !== "")
    .map((o) => {
      if (o === "*")
        throw new ConfigError("CORS_ORIGINS may not be *: name each origin, e.g. https://explorer.example.com");
      let origin: string | undefined;
      try {
        origin = new URL(o).origin;
      } catch {
        origin = undefined;
      }
      if (origin !== o || !/^https?:/.test(o)) {
        throw new ConfigError(
          `CORS_ORIGINS: ${JSON.stringify(o)} is not an origin (scheme://host[:port], no path or trailing slash)`,
        );
      }
      return o;
    });
}

function required(
  env: Vars,
  name: "DATABASE_URL" | "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN",
  kind: StorageKind,
): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is required when STORAGE is "${kind}"`);
  return value;
}

/** Project names as they appear in URLs: they name Durable Objects and never reach SQL. */
export const PROJECT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** TStorage target names as they appear in bridge URLs. */
export const TSTORAGE_TARGET_NAME = /^[a-z0-9_-]{1,64}$/;
const HOST_PORT = /^([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):(\d{1,5})$/;

function targetAddress(name: string, raw: unknown): { hostname: string; port: number } {
  const m = typeof raw === "string" ? HOST_PORT.exec(raw) : null;
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65_535) {
    throw new ConfigError(`TSTORAGE_TARGETS: target ${JSON.stringify(name)} needs an address "host:port"`);
  }
  return { hostname: (m[1] as string).replace(/^\[|\]$/g, ""), port };
}

/**
 * TSTORAGE_TARGETS: `{"main": "10.0.0.5:2025", "lab": {"address": "10.0.0.6:2025", "projects": ["demo"]}}`.
 * Anything malformed refuses to serve: a half-read target list could route a project elsewhere.
 */
export function parseTStorageTargets(raw: string | undefined): ReadonlyMap<string, TStorageTarget> {
  const targets = new Map<string, TStorageTarget>();
  if (raw === undefined || raw.trim() === "") return targets;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError("TSTORAGE_TARGETS must be a JSON object of target name -> address");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ConfigError("TSTORAGE_TARGETS must be a JSON object of target name -> address");
  }
  for (const [name, value] of Object.entries(json)) {
    if (!TSTORAGE_TARGET_NAME.test(name)) {
      throw new ConfigError(`TSTORAGE_TARGETS: target names are [a-z0-9_-]{1,64}, got ${JSON.stringify(name)}`);
    }
    if (typeof value === "string") {
      targets.set(name, targetAddress(name, value));
      continue;
    }
    const { address, projects, ...rest } = (typeof value === "object" && value !== null ? value : {}) as Record<
      string,
      unknown
    >;
    const extra = Object.keys(rest);
    if (typeof value !== "object" || value === null || Array.isArray(value) || extra.length > 0) {
      throw new ConfigError(
        `TSTORAGE_TARGETS: target ${JSON.stringify(name)} must be "host:port" or {"address", "projects"}` +
          (extra.length > 0 ? ` (unknown field ${JSON.stringify(extra[0])})` : ""),
      );
    }
    if (
      projects !== undefined &&
      !(Array.isArray(projects) && projects.every((p) => typeof p === "string" && PROJECT_NAME.test(p)))
    ) {
      throw new ConfigError(
        `TSTORAGE_TARGETS: target ${JSON.stringify(name)} projects must be a list of project names`,
      );
    }
    targets.set(name, {
      ...targetAddress(name, address),
      ...(projects === undefined ? {} : { projects: [...(projects as string[])] }),
    });
  }
  return targets;
}

/** Like positiveInt, but 0 is allowed (it switches a limit off). */
function wholeNumber(name: string, raw: string | number | undefined, fallback: number): number {
  return raw === 0 || raw === "0" ? 0 : positiveInt(name, raw, fallback);
}

function positiveInt(name: string, raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = typeof raw === "number" ? raw : /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}
