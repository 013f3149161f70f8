// The same cases with STORAGE=upstash: the Worker reaches Redis itself, through the Upstash client.
import { seriesHttpCases } from "../support/series-http-cases.ts";

seriesHttpCases();
