/** JSON codecs: v4 (Hayson, the default) and the legacy type-prefixed v3. */

export {
  JSON3_READER,
  JSON3_WRITER,
  json3Encoder,
  readJson3Grid,
  readJson3Value,
  scalar3,
  str3,
  writeJson3Grid,
  writeJson3Value,
} from "./v3.ts";
export {
  JSON4_READER,
  JSON4_WRITER,
  json4ToVal,
  jsonEncoder,
  readJsonGrid,
  readJsonValue,
  valToJson4,
  writeJsonGrid,
  writeJsonValue,
} from "./v4.ts";
