// The same cases with STORAGE=postgres: the Worker reaches Postgres itself, through the Neon driver.
import { framesHttpCases } from "../support/frames-http-cases.ts";

framesHttpCases();
