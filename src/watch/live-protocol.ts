/**
 * The live watch protocol (v1), spoken over `GET /api/{project}/watch/live` upgraded to a
 * WebSocket. Client messages are JSON objects checked here; server messages are written here.
 *
 *   client: {"op":"auth","token"}            first message, when no `bearer.` subprotocol was sent
 *           {"op":"sub","ids":[...]}         answered by "subbed" with the records' current state
 *           {"op":"unsub","ids":[...]} | {"op":"unsub","all":true}
 *           {"op":"ack","seq":N}             acknowledges every "changes" up to N
 *           {"op":"ping"}                    answered {"op":"pong"} without waking the object
 *   server: {"op":"ready","user","role","window"}
 *           {"op":"subbed","rows":[dict],"missing":[id]}
 *           {"op":"changes","seq":N,"rows":[dict],"removed":[id]}
 *           {"op":"error","code","message"}
 *
 * Rows are Haystack JSON v4 dicts. At most WINDOW "changes" are unacknowledged; past that a
 * record's changes wait, coalesced into its latest state, so a slow client costs a bounded set of
 * ids, never a queue.
 */
import { z } from "zod";

export const SUBPROTOCOL = "hayloft.live.v1";
/** The socket's path under `/api/{project}/`. */
export const LIVE_PATH = "watch/live";
/** `bearer.<token>`: browsers cannot set headers on a WebSocket, and URLs end up in logs. */
export const BEARER_PREFIX = "bearer.";

export const WINDOW = 4;
/** Ids one socket may watch, and per sub/unsub message. */
export const MAX_IDS_PER_SOCKET = 10_000;
export const MAX_IDS_PER_MESSAGE = 1_000;
/** Rows in one "changes" message; more wait for the next. */
export const MAX_ROWS_PER_MESSAGE = 500;
export const MAX_MESSAGE_BYTES = 128 * 1024;
/** Sockets one project's object holds. */
export const MAX_SOCKETS = 2_000;
/** Time a socket has to send "auth" when it came without a bearer subprotocol. */
export const AUTH_DEADLINE_MS = 10_000;

/** Headers the Worker sets on the request it hands the project's object (never the client's own). */
export const LIVE_HEADERS = {
  project: "x-hayloft-project",
  user: "x-hayloft-user",
  role: "x-hayloft-role",
  expires: "x-hayloft-expires",
} as const;

export const PING = '{"op":"ping"}';
export const PONG = '{"op":"pong"}';

/** Close codes: 4401 do not retry without new credentials; 4403 not allowed; 4400 protocol misuse. */
export const CLOSE = {
  unauthorized: 4401,
  forbidden: 4403,
  badMessage: 4400,
} as const;

const id = z
  .string()
  .min(1)
  .max(256)
  .transform((s) => (s.startsWith("@") ? s.slice(1) : s));
const ids = z.array(id).max(MAX_IDS_PER_MESSAGE);

const ClientMessage = z.union([
  z.object({ op: z.literal("auth"), token: z.string().min(1).max(8_192) }),
  z.object({ op: z.literal("sub"), ids }),
  z.union([z.object({ op: z.literal("unsub"), ids }), z.object({ op: z.literal("unsub"), all: z.literal(true) })]),
  z.object({ op: z.literal("ack"), seq: z.number().int().nonnegative() }),
  z.object({ op: z.literal("ping") }),
]);

export type ClientMessage =
  | { op: "auth"; token: string }
  | { op: "sub"; ids: string[] }
  | { op: "unsub"; ids: string[] }
  | { op: "unsub"; all: true }
  | { op: "ack"; seq: number }
  | { op: "ping" };

export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A client message, or a ProtocolError saying what is wrong with it. */
export function parseClientMessage(data: string | ArrayBuffer): ClientMessage {
  if (typeof data !== "string") throw new ProtocolError("bad_message", "Messages are JSON text, not binary");
  if (data.length > MAX_MESSAGE_BYTES) {
    throw new ProtocolError("too_large", `A message may be at most ${MAX_MESSAGE_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new ProtocolError("bad_message", "A message must be a JSON object");
  }
  const r = ClientMessage.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new ProtocolError("bad_message", `Not a live protocol message${where}: ${issue?.message ?? "invalid"}`);
  }
  return r.data as ClientMessage;
}

/** The bearer token among offered subprotocols, if one was offered. */
export function bearerFromProtocols(header: string | null | undefined): string | undefined {
  for (const p of (header ?? "").split(",")) {
    const t = p.trim();
    if (t.startsWith(BEARER_PREFIX) && t.length > BEARER_PREFIX.length) return t.slice(BEARER_PREFIX.length);
  }
  return undefined;
}

export function offersSubprotocol(header: string | null | undefined): boolean {
  return (header ?? "").split(",").some((p) => p.trim() === SUBPROTOCOL);
}

// ---- server messages. Rows arrive as JSON v4 text already, so they are spliced, not re-parsed.

export const readyMessage = (user: string, role: string): string =>
  JSON.stringify({ op: "ready", user, role, window: WINDOW });

export const subbedMessage = (rows: readonly string[], missing: readonly string[]): string =>
  `{"op":"subbed","rows":[${rows.join(",")}],"missing":${JSON.stringify(missing)}}`;

export const changesMessage = (seq: number, rows: readonly string[], removed: readonly string[]): string =>
  `{"op":"changes","seq":${seq},"rows":[${rows.join(",")}],"removed":${JSON.stringify(removed)}}`;

export const errorMessage = (code: string, message: string): string => JSON.stringify({ op: "error", code, message });
