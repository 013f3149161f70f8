import type { ProjectObject } from "./durable/project.ts";

/** Bindings and vars as wrangler hands them over (wrangler.toml [vars], secrets from .dev.vars or `wrangler secret`). */
export interface Env {
  PROJECT: DurableObjectNamespace<ProjectObject>;
  STORAGE?: string;
  /** A [vars] number arrives as a number, a secret or .dev.vars entry as a string. */
  MAX_BODY_BYTES?: string | number;
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
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

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
  return { storage: parseStorage(env), maxBodyBytes: parseMaxBodyBytes(env.MAX_BODY_BYTES) };
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

function parseMaxBodyBytes(raw: string | number | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_MAX_BODY_BYTES;
  const n = typeof raw === "number" ? raw : /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new ConfigError(`MAX_BODY_BYTES must be a positive integer number of bytes, got ${JSON.stringify(raw)}`);
  }
  return n;
}
