// The series face on the embedded default (Durable Object SQLite).
import { seriesSyncCases } from "../support/series-sync-cases.ts";

seriesSyncCases();
