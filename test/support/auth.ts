/**
 * Credentials for workers-pool tests that are not about auth: a token minted with the test
 * AUTH_SECRET for the server admin (or any role). Auth's own tests obtain tokens the real way.
 */
import { env, SELF } from "cloudflare:test";
import { deriveKeys, type SigningKeys } from "../../src/auth/keys.ts";
import type { Role } from "../../src/auth/roles.ts";
import { issueAuthToken } from "../../src/auth/tokens.ts";

let keys: Promise<SigningKeys> | undefined;
const tokens = new Map<string, Promise<string>>();

/**
 * A valid session token for `project`, minted as the server would issue it, at `nowMs` (a test
 * on a clock of its own passes that clock's time).
 */
export function mintToken(
  project: string,
  role: Role = "admin",
  user = env.ADMIN_USER ?? "admin",
  nowMs?: number,
): Promise<string> {
  const k = `${project}\u0000${role}\u0000${user}\u0000${nowMs ?? ""}`;
  let t = tokens.get(k);
  if (!t) {
    keys ??= deriveKeys(env.AUTH_SECRET as string);
    t = keys.then(async (ks) => {
      const { token } = await issueAuthToken(ks, {
        user,
        project,
        role,
        nowMs: nowMs ?? Date.now(),
        ttlMs: 3_600_000,
      });
      return token;
    });
    tokens.set(k, t);
  }
  return t;
}

/** The project named by a face path such as `/api/{project}/{op}`. */
function projectOf(url: string): string | undefined {
  return new URL(url).pathname.split("/")[2];
}

/**
 * SELF.fetch as the server admin of the URL's project, unless the request carries its own
 * Authorization header.
 */
export async function authedFetch(resource: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const url = typeof resource === "string" ? resource : resource instanceof URL ? resource.href : resource.url;
  const headers = new Headers(init.headers ?? (resource instanceof Request ? resource.headers : undefined));
  const project = projectOf(url);
  if (!headers.has("authorization") && project) headers.set("authorization", `Bearer ${await mintToken(project)}`);
  return SELF.fetch(resource instanceof Request ? new Request(resource, { ...init, headers }) : url, {
    ...init,
    headers,
  });
}

/** A call to the admin API of `project` as the server admin (JSON in and out). */
export async function adminCall(project: string, method: string, path: string, body?: unknown): Promise<Response> {
  return authedFetch(`http://hayloft.test/admin/${project}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
}

/** Creates a user through the admin API; throws unless it answers 201. */
export async function createUser(project: string, name: string, password: string, role: Role, rateLimit?: number) {
  const r = await adminCall(project, "POST", "/users", { name, password, role, ...(rateLimit ? { rateLimit } : {}) });
  if (r.status !== 201) throw new Error(`creating ${name} failed: ${r.status} ${await r.text()}`);
}

/** Creates an API key through the admin API and answers its secret. */
export async function createKey(
  project: string,
  name: string,
  role: Role,
  rateLimit?: number,
): Promise<{ id: string; secret: string }> {
  const r = await adminCall(project, "POST", "/keys", { name, role, ...(rateLimit ? { rateLimit } : {}) });
  if (r.status !== 201) throw new Error(`creating key ${name} failed: ${r.status} ${await r.text()}`);
  const b = (await r.json()) as { key: { id: string }; secret: string };
  return { id: b.key.id, secret: b.secret };
}
