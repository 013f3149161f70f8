import { createApp } from "./app.ts";
import { type Env, loadConfig } from "./config.ts";

export { AuthObject } from "./durable/auth.ts";
export { ProjectObject } from "./durable/project.ts";

const app = createApp();

export default {
  fetch: app.fetch,

  // Sync pulls arrive in a later issue; until then a tick only proves the trigger is wired.
  async scheduled(controller, env, _ctx) {
    const { storage } = loadConfig(env);
    const at = new Date(controller.scheduledTime).toISOString();
    console.log(`scheduled ${controller.cron} at ${at} (storage ${storage.kind}): no sync jobs yet`);
  },
} satisfies ExportedHandler<Env>;
