// The same cases with STORAGE=postgres: the Worker reaches Postgres itself, through the Neon driver.
import { seriesHttpCases } from "../support/series-http-cases.ts";

seriesHttpCases();
