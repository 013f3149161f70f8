/**
 * A local stand-in for Upstash's REST API, so the real `@upstash/redis` client runs against the
 * real Redis on 127.0.0.1 (Upstash's own SRH needs Docker, which this machine does not run). It
 * speaks what the client sends (../shared facts in README.md, "Storage"): a POSTed JSON array
 * command to `/`, an array of them to `/pipeline` or `/multi-exec` (the latter in MULTI/EXEC),
 * `Authorization: Bearer TOKEN`, and with `Upstash-Encoding: base64` every string of a result
 * (nested ones too) in base64 except exactly "OK". Replies are `{"result": ...}` or, non-2xx,
 * `{"error": "..."}`; pipelines answer an array of those. Development plumbing, not a mock:
 * every command runs in Redis.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { Command, Redis } from "ioredis";

export interface StandInOptions {
  /** Port to listen on, 0 for any free one. */
  readonly port: number;
  readonly token: string;
  /** Redis to run the commands in (default redis://127.0.0.1:6379). */
  readonly redisUrl?: string;
  /** Largest request body accepted (Upstash's own limit is 1 MB on the free plan; default 10 MB). */
  readonly maxBodyBytes?: number;
  /**
   * Serve fault controls for tests: `POST /_control/down` (every request's connection is reset),
   * `/_control/up` (which also clears a pending cut), and `/_control/cut?when=before|after&skip=N`
   * (the connection of the request after the next N is reset before its commands run, or after
   * they ran but before the answer is sent).
   */
  readonly control?: boolean;
}

export type CutWhen = "before" | "after";

export interface StandIn {
  /** The REST URL to give the client (UPSTASH_REDIS_REST_URL). */
  readonly url: string;
  /** Resets the connection of every request while down. */
  setDown(down: boolean): void;
  /** Resets the connection of the request after the next `skip`, before or after its commands run. */
  cutNext(when: CutWhen, skip?: number): void;
  close(): Promise<void>;
}

/** A command whose reply is handed back as Redis sent it: no ioredis reshaping (HGETALL to an object, score pairs). */
class RawCommand extends Command {
  override transformReply(result: Buffer | Buffer[]): Buffer | Buffer[] {
    return result;
  }
}

type Reply = null | number | Buffer | Error | Reply[];

/** The reply as the REST API gives it: bulk strings as text, or base64 but for "OK". */
function encode(r: Reply, base64: boolean): unknown {
  if (r === null || typeof r === "number") return r;
  if (Array.isArray(r)) return r.map((x) => encode(x, base64));
  if (r instanceof Error) return r.message;
  const text = r.toString("utf8");
  if (!base64 || text === "OK") return text;
  return r.toString("base64");
}

function isCommand(c: unknown): c is (string | number | boolean)[] {
  return (
    Array.isArray(c) &&
    c.length > 0 &&
    typeof c[0] === "string" &&
    c.every((a) => typeof a === "string" || typeof a === "number" || typeof a === "boolean")
  );
}

async function body(req: IncomingMessage, max: number): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new Error(`ERR request body over ${max} bytes`);
    parts.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(parts).toString("utf8"));
}

async function run(redis: Redis, cmd: readonly (string | number | boolean)[]): Promise<Reply> {
  const [name, ...args] = cmd;
  return (await redis.sendCommand(
    new RawCommand(String(name).toLowerCase(), args.map(String), { replyEncoding: null }),
  )) as Reply;
}

export async function startUpstashStandIn(o: StandInOptions): Promise<StandIn> {
  const redis = new Redis(o.redisUrl ?? "redis://127.0.0.1:6379", {
    protocol: 2,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  await redis.connect();
  const max = o.maxBodyBytes ?? 10 * 1024 * 1024;
  let down = false;
  let cut: { when: CutWhen; skip: number } | undefined;
  const server: Server = createServer(async (req, res) => {
    const path0 = (req.url ?? "/").split("?")[0] ?? "/";
    if (o.control && req.method === "POST" && path0.startsWith("/_control/")) {
      const action = path0.slice("/_control/".length);
      const q = new URL(req.url ?? "/", "http://x").searchParams;
      const when = q.get("when");
      const skip = Number(q.get("skip") ?? 0);
      if (action === "down") down = true;
      else if (action === "up") {
        down = false;
        cut = undefined;
      } else if (action === "cut" && (when === "before" || when === "after") && Number.isInteger(skip) && skip >= 0) {
        cut = { when, skip };
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(204).end();
      return;
    }
    if (down) {
      req.socket.destroy();
      return;
    }
    let cutThis: CutWhen | undefined;
    if (cut && cut.skip-- === 0) {
      cutThis = cut.when;
      cut = undefined;
    }
    if (cutThis === "before") {
      req.socket.destroy();
      return;
    }
    const answer = (status: number, value: unknown) => {
      // The commands ran; the answer is lost on the way, as a connection cut would lose it.
      if (cutThis === "after") {
        req.socket.destroy();
        return;
      }
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.headers.authorization !== `Bearer ${o.token}`) return answer(401, { error: "Unauthorized" });
    if (req.method !== "POST") return answer(405, { error: "ERR only POST is served here" });
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const path = (req.url ?? "/").split("?")[0];
    let input: unknown;
    try {
      input = await body(req, max);
    } catch (err) {
      return answer(400, { error: err instanceof SyntaxError ? "ERR the body is not JSON" : (err as Error).message });
    }
    try {
      if (path === "/") {
        if (!isCommand(input)) return answer(400, { error: "ERR a command is a JSON array of strings and numbers" });
        return answer(200, { result: encode(await run(redis, input), base64) });
      }
      if (path !== "/pipeline" && path !== "/multi-exec") return answer(404, { error: `ERR no route ${path}` });
      if (!Array.isArray(input) || !input.every(isCommand)) {
        return answer(400, { error: "ERR a pipeline is a JSON array of commands" });
      }
      if (path === "/pipeline") {
        const out = [];
        for (const cmd of input) {
          try {
            out.push({ result: encode(await run(redis, cmd), base64) });
          } catch (err) {
            out.push({ error: (err as Error).message });
          }
        }
        return answer(200, out);
      }
      // MULTI/EXEC on a connection of its own, so no other request's command lands inside it.
      const tx = redis.duplicate({ lazyConnect: true });
      try {
        await tx.connect();
        await run(tx, ["MULTI"]);
        for (const cmd of input) await run(tx, cmd).catch(() => undefined);
        const results = (await run(tx, ["EXEC"])) as Reply[] | null;
        if (results === null) return answer(400, { error: "EXECABORT Transaction discarded" });
        return answer(
          200,
          results.map((r) => (r instanceof Error ? { error: r.message } : { result: encode(r, base64) })),
        );
      } finally {
        tx.disconnect();
      }
    } catch (err) {
      return answer(400, { error: (err as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setDown: (d) => {
      down = d;
    },
    cutNext: (when, skip = 0) => {
      cut = { when, skip };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}

// `node --import tsx scripts/upstash-stand-in.ts PORT TOKEN [REDIS_URL]`: a stand-in of its own
// process (the benchmarks run it so, as Upstash is a service of its own).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [port, token, redisUrl] = process.argv.slice(2);
  if (!port || !token) {
    console.error("usage: upstash-stand-in.ts PORT TOKEN [REDIS_URL]");
    process.exit(2);
  }
  const s = await startUpstashStandIn({ port: Number(port), token, redisUrl });
  console.log(`upstash stand-in on ${s.url}`);
}
