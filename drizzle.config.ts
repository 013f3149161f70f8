import { defineConfig } from "drizzle-kit";

// drizzle-kit runs in Node: the URL comes from the shell, never from wrangler vars. `generate` needs
// no database, so a missing URL only matters to `migrate`/`push`, which then fail with drizzle's message.
const url = process.env.DATABASE_URL;

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/storage/postgres/schema.ts",
  out: "./migrations",
  ...(url ? { dbCredentials: { url } } : {}),
});
