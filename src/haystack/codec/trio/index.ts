/** Trio: the line-oriented record format (Trio.fandoc). */
import type { GridReader } from "../types.ts";
import { readTrioGrid } from "./reader.ts";

export { readTrio, readTrioGrid } from "./reader.ts";
export { TRIO_WRITER, trioEncoder, trioUseQuotes, writeTrio, writeTrioDict } from "./writer.ts";

export const TRIO_READER: GridReader = { readGrid: readTrioGrid };
