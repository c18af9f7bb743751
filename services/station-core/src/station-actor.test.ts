import { aHeartbeat, aHello, anInsert, empty, occupied } from '@powerbank/machines/testing';
import type { StationChangedEvent } from '@powerbank/protocol';
import { describe, expect, it } from 'vitest';
import { type ActorRuntime, StationActor } from './station-actor.ts';
import type { StationWrite } from './station-store.ts';

/** An actor over a runtime that records what it writes and announces. */
function anActor(lastSeenPersistMs: number) {
  const writes: StationWrite[] = [];
  const changes: StationChangedEvent[] = [];
  const runtime: ActorRuntime = {
    persist: async (write) => void writes.push(write),
    afterCommit: (_sn, _effects, _commands, changed) => {
      if (changed) changes.push(changed);
    },
  };
  const actor = new StationActor(
    'ST-1',
    { sn: 'ST-1', batteryThreshold: 20, slotCount: 3, historySize: 16, lastSeenPersistMs },
    runtime,
  );
  return { actor, writes, changes };
}

const hello = () => aHello([occupied(1, 'PB1', 90), occupied(2, 'PB2', 15), empty(3)]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StationActor: heartbeats that move only last-seen fields', () => {
  it('are applied in memory, not written, until something else moves', async () => {
    const { actor, writes, changes } = anActor(60_000);
    await actor.send(hello());
    expect(writes).toHaveLength(1);

    const beats = [
      aHeartbeat([
        { slot: 1, battery: 90 },
        { slot: 2, battery: 15 },
      ]),
      aHeartbeat([{ slot: 1, battery: 91 }]),
      aHeartbeat([{ slot: 1, battery: 92 }]),
    ];
    for (const beat of beats) await actor.send(beat);
    expect(writes).toHaveLength(1);
    expect(changes).toHaveLength(1);
    // Memory has them: the watchdog's question is answered from there.
    expect(actor.context.lastHeartbeatAt).toBe(beats[2]!.receivedAt);
    expect(actor.context.slots[0]?.powerBank?.battery).toBe(92);

    // Slot 2's bank crosses the rentable threshold: its slot changes state, and the write carries
    // what was held too (slot 1's charge, the last heartbeat), measured against what is stored.
    const crossing = aHeartbeat([{ slot: 2, battery: 25 }]);
    await actor.send(crossing);
    expect(writes).toHaveLength(2);
    const write = writes[1]!;
    expect(write.version).toBe(2);
    expect(write.stationChanged).toBe(true);
    expect(write.station.lastHeartbeatAt?.getTime()).toBe(crossing.receivedAt);
    expect(write.slots.map((s) => [s.slotIndex, s.status, s.battery])).toEqual([
      [1, 'ready', 92],
      [2, 'ready', 25],
    ]);
    expect(changes).toHaveLength(2);
  });

  it('a slot event is written at once', async () => {
    const { actor, writes } = anActor(60_000);
    await actor.send(hello());
    await actor.send(aHeartbeat());
    await actor.send(anInsert(3, 'PB3', 80));
    expect(writes).toHaveLength(2);
    expect(writes[1]?.slots.map((s) => s.slotIndex)).toEqual([3]);
  });

  it('are written with the first heartbeat once the interval since the last write has passed', async () => {
    const { actor, writes } = anActor(40);
    await actor.send(hello());
    await actor.send(aHeartbeat());
    expect(writes).toHaveLength(1);
    await sleep(50);
    const late = aHeartbeat();
    await actor.send(late);
    expect(writes).toHaveLength(2);
    expect(writes[1]?.station.lastHeartbeatAt?.getTime()).toBe(late.receivedAt);
    expect(writes[1]?.slots).toEqual([]);
  });

  it('flush writes what is held, once; with nothing held it writes nothing', async () => {
    const { actor, writes } = anActor(60_000);
    await actor.send(hello());
    await actor.flush();
    expect(writes).toHaveLength(1);
    const beat = aHeartbeat();
    await actor.send(beat);
    expect(actor.holdsUnwrittenFor(0)).toBe(true);
    expect(actor.holdsUnwrittenFor(60_000)).toBe(false);
    await actor.flush();
    expect(writes).toHaveLength(2);
    expect(writes[1]?.station.lastHeartbeatAt?.getTime()).toBe(beat.receivedAt);
    expect(actor.holdsUnwrittenFor(0)).toBe(false);
    await actor.flush();
    expect(writes).toHaveLength(2);
  });

  it('with no interval (0) every heartbeat is written, as before', async () => {
    const { actor, writes } = anActor(0);
    await actor.send(hello());
    await actor.send(aHeartbeat());
    await actor.send(aHeartbeat());
    expect(writes.map((w) => w.version)).toEqual([1, 2, 3]);
  });

  it('a repeated heartbeat (same message id) changes nothing and writes nothing', async () => {
    const { actor, writes } = anActor(0);
    await actor.send(hello());
    const beat = aHeartbeat();
    await actor.send(beat);
    await actor.send(beat);
    expect(writes).toHaveLength(2);
  });
});
