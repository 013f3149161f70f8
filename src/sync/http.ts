/**
 * One JSON exchange with a sync remote, with the pull's policy: a response body is read up to a
 * limit; redirects are never followed (outbound URLs are only the registered ones); 429 waits for
 * `Retry-After` (seconds or an HTTP date), a bounded number of times and never past the deadline;
 * network errors, timeouts, 408 and 5xx are retried with exponential backoff; 401/403/404 and
 * other 4xx fail at once. Time and sleeping come from the caller, so tests run without clocks.
 */
import { readCapped } from "../bytes.ts";
import { NAME, VERSION } from "../version.ts";
import { clip } from "./datetime.ts";
import { SyncError } from "./errors.ts";

export interface HttpPolicy {
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** The `Authorization` header value, or null. */
  readonly authorization: string | null;
  /** Epoch ms (by `now`) after which no wait or retry starts. */
  readonly deadlineMs: number;
  readonly maxBodyBytes: number;
  /** Retries after a network error or 5xx (so `retries + 1` attempts). */
  readonly retries: number;
  /** 429 answers waited out before giving up with `rate_limited`. */
  readonly rateLimitWaits: number;
  /** The longest `Retry-After` waited in place; a longer one ends the pull with `rate_limited`. */
  readonly maxRetryAfterMs: number;
  readonly requestTimeoutMs: number;
}

export interface JsonRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  /** JSON text. */
  readonly body?: string;
  /** A fetch that can send this request when the policy's cannot (a GET with a body). */
  readonly via?: typeof fetch;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 10_000;
const USER_AGENT = `${NAME}-sync/${VERSION}`;

/** Sends `req` under `policy` and returns its parsed JSON body; throws SyncError otherwise. */
export async function requestJson(policy: HttpPolicy, req: JsonRequest): Promise<unknown> {
  const headers: Record<string, string> = { Accept: "application/json", "User-Agent": USER_AGENT };
  if (req.body !== undefined) headers["Content-Type"] = "application/json";
  if (policy.authorization !== null) headers.Authorization = policy.authorization;
  const send = req.via ?? policy.fetch;
  let failures = 0;
  let waits = 0;
  for (;;) {
    let res: Response;
    try {
      res = await send(req.url, {
        method: req.method,
        headers,
        body: req.body,
        redirect: "manual",
        signal: AbortSignal.timeout(policy.requestTimeoutMs),
      });
    } catch (e) {
      failures += 1;
      await retryOrThrow(
        policy,
        failures,
        new SyncError("unavailable", `${where(req)}: ${errorText(e)}`, { cause: e }),
      );
      continue;
    }
    if (res.status >= 200 && res.status < 300) {
      let bytes: Uint8Array;
      try {
        bytes = await readBody(res, policy.maxBodyBytes, req);
      } catch (e) {
        if (e instanceof SyncError) throw e;
        failures += 1;
        await retryOrThrow(
          policy,
          failures,
          new SyncError("unavailable", `${where(req)}: ${errorText(e)}`, { cause: e }),
        );
        continue;
      }
      return parseJson(bytes, res, req);
    }
    if (res.status === 429) {
      waits += 1;
      const asked = retryAfterMs(res.headers.get("Retry-After"), policy.now());
      await res.body?.cancel();
      const wait = asked ?? backoffMs(waits);
      const err = new SyncError("rate_limited", `${where(req)}: 429, retry after ${Math.ceil(wait / 1000)} s`, {
        status: 429,
        retryAfterMs: wait,
      });
      if (waits > policy.rateLimitWaits || wait > policy.maxRetryAfterMs || policy.now() + wait > policy.deadlineMs) {
        throw err;
      }
      await policy.sleep(wait);
      continue;
    }
    if (res.status >= 500 || res.status === 408) {
      await res.body?.cancel();
      failures += 1;
      await retryOrThrow(
        policy,
        failures,
        new SyncError("unavailable", `${where(req)}: HTTP ${res.status}`, { status: res.status }),
      );
      continue;
    }
    throw await refusal(res, req);
  }
}

function where(req: JsonRequest): string {
  return `${req.method} ${clip(req.url, 200)}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? clip(`${e.name}: ${e.message}`, 200) : "request failed";
}

function backoffMs(attempt: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
}

/** Sleeps before the next attempt, or throws `err` when attempts or time are used up. */
async function retryOrThrow(policy: HttpPolicy, failures: number, err: SyncError): Promise<void> {
  const wait = backoffMs(failures);
  if (failures > policy.retries || policy.now() + wait > policy.deadlineMs) throw err;
  await policy.sleep(wait);
}

/** `Retry-After` in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  // HTTP dates name a weekday and a month; Date.parse alone would take "-5" for a year.
  const at = /[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** The body, refusing (early by Content-Length, else while reading) past `max` bytes. */
function readBody(res: Response, max: number, req: JsonRequest): Promise<Uint8Array> {
  return readCapped(res.body, res.headers.get("Content-Length"), max, () => {
    return new SyncError("too_large", `${where(req)}: response body over ${max} bytes`);
  });
}

const utf8 = new TextDecoder("utf-8");

function parseJson(bytes: Uint8Array, res: Response, req: JsonRequest): unknown {
  const text = utf8.decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    const type = res.headers.get("Content-Type") ?? "no content type";
    throw new SyncError("protocol", `${where(req)}: not JSON (${clip(type)}): ${clip(text, 120)}`);
  }
}

/** The error for a response that retrying will not mend. */
async function refusal(res: Response, req: JsonRequest): Promise<SyncError> {
  const status = res.status;
  if (status >= 300 && status < 400) {
    await res.body?.cancel();
    const to = res.headers.get("Location") ?? "?";
    return new SyncError("rejected", `${where(req)}: redirect ${status} to ${clip(to, 200)} not followed`, { status });
  }
  let excerpt = "";
  try {
    excerpt = clip(utf8.decode(await readBody(res, 4096, req)), 200);
  } catch {
    // The status says enough.
  }
  const code =
    status === 401 ? "unauthorized" : status === 403 ? "forbidden" : status === 404 ? "not_found" : "rejected";
  return new SyncError(code, `${where(req)}: HTTP ${status}${excerpt === "" ? "" : `: ${excerpt}`}`, { status });
}
