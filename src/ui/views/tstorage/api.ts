/**
 * The TStorage bridge's GET, typed for the view: the box is half-open ranges of the five key
 * fields as query parameters (`cidMin`/`cidMax`...: int64 as decimal strings, cap and acq also as
 * RFC 3339), read as NDJSON, one record per line and then the `{"acq": horizon}` line.
 */
import { json } from "../../app/api.ts";
import { streamNdjson } from "../common/ndjson.ts";

export const FIELDS = ["cid", "mid", "moid", "cap", "acq"] as const;
export type Field = (typeof FIELDS)[number];

export interface BoxQuery {
  /** `cidMin`, `capMax`, ...: only those given; the bridge defaults the rest to Key.min / Key.max. */
  readonly bounds: Readonly<Record<string, string>>;
  /** Python struct letters decoding the payload (e.g. `<d?`), or empty for base64. */
  readonly format: string;
  readonly isoTimes: boolean;
}

export interface TRecord {
  readonly cid: number | string;
  readonly mid: string;
  readonly moid: number | string;
  readonly cap: string;
  readonly acq: string;
  readonly payload: unknown;
}

export interface Records {
  readonly records: readonly TRecord[];
  /** The acq horizon the server sent last; absent when the read was cut short. */
  readonly horizon?: string;
  readonly truncated: boolean;
}

const enc = encodeURIComponent;

export async function listTargets(project: string, signal: AbortSignal): Promise<string[]> {
  return (await json<{ targets: string[] }>(`/tstorage/${enc(project)}`, { signal })).targets;
}

export function queryString(q: BoxQuery): URLSearchParams {
  const s = new URLSearchParams();
  for (const f of FIELDS) {
    for (const edge of ["Min", "Max"]) {
      const v = q.bounds[`${f}${edge}`]?.trim();
      if (v) s.set(`${f}${edge}`, v);
    }
  }
  if (q.format.trim()) s.set("format", q.format.trim());
  if (q.isoTimes) s.set("times", "iso");
  return s;
}

export async function getRecords(
  project: string,
  target: string,
  q: BoxQuery,
  limit: number,
  signal: AbortSignal,
): Promise<Records> {
  const records: TRecord[] = [];
  let horizon: string | undefined;
  const { stopped } = await streamNdjson(
    `/tstorage/${enc(project)}/${enc(target)}/records?${queryString(q)}`,
    (line) => {
      const l = line as Partial<TRecord>;
      if (l.cid === undefined) {
        horizon = l.acq;
        return true;
      }
      records.push(l as TRecord);
      return records.length < limit;
    },
    { signal },
  );
  return { records, truncated: stopped, ...(horizon === undefined ? {} : { horizon }) };
}
