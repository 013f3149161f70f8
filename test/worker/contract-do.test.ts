import { env } from "cloudflare:test";
import { remoteStore } from "../../src/storage/do/client.ts";
import { runStoreContract } from "../contract/store-contract.ts";

// The embedded default, through the same RPC client the Worker uses; one fresh object per case.
runStoreContract("do", () => remoteStore(env.PROJECT.get(env.PROJECT.idFromName(crypto.randomUUID()))));
