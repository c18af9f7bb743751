import { apiEnv, parseConfig } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { connectNats } from '@powerbank/messaging';
import { createTestOrm, type TestPool, tearDown } from '@powerbank/testing';
import pino, { type Logger } from 'pino';
import { type AppOptions, createApp, createLiveHub } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { createMetrics } from '../observability/metrics.ts';

export interface TestApiOptions {
  natsUrl?: string;
  /** Environment variables over the process's (e.g. small rate limits, a NATS_PREFIX). */
  env?: Record<string, string>;
  /** Where the api logs; silent by default. */
  logger?: Logger;
  /** Serve an existing test database (another test api's) instead of a fresh one; it is not dropped on close. */
  databaseUrl?: string;
  /** Procedures to serve instead of the root router (platform tests). */
  router?: AppOptions['router'];
  /** The database pool's size, idle time and deadlines, over the tests' small pool. */
  pool?: TestPool;
}

/**
 * A real api over a fresh test database and the real NATS (or the one at
 * `natsUrl`), called in-process through `app.fetch` without a port.
 * Rate limits are high unless `env` sets them: in-process calls all share the
 * client IP 'unknown', and a test file must not trip over its own earlier calls.
 */
export async function createTestApi(options: TestApiOptions = {}) {
  const database = options.databaseUrl
    ? await openSharedDatabase(options.databaseUrl, options.pool)
    : await createTestOrm(options.pool).then((testOrm) => ({
        orm: testOrm.orm,
        url: testOrm.db.url,
        close: testOrm.close,
      }));
  const env = parseConfig(apiEnv, {
    ...process.env,
    RATE_LIMIT_AUTH_MAX: '100000',
    RATE_LIMIT_WRITE_MAX: '100000',
    RATE_LIMIT_READ_MAX: '1000000',
    // Every station read waits for the rows written before it: tests assert exact counts.
    STATION_DIRECTORY_REFRESH_MS: '0',
    STATION_DIRECTORY_MAX_STALE_MS: '0',
    STATION_DIRECTORY_PRELOAD: 'false',
    ...options.env,
    DATABASE_URL: database.url,
    ...(options.natsUrl ? { NATS_URL: options.natsUrl } : {}),
  });
  const nats = await connectNats(env.NATS_URL, 'api-test');
  const deps: AppDeps = {
    env,
    orm: database.orm,
    nats,
    logger: options.logger ?? pino({ level: 'silent' }),
    metrics: createMetrics(),
  };
  const live = createLiveHub(deps);
  const app = createApp(deps, { router: options.router, live });
  const fetch: typeof globalThis.fetch = (input, init) =>
    Promise.resolve(app.fetch(new Request(input, init)));
  return {
    app,
    deps,
    /** The app's live hub (its streams: `live.listeners`). */
    live,
    fetch,
    /** The test database's URL, for a second api instance over the same rows. */
    databaseUrl: database.url,
    /** REST call returning status and parsed JSON body. */
    async rest(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const response = await app.fetch(
        new Request(`http://api.test${path}`, {
          method,
          headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
      return { status: response.status, headers: response.headers, body: (await response.json()) as any };
    },
    async close() {
      await tearDown([
        ['api nats', () => nats.close()],
        ['api database', () => database.close()],
      ]);
    },
  };
}

export type TestApi = Awaited<ReturnType<typeof createTestApi>>;

async function openSharedDatabase(url: string, pool: TestPool = {}) {
  const orm = await openOrm({
    DATABASE_URL: url,
    DB_POOL_MIN: 0,
    DB_POOL_MAX: 5,
    DB_POOL_IDLE_MS: 10_000,
    ...pool,
  });
  return { orm, url, close: () => orm.close(true) };
}
