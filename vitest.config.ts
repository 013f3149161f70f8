import { availableParallelism } from "node:os";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig, type Plugin } from "vitest/config";
import { pgTestTarget } from "./test/pg-target.ts";
import { tstorageTargetsVar, tstorageTestTarget } from "./test/tstorage-target.ts";
import { upstashTestTarget } from "./test/upstash-target.ts";

const pg = pgTestTarget();
const tstorage = tstorageTestTarget();
const upstash = upstashTestTarget();

/** Bindings every Worker test project shares. */
const BINDINGS = {
  // A small request-row limit so a test can cross it without a huge body.
  MAX_REQUEST_ROWS: "5000",
  // Test-only secrets: a deployment sets its own with `wrangler secret put`.
  AUTH_SECRET: "test-auth-secret-not-for-production-0123456789",
  ADMIN_PASSWORD: "test-admin-password",
  // Generous, so suites that make many calls with one token are not throttled;
  // the limit itself is tested with users and keys that carry their own.
  RATE_LIMIT: "100000",
  HANDSHAKE_RATE_LIMIT: "100000",
  // The run's TStorage doubles (test/tstorage-target.ts), with bridge limits small enough to cross.
  TSTORAGE_TARGETS: tstorageTargetsVar(tstorage),
  TSTORAGE_MAX_PUT_RECORDS: "30000",
  TSTORAGE_MAX_PUT_BYTES: String(8 * 1024 * 1024),
  TSTORAGE_GET_MAX_RECORD_BYTES: "4096",
};

/** *.zinc files as text modules in Node, as wrangler.toml's [[rules]] bundle them for the Worker. */
function zincAsText(): Plugin {
  return {
    name: "zinc-as-text",
    transform(code, id) {
      return id.endsWith(".zinc") ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
    },
  };
}

export default defineConfig({
  test: {
    // At least two files at once: most of a workerd file's time is its runtime starting, which
    // overlaps well with another file's tests (on 2 cores: 8.5 min instead of 11.5).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Node side: the Postgres stand-in and a fresh, migrated database for the whole run.
    globalSetup: ["./test/global-setup.ts"],
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["src/**/*.test.ts", "test/unit/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        // The developer scripts end to end: real `npm run dev` (wrangler, workerd, the Postgres
        // stand-in) in a throwaway copy of the project, `npm run login`, and demo seeding.
        plugins: [zincAsText()],
        test: {
          name: "scripts",
          environment: "node",
          include: ["test/scripts/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Durable Objects, bindings and HTTP end to end, inside workerd. Pure-module tests stay in "unit".
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: BINDINGS },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/worker/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        // The explorer in Debian's Chromium (playwright-core) against one real `npm run dev` on the
        // demo, started by this project's own global setup.
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["./test/browser/server.ts"],
          // One dev server for every file: two files at once could starve it (workerd runs the
          // objects on the Worker's thread locally), and a page load then times out.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The same Worker with STORAGE=postgres, against this run's database (test/pg-target.ts).
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ...BINDINGS,
                STORAGE: "postgres",
                DATABASE_URL: pg.databaseUrl,
                PG_WS_PROXY: pg.faultsWsProxy,
              },
            },
          }),
        ],
        test: {
          name: "workers-pg",
          include: ["test/worker-pg/**/*.test.ts"],
          testTimeout: 30_000,
          // Fault tests stop and cut this project's own stand-in: two files at once would break each other.
          fileParallelism: false,
        },
      },
      {
        // The same Worker with STORAGE=upstash, through the REST stand-in over the real Redis.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ...BINDINGS,
                STORAGE: "upstash",
                UPSTASH_REDIS_REST_URL: upstash.faultsUrl,
                UPSTASH_REDIS_REST_TOKEN: upstash.token,
                UPSTASH_KEY_PREFIX: upstash.keyPrefix,
                // Small, so ordinary test data crosses the request bound and is split.
                UPSTASH_MAX_REQUEST_BYTES: String(64 * 1024),
              },
            },
          }),
        ],
        test: {
          name: "workers-upstash",
          include: ["test/worker-upstash/**/*.test.ts"],
          testTimeout: 30_000,
          // Fault tests stop and cut this project's own stand-in.
          fileParallelism: false,
        },
      },
    ],
  },
});
