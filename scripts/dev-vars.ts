/**
 * Local secrets for `wrangler dev`: `.dev.vars` gets a random AUTH_SECRET and ADMIN_PASSWORD the
 * first time, and keeps them after, so tokens and the admin password survive restarts.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { deriveKeys } from "../src/auth/keys.ts";
import type { Role } from "../src/auth/roles.ts";
import { issueAuthToken } from "../src/auth/tokens.ts";

export const DEV_VARS = ".dev.vars";

export interface DevSecrets {
  readonly secret: string;
  readonly adminUser: string;
  readonly adminPassword: string;
}

function parse(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) vars.set(m[1] as string, (m[2] as string).replace(/^"(.*)"$/, "$1"));
  }
  return vars;
}

/** The local secrets, adding any that `.dev.vars` lacks; `created` lists what was added. */
export function ensureDevSecrets(): DevSecrets & { created: string[] } {
  const text = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : "";
  const vars = parse(text);
  const created: string[] = [];
  const add: string[] = [];
  for (const [name, make] of [
    ["AUTH_SECRET", () => randomBytes(32).toString("base64url")],
    ["ADMIN_PASSWORD", () => randomBytes(12).toString("base64url")],
  ] as const) {
    if ((vars.get(name) ?? "") === "") {
      const value = make();
      vars.set(name, value);
      add.push(`${name}="${value}"`);
      created.push(name);
    }
  }
  if (add.length > 0) {
    const head =
      text === ""
        ? "# Local secrets for wrangler dev (never commit this file).\n"
        : text.endsWith("\n")
          ? text
          : `${text}\n`;
    writeFileSync(DEV_VARS, `${head}${add.join("\n")}\n`, { mode: 0o600 });
  }
  return {
    secret: vars.get("AUTH_SECRET") as string,
    adminUser: vars.get("ADMIN_USER") || "admin",
    adminPassword: vars.get("ADMIN_PASSWORD") as string,
    created,
  };
}

/** A session token for `project` as the server would issue it after a SCRAM login. */
export async function devToken(s: DevSecrets, project: string, role: Role, ttlMs: number): Promise<string> {
  const keys = await deriveKeys(s.secret);
  return (await issueAuthToken(keys, { user: s.adminUser, project, role, nowMs: Date.now(), ttlMs })).token;
}
