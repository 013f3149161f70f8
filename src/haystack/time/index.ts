export * from "./duration.ts";
export * from "./range.ts";
export * from "./tz.ts";
export * from "./zoned.ts";
