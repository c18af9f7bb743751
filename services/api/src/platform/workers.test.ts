import { availableParallelism } from 'node:os';
import { apiEnv, ConfigError, parseConfig } from '@powerbank/config';
import { describe, expect, it } from 'vitest';
import { workerPoolShare } from './workers.ts';

describe('API_WORKERS', () => {
  it('is one process unless set; a number, or auto for one per CPU', () => {
    expect(parseConfig(apiEnv, {}).API_WORKERS).toBe(1);
    expect(parseConfig(apiEnv, { API_WORKERS: '3' }).API_WORKERS).toBe(3);
    expect(parseConfig(apiEnv, { API_WORKERS: 'auto' }).API_WORKERS).toBe(availableParallelism());
  });

  it('refuses zero, fractions, words and absurd counts', () => {
    for (const value of ['0', '1.5', 'many', '-2', '65']) {
      expect(() => parseConfig(apiEnv, { API_WORKERS: value }), value).toThrow(ConfigError);
    }
  });
});

describe('workerPoolShare', () => {
  it("splits the api's pool so all workers together keep its size", () => {
    expect(workerPoolShare({ workers: 2, poolMin: 20, poolMax: 50 })).toEqual({
      DB_POOL_MIN: '10',
      DB_POOL_MAX: '25',
    });
    // Rounded up, never to zero connections.
    expect(workerPoolShare({ workers: 3, poolMin: 0, poolMax: 1 })).toEqual({
      DB_POOL_MIN: '0',
      DB_POOL_MAX: '1',
    });
    expect(workerPoolShare({ workers: 4, poolMin: 5, poolMax: 10 })).toEqual({
      DB_POOL_MIN: '2',
      DB_POOL_MAX: '3',
    });
  });
});
