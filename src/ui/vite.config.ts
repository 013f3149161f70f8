/**
 * The explorer's build: src/ui -> dist/assets/ui, served by the Worker's static assets at /ui/.
 * `_headers` goes to the assets root, where Workers assets read it (it cannot sit under /ui/).
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
const assets = resolve(here, "../../dist/assets");

function assetHeaders(): Plugin {
  return {
    name: "hayloft-asset-headers",
    closeBundle() {
      mkdirSync(assets, { recursive: true });
      copyFileSync(resolve(here, "_headers"), resolve(assets, "_headers"));
    },
  };
}

export default defineConfig({
  root: here,
  base: "/ui/",
  publicDir: false,
  plugins: [assetHeaders()],
  build: {
    outDir: resolve(assets, "ui"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    // One small app: a warning past 500 kB would only be noise until it is not.
    chunkSizeWarningLimit: 400,
  },
});
