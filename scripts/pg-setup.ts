/**
 * Local Postgres for development and tests, through the Neon driver (the stand-in must be
 * running and `useLocalProxy` called): create a database when it is missing, and apply the
 * committed migrations.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));

/** A pool that tolerates its connections being cut (fault tests cut every connection). */
function pool(url: string): Pool {
  const p = new Pool({ connectionString: url, max: 1 });
  p.on("error", () => {});
  return p;
}

/** The same server's maintenance database, for CREATE / DROP DATABASE. */
function maintenanceUrl(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  u.pathname = "/postgres";
  return u.href;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * SQLSTATEs of a refused login: no such role (where loopback is trusted), or a failed password
 * (how scram and md5 answer for a missing role too).
 */
const LOGIN_REFUSED = new Set(["28000", "28P01"]);

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Makes the URL's role (LOGIN, CREATEDB, its password) when logging in as it is refused, so a
 * fresh local Postgres needs no set-up step: as the superuser `postgres` over TCP where loopback
 * is trusted, else through the local socket as the OS user `postgres` (peer authentication, as
 * Debian installs it), which needs root or passwordless sudo.
 */
async function ensureRole(databaseUrl: string): Promise<void> {
  const probe = pool(maintenanceUrl(databaseUrl));
  try {
    await probe.query("SELECT 1");
    return;
  } catch (e) {
    if (!LOGIN_REFUSED.has((e as { code?: string }).code ?? "")) throw e;
  } finally {
    await probe.end();
  }
  const u = new URL(maintenanceUrl(databaseUrl));
  const role = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  if (!IDENT.test(role)) throw new Error(`unusable role name ${role}`);
  const create = `CREATE ROLE ${role} LOGIN CREATEDB PASSWORD '${password.replaceAll("'", "''")}'`;
  u.username = "postgres";
  // Ignored where loopback is trusted. Some password must be sent: without one the driver throws
  // out of its SASL handler, beyond any catch, when the server asks for one.
  u.password = process.env.PGPASSWORD ?? "unset";
  const su = pool(u.href);
  let overTcp: string;
  try {
    await su.query(create);
    return;
  } catch (e) {
    overTcp = (e as Error).message;
  } finally {
    await su.end();
  }
  const viaSocket = LOOPBACK.has(u.hostname) ? createAsOsUser(create, u.port || "5432") : "not a local server";
  if (viaSocket === undefined) return;
  throw new Error(
    `Postgres refused role ${role} and it could not be made (as postgres over ${u.host}: ${overTcp}; ` +
      `through the local socket: ${viaSocket}). Create it with CREATE ROLE ${role} LOGIN CREATEDB PASSWORD '...', ` +
      "or run .ci/run",
  );
}

/** Runs `sql` with psql as the OS user postgres; undefined on success, else why not. */
function createAsOsUser(sql: string, port: string): string | undefined {
  const psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-p", port];
  const [cmd, args] =
    process.getuid?.() === 0 ? ["su", ["postgres", "-c", psql.join(" ")]] : ["sudo", ["-n", "-u", "postgres", ...psql]];
  const r = spawnSync(cmd, args, { input: sql, encoding: "utf8", timeout: 30_000 });
  if (r.status === 0) return undefined;
  return (r.error?.message ?? r.stderr.trim()) || `${cmd} exited ${r.status}`;
}

export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!IDENT.test(name)) throw new Error(`unusable database name ${name}`);
  await ensureRole(databaseUrl);
  const admin = pool(maintenanceUrl(databaseUrl));
  try {
    const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = pool(maintenanceUrl(databaseUrl));
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function applyMigrations(databaseUrl: string): Promise<void> {
  const p = pool(databaseUrl);
  try {
    await migrate(drizzle(p), { migrationsFolder: MIGRATIONS });
  } finally {
    await p.end();
  }
}
