export * from "./json.ts";
export * from "./priority.ts";
