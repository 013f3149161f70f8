/** Bounds on what one request to a series store may ask for or send; each is a page or a refusal. */
export const LIMITS = {
  /** Series one set_many, delete or get_many may touch. */
  maxSeriesPerRequest: 10_000,
  /** Points in one irregular series (versioned and series stores). */
  maxPointsPerSeries: 2_000_000,
  /** Chunks read per storage page while scanning (yield_many, get_max_horodate). */
  scanChunkPage: 240,
  /** Keys per storage page. */
  keyPage: 1000,
  /** Irregular series per page of a multi-series read. */
  seriesPage: 100,
  /** Chunks one pack/ request may name. */
  maxPack: 500,
  /** Most items of one feed page. */
  maxFeedPage: 1000,
  /** Most items of one updates/ page. */
  maxUpdatesPage: 1000,
} as const;
