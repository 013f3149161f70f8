/**
 * Credentials on a WebSocket upgrade. Browsers cannot set headers on a WebSocket and a token in
 * the URL would end up in logs, so a live socket offers its bearer credential as a `bearer.<token>`
 * subprotocol, or sends it as its first message (then the upgrade itself carries none).
 */
import { bearerFromProtocols, LIVE_PATH, offersSubprotocol } from "../../watch/live-protocol.ts";

export function isWebSocketUpgrade(req: Request): boolean {
  return req.method === "GET" && (req.headers.get("upgrade") ?? "").toLowerCase() === "websocket";
}

/** The `Bearer` credential an upgrade offered as a subprotocol, as an Authorization header value. */
export function socketCredential(req: Request): string | undefined {
  if (!isWebSocketUpgrade(req)) return undefined;
  const bearer = bearerFromProtocols(req.headers.get("sec-websocket-protocol"));
  return bearer === undefined ? undefined : `Bearer ${bearer}`;
}

/** A live-socket upgrade that brought no credential: it authenticates with its first message. */
export function defersAuth(req: Request, path: string): boolean {
  return (
    isWebSocketUpgrade(req) &&
    path.split("/").slice(3).join("/") === LIVE_PATH &&
    offersSubprotocol(req.headers.get("sec-websocket-protocol")) &&
    bearerFromProtocols(req.headers.get("sec-websocket-protocol")) === undefined
  );
}
