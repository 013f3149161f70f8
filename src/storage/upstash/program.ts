/**
 * Atomic writes on Redis over REST. Each request is its own connection, so MULTI/WATCH cannot span
 * a read and the write planned from it; instead a write is a small program run by one Lua script:
 * first every check (a key still holds what the plan read, or is still absent), then, only if all
 * hold, every write. Redis runs a script alone, so the checks and the writes are one atomic step:
 * a program either changes nothing (answering which check failed) or does all it says.
 *
 * Every key a program touches is passed in KEYS (Upstash and Redis Cluster require it).
 *
 * Work too big for one request is staged first (`stage`): written under throwaway keys with an
 * expiry, invisible to readers, and folded in by the program (`renameStaged`), so
 * it still commits in one step.
 */

import { StoreError } from "../errors.ts";
import type { Upstash } from "./client.ts";
import { upstashCall } from "./client.ts";

/** Lua: ARGV[1] = number of checks; then checks (key index, expectation); then ops. */
const LUA = `
local KEYS, ARGV = KEYS, ARGV
if ARGV[1] == '@staged' then
  -- A program too big for one request was pushed to a list first: keys, then args.
  local all = redis.call('LRANGE', KEYS[1], 0, -1)
  redis.call('DEL', KEYS[1])
  local nk = tonumber(all[1])
  local k, v = {}, {}
  for i = 1, nk do k[i] = all[i + 1] end
  for i = nk + 2, #all do v[#v + 1] = all[i] end
  KEYS, ARGV = k, v
end
local a = 2
local nchk = tonumber(ARGV[1])
for c = 1, nchk do
  local k = KEYS[tonumber(ARGV[a])]
  local want = ARGV[a + 1]
  a = a + 2
  local tag = string.sub(want, 1, 1)
  local ok
  if tag == '-' then
    ok = redis.call('EXISTS', k) == 0
  elseif tag == '+' then
    ok = redis.call('EXISTS', k) == 1
  else
    local have = redis.call('GET', k)
    if not have then
      ok = false
    elseif tag == '=' then
      ok = have == string.sub(want, 2)
    else
      ok = redis.sha1hex(have) == string.sub(want, 2)
    end
  end
  if not ok then return {'conflict', k} end
end
local out = {'ok'}
local function batch(cmd, k, items, step)
  local n = #items
  local i = 1
  while i <= n do
    local j = math.min(n, i + step - 1)
    redis.call(cmd, k, unpack(items, i, j))
    i = j + 1
  end
end
local function list(n)
  local t = {}
  for i = 1, n do t[i] = ARGV[a + i - 1] end
  a = a + n
  return t
end
local function zmerge(k, sm)
  -- sm: score, member, score, member...; a sample replaces any other at its score.
  local n = #sm
  if n == 0 then return end
  local lo, hi = tonumber(sm[1]), tonumber(sm[1])
  for i = 3, n, 2 do
    local s = tonumber(sm[i])
    if s < lo then lo = s end
    if s > hi then hi = s end
  end
  if redis.call('ZCOUNT', k, lo, hi) > 0 then
    for i = 1, n, 2 do redis.call('ZREMRANGEBYSCORE', k, sm[i], sm[i]) end
  end
  batch('ZADD', k, sm, 4000)
end
while a <= #ARGV do
  local op = ARGV[a]
  local k = KEYS[tonumber(ARGV[a + 1])]
  a = a + 2
  if op == 'S' then
    redis.call('SET', k, ARGV[a]); a = a + 1
  elseif op == 'D' then
    redis.call('DEL', k)
  elseif op == 'SA' or op == 'SR' or op == 'HD' or op == 'ZR' then
    local n = tonumber(ARGV[a]); a = a + 1
    local cmd = ({SA = 'SADD', SR = 'SREM', HD = 'HDEL', ZR = 'ZREM'})[op]
    batch(cmd, k, list(n), 4000)
  elseif op == 'HS' or op == 'ZA' then
    local n = tonumber(ARGV[a]); a = a + 1
    batch(op == 'HS' and 'HSET' or 'ZADD', k, list(2 * n), 4000)
  elseif op == 'ZM' then
    local n = tonumber(ARGV[a]); a = a + 1
    zmerge(k, list(2 * n))
  elseif op == 'RN' then
    local staged = KEYS[tonumber(ARGV[a])]; a = a + 1
    redis.call('PERSIST', staged)
    redis.call('RENAME', staged, k)
  elseif op == 'B' then
    local chg = KEYS[tonumber(ARGV[a])]
    local n = tonumber(ARGV[a + 1]); a = a + 2
    local s = redis.call('INCR', k)
    out[#out + 1] = s
    local ids = list(n)
    local fv = {}
    for i = 1, n do
      fv[2 * i - 1] = ids[i]
      fv[2 * i] = s
    end
    batch('HSET', chg, fv, 4000)
  else
    return redis.error_reply('unknown program op ' .. tostring(op))
  end
end
return out
`;

