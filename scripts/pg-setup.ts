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

export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`unusable database name ${name}`);
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
