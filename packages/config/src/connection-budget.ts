import type { CommonEnv } from './schemas.ts';

/**
 * Each service's share of DB_CONNECTION_BUDGET, per process (docs/architecture.md, "Connection
 * budget"). The api serves every request; station-core's share covers its ORM pool and its own
 * plain-SQL pool; the bridge only writes rejected messages. Running several processes of a
 * service means a larger budget, or DB_POOL_MAX set per process.
 */
export const DB_POOL_SHARES = { api: 0.6, 'station-core': 0.3, 'mqtt-bridge': 0.1 } as const;
export type DbService = keyof typeof DB_POOL_SHARES;

/** A process's pool ceiling: DB_POOL_MAX when set, else its service's share of the budget. */
export function dbPoolMax(
  env: Pick<CommonEnv, 'DB_CONNECTION_BUDGET' | 'DB_POOL_MAX'>,
  service: DbService,
): number {
  return env.DB_POOL_MAX ?? Math.max(1, Math.floor(env.DB_CONNECTION_BUDGET * DB_POOL_SHARES[service]));
}
