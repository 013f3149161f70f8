/**
 * Reads an NDJSON answer line by line as it arrives, so a view can stop after enough lines (a
 * series window or a TStorage box that would return millions of records never hangs the page:
 * the reader is cancelled and the request aborted). The series and TStorage faces end a body that
 * failed after its first byte with an `{"error": {code, message}}` line: that becomes an ApiError.
 */
import { ApiError, type CallOptions, call } from "../../app/api.ts";
import { track } from "../../app/status.ts";

export interface StreamResult {
  /** The callback asked to stop before the body ended. */
  readonly stopped: boolean;
}

/** `onLine` gets each parsed line; returning false stops the read. */
export function streamNdjson(
  path: string,
  onLine: (value: unknown) => boolean | undefined,
  init: CallOptions = {},
): Promise<StreamResult> {
  const headers = new Headers(init.headers);
  if (!headers.has("accept")) headers.set("accept", "application/x-ndjson");
  // The busy indicator covers the whole body, not only the wait for its headers.
  return track(read(path, onLine, { ...init, headers, quiet: true }));
}

async function read(
  path: string,
  onLine: (value: unknown) => boolean | undefined,
  init: CallOptions,
): Promise<StreamResult> {
  const res = await call(path, init);
  if (!res.body) return { stopped: false };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = "";
  const handle = (line: string): boolean => {
    if (line.trim() === "") return true;
    const value: unknown = JSON.parse(line);
    const failure = errorLine(value);
    if (failure) throw failure;
    return onLine(value) !== false;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += value;
      let nl = rest.indexOf("\n");
      while (nl >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (!handle(line)) {
          await reader.cancel();
          return { stopped: true };
        }
        nl = rest.indexOf("\n");
      }
    }
    if (!handle(rest)) return { stopped: true };
    return { stopped: false };
  } finally {
    reader.releaseLock();
  }
}

function errorLine(v: unknown): ApiError | undefined {
  if (typeof v !== "object" || v === null || !("error" in v)) return undefined;
  const e = (v as { error: unknown }).error;
  if (typeof e !== "object" || e === null) return undefined;
  const { code, message } = e as { code?: unknown; message?: unknown };
  return new ApiError(
    200,
    typeof code === "string" ? code : "stream_error",
    typeof message === "string" ? message : "The answer ended with an error",
  );
}
