import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('Batcher', () => {
  it('flushes items added in the same turn as one batch', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>(async (items) => void batches.push(items), 100);
    await Promise.all([batcher.add(1), batcher.add(2), batcher.add(3)]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('flushes at once when idle and gathers what arrives while a flush is in flight', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>(async (items) => {
      batches.push(items);
      await tick(20);
    }, 100);
    const first = batcher.add(1);
    await tick(5);
    expect(batches).toEqual([[1]]);
    const later = [batcher.add(2)];
    await tick(1);
    later.push(batcher.add(3));
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
        await tick(20);
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
        await tick(10);
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
