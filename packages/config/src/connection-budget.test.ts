import { describe, expect, it } from 'vitest';
import { DB_POOL_SHARES, dbPoolMax } from './connection-budget.ts';
import { parseConfig } from './parse-config.ts';
import { apiEnv, bridgeEnv, stationCoreEnv } from './schemas.ts';

/** Postgres's own default max_connections, which a default deployment must stay well under. */
const POSTGRES_DEFAULT_MAX_CONNECTIONS = 100;

describe('the connection budget', () => {
  it('sizes every service from one budget that leaves room for migrations, jobs, replicas and psql', () => {
    const pools = {
      api: dbPoolMax(parseConfig(apiEnv, {}), 'api'),
      'station-core': dbPoolMax(parseConfig(stationCoreEnv, {}), 'station-core'),
      'mqtt-bridge': dbPoolMax(parseConfig(bridgeEnv, {}), 'mqtt-bridge'),
    };
    expect(pools).toEqual({ api: 36, 'station-core': 18, 'mqtt-bridge': 6 });
    const budget = parseConfig(apiEnv, {}).DB_CONNECTION_BUDGET;
    const total = Object.values(pools).reduce((sum, pool) => sum + pool, 0);
    expect(total).toBeLessThanOrEqual(budget);
    expect(POSTGRES_DEFAULT_MAX_CONNECTIONS - budget).toBeGreaterThanOrEqual(30);
    expect(Object.values(DB_POOL_SHARES).reduce((sum, share) => sum + share, 0)).toBeLessThanOrEqual(1);
  });

  it('releases idle connections within seconds and keeps few', () => {
    const env = parseConfig(apiEnv, {});
    expect(env.DB_POOL_IDLE_MS).toBeLessThanOrEqual(30_000);
    expect(env.DB_POOL_MIN).toBeLessThanOrEqual(5);
  });

  it('follows a larger budget, and DB_POOL_MAX set for a process wins', () => {
    expect(dbPoolMax(parseConfig(apiEnv, { DB_CONNECTION_BUDGET: '400' }), 'api')).toBe(240);
    expect(dbPoolMax(parseConfig(apiEnv, { DB_POOL_MAX: '7' }), 'api')).toBe(7);
    expect(dbPoolMax(parseConfig(bridgeEnv, { DB_CONNECTION_BUDGET: '3' }), 'mqtt-bridge')).toBe(1);
  });

  it('has deadlines on by default', () => {
    expect(parseConfig(stationCoreEnv, {})).toMatchObject({
      DB_POOL_ACQUIRE_TIMEOUT_MS: 5_000,
      DB_STATEMENT_TIMEOUT_MS: 30_000,
      DB_LOCK_TIMEOUT_MS: 10_000,
      SHUTDOWN_TIMEOUT_MS: 10_000,
    });
  });
});
