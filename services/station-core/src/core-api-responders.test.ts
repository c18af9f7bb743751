import { afterEach, describe, expect, it, vi } from 'vitest';
import { DispenseWaiters } from './core-api-responders.ts';

afterEach(() => {
  vi.useRealTimers();
});

const success = { ok: true as const, commandId: 'cmd-1', rentalId: 'r-1', slot: 1, powerBankSerial: 'PB1' };

describe('DispenseWaiters', () => {
  it('hands one outcome to every waiter of its command id', async () => {
    const waiters = new DispenseWaiters(60_000);
    const first = waiters.wait('cmd-1');
    const retry = waiters.wait('cmd-1');
    expect(waiters.settle(success)).toBe(true);
    expect(await Promise.all([first, retry])).toEqual([success, success]);
    expect(waiters.size).toBe(0);
  });

  it('a waiter whose outcome never comes gives up after its timeout and is dropped', async () => {
    vi.useFakeTimers();
    const waiters = new DispenseWaiters(1000);
    const early = waiters.wait('cmd-1');
    vi.advanceTimersByTime(500);
    const late = waiters.wait('cmd-1');
    vi.advanceTimersByTime(500);
    expect(await early).toBeUndefined();
    expect(waiters.size).toBe(1);
    vi.advanceTimersByTime(500);
    expect(await late).toBeUndefined();
    expect(waiters.size).toBe(0);
    // An outcome after that finds nobody waiting.
    expect(waiters.settle(success)).toBe(false);
  });
});
