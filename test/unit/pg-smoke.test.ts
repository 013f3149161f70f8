import { Pool } from "@neondatabase/serverless";
import { expect, inject, it } from "vitest";
import ws from "ws";
import { useLocalProxy } from "../../src/storage/postgres/connect.ts";

it("reaches the migrated test database through the Neon driver", async () => {
  const { databaseUrl, wsProxy } = inject("pg");
  useLocalProxy(wsProxy, ws);
  const pool = new Pool({ connectionString: databaseUrl });
  const r = await pool.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'entities'");
  expect(r.rows[0].n).toBe(1);
  await pool.end();
});
