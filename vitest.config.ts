import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
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
        // Durable Objects, bindings and HTTP end to end, inside workerd. Pure-module tests stay in "unit".
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // A small request-row limit so a test can cross it without a huge body.
            miniflare: { bindings: { MAX_REQUEST_ROWS: "5000" } },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/worker/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
