/**
 * The explorer's one way to call the service: adds the session's bearer token, shows the busy
 * indicator, and turns every error body the API can send into an ApiError with a stable code:
 * Haystack error grids (JSON v4 meta `err`/`dis`/`errCode`), problem bodies
 * `{error: {code, message, subject?, line?, column?}}`, and bare statuses.
 */
import { track } from "./status.ts";

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra detail a body gave: the rule or column (`subject`), or a position (`line`, `column`). */
    readonly detail: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** Where the token comes from: the session module installs it, the API only reads it. */
let tokenSource: () => string | undefined = () => undefined;
let onUnauthorized: (e: ApiError) => void = () => {};

export function configureApi(opts: { token: () => string | undefined; unauthorized: (e: ApiError) => void }): void {
  tokenSource = opts.token;
  onUnauthorized = opts.unauthorized;
}

export interface CallOptions extends RequestInit {
  /** Leave the busy indicator alone (background calls such as polling). */
  readonly quiet?: boolean;
}

/** fetch with the token; resolves only for 2xx Haystack answers that are not error grids. */
export async function call(path: string, init: CallOptions = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = tokenSource();
  if (token && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
  const run = async () => {
    let res: Response;
    try {
      res = await fetch(path, { ...init, headers });
    } catch (e) {
      throw new ApiError(0, "network", `The service could not be reached (${(e as Error).message})`);
    }
    if (!res.ok) {
      const err = await errorOf(res);
      if (res.status === 401) onUnauthorized(err);
      throw err;
    }
    return res;
  };
  return init.quiet ? run() : track(run());
}

/** JSON body of a successful call; Haystack error grids (sent with 200) become ApiErrors. */
export async function callJson<T = unknown>(path: string, init: CallOptions = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (!headers.has("accept")) headers.set("accept", "application/json");
  const res = await call(path, { ...init, headers });
  const body = (await res.json()) as T;
  const gridErr = gridError(body, res.status);
  if (gridErr) throw gridErr;
  return body;
}

/** A Haystack op: GET with query params, or POST of a JSON v4 grid. Returns the JSON v4 grid. */
export async function haystack(
  project: string,
  op: string,
  params: Record<string, string | number | undefined> | HGridJson = {},
  init: CallOptions = {},
): Promise<HGridJson> {
  const base = `/api/${encodeURIComponent(project)}/${op}`;
  if (isGrid(params)) {
    return callJson<HGridJson>(base, {
      ...init,
      method: "POST",
      headers: { "content-type": "application/json", ...(init.headers as Record<string, string>) },
      body: JSON.stringify(params),
    });
  }
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const qs = q.toString();
  return callJson<HGridJson>(qs ? `${base}?${qs}` : base, init);
}

/** A JSON v4 grid as the service sends it. */
export interface HGridJson {
  readonly _kind: "grid";
  readonly meta: Record<string, unknown>;
  readonly cols: readonly { readonly name: string; readonly meta?: Record<string, unknown> }[];
  readonly rows: readonly Record<string, unknown>[];
}

function isGrid(v: unknown): v is HGridJson {
  return typeof v === "object" && v !== null && (v as { _kind?: unknown })._kind === "grid";
}

function gridError(body: unknown, status: number): ApiError | undefined {
  if (!isGrid(body) || body.meta.err === undefined) return undefined;
  const code = typeof body.meta.errCode === "string" ? body.meta.errCode : "error";
  const dis = typeof body.meta.dis === "string" ? body.meta.dis : "The server reported an error";
  return new ApiError(status, code, dis);
}

/** Reads whatever error body came back; never throws itself. */
export async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const fromGrid = gridError(body, res.status);
  if (fromGrid) return fromGrid;
  if (typeof body === "object" && body !== null && "error" in body) {
    const e = (body as { error: unknown }).error;
    if (typeof e === "object" && e !== null) {
      const { code, message, ...detail } = e as Record<string, unknown>;
      return new ApiError(
        res.status,
        typeof code === "string" ? code : `http_${res.status}`,
        typeof message === "string" ? message : res.statusText,
        detail,
      );
    }
  }
  // Zinc error grids (a server that ignored Accept) and plain text: show the first line.
  const dis = /dis:"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  const code = /errCode:"([^"]*)"/.exec(text)?.[1];
  return new ApiError(
    res.status,
    code ?? `http_${res.status}`,
    dis ?? (text.split("\n")[0]?.slice(0, 300) || `${res.status} ${res.statusText}`),
  );
}

/** A problem-body JSON call for the non-Haystack faces. */
export function json<T = unknown>(path: string, init: CallOptions = {}): Promise<T> {
  return callJson<T>(path, init);
}
