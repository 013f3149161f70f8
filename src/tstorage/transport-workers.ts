/**
 * The Workers transport: the one module of the TStorage face that imports `cloudflare:sockets`, so
 * the client itself runs and is tested in Node.
 */
import { connect } from "cloudflare:sockets";
import type { Connect, Transport } from "./transport.ts";

/** Opens a TCP socket; awaits `opened` so an unreachable host rejects here, not at the first read. */
export const workersConnect: Connect = async ({ hostname, port }) => {
  const socket = connect({ hostname, port });
  try {
    await socket.opened;
  } catch (e) {
    socket.close().catch(() => {});
    throw e;
  }
  const reader = socket.readable.getReader();
  const writer = socket.writable.getWriter();
  const transport: Transport = {
    write: (bytes) => writer.write(bytes),
    async read() {
      const { done, value } = await reader.read();
      if (done) return undefined;
      if (!(value instanceof Uint8Array)) throw new TypeError("socket delivered a chunk that is not bytes");
      return value;
    },
    // Closes both directions; socket.close() may be called again and resolves each time.
    close: () => socket.close().catch(() => {}),
  };
  return transport;
};
