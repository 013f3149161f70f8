/**
 * Reading one point's history: the buckets its metadata lists that overlap the span, in order,
 * each paged with ZRANGE BYSCORE ... LIMIT so no more than a page is ever held. A page is filled
 * across bucket boundaries, so every page but the last holds exactly `pageRows` samples.
 */
import { type HisPage, HisPageBuilder } from "../his-page.ts";
import { dictFromJson } from "../json-dicts.ts";
import type { HisSpan } from "../ports.ts";
import { checkPoint } from "../rules/point-checks.ts";
import { type Upstash, upstashCall } from "./client.ts";
import { decodeSampleInto } from "./his-codec.ts";
import { BUCKET_MS, getTexts, hisMetaFromText, type PointKeys } from "./point-keys.ts";
import type { RecordKeys } from "./records.ts";

/** Up to `count` members of `key` with from <= score <= to; a failure is seen where it is awaited. */
function fetchRange(u: Upstash, key: string, from: number, to: number, count: number): Promise<string[]> {
  const p = upstashCall(() => u.redis.zrange<string[]>(key, from, to, { byScore: true, offset: 0, count }));
  // A caller that stops reading leaves the last part unawaited: never an unhandled rejection.
  p.catch(() => {});
  return p;
}

/** Largest page served, whatever is asked: a page is one reply and one set of typed arrays. */
export const MAX_PAGE_ROWS = 50_000;

/** Samples of `id` in [start, end), ascending, in pages of at most `pageRows` (and MAX_PAGE_ROWS). */
export async function* readHistory(
  u: Upstash,
  rk: RecordKeys,
  pk: PointKeys,
  id: string,
  span: HisSpan,
  askedRows: number,
): AsyncGenerator<HisPage, void, undefined> {
  // At least one row a page, or no answer would ever fill one and the paging would not move on.
  const pageRows = Math.min(MAX_PAGE_ROWS, Math.max(1, Math.floor(askedRows) || 1));
  const [recText, metaText] = await getTexts(u, [rk.rec(id), pk.hisMeta(id)]);
  checkPoint(id, "his", recText === null || recText === undefined ? undefined : dictFromJson(recText).has("his"));
  if (!metaText) return;
  const meta = hisMetaFromText(metaText);
  // Stored times are whole milliseconds: the span as whole, inclusive bounds.
  const first = Math.ceil(span.start);
  const last = Math.ceil(span.end) - 1;
  let page = new HisPageBuilder(pageRows);
  let rows = 0;
  for (const start of meta.buckets) {
    const key = pk.hisBucket(id, start);
    const to = Math.min(last, start + BUCKET_MS - 1);
    const from = Math.max(first, start);
    if (from > to) continue;
    let want = pageRows - rows;
    let next: Promise<string[]> | undefined = fetchRange(u, key, from, to, want);
    while (next) {
      const got: string[] = await next;
      next = undefined;
      let ts = Number.NaN;
      for (const m of got) ts = decodeSampleInto(page, m);
      rows += got.length;
      // A full answer filled the page (it asked for what the page lacked); the bucket may hold more.
      if (got.length === want) {
        // The next part is asked for now, so Redis and the network work while the caller takes this page.
        want = pageRows;
        if (ts < to) next = fetchRange(u, key, ts + 1, to, want);
        yield page.build();
        page = new HisPageBuilder(pageRows);
        rows = 0;
      }
    }
  }
  if (rows > 0) yield page.build();
}
