// The same cases with STORAGE=upstash: the Worker reaches Redis itself, through the Upstash client.
import { seriesSyncCases } from "../support/series-sync-cases.ts";

seriesSyncCases();
