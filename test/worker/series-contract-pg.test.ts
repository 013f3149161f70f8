import { afterAll, inject } from "vitest";
import { openPg } from "../../src/storage/postgres/connect.ts";
import { pgSeriesPort } from "../../src/storage/postgres/series.ts";
import { runSeriesContract } from "../contract/series/index.ts";

// Postgres through the Neon driver (real database, via the local WebSocket stand-in); every case
// gets a fresh store of a fresh project in the run's database.
const { pool } = openPg(inject("pg"));
afterAll(() => pool.end());

runSeriesContract("postgres", () => pgSeriesPort(pool, `c-${crypto.randomUUID()}`, "store"));
