/**
 * Decodes column chunks that src/frames/parquet-guard.ts has checked, one page at a time: each
 * page body is decompressed here (src/frames/snappy.ts, bounded), checked by
 * src/frames/parquet-pages.ts, and only then handed to hyparquet's page decoder as an
 * uncompressed page. hyparquet's own chunk reader (readColumn) is not used: it parses page
 * headers and decompresses on its own terms, which is what let damaged files spin.
 */
import { readPage } from "hyparquet/src/column.js";
import { convert } from "hyparquet/src/convert.js";
import type { DecodedArray, PageHeader } from "hyparquet/src/index.js";
import { FrameError } from "./model.ts";
import type { ChunkRef, Leaf, PageRef } from "./parquet-guard.ts";
import { checkPage } from "./parquet-pages.ts";
import { SnappyError, snappyDecompress } from "./snappy.ts";

/** What hyparquet needs to decode one column's pages (its schema path, parsers...). */
export type ColumnDecoder = Parameters<typeof readPage>[2];

/** Bytes decoding may still allocate beyond the pages themselves; shared by a whole read. */
export interface DecodeBudget {
  left: number;
}

function snappy(input: Uint8Array, size: number): Uint8Array {
  try {
    return snappyDecompress(input, size);
  } catch (e) {
    if (e instanceof SnappyError) throw new FrameError("invalid", `not a readable parquet file: ${e.message}`);
    throw e;
  }
}

/** The page body with its levels, uncompressed. A v2 page keeps its levels outside the compression. */
function pageBody(file: Uint8Array, page: PageRef): Uint8Array {
  const raw = file.subarray(page.offset, page.offset + page.compressed);
  if (!page.compressedBody) return raw;
  if (page.kind !== "v2") return snappy(raw, page.uncompressed);
  const body = new Uint8Array(page.uncompressed);
  body.set(raw.subarray(0, page.defBytes));
  body.set(snappy(raw.subarray(page.defBytes), page.uncompressed - page.defBytes), page.defBytes);
  return body;
}

/** hyparquet's header for the uncompressed body. */
function header(page: PageRef, size: number): PageHeader {
  const sizes = { uncompressed_page_size: size, compressed_page_size: size };
  if (page.kind === "dictionary") {
    return {
      type: "DICTIONARY_PAGE",
      ...sizes,
      dictionary_page_header: { num_values: page.values, encoding: page.encoding },
    };
  }
  if (page.kind === "v1") {
    const data_page_header = {
      num_values: page.values,
      encoding: page.encoding,
      definition_level_encoding: "RLE" as const,
      repetition_level_encoding: "RLE" as const,
    };
    return { type: "DATA_PAGE", ...sizes, data_page_header };
  }
  const data_page_header_v2 = {
    num_values: page.values,
    num_nulls: page.nulls,
    num_rows: page.values,
    encoding: page.encoding,
    definition_levels_byte_length: page.defBytes,
    repetition_levels_byte_length: 0,
    is_compressed: false,
  };
  return { type: "DATA_PAGE_V2", ...sizes, data_page_header_v2 };
}

/**
 * Decodes one checked chunk into its values, one array per data page (nulls as null). Throws
 * FrameError "invalid" for a page that fails its check or its decode, "too_large" when rebuilt
 * values would pass the budget.
 */
export function decodeChunk(
  file: Uint8Array,
  chunk: ChunkRef,
  leaf: Leaf,
  decoder: ColumnDecoder,
  budget: DecodeBudget,
): DecodedArray[] {
  const plain = { ...decoder, codec: "UNCOMPRESSED" as const };
  const parts: DecodedArray[] = [];
  let dictionary: DecodedArray | undefined;
  let dictionarySize: number | undefined;
  for (const page of chunk.pages) {
    const body = pageBody(file, page);
    budget.left -= checkPage(page, body, leaf, dictionarySize);
    if (budget.left < 0) throw new FrameError("too_large", "parquet values decode past the memory bound");
    const reader = { view: new DataView(body.buffer, body.byteOffset, body.byteLength), offset: 0 };
    const { data } = readPage(reader, header(page, body.length), plain, dictionary, undefined, 0);
    if (data === undefined) throw new FrameError("invalid", "not a readable parquet file: a page decodes to nothing");
    if (page.kind === "dictionary") {
      dictionary = convert(data, plain);
      dictionarySize = page.values;
    } else {
      parts.push(data);
    }
  }
  return parts;
}
