/** Haystack filters: AST, parser, evaluator, printer and planner-facing analyses. */
export * from "./ast.ts";
export * from "./eval.ts";
export { writeFilterVal } from "./literal.ts";
export * from "./parse.ts";
export { filterPattern } from "./pattern.ts";
export { filterToString, pathToString } from "./print.ts";
export {
  checkFilterBounds,
  filterDepth,
  filterPaths,
  MAX_FILTER_DEPTH,
  MAX_FILTER_NODES,
  requiredTags,
  termCount,
} from "./walk.ts";
