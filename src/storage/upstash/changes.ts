/**
 * The change feed on Redis: one sequence per project (a string INCRed) and a hash holding each
 * record's latest change (id -> seq). Writers bump both inside their own program (Program.bump),
 * so a change is recorded in the same atomic step as the write it reports.
 */
import type { ChangeFeed, ChangeSet } from "../ports.ts";
import { type Upstash, upstashCall } from "./client.ts";
import { changeKeys } from "./keys.ts";

// One script, so the cursor and the changes are read at one instant: a change is reported once,
// never again nor missed.
const CHANGED_SINCE = `
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local since = tonumber(ARGV[1])
local out = {seq}
for i = 2, #ARGV, 4000 do
  local j = math.min(#ARGV, i + 3999)
  local ids = {}
  for x = i, j do ids[#ids + 1] = ARGV[x] end
  local got = redis.call('HMGET', KEYS[2], unpack(ids))
  for x = 1, #ids do
    local s = tonumber(got[x] or '0')
    if s > since and s <= seq then out[#out + 1] = ids[x] end
  end
end
return out
`;

/** Ids asked about per call, so a watch of many records never makes one oversized request. */
const IDS_PER_CALL = 20_000;

export function upstashChanges(u: Upstash, base: string): ChangeFeed {
  const keys = changeKeys(base);
  const script = u.redis.createScript<unknown[]>(CHANGED_SINCE);
  const ask = async (since: number, ids: readonly string[]) => {
    const r = await upstashCall(() => script.exec([keys.seq, keys.chg], [String(since), ...ids]));
    return { cursor: Number(r[0]), changed: r.slice(1).map(String) };
  };
  return {
    async cursor() {
      const v = await upstashCall(() => u.redis.get<string>(keys.seq));
      return v === null ? 0 : Number(v);
    },
    async changedSince(since, ids): Promise<ChangeSet> {
      if (ids.length <= IDS_PER_CALL) {
        const r = await ask(since, ids);
        const hit = new Set(r.changed);
        return { cursor: r.cursor, changed: ids.filter((id) => hit.has(id)) };
      }
      // Many ids: the cursor comes first, and each slice reports only changes up to it, so the
      // answer is as of that one instant even across calls.
      const cursor = (await ask(since, [])).cursor;
      const hit = new Set<string>();
      for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
        const r = await ask(since, ids.slice(i, i + IDS_PER_CALL));
        for (const id of r.changed) hit.add(id);
      }
      if (hit.size === 0) return { cursor, changed: [] };
      // A slice may have seen changes after `cursor`; those belong to the next call.
      const later = await upstashCall(() => u.redis.hmget<Record<string, string | null>>(keys.chg, ...hit));
      const changed = ids.filter((id) => hit.has(id) && Number(later?.[id] ?? 0) <= cursor);
      return { cursor, changed };
    },
  };
}
