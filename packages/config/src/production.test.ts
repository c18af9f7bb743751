import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './parse-config.ts';
import { apiEnv, nodeEnvOf } from './schemas.ts';

const issuesOf = (env: Record<string, string>): string[] => {
  try {
    parseConfig(apiEnv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
};

describe('production configuration', () => {
  const secret = 'a-production-secret-of-some-length';

  it('refuses the default APP_SECRET, naming it', () => {
    const issues = issuesOf({ NODE_ENV: 'production' });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^APP_SECRET: must be set in production/);
    expect(issuesOf({ NODE_ENV: 'production', APP_SECRET: secret })).toEqual([]);
  });

  it('turns the sandbox gateway on only by its flag, and then refuses its default webhook secret', () => {
    expect(parseConfig(apiEnv, { NODE_ENV: 'production', APP_SECRET: secret }).SANDBOX_GATEWAY_ENABLED).toBe(
      false,
    );
    expect(issuesOf({ NODE_ENV: 'production', APP_SECRET: secret, SANDBOX_GATEWAY_ENABLED: 'true' })).toEqual(
      [expect.stringMatching(/^SANDBOX_WEBHOOK_SECRET: must be set in production/)],
    );
    const on = parseConfig(apiEnv, {
      NODE_ENV: 'production',
      APP_SECRET: secret,
      SANDBOX_GATEWAY_ENABLED: 'true',
      SANDBOX_WEBHOOK_SECRET: secret,
    });
    expect(on.SANDBOX_GATEWAY_ENABLED).toBe(true);
  });

  it('refuses the load-test SMS provider (it hands codes to clients), which development and tests accept', () => {
    expect(issuesOf({ NODE_ENV: 'production', APP_SECRET: secret, SMS_PROVIDER: 'loadtest' })).toEqual([
      expect.stringMatching(/^SMS_PROVIDER: loadtest hands OTP codes to any client: never in production/),
    ]);
    for (const NODE_ENV of ['development', 'test'])
      expect(parseConfig(apiEnv, { NODE_ENV, SMS_PROVIDER: 'loadtest' }).SMS_PROVIDER).toBe('loadtest');
  });

  it('keeps development and tests working out of the box, the sandbox on', () => {
    for (const NODE_ENV of ['development', 'test']) {
      const env = parseConfig(apiEnv, { NODE_ENV });
      expect(env.SANDBOX_GATEWAY_ENABLED).toBe(true);
      expect(env.METRICS_TOKEN).toBeUndefined();
    }
  });

  it('reads NODE_ENV one way: unset is development, anything unknown counts as production', () => {
    expect(nodeEnvOf({})).toBe('development');
    expect(nodeEnvOf({ NODE_ENV: 'test' })).toBe('test');
    expect(nodeEnvOf({ NODE_ENV: 'prod' })).toBe('production');
    expect(() => parseConfig(apiEnv, { NODE_ENV: 'prod' })).toThrow(/NODE_ENV/);
  });
});
