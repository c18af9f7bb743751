/**
 * The static tables the api serves from its cache, by database table name (the
 * name in cache invalidation subjects). Content tables join as they are served.
 */
export const STATIC_TABLES = {
  appVersion: 'app_version',
} as const;

export const STATIC_TABLE_NAMES: readonly string[] = Object.values(STATIC_TABLES);