/** What a program found: it ran (with the sequences its bumps produced), or a check failed. */
export type ProgramResult =
  | { readonly ok: true; readonly values: readonly number[] }
  | { readonly ok: false; readonly conflictKey: string };

/** How a check sees a key: absent, or holding exactly this text. */
export type Expect = { readonly absent: true } | { readonly text: string };

/** SHA-1 of UTF-8 text in hex, as Lua's redis.sha1hex computes it. */
async function sha1hex(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text)));
  let s = "";
  for (const b of d) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Bytes of one argument in the JSON request body, at most: escapes and UTF-8 counted. */
export function argBytes(s: string): number {
  let n = 3;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x20 ? 6 : c === 0x22 || c === 0x5c ? 2 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return n;
}

/**
 * A program under construction. Methods append checks or ops; `run` sends it as one EVALSHA.
 * `bytes` estimates its request size, so callers can stage what would not fit.
 */
export class Program {
  private readonly keys: string[] = [];
  private readonly keyIndex = new Map<string, number>();
  private readonly checks: (string | Promise<string>)[] = [];
  private readonly ops: string[] = [];
  private size = 0;

  private k(key: string): string {
    let i = this.keyIndex.get(key);
    if (i === undefined) {
      this.keys.push(key);
      i = this.keys.length;
      this.keyIndex.set(key, i);
      this.size += argBytes(key);
    }
    return String(i);
  }

  private push(...args: string[]): this {
    for (const a of args) {
      this.ops.push(a);
      this.size += argBytes(a);
    }
    return this;
  }

  /** Estimated request bytes so far. */
  get bytes(): number {
    return this.size + 4096;
  }

  /** True when the program writes nothing (a run would be a no-op). */
  get empty(): boolean {
    return this.ops.length === 0;
  }

  /**
   * Runs nothing unless `key` is still as the plan read it. Long texts are compared by SHA-1, so
   * the check costs 40 bytes of request however large the value.
   */
  expect(key: string, e: Expect): this {
    const i = this.k(key);
    if ("absent" in e) {
      this.checks.push(i, "-");
    } else if (e.text.length <= 64) {
      this.checks.push(i, `=${e.text}`);
    } else {
      this.checks.push(
        i,
        sha1hex(e.text).then((h) => `#${h}`),
      );
    }
    this.size += 60;
    return this;
  }

  set(key: string, value: string): this {
    return this.push("S", this.k(key), value);
  }

  del(key: string): this {
    return this.push("D", this.k(key));
  }

  sadd(key: string, members: readonly string[]): this {
    return members.length === 0 ? this : this.push("SA", this.k(key), String(members.length), ...members);
  }

  srem(key: string, members: readonly string[]): this {
    return members.length === 0 ? this : this.push("SR", this.k(key), String(members.length), ...members);
  }

  hset(key: string, fields: readonly (readonly [string, string])[]): this {
    if (fields.length === 0) return this;
    this.push("HS", this.k(key), String(fields.length));
    for (const [f, v] of fields) this.push(f, v);
    return this;
  }

  hdel(key: string, fields: readonly string[]): this {
    return fields.length === 0 ? this : this.push("HD", this.k(key), String(fields.length), ...fields);
  }

  /** ZADD of (score, member) pairs; a member already there takes the new score. */
  zadd(key: string, entries: readonly (readonly [number, string])[]): this {
    if (entries.length === 0) return this;
    this.push("ZA", this.k(key), String(entries.length));
    for (const [s, m] of entries) this.push(String(s), m);
    return this;
  }

  zrem(key: string, members: readonly string[]): this {
    return members.length === 0 ? this : this.push("ZR", this.k(key), String(members.length), ...members);
  }

  /**
   * Adds (score, member) samples, each replacing whatever member the set held at its score (a
   * history sample replacing the one at its timestamp). Scores within one call must be distinct.
   */
  zmerge(key: string, entries: readonly (readonly [number, string])[]): this {
    if (entries.length === 0) return this;
    this.push("ZM", this.k(key), String(entries.length));
    for (const [s, m] of entries) this.push(String(s), m);
    return this;
  }

