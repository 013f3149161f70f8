/**
 * Ports `npm run dev` binds or has wrangler bind, checked before anything starts: a taken one is
 * one line naming the port and how to move it, instead of a raw EADDRINUSE stack from deep
 * inside wrangler, workerd or the Postgres stand-in.
 */
import { lookup } from "node:dns/promises";
import { createServer } from "node:net";

/** One port to bind, and the flag and/or environment variable that move it. */
export interface PortUse {
  readonly port: number;
  readonly host: string;
  readonly flag?: string;
  readonly env: string;
}

/** The line printed when `use.port` is taken. */
export function portInUseMessage(use: PortUse): string {
  const move = use.flag ? `${use.flag} (or ${use.env}=...)` : `${use.env}=...`;
  return `Port ${use.port} is in use: stop what holds it, or move it with ${move}`;
}

/** Whether listening on `host`:`port` fails with EADDRINUSE. */
function taken(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") resolve(true);
      // An address this machine lacks (no IPv6 loopback, say) cannot be in use either.
      else if (err.code === "EADDRNOTAVAIL" || err.code === "EAFNOSUPPORT") resolve(false);
      else reject(err);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/**
 * Whether `port` is taken on any address `host` names: `localhost` is 127.0.0.1 and often ::1
 * too, and a server holding either one would stop wrangler.
 */
export async function portTaken(port: number, host: string): Promise<boolean> {
  const wildcard = host === "*" ? "0.0.0.0" : host;
  const addresses = await lookup(wildcard, { all: true });
  for (const a of addresses) if (await taken(port, a.address)) return true;
  return false;
}

/** The first of `uses` whose port is taken, checked in order. */
export async function firstTaken(uses: readonly PortUse[]): Promise<PortUse | undefined> {
  for (const use of uses) if (await portTaken(use.port, use.host)) return use;
  return undefined;
}
