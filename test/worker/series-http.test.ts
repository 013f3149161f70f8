// The series face on the embedded default (Durable Object SQLite).
import { seriesHttpCases } from "../support/series-http-cases.ts";

seriesHttpCases();
