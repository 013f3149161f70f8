/**
 * The candidate ids of a filter read, in id order, a batch at a time: either the ids of its plan
 * (filter-plan.ts), worked out in Redis in one read-only script and sorted here, or, when the plan
 * cannot narrow (or would bring back too many ids to hold), every id, paged from the `ids` sorted
 * set in id order so that no more than a page is held at once.
 */
import type { Upstash } from "./client.ts";
import { upstashCall } from "./client.ts";
import type { NarrowPlan, Plan } from "./filter-plan.ts";
import { planKeys } from "./filter-plan.ts";
import { argBytes } from "./program.ts";
import type { RecordKeys } from "./records.ts";

/**
 * Most candidate ids a plan brings back in one reply. Beyond it the read pages through every id
 * instead: each page is small, and the exact match skips the non-candidates at the cost of reading
 * them (a plan that keeps this many ids rarely skips most of the rest anyway).
 */
export const MAX_PLAN_IDS = 50_000;

/** Most index keys one set command takes in the script (Lua's `unpack` stops near 8,000). */
const MAX_KEYS_PER_OP = 4000;

/** Room kept in a request for the script itself (sent when Redis has not cached it) and framing. */
const SCRIPT_ROOM = 6 * 1024;

/**
 * Lua: evaluates a plan given in ARGV as postfix ops over KEYS. ARGV[1] = most ids to return.
 * Ops: `K i` pushes the set KEYS[i]; `I n` / `U n` replace the top n entries by their
 * intersection / union; `D n` replaces the top n + 1 by the first without the other n.
 * Sets named by key stay keys as long as they can, so plain SINTER/SUNION/SDIFF do the work;
 * results of nested ops are Lua arrays. Replies `{'ids', id...}`, or `{'many', n}` over the cap.
 */
const LUA = `
local cap = tonumber(ARGV[1])
local stack = {}
local function members(e)
  if e.key then return redis.call('SMEMBERS', e.key) end
  return e.arr
end
local function asSet(e)
  local s = {}
  for _, m in ipairs(members(e)) do s[m] = true end
  return s
end
local function pop(n)
  local out = {}
  local top = #stack
  for j = top - n + 1, top do
    out[#out + 1] = stack[j]
    stack[j] = nil
  end
  return out
end
local function split(es)
  local ks, arrs = {}, {}
  for _, e in ipairs(es) do
    if e.key then ks[#ks + 1] = e.key else arrs[#arrs + 1] = e end
  end
  return ks, arrs
end
local i = 2
while i <= #ARGV do
  local op = ARGV[i]
  local n = tonumber(ARGV[i + 1])
  i = i + 2
  if op == 'K' then
    stack[#stack + 1] = {key = KEYS[n]}
  elseif op == 'I' then
    local ks, arrs = split(pop(n))
    local arr
    if #ks > 0 then arr = redis.call('SINTER', unpack(ks)) else arr = table.remove(arrs).arr end
    for _, e in ipairs(arrs) do
      local s = asSet(e)
      local kept = {}
      for _, m in ipairs(arr) do if s[m] then kept[#kept + 1] = m end end
      arr = kept
    end
    stack[#stack + 1] = {arr = arr}
  elseif op == 'U' then
    local ks, arrs = split(pop(n))
    local arr = {}
    if #ks > 0 then arr = redis.call('SUNION', unpack(ks)) end
    if #arrs > 0 then
      local seen = {}
      for _, m in ipairs(arr) do seen[m] = true end
      for _, e in ipairs(arrs) do
        for _, m in ipairs(e.arr) do
          if not seen[m] then
            seen[m] = true
            arr[#arr + 1] = m
          end
        end
      end
    end
    stack[#stack + 1] = {arr = arr}
  elseif op == 'D' then
    local minus = pop(n)
    local from = pop(1)[1]
    local ks = split(minus)
    local arr
    if from.key then
      arr = redis.call('SDIFF', from.key, unpack(ks))
    else
      arr = {}
      for _, m in ipairs(from.arr) do
        local keep = true
        for _, k in ipairs(ks) do
          if redis.call('SISMEMBER', k, m) == 1 then
            keep = false
            break
          end
        end
        if keep then arr[#arr + 1] = m end
      end
    end
    stack[#stack + 1] = {arr = arr}
  else
    return redis.error_reply('unknown plan op ' .. tostring(op))
  end
end
local top = stack[1]
if top.key then
  local count = redis.call('SCARD', top.key)
  if count > cap then return {'many', count} end
end
local arr = members(top)
if #arr > cap then return {'many', #arr} end
local out = {'ids'}
for j = 1, #arr do out[j + 1] = arr[j] end
return out
`;

