/**
 * The Worker's environment as types, in a module every layer may import: it names the Durable
 * Object bindings by their RPC interfaces (src/objects.ts), never by their classes.
 */
import type { AuthObjectRpc, CatalogRpc, FramesObjectRpc, ProjectObjectRpc, SeriesObjectRpc } from "./objects.ts";

/** Vars and secrets as wrangler hands them over (wrangler.toml [vars], .dev.vars, `wrangler secret`). */
export interface Vars {
  /** "do" (the embedded default), "postgres" or "upstash". */
  STORAGE?: string;
  /** Signs session tokens (secret, at least 32 characters). Without it the Worker refuses to serve. */
  AUTH_SECRET?: string;
  /** The secret before the last rotation: its tokens stay valid until they expire. */
  AUTH_SECRET_PREVIOUS?: string;
  /** The server admin, an admin of every project (default "admin"). */
  ADMIN_USER?: string;
  /** The server admin's password (secret, at least 12 characters). Required. */
  ADMIN_PASSWORD?: string;
  /** Session token lifetime in seconds (default 3600). */
  TOKEN_TTL?: string | number;
  /** Requests per minute per token or API key (default 600), unless the user or key has its own. */
  RATE_LIMIT?: string | number;
  /** Auth handshake messages per minute per client address (default 60). */
  HANDSHAKE_RATE_LIMIT?: string | number;
  /** PBKDF2 iterations for new passwords: 4096..100000 (default 100000, workerd's cap). */
  SCRAM_ITERATIONS?: string | number;
  /** Most columns a request grid may have. */
  MAX_REQUEST_COLS?: string | number;
  /** Deepest nesting of lists, dicts and grids in a request. */
  MAX_REQUEST_DEPTH?: string | number;
  /** Longest filter, in characters. */
  MAX_FILTER_LENGTH?: string | number;
  /** Deepest parenthesis nesting in a filter. */
  MAX_FILTER_DEPTH?: string | number;
  /** Most `->` hops in one filter path (default 8). */
  MAX_FILTER_HOPS?: string | number;
  /** Postgres: longest a statement may run, in ms (default 10000; 0 for no limit). */
  PG_STATEMENT_TIMEOUT_MS?: string | number;
  /** A [vars] number arrives as a number, a secret or .dev.vars entry as a string. */
  MAX_BODY_BYTES?: string | number;
  /** Most rows a request grid may hold. */
  MAX_REQUEST_ROWS?: string | number;
  /** Most records one read answers before marking the result incomplete. */
  MAX_READ_ROWS?: string | number;
  FRAMES_MAX_STREAM_BYTES?: string | number;
  FRAMES_MAX_STREAM_ROWS?: string | number;
  /** Haystack zone name of the server (about's tz, points without a tz tag). */
  TZ?: string;
  /** "true" adds errTrace (stack traces) to error grids: development only. */
  ERR_TRACE?: string | boolean;
  /** A project seeded with the demo building and topped-up history (`npm run dev` sets "demo"). */
  DEMO_PROJECT?: string;
  DATABASE_URL?: string;
  /**
   * TStorage targets the bridge may reach, as JSON: name -> "host:port" (every project) or
   * {"address": "host:port", "projects": ["demo"]}. Callers name a target, never an address.
   */
  TSTORAGE_TARGETS?: string;
  /** Most records one bridge put may carry (default 1000000). */
  TSTORAGE_MAX_PUT_RECORDS?: string | number;
  /** Largest bridge put body in bytes (default 64 MiB); it is streamed, never held whole. */
  TSTORAGE_MAX_PUT_BYTES?: string | number;
  /** The most bytes one record of a get may take (default 4 MiB); a larger record is 413 NO_MEMORY. */
  TSTORAGE_GET_MAX_RECORD_BYTES?: string | number;
  /** `host:port` of the local WebSocket->TCP stand-in the Neon driver goes through (unset on Neon). */
  PG_WS_PROXY?: string;
  /** STORAGE=upstash: the database's REST URL and token (a secret), as Upstash's console shows them. */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Largest request sent to Upstash in bytes (default 1 MiB, at most 10 MiB); bigger work is split. */
  UPSTASH_MAX_REQUEST_BYTES?: string | number;
  /** Prefix of every key this deployment writes (default "hl"). */
  UPSTASH_KEY_PREFIX?: string;
  /** Origins whose browser pages may call the API (CORS), separated by commas; none by default. */
  CORS_ORIGINS?: string;
}

/** What the Worker and every object receive: the vars and the Durable Object bindings. */
export interface Env extends Vars {
  PROJECT: DurableObjectNamespace<ProjectObjectRpc>;
  AUTH: DurableObjectNamespace<AuthObjectRpc>;
  CATALOG: DurableObjectNamespace<CatalogRpc>;
  SERIES: DurableObjectNamespace<SeriesObjectRpc>;
  FRAMES: DurableObjectNamespace<FramesObjectRpc>;
}

type HayloftEnv = Env;

declare global {
  namespace Cloudflare {
    // Lets `env` from "cloudflare:workers" (tests, later modules) see our bindings.
    interface Env extends HayloftEnv {}
  }
}
