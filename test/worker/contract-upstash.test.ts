import { upstashStore } from "../../src/storage/upstash/project.ts";
import { runStoreContract } from "../contract/store-contract.ts";
import { testUpstash } from "../support/upstash.ts";

// Upstash Redis through the real client and the REST stand-in (real Redis); every case gets a
// fresh project under the run's key prefix.
const u = testUpstash();
runStoreContract("upstash", () => upstashStore(u, `c-${crypto.randomUUID()}`));
