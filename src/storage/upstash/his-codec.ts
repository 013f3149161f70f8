/**
 * One history sample as a sorted-set member: `<ts>|<kind><value>`, exact for every value a
 * history holds. The ts leads so two samples with the same value at different times are
 * different members (a member is unique in its set), and a reader needs no scores back.
 * - `n<number>`: a unitless Number, as JS prints it (shortest text that reads back to the same
 *   double; `NaN`, `Infinity`, `-Infinity`, and `-0` kept apart from 0);
 * - `u<number>|<unit>`: a Number with a unit (a number's text never holds `|`, so the first one
 *   after it ends it and the unit is the rest, whatever it holds);
 * - `t` / `f`: a Bool;
 * - `s<text>`: a Str, the rest of the member verbatim (`|`, NUL and any Unicode included).
 */
import type { HisPageBuilder, HisValue } from "../his-page.ts";

function numberText(n: number): string {
  return Object.is(n, -0) ? "-0" : String(n);
}

export function encodeSample(ts: number, val: HisValue): string {
  if (typeof val === "number") return `${ts}|n${numberText(val)}`;
  if (typeof val === "boolean") return val ? `${ts}|t` : `${ts}|f`;
  if (typeof val === "string") return `${ts}|s${val}`;
  return val.unit ? `${ts}|u${numberText(val.val)}|${val.unit}` : `${ts}|n${numberText(val.val)}`;
}

/** The ts of an encoded sample. */
export function sampleTs(member: string): number {
  return Number(member.slice(0, member.indexOf("|")));
}

/** Appends the encoded sample to a page; returns its ts. */
export function decodeSampleInto(b: HisPageBuilder, member: string): number {
  const bar = member.indexOf("|");
  const ts = Number(member.slice(0, bar));
  const kind = member.charCodeAt(bar + 1);
  const rest = member.slice(bar + 2);
  switch (kind) {
    case 0x6e: // n
      b.number(ts, Number(rest), null);
      break;
    case 0x75: {
      // u
      const end = rest.indexOf("|");
      b.number(ts, Number(rest.slice(0, end)), rest.slice(end + 1));
      break;
    }
    case 0x74: // t
      b.bool(ts, true);
      break;
    case 0x66: // f
      b.bool(ts, false);
      break;
    case 0x73: // s
      b.str(ts, rest);
      break;
    default:
      throw new Error(`Corrupt history sample: ${member.slice(0, 100)}`);
  }
  return ts;
}
