import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformTestRouter } from '../testing/fixture-api.ts';
import { createTestApi, type TestApi } from '../testing/test-app.ts';

describe('input hardening: bad input is a 4xx in the caller’s error shape, never a 500', () => {
  let api: TestApi;
  const raw = (path: string, init: RequestInit = {}) =>
    api.app.fetch(new Request(`http://api.test${path}`, init));

  beforeAll(async () => {
    api = await createTestApi({ router: platformTestRouter, env: { API_BODY_LIMIT_BYTES: '2048' } });
  });
  afterAll(() => api.close());

  it('accepts a valid body', async () => {
    const ok = await api.rest('POST', '/api/fixture/echo', { name: 'Ada', count: 2 });
    expect(ok).toMatchObject({ status: 200, body: { success: true, data: { name: 'Ada', count: 2 } } });
  });

  it('refuses unknown keys in a body (strict schemas) with the field named', async () => {
    const extra = await api.rest('POST', '/api/fixture/echo', { name: 'Ada', count: 2, isAdmin: true });
    expect(extra.status).toBe(400);
    expect(extra.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
    expect(extra.body.error.message).toContain('isAdmin');
  });

  it('answers malformed JSON with 400 VALIDATION_FAILED', async () => {
    const response = await raw('/api/fixture/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "Ada", "count": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('answers a body without a JSON content type with 415 in the envelope', async () => {
    const response = await raw('/api/fixture/echo', { method: 'POST', body: 'name=Ada' });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({
      success: false,
      error: { code: 'UNSUPPORTED_MEDIA_TYPE' },
    });
  });

  it('refuses an oversized body with 413 on REST and on tRPC', async () => {
    const big = { name: 'Ada', count: 1, padding: 'x'.repeat(10_000) };
    const rest = await api.rest('POST', '/api/fixture/echo', big);
    expect(rest.status).toBe(413);
    expect(rest.body).toMatchObject({ success: false, error: { code: 'PAYLOAD_TOO_LARGE' } });

    const trpc = await raw('/trpc/fixture.echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(superjson.serialize(big)),
    });
    expect(trpc.status).toBe(413);
    const body = (await trpc.json()) as { error: Parameters<typeof superjson.deserialize>[0] };
    expect(superjson.deserialize(body.error)).toMatchObject({
      data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, appCode: 'PAYLOAD_TOO_LARGE' },
    });
  });

  it('treats SQL-ish query strings as data, and refuses them with 400 where the schema does', async () => {
    const sqlish = "' OR 1=1; DROP TABLE app_version; --";
    const data = await api.rest('GET', `/api/fixture/search?q=${encodeURIComponent(sqlish)}`);
    expect(data).toMatchObject({ status: 200, body: { data: { q: sqlish, length: sqlish.length } } });

    const refused = await api.rest(
      'GET',
      `/api/app/version?platform=${encodeURIComponent("ios' OR '1'='1")}`,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.fields[0].path).toBe('platform');

    const tooLong = await api.rest('GET', `/api/fixture/search?q=${'a'.repeat(101)}`);
    expect(tooLong.status).toBe(400);

    // The table is still there.
    expect((await api.rest('GET', '/api/app/version')).status).toBe(200);
  });

  it('takes broken percent-encoding as literal data, and refuses unknown query keys with 400', async () => {
    // URLSearchParams keeps undecodable sequences as they are: data, never a crash.
    const broken = await raw('/api/fixture/search?q=%E0%A4%A');
    expect(broken.status).toBe(200);
    expect(await broken.json()).toMatchObject({ success: true, data: { q: expect.stringContaining('%') } });
    const unknown = await api.rest('GET', '/api/fixture/search?q=a&sort=name');
    expect(unknown.status).toBe(400);
  });

  it('uses the envelope for 404 and 405 (with Allow)', async () => {
    const missing = await api.rest('GET', '/api/nothing/here');
    expect(missing).toMatchObject({ status: 404, body: { success: false, error: { code: 'NOT_FOUND' } } });

    const wrongMethod = await api.rest('DELETE', '/api/app/version');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(wrongMethod.body).toMatchObject({ success: false, error: { code: 'METHOD_NOT_SUPPORTED' } });

    // A doubled slash stays part of the path (never read as a host), as trpc-to-openapi matches it.
    const doubled = await raw('/api//x/fixture/search?q=a');
    expect(doubled.status).toBe(404);
    // Its patterns match case-insensitively; a trailing slash is the same path.
    expect((await raw('/api/FIXTURE/Search/?q=a')).status).toBe(200);

    const outside = await raw('/nowhere');
    expect(outside.status).toBe(404);
    expect(await outside.json()).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
  });

  it('hides the cause of a 500 from the caller', async () => {
    const boom = await api.rest('GET', '/api/fixture/boom');
    expect(boom).toMatchObject({ status: 500, body: { success: false, error: { code: 'INTERNAL' } } });
    expect(JSON.stringify(boom.body)).not.toContain('kaboom');
  });
});
