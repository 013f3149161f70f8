/**
 * The admin API, JSON over `/admin/{project}/...` (admin role, checked by the auth middleware):
 * users with passwords and roles, and machine API keys. Passwords are turned into SCRAM
 * credentials here in the Worker; only those reach storage. A new key is shown once.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../app.ts";
import { newApiKey } from "../../auth/apikey.ts";
import { isRole, type Role } from "../../auth/roles.ts";
import { deriveCredentials } from "../../auth/scram.ts";
import { USER_NAME } from "../../config.ts";
import type { StoredCredentials } from "../../storage/do/accounts.ts";
import { StoreError } from "../../storage/errors.ts";
import { unwrap } from "../../storage/wire.ts";
import { RequestError, readBody } from "../haystack/request.ts";
import { authorityFor, credentialsToStored } from "./authority.ts";
import { authStub } from "./middleware.ts";

const MAX_ADMIN_BODY = 16 * 1024;
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 1024;
const MAX_RATE_LIMIT = 1_000_000;

type Body = Readonly<Record<string, unknown>>;

export function adminRouter(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/:project/users", async (c) => c.json({ users: await stub(c).users() }));

  app.post("/:project/users", async (c) => {
    const b = await jsonBody(c);
    const name = userName(c, b.name);
    const role = roleOf(b.role);
    if (role === undefined) throw invalid("role must be viewer, operator or admin");
    const user = unwrap(
      await stub(c).putUser(
        name,
        { role, credentials: await credentialsFor(c, b.password), ...rateChange(b) },
        true,
        Date.now(),
        c.var.config.auth.tokenTtlMs,
      ),
    );
    return c.json({ user }, 201);
  });

  app.patch("/:project/users/:name", async (c) => {
    const b = await jsonBody(c);
    const name = userName(c, c.req.param("name"));
    const role = roleOf(b.role);
    const credentials = b.password === undefined ? undefined : await credentialsFor(c, b.password);
    const user = unwrap(
      await stub(c).putUser(
        name,
        { ...(role === undefined ? {} : { role }), ...(credentials ? { credentials } : {}), ...rateChange(b) },
        false,
        Date.now(),
        c.var.config.auth.tokenTtlMs,
      ),
    );
    forget(c);
    return c.json({ user });
  });

  app.delete("/:project/users/:name", async (c) => {
    unwrap(await stub(c).deleteUser(userName(c, c.req.param("name")), Date.now(), c.var.config.auth.tokenTtlMs));
    forget(c);
    return c.body(null, 204);
  });

  app.get("/:project/keys", async (c) => c.json({ keys: await stub(c).keys() }));

  app.post("/:project/keys", async (c) => {
    const b = await jsonBody(c);
    if (typeof b.name !== "string" || !USER_NAME.test(b.name)) {
      throw invalid("name must be 1-64 letters, digits, '.', '_', '@' or '-'");
    }
    const role = roleOf(b.role);
    if (role === undefined) throw invalid("role must be viewer, operator or admin");
    const { id, key, hash } = await newApiKey();
    const rate = rateChange(b).rateLimit;
    const rec = await stub(c).createKey({
      id,
      name: b.name,
      role,
      hash,
      created: Date.now(),
      ...(rate === undefined || rate === null ? {} : { rateLimit: rate }),
    });
    return c.json({ key: rec, secret: key }, 201);
  });

  app.delete("/:project/keys/:id", async (c) => {
    const key = unwrap(await stub(c).revokeKey(c.req.param("id"), Date.now()));
    forget(c);
    return c.json({ key });
  });

  return app;
}

function stub(c: Context<AppEnv>) {
  return authStub(c, c.req.param("project") as string);
}

function forget(c: Context<AppEnv>): void {
  authorityFor(c.var.config.auth).forget(c.req.param("project") as string);
}

function invalid(message: string): StoreError {
  return new StoreError("invalid", message);
}

async function jsonBody(c: Context<AppEnv>): Promise<Body> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type))
    throw new RequestError(415, "unsupported_media_type", "Send application/json");
  const text = await readBody(c.req.raw, MAX_ADMIN_BODY);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new RequestError(400, "bad_request", "Body is not valid JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new RequestError(400, "bad_request", "Body must be a JSON object");
  return v as Body;
}

function userName(c: Context<AppEnv>, v: unknown): string {
  if (typeof v !== "string" || !USER_NAME.test(v))
    throw invalid("name must be 1-64 letters, digits, '.', '_', '@' or '-'");
  if (v === c.var.config.auth.adminUser) throw invalid(`${v} is the server admin, set by ADMIN_PASSWORD`);
  return v;
}

function roleOf(v: unknown): Role | undefined {
  if (v === undefined) return undefined;
  if (!isRole(v)) throw invalid("role must be viewer, operator or admin");
  return v;
}

function rateChange(b: Body): { rateLimit?: number | null } {
  const v = b.rateLimit;
  if (v === undefined) return {};
  if (v === null) return { rateLimit: null };
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1 || v > MAX_RATE_LIMIT) {
    throw invalid(`rateLimit must be requests per minute, 1..${MAX_RATE_LIMIT}, or null`);
  }
  return { rateLimit: v };
}

async function credentialsFor(c: Context<AppEnv>, v: unknown): Promise<StoredCredentials> {
  if (typeof v !== "string" || v.length < MIN_PASSWORD || v.length > MAX_PASSWORD) {
    throw invalid(`password must be ${MIN_PASSWORD}..${MAX_PASSWORD} characters`);
  }
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return credentialsToStored(await deriveCredentials(v, salt, c.var.config.auth.scramIterations));
}
