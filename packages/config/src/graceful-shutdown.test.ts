import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ShutdownStep, shutdownOnSignal } from './graceful-shutdown.ts';

const signals = ['SIGTERM', 'SIGINT'] as const;
const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
afterEach(() => {
  vi.useRealTimers();
  // Only the handlers a test installed: the test runner's own stay.
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
    }
  }
});

/** Installs the shutdown with a logger and an exit the test reads; the signal is only emitted, never sent. */
function install(steps: ShutdownStep[], timeoutMs: number) {
  const logged: { level: string; object: Record<string, unknown>; message: string }[] = [];
  const logger = {
    info: (object: object, message: string) => logged.push({ level: 'info', object: { ...object }, message }),
    error: (object: object, message: string) =>
      logged.push({ level: 'error', object: { ...object }, message }),
  };
  const exited = new Promise<number>((resolve) =>
    shutdownOnSignal({ logger, timeoutMs, steps, exit: resolve }),
  );
  return { logged, exited };
}

describe('shutdownOnSignal', () => {
  it('runs every step in order and exits 0 when they finish in time', async () => {
    const order: string[] = [];
    const step = (name: string): ShutdownStep => ({ name, run: async () => order.push(name) });
    const { exited, logged } = install([step('http'), step('nats'), step('database')], 1000);
    process.emit('SIGTERM');
    expect(await exited).toBe(0);
    expect(order).toEqual(['http', 'nats', 'database']);
    expect(logged.at(-1)?.message).toBe('stopped');
  });

  it('past the deadline: exits 1 and logs each step it cut with what that step still held', async () => {
    vi.useFakeTimers();
    const { exited, logged } = install(
      [
        { name: 'http', run: () => new Promise(() => {}), pending: () => ({ requestsInFlight: 2 }) },
        { name: 'database', run: async () => undefined },
      ],
      500,
    );
    process.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(500);
    expect(await exited).toBe(1);
    expect(logged.at(-1)).toMatchObject({
      level: 'error',
      object: { cut: [{ step: 'http', requestsInFlight: 2 }, { step: 'database' }], timeoutMs: 500 },
    });
  });

  it('a step that fails: exits 1 and names it and the steps after it', async () => {
    const { exited, logged } = install(
      [
        { name: 'http', run: async () => undefined },
        { name: 'nats', run: () => Promise.reject(new Error('drain failed')) },
        { name: 'database', run: async () => undefined },
      ],
      1000,
    );
    process.emit('SIGINT');
    expect(await exited).toBe(1);
    expect(logged.at(-1)).toMatchObject({
      level: 'error',
      object: { cut: [{ step: 'nats' }, { step: 'database' }] },
    });
  });
});
