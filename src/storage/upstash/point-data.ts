/**
 * What removing records must also delete: their points' history (metadata and every bucket it
 * lists) and priority arrays (and expiry entries). Guarded by checks that each is still as read,
 * so a history or point write landing between this read and the commit makes the commit re-plan
 * rather than leave samples behind. A record with neither `his` nor `writable` and no data adds
 * nothing: no writer can give it data while its text is what the commit checks (markers change
 * only by commits, which change `mod`).
 */
import type { Upstash } from "./client.ts";
import { getTexts, hisMetaFromText, pointKeys } from "./point-keys.ts";
import type { Program } from "./program.ts";
import { readRecords, recordKeys } from "./records.ts";

/**
 * Reads what removing `ids` must delete (their history and priority arrays) and returns how to add
 * that deletion, guarded by checks that nothing was written to them since, to a program.
 */
export async function pointDataRemoval(
  u: Upstash,
  base: string,
  ids: readonly string[],
): Promise<(p: Program) => void> {
  const pk = pointKeys(base);
  const [recs, metas, arrays] = await Promise.all([
    readRecords(u, recordKeys(base), ids),
    getTexts(
      u,
      ids.map((id) => pk.hisMeta(id)),
    ),
    getTexts(
      u,
      ids.map((id) => pk.array(id)),
    ),
  ]);
  return (p) => {
    ids.forEach((id, i) => {
      const rec = recs[i]?.rec;
      const meta = metas[i] ?? null;
      const metaKey = pk.hisMeta(id);
      if (meta !== null) {
        p.expect(metaKey, { text: meta });
        for (const start of hisMetaFromText(meta).buckets) p.del(pk.hisBucket(id, start));
        p.del(metaKey);
      } else if (rec?.has("his")) {
        p.expect(metaKey, { absent: true });
      }
      const array = arrays[i] ?? null;
      const arrayKey = pk.array(id);
      if (array !== null) {
        p.expect(arrayKey, { text: array });
        p.del(arrayKey).zrem(pk.expiries, [id]);
      } else if (rec?.has("writable")) {
        p.expect(arrayKey, { absent: true });
      }
    });
  };
}
