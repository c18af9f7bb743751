import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './parse-config.ts';
import { apiEnv, commonEnv, urlList } from './schemas.ts';

describe('parseConfig', () => {
  it('works out of the box on an empty environment', () => {
    const env = parseConfig(apiEnv, {});
    expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/powerbank');
    expect(env.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(env.MQTT_URL).toBe('mqtt://127.0.0.1:1883');
    expect(env.API_PORT).toBe(3000);
    expect(env.DB_POOL_MIN).toBe(2);
    // Unset: each service takes its share of DB_CONNECTION_BUDGET (connection-budget.test.ts).
    expect(env.DB_POOL_MAX).toBeUndefined();
  });

  it('coerces numbers and treats empty strings as unset', () => {
    const env = parseConfig(apiEnv, { API_PORT: '8080', NATS_URL: '' });
    expect(env.API_PORT).toBe(8080);
    expect(env.NATS_URL).toBe('nats://127.0.0.1:4222');
  });

  it('reports one line per bad value, naming the variable and what it got', () => {
    const bad = { DATABASE_URL: 'mysql://x', API_PORT: 'seventy', LOG_LEVEL: 'loud', APP_SECRET: 'short' };
    let caught: unknown;
    try {
      parseConfig(apiEnv, bad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const { issues } = caught as ConfigError;
    expect(issues).toHaveLength(4);
    expect(issues.find((l) => l.startsWith('DATABASE_URL:'))).toMatch(/postgres:\/\/.*got "mysql:\/\/x"/);
    expect(issues.find((l) => l.startsWith('API_PORT:'))).toContain('got "seventy"');
    expect(issues.find((l) => l.startsWith('LOG_LEVEL:'))).toContain('got "loud"');
    expect(issues.find((l) => l.startsWith('APP_SECRET:'))).toContain('at least 16');
    expect((caught as Error).message.split('\n')).toHaveLength(5);
  });

  it('rejects a malformed URL and a NATS prefix with subject wildcards', () => {
    expect(() => parseConfig(commonEnv, { NATS_URL: 'not a url' })).toThrow(/NATS_URL/);
    expect(() => parseConfig(commonEnv, { NATS_URL: 'nats://a:4222,http://b:4222' })).toThrow(/NATS_URL/);
    expect(() => parseConfig(commonEnv, { NATS_URL: ' , ' })).toThrow(/NATS_URL/);
    expect(() => parseConfig(commonEnv, { NATS_PREFIX: 'a.>' })).toThrow(/NATS_PREFIX/);
  });
});

describe('NATS_URL', () => {
  it('takes a cluster as a comma list and hands each node to the client', () => {
    const env = parseConfig(commonEnv, {
      NATS_URL: 'nats://127.0.0.1:4232, nats://127.0.0.1:4233,nats://127.0.0.1:4234',
    });
    expect(urlList(env.NATS_URL)).toEqual([
      'nats://127.0.0.1:4232',
      'nats://127.0.0.1:4233',
      'nats://127.0.0.1:4234',
    ]);
  });
});
