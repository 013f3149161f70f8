// The frames service on DO SQLite: each case a fresh FramesObject, reached over RPC as the Worker reaches it.
import { env } from "cloudflare:test";
import { remoteFrames } from "../../src/storage/do/frames-rpc.ts";
import { runFramesServiceContract } from "../contract/frames-service/index.ts";

runFramesServiceContract("do", () => {
  const collection = crypto.randomUUID();
  return remoteFrames(env.FRAMES.getByName(`p/${collection}`), "p", collection);
});
