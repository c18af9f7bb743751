import { describe, expect, it } from 'vitest';
import { orderedAcks } from './ordered-acks.ts';

/** A relay whose outcome the test decides. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('orderedAcks', () => {
  it('acknowledges in the order received, each only after its relay resolved', async () => {
    const sent: number[] = [];
    const acks = orderedAcks(
      (id) => sent.push(id),
      () => undefined,
    );
    const relays = [deferred(), deferred(), deferred()];
    for (const [i, relay] of relays.entries()) acks.track(i + 1, relay.promise);
    relays[2]!.resolve();
    relays[1]!.resolve();
    await settle();
    expect(sent).toEqual([]); // the first is not stored yet: nothing behind it goes either
    relays[0]!.resolve();
    await settle();
    expect(sent).toEqual([1, 2, 3]);
    expect(acks.pending).toBe(0);
  });

  it('a failed relay acknowledges nothing from it on, reports once, and later outcomes are ignored', async () => {
    const sent: number[] = [];
    const failures: unknown[] = [];
    const acks = orderedAcks(
      (id) => sent.push(id),
      (error) => failures.push(error),
    );
    const relays = [deferred(), deferred(), deferred(), deferred()];
    for (const [i, relay] of relays.entries()) acks.track(i + 1, relay.promise);
    relays[0]!.resolve();
    relays[1]!.reject(new Error('publish timed out'));
    relays[2]!.reject(new Error('publish timed out'));
    relays[3]!.resolve();
    await settle();
    expect(sent).toEqual([1]);
    expect(failures).toHaveLength(1);
    expect(acks.pending).toBe(0);
  });

  it('after a reset (connection lost) the old connection’s pending acks are never sent', async () => {
    const sent: number[] = [];
    const acks = orderedAcks(
      (id) => sent.push(id),
      () => undefined,
    );
    const old = deferred();
    acks.track(7, old.promise);
    acks.reset();
    const next = deferred();
    acks.track(7, next.promise); // the broker redelivers with the same packet id
    old.resolve();
    await settle();
    expect(sent).toEqual([]);
    next.resolve();
    await settle();
    expect(sent).toEqual([7]);
  });
});
