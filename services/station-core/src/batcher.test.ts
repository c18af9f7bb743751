import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

/** Lets the event loop turn once: the flush is still busy, with no clock involved. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A promise the test settles when it chooses. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('Batcher', () => {
  it('flushes items added in the same turn as one batch', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>(async (items) => void batches.push(items), 100);
    await Promise.all([batcher.add(1), batcher.add(2), batcher.add(3)]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('flushes at once when idle and gathers what arrives while a flush is in flight', async () => {
    const batches: number[][] = [];
    const firstStarted = gate();
    const firstMayEnd = gate();
    const batcher = new Batcher<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) {
        firstStarted.open();
        await firstMayEnd.opened;
      }
    }, 100);
    const first = batcher.add(1);
    await firstStarted.opened;
    expect(batches).toEqual([[1]]);
    // Two items in two turns of the event loop, both while the first flush is still in flight.
    const later = [batcher.add(2)];
    await turn();
    later.push(batcher.add(3));
    firstMayEnd.open();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('cuts batches at maxItems', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>(async (items) => void batches.push(items), 2);
    await Promise.all([batcher.add(1), batcher.add(2), batcher.add(3), batcher.add(4)]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('runs at most `concurrency` flushes at once and keeps the rest queued', async () => {
    let running = 0;
    let peak = 0;
    const batcher = new Batcher<number>(
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await turn();
        running -= 1;
      },
      1,
      2,
    );
    await Promise.all(Array.from({ length: 6 }, (_, i) => batcher.add(i)));
    expect(peak).toBe(2);
  });

  it('rejects every caller of a failed batch, and later batches still run', async () => {
    let fail = true;
    const batcher = new Batcher<number>(async () => {
      if (fail) throw new Error('db down');
    }, 10);
    const results = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(batcher.add(3)).resolves.toBeUndefined();
  });

  it('rejects only the items the flush names as failed', async () => {
    const batcher = new Batcher<number>(
      async (items) => new Map(items.filter((i) => i % 2).map((i) => [i, new Error(`odd ${i}`)])),
      10,
    );
    const results = await Promise.allSettled([batcher.add(1), batcher.add(2), batcher.add(3)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
  });

  it('drain waits for queued and running flushes', async () => {
    const done: number[] = [];
    const batcher = new Batcher<number>(
      async (items) => {
        await turn();
        done.push(...items);
      },
      1,
      1,
    );
    void batcher.add(1);
    void batcher.add(2);
    await batcher.drain();
    expect(done).toEqual([1, 2]);
  });
});
