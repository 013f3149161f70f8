import { afterAll, inject } from "vitest";
import { openPg } from "../../src/storage/postgres/connect.ts";
import { pgStore } from "../../src/storage/postgres/project.ts";
import { runStoreContract } from "../contract/store-contract.ts";

// Postgres through the Neon driver (real database, via the local WebSocket stand-in); every case
// gets a fresh project in the run's database.
const { pool } = openPg(inject("pg"));
afterAll(() => pool.end());

runStoreContract("postgres", () => pgStore(pool, `c-${crypto.randomUUID()}`));
