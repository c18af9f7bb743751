import { aDispenseRequest, aHello, empty, occupied } from '@powerbank/machines/testing';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { StationHost } from './station-host.ts';
import type { CommandRow, StationStore } from './station-store.ts';

/** A promise the test settles by hand. */
function pending() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A host over a store that writes nothing: what matters here is what the host remembers. */
function aHost() {
  const published: { command: CommandRow; done: ReturnType<typeof pending> }[] = [];
  const marks: { ids: string[]; done: ReturnType<typeof pending> }[] = [];
  const store = {
    load: async () => undefined,
    stationInfo: async () => ({ slotCount: 2 }),
    write: async () => ({ stale: new Set<string>(), refused: new Map() }),
    markSent: (ids: string[]) => {
      const done = pending();
      marks.push({ ids, done });
      return done.promise;
    },
    openEjects: async () => [],
  } as unknown as StationStore;
  const host = new StationHost({
    store,
    logger: pino({ level: 'silent' }),
    batteryThreshold: 20,
    ejectTimeoutMs: 60_000,
    outputs: {
      publishCommand: (command) => {
        const done = pending();
        published.push({ command, done });
        return done.promise;
      },
      onDispenseResult: () => {},
      onReturn: () => {},
      onMissing: () => {},
      onStationChanged: () => {},
    },
  });
  return { host, published, marks };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('StationHost: which commands the outbox must not send again', () => {
  it('a command handed to the broker stays "sent" after its handover ends, its mark committed or not', async () => {
    const { host, published, marks } = aHost();
    await host.send('ST-1', aHello([occupied(1, 'PB1', 90), empty(2)]));
    await host.send('ST-1', aDispenseRequest('cmd-00001'));
    await settle();
    expect(published.map((p) => p.command.id)).toEqual(['cmd-00001']);
    expect(host.isSendingOrSent('cmd-00001')).toBe(true);

    published[0]?.done.resolve();
    await settle();
    // The mark is on its way: an outbox read now still sees the command pending.
    expect(marks.map((m) => m.ids)).toEqual([['cmd-00001']]);
    expect(host.isSendingOrSent('cmd-00001')).toBe(true);
    marks[0]?.done.resolve();
    await settle();
    expect(host.isSendingOrSent('cmd-00001')).toBe(true);
    await host.stop();
  });

  it('a command whose handover failed is the outbox’s to send again', async () => {
    const { host, published } = aHost();
    await host.send('ST-2', aHello([occupied(1, 'PB2', 90), empty(2)]));
    await host.send('ST-2', aDispenseRequest('cmd-00002'));
    await settle();
    published[0]?.done.reject(new Error('no bridge'));
    await settle();
    expect(host.isSendingOrSent('cmd-00002')).toBe(false);
    expect(host.isSendingOrSent('cmd-99999')).toBe(false);
    await host.stop();
  });
});
