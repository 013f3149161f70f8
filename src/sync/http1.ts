/**
 * A minimal HTTP/1.1 client over a raw socket, for the one request the platform's fetch refuses
 * to send: HoLcStore 0.5.12's `pack/` is a GET with a JSON body (its view allows GET only, POST is
 * 405), and fetch throws on a GET with a body in browsers, Node and Workers alike. The socket comes
 * from the caller (on Workers, `connect` from `cloudflare:sockets`), so this module stays free of
 * platform imports. One request per connection (`Connection: close`); the response body is read
 * whole, up to a limit, then handed back as a standard Response.
 */
import { concatBytes } from "../bytes.ts";

/** A byte stream connection, the shape `cloudflare:sockets` `connect()` returns. */
export interface RawSocket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  close(): Promise<void>;
}

export type Connect = (
  address: { readonly hostname: string; readonly port: number },
  options: { readonly secureTransport: "on" | "off"; readonly allowHalfOpen: boolean },
) => RawSocket;

export interface Http1Options {
  /** The largest response head (status line and headers). */
  readonly maxHeadBytes?: number;
  /** The largest response body read. */
  readonly maxBodyBytes?: number;
}

const CRLF = "\r\n";
const utf8 = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/**
 * A fetch that can send any method with a body, over `connect`. Redirects are never followed
 * (the 3xx is returned), `gzip`/`deflate` bodies are decoded. Failures throw TypeError, as
 * fetch's network errors do.
 */
