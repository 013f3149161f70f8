import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";

describe("scheduled", () => {
  it("runs a cron tick without throwing", async () => {
    const controller = createScheduledController({
      scheduledTime: new Date("2026-01-01T00:15:00Z"),
      cron: "*/15 * * * *",
    });
    const ctx = createExecutionContext();
    await expect(worker.scheduled(controller, env, ctx)).resolves.toBeUndefined();
    await waitOnExecutionContext(ctx);
  });
});
