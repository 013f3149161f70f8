import type { ProjectObject } from "./durable/project.ts";
import { isKnownTz } from "./haystack/time/tz.ts";

/** Bindings and vars as wrangler hands them over (wrangler.toml [vars], secrets from .dev.vars or `wrangler secret`). */
export interface Env {
  PROJECT: DurableObjectNamespace<ProjectObject>;
  STORAGE?: string;
  /** A [vars] number arrives as a number, a secret or .dev.vars entry as a string. */
  MAX_BODY_BYTES?: string | number;
  /** Most rows a request grid may hold. */
  MAX_REQUEST_ROWS?: string | number;
  /** Most records one read answers before marking the result incomplete. */
  MAX_READ_ROWS?: string | number;
  /** Haystack zone name of the server (about's tz, points without a tz tag). */
  TZ?: string;
  /** "true" adds errTrace (stack traces) to error grids: development only. */
  ERR_TRACE?: string | boolean;
  /** A project seeded with the demo building and topped-up history (`npm run dev` sets "demo"). */
  DEMO_PROJECT?: string;
  DATABASE_URL?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
}

type HayloftEnv = Env;

declare global {
  namespace Cloudflare {
    // Lets `env` from "cloudflare:workers" (tests, later modules) see our bindings.
    interface Env extends HayloftEnv {}
  }
}

/** Each backend carries exactly what it needs, so code that holds one cannot lack its settings. */
export type StorageConfig =
  | { readonly kind: "do" }
  | { readonly kind: "postgres"; readonly databaseUrl: string }
  | { readonly kind: "upstash"; readonly url: string; readonly token: string };

export type StorageKind = StorageConfig["kind"];

export interface Config {
  readonly storage: StorageConfig;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  readonly maxRequestRows: number;
  readonly maxReadRows: number;
  readonly tz: string;
  readonly errTrace: boolean;
  readonly demoProject?: string;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_REQUEST_ROWS = 1_000_000;
export const DEFAULT_MAX_READ_ROWS = 100_000;

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
export function parseConfig(env: Omit<Env, "PROJECT">): Config {
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
    maxBodyBytes: positiveInt("MAX_BODY_BYTES", env.MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
    maxRequestRows: positiveInt("MAX_REQUEST_ROWS", env.MAX_REQUEST_ROWS, DEFAULT_MAX_REQUEST_ROWS),
    maxReadRows: positiveInt("MAX_READ_ROWS", env.MAX_READ_ROWS, DEFAULT_MAX_READ_ROWS),
    tz,
    errTrace: env.ERR_TRACE === true || env.ERR_TRACE === "true",
    ...(demo === undefined ? {} : { demoProject: demo }),
  };
}

const cache = new WeakMap<object, Config>();

/** parseConfig memoised per env object: workerd reuses one env per isolate, so this runs once. */
export function loadConfig(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env);
    cache.set(env, config);
  }
  return config;
}

function parseStorage(env: Omit<Env, "PROJECT">): StorageConfig {
  const kind = env.STORAGE === undefined || env.STORAGE === "" ? "do" : env.STORAGE;
  switch (kind) {
    case "do":
      return { kind };
    case "postgres":
      return { kind, databaseUrl: required(env, "DATABASE_URL", kind) };
    case "upstash":
      return {
        kind,
        url: required(env, "UPSTASH_REDIS_REST_URL", kind),
        token: required(env, "UPSTASH_REDIS_REST_TOKEN", kind),
      };
    default:
      throw new ConfigError(`STORAGE must be "do", "postgres" or "upstash", got ${JSON.stringify(kind)}`);
  }
}

function required(
  env: Omit<Env, "PROJECT">,
  name: "DATABASE_URL" | "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN",
  kind: StorageKind,
): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${name} is required when STORAGE is "${kind}"`);
  return value;
}

/** Project names as they appear in URLs: they name Durable Objects and never reach SQL. */
export const PROJECT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function positiveInt(name: string, raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = typeof raw === "number" ? raw : /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}
