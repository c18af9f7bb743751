import type { PostgreSqlConnection } from '@mikro-orm/postgresql';
import { apiEnv, parseConfig } from '@powerbank/config';
import { adminQuery, newTestResourceName } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type SignedUp, signUp } from '../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../testing/test-app.ts';

/**
 * The api's pool of 10 against a database that lets its role hold only 5 connections, as a full
 * Postgres would ("too many clients"): a burst must be answered 200 or 503 with Retry-After,
 * never 500, and the pool must let its connections go again.
 */
const ROLE_CONNECTION_LIMIT = 5;
const role = newTestResourceName().replaceAll('-', '_');
const pool = parseConfig(apiEnv, { DB_POOL_MAX: '10', DB_POOL_ACQUIRE_TIMEOUT_MS: '100' });
let owner: TestApi;
let api: TestApi;
let user: SignedUp;

beforeAll(async () => {
  owner = await createTestApi();
  user = await signUp(owner);
  // Not a superuser (limits do not apply to those), with the tables' owner's rights.
  await adminQuery(`create role "${role}" login connection limit ${ROLE_CONNECTION_LIMIT} in role postgres`);
  const url = new URL(owner.databaseUrl);
  url.username = role;
  api = await createTestApi({
    databaseUrl: url.toString(),
    pool: {
      DB_POOL_MIN: pool.DB_POOL_MIN,
      DB_POOL_MAX: pool.DB_POOL_MAX,
      DB_POOL_IDLE_MS: pool.DB_POOL_IDLE_MS,
      DB_POOL_ACQUIRE_TIMEOUT_MS: pool.DB_POOL_ACQUIRE_TIMEOUT_MS,
    },
  });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await owner?.close();
  await adminQuery(`drop role if exists "${role}"`);
});

/** The `pg` pool under the ORM: its `totalCount` is the connections it holds. */
const nativePool = () =>
  (api.deps.orm.em.getDriver().getConnection() as PostgreSqlConnection).getNativeClient() as Promise<{
    totalCount: number;
  }>;
const trpcInput = encodeURIComponent(JSON.stringify({ json: {} }));

describe('database overload (a burst past the pool and the server limit)', () => {
  it('1,000 concurrent requests: 200 or 503 with Retry-After, never 500; the pool back to its minimum after', async () => {
    const headers = bearer(user.token);
    const answers = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const path = i % 2 ? '/api/user/profile' : `/trpc/profile.get?input=${trpcInput}`;
        const response = await api.fetch(`http://api.test${path}`, { headers });
        const body = (await response.json()) as Record<string, any>;
        const code = path.startsWith('/api') ? body.error?.code : body.error?.json?.data?.appCode;
        return { status: response.status, retryAfter: response.headers.get('retry-after'), code };
      }),
    );
    // How many get through depends on the machine's speed; none may fail otherwise than with 503.
    expect(answers.filter((answer) => answer.status !== 200 && answer.status !== 503)).toEqual([]);
    const refusals = answers.filter((answer) => answer.status === 503);
    expect(refusals.length).toBeGreaterThan(0);
    for (const refused of refusals) {
      expect(refused).toEqual({ status: 503, retryAfter: '1', code: 'SERVICE_UNAVAILABLE' });
    }
    const native = await nativePool();
    await expect
      .poll(() => native.totalCount, { timeout: pool.DB_POOL_IDLE_MS + 5_000, interval: 250 })
      .toBeLessThanOrEqual(pool.DB_POOL_MIN);
  }, 60_000);
});
