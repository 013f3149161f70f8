/** Grids out: whole or streamed (error grids are src/api/errors/grid.ts). */
import { encodeGridStream } from "../../haystack/codec/stream.ts";
import type { Format } from "../../haystack/codec/types.ts";
import { HGrid, type HRow } from "../../haystack/kinds/index.ts";
import type { GridOut } from "./ops/types.ts";

function headers(format: Format): Record<string, string> {
  return { "content-type": `${format.mime}; charset=utf-8` };
}

/** Rows per streamed chunk of a grid already in memory. */
const CHUNK_ROWS = 1000;

async function* chunksOf(rows: readonly HRow[]): AsyncGenerator<readonly HRow[]> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) yield rows.slice(i, i + CHUNK_ROWS);
}

/** A small grid is written in one piece; a large one streams in chunks, so its text never exists whole. */
export function gridResponse(format: Format, out: HGrid | GridOut, status = 200): Response {
  if (out instanceof HGrid && out.rows.length <= CHUNK_ROWS) {
    return new Response(format.writer.writeGrid(out), { status, headers: headers(format) });
  }
  const rows = out instanceof HGrid ? { batches: chunksOf(out.rows) } : out.rows;
  const body = encodeGridStream(format.writer.encoder(), out.meta, out.cols, rows);
  return new Response(body, { status, headers: headers(format) });
}
