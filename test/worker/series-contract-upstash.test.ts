import { upstashSeriesPort } from "../../src/storage/upstash/series.ts";
import { runSeriesContract } from "../contract/series/index.ts";
import { testUpstash } from "../support/upstash.ts";

// Upstash Redis through the real client and the REST stand-in (real Redis); every case gets a
// fresh store of a fresh project under the run's key prefix.
const u = testUpstash();
runSeriesContract("upstash", () => upstashSeriesPort(u, `c-${crypto.randomUUID()}`, "store"));
