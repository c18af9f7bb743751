import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { serve } from '@hono/node-server';
import { subjects } from '@powerbank/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../../../../packages/api-client/src/index.ts';
import { signUp, signUpAdmin } from '../../testing/auth-helpers.ts';
import { createTestApi, type TestApi } from '../../testing/test-app.ts';
import { sseFrames } from './live-sse-frames.ts';

const poll = { timeout: 15_000, interval: 50 };
let api: TestApi;
let server: Server;
let url: string;
/** TCP connections the server has accepted. */
let connections = 0;

beforeAll(async () => {
  api = await createTestApi({
    env: {
      NATS_PREFIX: `live-sse-${crypto.randomUUID().slice(0, 8)}`,
      // Small, so that a client that does not read is dropped after a few events.
      LIVE_CLIENT_BUFFER: '5',
      LIVE_TICK_MS: '20',
    },
  });
  // A real server: the route writes frames to node's responses (in process, to web streams).
  server = serve({ fetch: api.app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
  await once(server, 'listening');
  server.on('connection', () => {
    connections += 1;
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await api.close();
});

/** A rental event about station `sn` (`n` tells them apart), through NATS as core publishes it. */
const returned = (sn: string, n: number, padding = '') =>
  api.deps.nats.publish(
    subjects(api.deps.env.NATS_PREFIX).coreEvent('return'),
    JSON.stringify({ sn, slot: 1, n, padding }),
  );

type Rental = { kind: string; sn: string; detail: { n?: number } };

/** A console following station `sn`'s rental events through the typed client, over HTTP. */
function follow(token: string | undefined, sn: string, input: { sn: string } = { sn }) {
  const client = createApiClient({ url, token });
  const events: Rental[] = [];
  let error: { data?: { code?: string } } | undefined;
  let starts = 0;
  let completed = false;
  const subscription = client.admin.live.rentals.subscribe(input, {
    // Each connection's `connected` event: a reconnection starts again.
    onStarted: () => {
      starts += 1;
    },
    onData: ({ data }) => events.push(...(data.events as readonly Rental[])),
    onError: (cause: unknown) => {
      error = cause as typeof error;
    },
    onComplete: () => {
      completed = true;
    },
  });
  return {
    numbers: () => events.map((event) => event.detail.n),
    starts: () => starts,
    error: () => error,
    completed: () => completed,
    stop: () => subscription.unsubscribe(),
  };
}

const aStationSn = () => `SSE${crypto.randomUUID().slice(0, 8)}`;

describe('admin.live over the live SSE route', () => {
  it('a typed client over HTTP gets the events; the response is tRPC SSE', async () => {
    const admin = await signUpAdmin(api, 'operations');
    const sn = aStationSn();
    const listenersBefore = api.live.listeners;
    const client = follow(admin.token, sn);
    await expect.poll(() => client.starts(), poll).toBe(1);
    expect(api.live.listeners).toBe(listenersBefore + 1);
    for (let n = 1; n <= 3; n++) returned(sn, n);
    await expect.poll(() => client.numbers(), poll).toEqual([1, 2, 3]);
    client.stop();
    await expect.poll(() => api.live.listeners, poll).toBe(listenersBefore);

    const input = encodeURIComponent(JSON.stringify({ json: { sn } }));
    const response = await fetch(`${url}/trpc/admin.live.rentals?input=${input}`, {
      headers: { authorization: `Bearer ${admin.token}`, 'x-request-id': 'live-sse-test' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-request-id')).toBe('live-sse-test');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n\n')) text += (await reader.read()).value;
    expect(text).toBe(sseFrames.connected({ reconnectAfterInactivityMs: 40_000 }));
    await reader.cancel();
  });

  it('each tick is one frame, the very same bytes for every connection', async () => {
    const admin = await signUpAdmin(api, 'support');
    const sn = aStationSn();
    // In process: the route answers with web streams, whose chunks are what it wrote.
    const open = async () => {
      const input = encodeURIComponent(JSON.stringify({ json: { sn } }));
      const response = await api.fetch(`http://api.test/trpc/admin.live.rentals?input=${input}`, {
        headers: { authorization: `Bearer ${admin.token}` },
      });
      const reader = response.body!.getReader();
      await reader.read(); // connected
      return reader;
    };
    const [first, second] = [await open(), await open()];
    returned(sn, 1);
    const [a, b] = await Promise.all([first.read(), second.read()]);
    expect(a.value).toBeInstanceOf(Uint8Array);
    expect(a.value).toBe(b.value);
    expect(new TextDecoder().decode(a.value)).toMatch(/^data: \{"json":".*\nid: [0-9a-f-]+:\d+\n\n\n$/s);
    await Promise.all([first.cancel(), second.cancel()]);
  });

  it('a customer is refused (FORBIDDEN), a caller without a session too (UNAUTHORIZED), a bad input (BAD_REQUEST); none is attached', async () => {
    const customer = await signUp(api);
    const admin = await signUpAdmin(api, 'finance');
    const listenersBefore = api.live.listeners;
    const refused = [
      follow(customer.token, 'any'),
      follow(undefined, 'any'),
      follow(admin.token, 'any', { sn: '' }),
    ];
    await expect
      .poll(() => refused.map((client) => client.error()?.data?.code), poll)
      .toEqual(['FORBIDDEN', 'UNAUTHORIZED', 'BAD_REQUEST']);
    expect(api.live.listeners).toBe(listenersBefore);
    for (const client of refused) {
      expect(client.numbers()).toEqual([]);
      client.stop();
    }
  });

  it('a dropped connection reconnects with its last id and gets the events it missed, once each', async () => {
    const admin = await signUpAdmin(api, 'operations');
    const sn = aStationSn();
    const client = follow(admin.token, sn);
    await expect.poll(() => client.starts(), poll).toBe(1);
    for (let n = 1; n <= 3; n++) returned(sn, n);
    await expect.poll(() => client.numbers(), poll).toEqual([1, 2, 3]);
    const connectionsBefore = connections;
    server.closeAllConnections();
    for (let n = 4; n <= 6; n++) returned(sn, n);
    // The EventSource reconnects (after its retry delay) sending Last-Event-ID: the hub replays.
    await expect.poll(() => client.numbers(), poll).toEqual([1, 2, 3, 4, 5, 6]);
    expect(client.starts()).toBe(2);
    expect(connections).toBeGreaterThan(connectionsBefore);
    returned(sn, 7);
    await expect.poll(() => client.numbers(), poll).toEqual([1, 2, 3, 4, 5, 6, 7]);
    client.stop();
  });

  it('a client that does not read is dropped past its buffer; a reading client gets every event, in time', async () => {
    const admin = await signUpAdmin(api, 'operations');
    const sn = aStationSn();
    const reader = follow(admin.token, sn);
    await expect.poll(() => reader.starts(), poll).toBe(1);
    const listeners = api.live.listeners;
    // A raw connection that reads nothing: once the OS buffers are full, frames wait in the api.
    const input = encodeURIComponent(JSON.stringify({ json: { sn } }));
    const stuck = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    await once(stuck, 'connect');
    stuck.write(
      `GET /trpc/admin.live.rentals?input=${input} HTTP/1.1\r\nHost: api\r\nAuthorization: Bearer ${admin.token}\r\n\r\n`,
    );
    stuck.pause();
    await expect.poll(() => api.live.listeners, poll).toBe(listeners + 1);

    // 80 events of 128 KB, one per tick or so: ~10 MB, more than loopback buffers hold (~4 MB).
    const padding = 'x'.repeat(128 * 1024);
    const count = 80;
    for (let n = 1; n <= count; n++) {
      returned(sn, n, padding);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await expect.poll(() => reader.numbers().length, poll).toBe(count);
    expect(reader.numbers()).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    // Dropped: no longer attached, and what it gets when it reads at last ends short of the events.
    await expect.poll(() => api.live.listeners, poll).toBe(listeners);
    let bytes = 0;
    stuck.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    stuck.resume();
    await once(stuck, 'close');
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(count * padding.length);
    const metrics = await (await api.fetch('http://api.test/metrics')).text();
    expect(metrics).toMatch(/^live_sse_dropped_total 1$/m);
    expect(Number(/^live_sse_frames_written_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(count);
    reader.stop();
  });

  it('the hub closing ends every stream with tRPC return: the client completes, no reconnection', async () => {
    const admin = await signUpAdmin(api, 'operations');
    const client = follow(admin.token, aStationSn());
    await expect.poll(() => client.starts(), poll).toBe(1);
    api.live.close();
    await expect.poll(() => client.completed(), poll).toBe(true);
    expect(client.error()).toBeUndefined();
    expect(client.starts()).toBe(1);
  });
});
