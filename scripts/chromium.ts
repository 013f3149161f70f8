/**
 * Debian's Chromium (apt package `chromium`) under playwright-core, for the browser tests and the
 * explorer benchmark: playwright cannot download browsers here. The flags are what headless
 * Chromium needs on these machines: no sandbox (root), no GPU, and no background connections,
 * which a closed network refuses many at a time. playwright gives every launch a fresh profile.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = process.env.HAYLOFT_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS] });
}