  /** Moves a staged value to `key`, replacing what it held, and drops the staging expiry. */
  renameStaged(key: string, staged: string): this {
    return this.exists(staged).push("RN", this.k(key), this.k(staged));
  }

  /**
   * Runs nothing unless `key` exists. Staged keys are checked so: one that expired before its
   * program ran would otherwise fail the script halfway (RENAME of nothing) or merge nothing.
   */
  exists(key: string): this {
    this.checks.push(this.k(key), "+");
    this.size += 60;
    return this;
  }

  /**
   * A change-feed bump: INCR `seqKey` once and record that value for each id in the hash `chgKey`
   * (id -> seq). The new sequence is among the run's `values`, in op order.
   */
  bump(seqKey: string, chgKey: string, ids: readonly string[]): this {
    if (ids.length === 0) return this;
    return this.push("B", this.k(seqKey), this.k(chgKey), String(ids.length), ...ids);
  }

  /**
   * Runs the program as one atomic script. A program with no ops runs its checks only. One too big
   * for a request is first pushed to a staging list (in requests that fit), which the script reads
   * and deletes: its keys then travel in the list rather than KEYS, which Upstash's default
   * (global-lock) scripts and a single Redis allow, though a Redis Cluster would not.
   */
  async run(u: Upstash): Promise<ProgramResult> {
    const checks = await Promise.all(this.checks);
    const args = [String(checks.length / 2), ...checks, ...this.ops];
    let keys = this.keys;
    let argv = args;
    if (this.bytes > u.target.maxRequestBytes) {
      const first = this.keys[0] ?? "";
      const staged = stagingKey(first.includes("}") ? first.slice(0, first.indexOf("}") + 1) : first);
      await stageList(u, staged, [String(this.keys.length), ...this.keys, ...args]);
      keys = [staged];
      argv = ["@staged"];
    }
    const reply = (await upstashCall(() => script(u).exec(keys, argv))) as unknown[];
    if (reply[0] === "ok") return { ok: true, values: reply.slice(1).map(Number) };
    return { ok: false, conflictKey: String(reply[1]) };
  }
}

type Script = ReturnType<Upstash["redis"]["createScript"]>;
const scripts = new WeakMap<Upstash["redis"], Script>();

function script(u: Upstash): Script {
  let s = scripts.get(u.redis);
  if (!s) {
    s = u.redis.createScript(LUA);
    scripts.set(u.redis, s);
  }
  return s;
}

/** Expiry of staged keys: long enough for any commit, short enough that a crash leaves no litter. */
export const STAGE_TTL_S = 3600;

/** A fresh staging key under `prefix` (which should share the target's hash tag). */
export function stagingKey(prefix: string): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return `${prefix}:stage:${s}`;
}

/** Pushes `items` onto the staging list `key` in requests that each fit, setting its expiry. */
async function stageList(u: Upstash, key: string, items: readonly string[]): Promise<void> {
  const limit = u.target.maxRequestBytes - 4096;
  let i = 0;
  while (i < items.length) {
    let size = 0;
    let j = i;
    while (j < items.length && (j === i || size + argBytes(items[j] as string) <= limit)) {
      size += argBytes(items[j] as string);
      j++;
    }
    const part = items.slice(i, j);
    const p = u.redis.pipeline();
    p.rpush(key, ...part);
    p.expire(key, STAGE_TTL_S);
    await upstashCall(() => p.exec());
    i = j;
  }
}

/** Attempts of one optimistic write before giving up on a record others keep changing. */
export const MAX_ATTEMPTS = 12;

/**
 * An optimistic write: `attempt` reads what it needs and returns the program that writes its plan
 * (guarded by checks on what it read) and how to make the answer from the run's values. A failed
 * check means someone wrote in between: read again and re-plan (a stale `mod` then shows as the
 * plan's own `conflict`). Throws StoreError `conflict` after MAX_ATTEMPTS lost races.
 */
export async function optimistic<T>(
  u: Upstash,
  attempt: () => Promise<{ readonly program: Program; readonly answer: (values: readonly number[]) => T }>,
): Promise<T> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const { program, answer } = await attempt();
    if (program.empty) return answer([]);
    const r = await program.run(u);
    if (r.ok) return answer(r.values);
    // Back off a little, more each time, with jitter so racing writers spread out.
    await new Promise((res) => setTimeout(res, Math.random() * 5 * (i + 1)));
  }
  throw new StoreError("conflict", "The records kept changing under this write: retry");
}
