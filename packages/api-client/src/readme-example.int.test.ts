import { readFile } from 'node:fs/promises';
import { AppVersion } from '@powerbank/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi } from '../../../services/api/src/testing/test-app.ts';
import { explainFailure, newestReleases } from './example.ts';
import { createApiClient } from './index.ts';

describe('the README example', () => {
  let api: Awaited<ReturnType<typeof createTestApi>>;

  beforeAll(async () => {
    api = await createTestApi();
    const em = api.deps.orm.em.fork();
    em.create(AppVersion, {
      platform: 'ios',
      version: '3.1.0',
      minSupportedVersion: '3.0.0',
      releasedAt: new Date('2026-05-01T00:00:00Z'),
    });
    em.create(AppVersion, {
      platform: 'android',
      version: '3.0.2',
      minSupportedVersion: '3.0.0',
      releasedAt: new Date('2026-04-01T00:00:00Z'),
    });
    await em.flush();
  });
  afterAll(() => api.close());

  it('is, word for word, the type-checked src/example.ts', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const example = await readFile(new URL('./example.ts', import.meta.url), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block?.trim()).toBe(example.trim());
  });

  it('runs against a real api, in one batched HTTP request', async () => {
    const calls: string[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      calls.push(String(input instanceof Request ? input.url : input));
      return api.fetch(input, init);
    };
    const result = await newestReleases({ url: 'http://api.test', token: 'not-checked-yet', fetch });
    expect(result).toEqual({ ios: '3.1.0', platforms: 2, released: new Date('2026-05-01T00:00:00Z') });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain('/trpc/app.version,app.version?batch=1');
  });

  it('reads a refusal through error.data.appCode', async () => {
    const client = createApiClient({ url: 'http://api.test', fetch: api.fetch });
    const failure = await client.app.version
      .query({ platform: 'symbian' as 'ios' })
      .catch((error: unknown) => error);
    expect(explainFailure(failure)).toMatch(/^Please check: platform: /);
    expect(() => explainFailure(new Error('socket hang up'))).toThrow('socket hang up');
  });
});
