/**
 * Local Postgres for development and tests, through the Neon driver (the stand-in must be
 * running and `useLocalProxy` called): create a database when it is missing, and apply the
 * committed migrations.
 */
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

/** Postgres' SQLSTATE for a login by a role that does not exist. */
const NO_SUCH_ROLE = "28000";

/**
 * Makes the URL's role (LOGIN, CREATEDB, its password) when it does not exist yet, as the local
 * superuser `postgres` over the same host: a fresh Debian Postgres that trusts loopback then needs
 * no set-up step (.ci/run makes the role through `su postgres` where loopback is not trusted).
 */
async function ensureRole(databaseUrl: string): Promise<void> {
  const probe = pool(maintenanceUrl(databaseUrl));
  try {
    await probe.query("SELECT 1");
    return;
  } catch (e) {
    if ((e as { code?: string }).code !== NO_SUCH_ROLE) throw e;
  } finally {
    await probe.end();
  }
  const u = new URL(maintenanceUrl(databaseUrl));
  const role = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  if (!IDENT.test(role)) throw new Error(`unusable role name ${role}`);
  u.username = "postgres";
  u.password = "";
  const su = pool(u.href);
  try {
    const literal = `'${password.replaceAll("'", "''")}'`;
    await su.query(`CREATE ROLE ${role} LOGIN CREATEDB PASSWORD ${literal}`);
  } catch (e) {
    throw new Error(
      `Postgres role ${role} does not exist and could not be made as postgres over ${u.host} (${(e as Error).message}); ` +
        `create it: CREATE ROLE ${role} LOGIN CREATEDB PASSWORD '...' (or run .ci/run)`,
    );
  } finally {
    await su.end();
  }
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
