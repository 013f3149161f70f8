// The same cases with STORAGE=postgres: the Worker reaches Postgres itself, through the Neon driver.
import { seriesSyncCases } from "../support/series-sync-cases.ts";

seriesSyncCases();
