/** Zinc codec (Zinc.fandoc): reader, writer and streaming encoder. */
export { readZincGrid, readZincTags, readZincValue, ZINC_READER } from "./reader.ts";
export { writeZincGrid, writeZincValue, ZINC_WRITER, zincEncoder, zincStr, zincUri } from "./writer.ts";