/** The script's request: KEYS and ARGV for a narrowing plan. */
export interface PlanRequest {
  readonly keys: readonly string[];
  readonly args: readonly string[];
}

/**
 * The script request that evaluates `plan`, or undefined when it would not fit a request of
 * `maxRequestBytes` or a set op would take more keys than the script can pass on at once.
 */
export function planRequest(plan: NarrowPlan, maxRequestBytes: number, maxIds = MAX_PLAN_IDS): PlanRequest | undefined {
  const keys = planKeys(plan);
  const index = new Map(keys.map((k, i) => [k, i + 1]));
  const args: string[] = [String(maxIds)];
  let fits = true;
  const emit = (p: Plan): void => {
    switch (p.kind) {
      case "key":
        args.push("K", String(index.get(p.key)));
        return;
      case "inter":
      case "union":
        if (p.of.length > MAX_KEYS_PER_OP) fits = false;
        for (const c of p.of) emit(c);
        args.push(p.kind === "inter" ? "I" : "U", String(p.of.length));
        return;
      case "diff":
        if (p.minus.length >= MAX_KEYS_PER_OP) fits = false;
        emit(p.from);
        for (const k of p.minus) args.push("K", String(index.get(k)));
        args.push("D", String(p.minus.length));
        return;
      default:
        // `all` and `none` never sit inside a narrowing plan (filter-plan.ts combine).
        throw new TypeError(`plan node ${p.kind} inside a narrowing plan`);
    }
  };
  emit(plan);
  let bytes = SCRIPT_ROOM;
  for (const k of keys) bytes += argBytes(k);
  for (const a of args) bytes += argBytes(a);
  return fits && bytes <= maxRequestBytes ? { keys, args } : undefined;
}

/** The read-only script as the client makes it (EVALSHA_RO, falling back to EVAL_RO once). */
interface ReadScript {
  exec(keys: string[], args: string[]): Promise<unknown[]>;
}
const scripts = new WeakMap<Upstash["redis"], ReadScript>();

function script(u: Upstash): ReadScript {
  let s = scripts.get(u.redis);
  if (!s) {
    // Read-only: it may run on a replica, and can never write by mistake.
    s = u.redis.createScript<unknown[], true>(LUA, { readonly: true });
    scripts.set(u.redis, s);
  }
  return s;
}

/** The ids of a plan in id order, or undefined when there are more than its cap allows. */
export async function planIds(u: Upstash, req: PlanRequest): Promise<string[] | undefined> {
  const s = script(u);
  const reply = await upstashCall(() => s.exec([...req.keys], [...req.args]));
  if (reply[0] !== "ids") return undefined;
  const ids = reply.slice(1).map(String);
  // Default sort: UTF-16 code units, the port's id order (ids are ASCII: byte order too).
  return ids.sort();
}

/** Ids in batches that start at `first` and double up to `most`. */
export function batchSizes(first: number, most: number): () => number {
  let next = Math.max(1, Math.min(first, most));
  return () => {
    const n = next;
    next = Math.min(most, next * 2);
    return n;
  };
}

/** `ids` in consecutive slices of the sizes `size` gives. */
export async function* slices(ids: readonly string[], size: () => number): AsyncGenerator<readonly string[]> {
  let i = 0;
  while (i < ids.length) {
    const n = size();
    yield ids.slice(i, i + n);
    i += n;
  }
}

/** Every id of the project in id order, a page at a time from the `ids` sorted set. */
export async function* everyId(u: Upstash, keys: RecordKeys, size: () => number): AsyncGenerator<readonly string[]> {
  let from: "-" | `(${string}` = "-";
  for (;;) {
    const n = size();
    const page = await upstashCall(() =>
      u.redis.zrange<string[]>(keys.ids, from, "+", { byLex: true, offset: 0, count: n }),
    );
    const ids = page.map(String);
    if (ids.length > 0) yield ids;
    if (ids.length < n) return;
    from = `(${ids[ids.length - 1] as string}`;
  }
}
