/**
 * The admin API, JSON over `/admin/{project}/...` (admin role, checked by the auth middleware):
 * users with passwords and roles, and machine API keys. Passwords are turned into SCRAM
 * credentials here in the Worker; only those reach storage. A new key is shown once.
 */
import { type Context, Hono } from "hono";
import { newApiKey } from "../../auth/apikey.ts";
import { isRole, type Role } from "../../auth/roles.ts";
import { deriveCredentials } from "../../auth/scram.ts";
import type { Clock } from "../../clock.ts";
import { USER_NAME } from "../../config.ts";
import type { StoredCredentials } from "../../storage/do/accounts.ts";
import { StoreError } from "../../storage/errors.ts";
import { unwrap } from "../../storage/wire.ts";
import { readBody } from "../body.ts";
import type { AppEnv } from "../context.ts";
import { HttpError } from "../errors/index.ts";
import { type FaceRoutes, faceRoutes, mount, type Route } from "../routes.ts";
import { authorityFor, credentialsToStored } from "./authority.ts";
import { authStub } from "./middleware.ts";

const MAX_ADMIN_BODY = 16 * 1024;
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 1024;
const MAX_RATE_LIMIT = 1_000_000;

type Body = Readonly<Record<string, unknown>>;

/** The admin API's routes: every one needs a project admin (or the server admin). */
export function adminFace(clock: Clock): { readonly face: FaceRoutes; readonly router: Hono<AppEnv> } {
  const now = () => clock.now();
  const routes: Route[] = [
    {
      method: "GET",
      path: "/:project/users",
      role: "admin",
      handler: async (c) => c.json({ users: await stub(c).users() }),
    },
    {
      method: "POST",
      path: "/:project/users",
      role: "admin",
      handler: async (c) => {
        const b = await jsonBody(c);
        const name = userName(c, b.name);
        const role = roleOf(b.role);
        if (role === undefined) throw invalid("role must be viewer, operator or admin");
        const change = { role, credentials: await credentialsFor(c, b.password), ...rateChange(b) };
        const user = unwrap(await stub(c).putUser(name, change, true, now(), c.var.config.auth.tokenTtlMs));
        return c.json({ user }, 201);
      },
    },
    {
      method: "PATCH",
      path: "/:project/users/:name",
      role: "admin",
      handler: async (c) => {
        const b = await jsonBody(c);
        const name = userName(c, c.req.param("name"));
        const role = roleOf(b.role);
        const credentials = b.password === undefined ? undefined : await credentialsFor(c, b.password);
        const change = {
          ...(role === undefined ? {} : { role }),
          ...(credentials ? { credentials } : {}),
          ...rateChange(b),
        };
        const user = unwrap(await stub(c).putUser(name, change, false, now(), c.var.config.auth.tokenTtlMs));
        forget(c);
        return c.json({ user });
      },
    },
    {
      method: "DELETE",
      path: "/:project/users/:name",
      role: "admin",
      handler: async (c) => {
        const name = userName(c, c.req.param("name"));
        unwrap(await stub(c).deleteUser(name, now(), c.var.config.auth.tokenTtlMs));
        forget(c);
        return c.body(null, 204);
      },
    },
    {
      method: "GET",
      path: "/:project/keys",
      role: "admin",
      handler: async (c) => c.json({ keys: await stub(c).keys() }),
    },
    {
      method: "POST",
      path: "/:project/keys",
      role: "admin",
      handler: async (c) => {
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
          created: now(),
          ...(rate === undefined || rate === null ? {} : { rateLimit: rate }),
        });
        return c.json({ key: rec, secret: key }, 201);
      },
    },
    {
      method: "DELETE",
      path: "/:project/keys/:id",
      role: "admin",
      handler: async (c) => {
        const key = unwrap(await stub(c).revokeKey(c.req.param("id") ?? "", now()));
        forget(c);
        return c.json({ key });
      },
    },
  ];
  const router = new Hono<AppEnv>();
  mount(router, routes);
  return { face: faceRoutes("admin", "json", routes), router };
}

function stub(c: Context<AppEnv>) {
  return authStub(c.env, c.req.param("project") as string);
}

function forget(c: Context<AppEnv>): void {
  authorityFor(c.var.config.auth).forget(c.req.param("project") as string);
}

function invalid(message: string): StoreError {
  return new StoreError("invalid", message);
}

async function jsonBody(c: Context<AppEnv>): Promise<Body> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, "unsupported_media_type", "Send application/json");
  const text = await readBody(c.req.raw, MAX_ADMIN_BODY);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HttpError(400, "bad_request", "Body is not valid JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new HttpError(400, "bad_request", "Body must be a JSON object");
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
