/** Builds the explorer (src/ui) into dist/assets, as `npm run build` does, for scripts that serve it. */
import { fileURLToPath } from "node:url";
import { build } from "vite";

export const UI_CONFIG = fileURLToPath(new URL("../src/ui/vite.config.ts", import.meta.url));

export async function buildExplorer(): Promise<void> {
  await build({ configFile: UI_CONFIG, logLevel: "warn" });
}
