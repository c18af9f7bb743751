import { Writable } from 'node:stream';
import pino from 'pino';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformTestRouter } from '../testing/fixture-api.ts';
import { createTestApi, type TestApi } from '../testing/test-app.ts';

type LogLine = { level: number; msg: string; reqId?: string; err?: { stack?: string; message?: string } };

describe('request logging', () => {
  let api: TestApi;
  const lines: LogLine[] = [];
  const linesOf = (reqId: string | null) => lines.filter((line) => line.reqId === reqId);

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const text of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(text));
        done();
      },
    });
    api = await createTestApi({ router: platformTestRouter, logger: pino({ level: 'info' }, sink) });
  });
  afterAll(() => api.close());

  it('answers with X-Request-Id and logs the procedure’s lines and the request line under it (REST)', async () => {
    const response = await api.rest('GET', '/api/fixture/request-info');
    const reqId = response.headers.get('x-request-id');
    expect(reqId).toBeTruthy();
    expect(response.body.data.requestId).toBe(reqId);
    await expect
      .poll(() => linesOf(reqId).map((line) => line.msg))
      .toEqual(['inside a procedure', 'request']);
  });

  it('does the same over tRPC, and keeps a sane incoming request id', async () => {
    const input = encodeURIComponent(JSON.stringify(superjson.serialize({})));
    const response = await api.app.fetch(
      new Request(`http://api.test/trpc/fixture.requestInfo?input=${input}`, {
        headers: { 'x-request-id': 'edge-1234' },
      }),
    );
    expect(response.headers.get('x-request-id')).toBe('edge-1234');
    await expect
      .poll(() => linesOf('edge-1234').map((line) => line.msg))
      .toEqual(['inside a procedure', 'request']);
  });

  it('logs a 500 with its stack under the request id, on both transports', async () => {
    const rest = await api.rest('GET', '/api/fixture/boom');
    expect(rest.status).toBe(500);
    const restId = rest.headers.get('x-request-id');
    await expect
      .poll(() => linesOf(restId).find((line) => line.level === 50)?.err?.stack)
      .toContain('kaboom');

    const input = encodeURIComponent(JSON.stringify(superjson.serialize({})));
    const trpc = await api.app.fetch(new Request(`http://api.test/trpc/fixture.boom?input=${input}`));
    expect(trpc.status).toBe(500);
    const trpcId = trpc.headers.get('x-request-id');
    await expect
      .poll(() => linesOf(trpcId).find((line) => line.level === 50)?.err?.stack)
      .toContain('kaboom');
  });
});
