import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '@powerbank/testing';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.ts';
import { bearer, signUp } from '../testing/auth-helpers.ts';
import { platformTestRouter } from '../testing/fixture-api.ts';
import { createTestApi, type TestApi } from '../testing/test-app.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const PRODUCTION = {
  NODE_ENV: 'production',
  APP_SECRET: 'a-production-app-secret-0123456789',
  METRICS_TOKEN: 'a-metrics-token-0123456789',
};

/** Starts the api's entry file as a process; resolves with its exit code and stderr once it exits. */
function runApi(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', 'services/api/src/main.ts'], {
      cwd: root,
      env: { ...process.env, API_PORT: '0', API_WORKERS: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

/** A logger writing its lines, parsed, into `lines`: the production logger with its redaction. */
function capturedLogger(lines: Record<string, any>[]) {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return createLogger('api', 'info', stream);
}

describe('the api in production', () => {
  it('refuses to start with the default APP_SECRET, naming it', async () => {
    const { code, stderr } = await runApi({ NODE_ENV: 'production', APP_SECRET: '' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('APP_SECRET: must be set in production');
  }, 60_000);

  it('refuses to start with the sandbox on and its default webhook secret', async () => {
    const { code, stderr } = await runApi({ ...PRODUCTION, SANDBOX_GATEWAY_ENABLED: 'true' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('SANDBOX_WEBHOOK_SECRET: must be set in production');
  }, 60_000);

  describe('started with production config', () => {
    let api: TestApi;
    let fixtures: TestApi;
    const lines: Record<string, any>[] = [];

    beforeAll(async () => {
      api = await createTestApi({ env: PRODUCTION });
      fixtures = await createTestApi({
        env: PRODUCTION,
        router: platformTestRouter,
        databaseUrl: api.databaseUrl,
        logger: capturedLogger(lines),
      });
    });
    afterAll(async () => {
      await fixtures?.close();
      await api?.close();
    });

    it('has no sandbox gateway without its flag: its routes are 404 and its method is not offered', async () => {
      expect(api.deps.env.SANDBOX_GATEWAY_ENABLED).toBe(false);
      expect((await api.fetch('http://api.test/sandbox/checkout/sbx_pi_1')).status).toBe(404);
      expect(
        (await api.fetch('http://api.test/sandbox/checkout/sbx_pi_1/approve', { method: 'POST' })).status,
      ).toBe(404);
      const webhook = await api.fetch('http://api.test/api/payment/webhook/sandbox', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(webhook.status).toBe(404);

      // Production keeps no code anywhere a test could read it: a development api over the same
      // database signs the user up, and the session works on both.
      const dev = await createTestApi({ databaseUrl: api.databaseUrl });
      const user = await signUp(dev).finally(() => dev.close());
      const methods = await api.rest('GET', '/api/payment/methods', undefined, bearer(user.token));
      expect(methods.status).toBe(200);
      expect(methods.body.data.results.map((m: { code: string }) => m.code)).not.toContain('sandbox_card');
      const topup = await api.rest(
        'POST',
        '/api/payment/wallet/topup-intent',
        { amount: 1000, payment_method: 'sandbox_card' },
        bearer(user.token),
      );
      expect(topup.status).toBe(404);
    });

    it('serves /metrics only with the bearer token', async () => {
      const metrics = (headers: Record<string, string> = {}) =>
        api.fetch('http://api.test/metrics', { headers });
      expect((await metrics()).status).toBe(401);
      expect((await metrics({ authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
      const ok = await metrics({ authorization: `Bearer ${PRODUCTION.METRICS_TOKEN}` });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('http_request_duration_seconds');

      const untokened = await createTestApi({
        env: { ...PRODUCTION, METRICS_TOKEN: '' },
        databaseUrl: api.databaseUrl,
      });
      try {
        expect((await untokened.fetch('http://api.test/metrics')).status).toBe(404);
      } finally {
        await untokened.close();
      }
    });

    it('sends no stack in a tRPC or REST error body', async () => {
      const trpc = await fixtures.fetch(
        `http://api.test/trpc/fixture.boom?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`,
      );
      expect(trpc.status).toBe(500);
      const shape = superjson.deserialize<{ data: Record<string, unknown> }>(
        ((await trpc.json()) as { error: Parameters<typeof superjson.deserialize>[0] }).error,
      );
      expect(shape.data).toMatchObject({ appCode: 'INTERNAL' });
      expect(shape.data).not.toHaveProperty('stack');

      const invalid = await fixtures.fetch(
        `http://api.test/trpc/fixture.search?input=${encodeURIComponent(JSON.stringify({ json: { q: 5 } }))}`,
      );
      expect(invalid.status).toBe(400);
      expect(await invalid.text()).not.toMatch(/stack|\.ts:\d+/);

      const rest = await fixtures.fetch('http://api.test/api/fixture/boom');
      expect(rest.status).toBe(500);
      expect(await rest.text()).not.toMatch(/stack|kaboom|\.ts:\d+/);
    });

    it('logs a failed request with its Authorization header, tokens and OTP code redacted', async () => {
      const secrets = { phone: '+4915100000001', code: '493817', card_number: '4242424242424242' };
      const headers = { 'content-type': 'application/json', authorization: 'Bearer secret-session-token' };
      const rest = await fixtures.fetch('http://api.test/api/fixture/fail-with-secrets', {
        method: 'POST',
        headers,
        body: JSON.stringify(secrets),
      });
      expect(rest.status).toBe(500);
      const trpc = await fixtures.fetch('http://api.test/trpc/fixture.failWithSecrets', {
        method: 'POST',
        headers,
        body: JSON.stringify(superjson.serialize(secrets)),
      });
      expect(trpc.status).toBe(500);

      const failures = lines.filter((line) => line.level >= 50 && line.input?.phone === secrets.phone);
      expect(failures).toHaveLength(2);
      for (const line of failures) {
        expect(line.req.headers.authorization).toBe('[redacted]');
        expect(line.input).toMatchObject({ code: '[redacted]', card_number: '[redacted]' });
        const text = JSON.stringify(line);
        expect(text).not.toContain('secret-session-token');
        expect(text).not.toContain('493817');
        expect(text).not.toContain('4242424242424242');
      }
    });
  });
});
