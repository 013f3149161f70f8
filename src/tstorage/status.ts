/**
 * TStorage status codes and the one error type of the TStorage face. Server codes are what the
 * vendor clients name; client codes (128..) are the Python client's own, so a status number means
 * the same thing here as in the vendor's tools.
 */
import type { GetRecord } from "./response.ts";

/** Codes a server sends in a response header (0 = OK). */
export const SERVER_STATUS = {
  ERROR: -1,
  INVARG: -2,
  RETRY: -3,
  TIMEOUT: -4,
  NOMEM: -5,
  IOERR: -6,
  NOPERM: -7,
  NOIMPL: -8,
  ABORT: -9,
  UNAUTHORIZED: -11,
  INACTIVE: -12,
  CONTINUE: -16,
  NOTSTARTED: -256,
  RUNNING: -257,
  ABORTED: -258,
  REDIR: -259,
} as const;

/**
 * Codes the client raises itself, never sent on the wire. 128..131 are the Python client's
 * ResponseStatus values; 132 and 133 are ours (it has no read timeout status and skips bad keys
 * silently or stops, where we say why).
 */
export const CLIENT_STATUS = {
  DISCONNECTED: 128,
  BAD_REQUEST: 129,
  UNPARSEABLE: 130,
  NO_MEMORY: 131,
  TIMED_OUT: 132,
  INVALID_KEY: 133,
} as const;

export type ServerCode = keyof typeof SERVER_STATUS;
export type ClientCode = keyof typeof CLIENT_STATUS;
/** Ranges of server codes the clients group rather than name one by one. */
export type GroupCode = "INTERNAL" | "FILESYSTEM" | "UNKNOWN";
export type StatusCode = ServerCode | ClientCode | GroupCode;

const BY_NUMBER = new Map<number, StatusCode>(
  [...Object.entries(SERVER_STATUS), ...Object.entries(CLIENT_STATUS)].map(([name, n]) => [n, name as StatusCode]),
);

/** The name of a status number; unknown numbers are "UNKNOWN" rather than an error of their own. */
export function statusCode(status: number): StatusCode {
  const named = BY_NUMBER.get(status);
  if (named !== undefined) return named;
  if (status <= -126 && status >= -131) return "INTERNAL";
  if (status <= -132 && status >= -141) return "FILESYSTEM";
  return "UNKNOWN";
}

/** Every failure of the TStorage face: a stable code name, its status number and a message. */
export class TStorageError extends Error {
  override readonly name = "TStorageError";
  readonly code: StatusCode;
  readonly status: number;
  /**
   * For a GET over its memory limit (NO_MEMORY): the records that arrived before it, as the vendor
   * clients leave them to the caller. Undefined for every other error.
   */
  partial: readonly GetRecord[] | undefined;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.code = statusCode(status);
  }

  /** An error the server reported in a header. */
  static fromServer(status: number, what: string): TStorageError {
    return new TStorageError(status, `${what}: server answered status ${status} (${statusCode(status)})`);
  }

  static client(code: ClientCode, message: string, options?: { cause?: unknown }): TStorageError {
    return new TStorageError(CLIENT_STATUS[code], message, options);
  }

  /** Bad input to an encoder or a helper: the server's INVARG, raised before anything is sent. */
  static invalidArgument(message: string): TStorageError {
    return new TStorageError(SERVER_STATUS.INVARG, message);
  }
}