export function http1Fetch(connect: Connect, opts: Http1Options = {}): typeof fetch {
  const maxHead = opts.maxHeadBytes ?? 64 * 1024;
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  return async (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new TypeError(`not an http(s) URL: ${url.protocol}`);
    const signal = init?.signal ?? undefined;
    signal?.throwIfAborted();
    const body = bodyBytes(init?.body);
    const head = requestHead(init?.method ?? "GET", url, new Headers(init?.headers), body.length);
    const secure = url.protocol === "https:";
    const socket = connect(
      { hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(url.port || (secure ? 443 : 80)) },
      { secureTransport: secure ? "on" : "off", allowHalfOpen: false },
    );
    // A socket closed under a pending read does not always end it: race the abort instead.
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<never>((_, fail) => {
      onAbort = () => fail(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([exchange(socket, concatBytes([utf8.encode(head), body]), maxHead, maxBody), aborted]);
    } catch (e) {
      signal?.throwIfAborted();
      throw e instanceof TypeError
        ? e
        : new TypeError(`HTTP/1.1 exchange failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      await socket.close().catch(() => undefined);
    }
  };
}

async function exchange(socket: RawSocket, request: Uint8Array, maxHead: number, maxBody: number): Promise<Response> {
  const writer = socket.writable.getWriter();
  await writer.write(request);
  writer.releaseLock();
  return readResponse(new ByteReader(socket.readable.getReader()), maxHead, maxBody);
}

function bodyBytes(body: BodyInit | null | undefined): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === "string") return utf8.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError("http1Fetch sends string or byte bodies only");
}

function requestHead(method: string, url: URL, headers: Headers, length: number): string {
  if (!/^[A-Z]+$/.test(method)) throw new TypeError(`bad method: ${method}`);
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  for (const [name, value] of headers) {
    if (!["host", "content-length", "connection", "transfer-encoding"].includes(name)) lines.push(`${name}: ${value}`);
  }
  lines.push("Connection: close");
  if (length > 0 || method === "POST" || method === "PUT") lines.push(`Content-Length: ${length}`);
  return lines.join(CRLF) + CRLF + CRLF;
}

/** Buffered reads of lines and byte runs from a stream. */
class ByteReader {
  private buf: Uint8Array = new Uint8Array(0);

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  private async more(): Promise<boolean> {
    const { done, value } = await this.reader.read();
    if (done) return false;
    this.buf = this.buf.length === 0 ? value : concatBytes([this.buf, value]);
    return true;
  }

  private take(n: number): Uint8Array {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** One CRLF-terminated line, without the CRLF. */
  async line(max: number): Promise<string> {
    for (let from = 0; ; ) {
      const at = this.buf.indexOf(0x0a, from);
      if (at >= 0) {
        if (at > max) throw new TypeError("response line too long");
        if (at === 0 || this.buf[at - 1] !== 0x0d) throw new TypeError("malformed line ending in the response");
        const line = latin1.decode(this.buf.subarray(0, at - 1));
        this.take(at + 1);
        return line;
      }
      if (this.buf.length > max) throw new TypeError("response head too large");
      from = this.buf.length;
      if (!(await this.more())) throw new TypeError("connection closed in the response head");
    }
  }

  async exactly(n: number): Promise<Uint8Array> {
    while (this.buf.length < n) {
      if (!(await this.more())) throw new TypeError("connection closed before the end of the body");
    }
    return this.take(n).slice();
  }

  async rest(max: number): Promise<Uint8Array> {
    while (await this.more()) if (this.buf.length > max) throw new TypeError("response body too large");
    return this.take(this.buf.length).slice();
  }
}

async function readResponse(reader: ByteReader, maxHead: number, maxBody: number): Promise<Response> {
  let status: number;
  let reason: string;
  let headers: Headers;
  // Interim 1xx answers (100 Continue) come before the real one.
  do {
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(await reader.line(maxHead));
    if (m === null) throw new TypeError("malformed status line");
    status = Number(m[1]);
    reason = m[2] ?? "";
    headers = new Headers();
    let size = 0;
    for (let line = await reader.line(maxHead); line !== ""; line = await reader.line(maxHead)) {
      size += line.length;
      const colon = line.indexOf(":");
      if (size > maxHead || colon <= 0) throw new TypeError("malformed or oversized response headers");
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
  } while (status >= 100 && status < 200);
  let body: Uint8Array;
  const chunked = (headers.get("Transfer-Encoding") ?? "").toLowerCase().split(",").at(-1)?.trim() === "chunked";
  const cl = headers.get("Content-Length");
  if (status === 204 || status === 304) body = new Uint8Array(0);
  else if (chunked) body = await dechunk(reader, maxHead, maxBody);
  else if (cl !== null) {
    if (!/^\d{1,15}$/.test(cl.trim())) throw new TypeError("malformed Content-Length");
    const n = Number(cl);
    if (n > maxBody) throw new TypeError("response body too large");
    body = await reader.exactly(n);
  } else body = await reader.rest(maxBody);
  headers.delete("Transfer-Encoding");
  const encoding = headers.get("Content-Encoding")?.toLowerCase();
  const stream =
    encoding === "gzip" || encoding === "deflate"
      ? new Response(body).body?.pipeThrough(new DecompressionStream(encoding))
      : undefined;
  if (stream !== undefined) {
    headers.delete("Content-Encoding");
    headers.delete("Content-Length");
  }
  return new Response(status === 204 || status === 304 ? null : (stream ?? body), {
    status,
    statusText: reason,
    headers,
  });
}

/** A chunked body (RFC 9112 §7.1), extensions and trailers ignored. */
async function dechunk(reader: ByteReader, maxHead: number, maxBody: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const m = /^([0-9A-Fa-f]{1,8})(?:;.*)?$/.exec(await reader.line(maxHead));
    if (m === null) throw new TypeError("malformed chunk size");
    const size = Number.parseInt(m[1] as string, 16);
    if (size === 0) break;
    total += size;
    if (total > maxBody) throw new TypeError("response body too large");
    parts.push(await reader.exactly(size));
    if ((await reader.line(2)) !== "") throw new TypeError("malformed chunk end");
  }
  while ((await reader.line(maxHead)) !== "") {
    // Trailer fields: not used.
  }
  return concatBytes(parts);
}
