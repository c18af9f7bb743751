import { describe, expect, it } from 'vitest';
import { stationPartition } from './partition.ts';
import { subjects } from './topics.ts';

describe('stationPartition', () => {
  // What nats-server 2.9.10 answered for `t.*` mapped to `p.{{partition(12,1)}}.{{wildcard(1)}}`.
  it.each([
    ['ST-0x0', 11],
    ['ST-1x7919', 6],
    ['ST-2x15838', 0],
  ])('puts %s where NATS partition(12, 1) does', (sn, expected) => {
    expect(stationPartition(sn, 12)).toBe(expected);
  });

  it('is 0 with one partition and stays within the count', () => {
    expect(stationPartition('anything', 1)).toBe(0);
    for (let i = 0; i < 500; i += 1) {
      const p = stationPartition(`S${i}`, 7);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(7);
    }
  });

  it('spreads serials over every partition', () => {
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 8000; i += 1) counts[stationPartition(`ST${i}`, 8)] += 1;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });

  it('names the partition in the event subject; a partition filter matches only its stations', () => {
    const s = subjects('t42', 12);
    expect(s.stationEvent('ST-0x0', 'hello')).toBe('t42.station.11.ST-0x0.evt.hello');
    expect(s.partitionEvents(11)).toBe('t42.station.11.*.evt.>');
    expect(s.allStationEvents).toBe('t42.station.*.*.evt.>');
  });
});
