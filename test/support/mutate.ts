/** Random edits of valid documents: the fuzz tests' way of reaching a reader's error paths. */
import fc from "fast-check";

export type Edit = readonly [at: number, op: "del" | "ins" | "rep" | "cut", chunk: string];

/** Applies edits in order; positions wrap around the text as it is then. */
export function mutate(text: string, edits: readonly Edit[]): string {
  let s = text;
  for (const [at, op, chunk] of edits) {
    const i = s.length === 0 ? 0 : at % s.length;
    if (op === "del") s = s.slice(0, i) + s.slice(i + 1);
    else if (op === "ins") s = s.slice(0, i) + chunk + s.slice(i);
    else if (op === "rep") s = s.slice(0, i) + chunk + s.slice(i + chunk.length);
    else s = s.slice(0, i);
  }
  return s;
}

/** One to four edits: delete, insert or replace up to three characters of `unit`, or cut the rest. */
export function editsArb(unit: fc.Arbitrary<string> | "binary" = "binary"): fc.Arbitrary<Edit[]> {
  const edit = fc.tuple(
    fc.nat(),
    fc.constantFrom("del" as const, "ins" as const, "rep" as const, "cut" as const),
    fc.string({ unit, maxLength: 3 }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 });
}

/** Documents from `doc`, each with random edits applied. */
export function mutated(doc: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(doc, editsArb()).map(([text, edits]) => mutate(text, edits));
}
