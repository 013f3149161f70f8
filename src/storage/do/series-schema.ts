/**
 * The schema of a series store's Durable Object (one object per project and store), as
 * append-only steps for SqlObject. Step 1 is the meta table every Hayloft object has.
 */
export const SERIES_SCHEMA: readonly (readonly string[])[] = [
  ["CREATE TABLE hayloft_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT"],
];
