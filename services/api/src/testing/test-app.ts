import { apiEnv, parseConfig } from '@powerbank/config';
import { connectNats } from '@powerbank/messaging';
import { createTestOrm } from '@powerbank/testing';
import pino from 'pino';
import { createApp } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { createMetrics } from '../observability/metrics.ts';

/**
 * A real api over a fresh test database and the real NATS (or the one at
 * `natsUrl`), called in-process through `app.fetch` without a port.
 */
export async function createTestApi(options: { natsUrl?: string } = {}) {
  const testOrm = await createTestOrm();
  const env = parseConfig(apiEnv, {
    ...process.env,
    DATABASE_URL: testOrm.db.url,
    ...(options.natsUrl ? { NATS_URL: options.natsUrl } : {}),
  });
  const nats = await connectNats(env.NATS_URL, 'api-test');
  const deps: AppDeps = {
    env,
    orm: testOrm.orm,
    nats,
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
  };
  const app = createApp(deps);
  const fetch: typeof globalThis.fetch = (input, init) =>
    Promise.resolve(app.fetch(new Request(input, init)));
  return {
    app,
    deps,
    fetch,
    /** REST call returning status and parsed JSON body. */
    async rest(method: string, path: string, body?: unknown) {
      const response = await app.fetch(
        new Request(`http://api.test${path}`, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
      return { status: response.status, headers: response.headers, body: (await response.json()) as any };
    },
    async close() {
      await nats.close();
      await testOrm.close();
    },
  };
}
