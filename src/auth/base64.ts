/** Base64 and base64url (no padding, RFC 4648 §5) over bytes, and UTF-8 helpers; no platform imports. */

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

/** The UTF-8 text of `b`, or undefined when it is not valid UTF-8. */
export function utf8Text(b: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(b);
  } catch {
    return undefined;
  }
}

export function toBase64(b: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < b.length; i++) bin += String.fromCharCode(b[i] as number);
  return btoa(bin);
}

/** Bytes of standard base64 text (padding optional); undefined when malformed. */
export function fromBase64(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  try {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

export function toBase64Url(b: Uint8Array): string {
  return toBase64(b).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Bytes of base64url text (padding tolerated); undefined when malformed. */
export function fromBase64Url(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s)) return undefined;
  const std = s.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  const pad = std.length % 4;
  if (pad === 1) return undefined;
  return fromBase64(pad === 0 ? std : std + "=".repeat(4 - pad));
}
