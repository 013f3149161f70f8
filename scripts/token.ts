/** `npm run token -- <project> [role]`: a session token for local use, signed with .dev.vars' secret. */
import { isRole } from "../src/auth/roles.ts";
import { PROJECT_NAME } from "../src/config.ts";
import { devToken, ensureDevSecrets } from "./dev-vars.ts";

const [project = "demo", role = "admin"] = process.argv.slice(2);
if (!PROJECT_NAME.test(project) || !isRole(role)) {
  console.error("usage: npm run token -- <project> [viewer|operator|admin]");
  process.exit(2);
}
console.log(await devToken(ensureDevSecrets(), project, role, 12 * 3_600_000));
