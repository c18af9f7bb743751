import { describe, expect, it } from 'vitest';
import { stationTopics, subjects, topics } from './topics.ts';

describe('topics', () => {
  it('round-trips up and down topics', () => {
    expect(topics.parseUp(topics.up('ST-0001', 'eject-result'))).toEqual({
      sn: 'ST-0001',
      kind: 'eject-result',
    });
    expect(topics.parseDown(topics.down('ST_2', 'lock-slot'))).toEqual({ sn: 'ST_2', kind: 'lock-slot' });
  });

  it.each([
    'stations/ST 1/up/hello',
    'stations/ST.1/up/hello',
    'stations/+/up/hello',
    'stations/#/up/hello',
    `stations/${'x'.repeat(65)}/up/hello`,
    'stations//up/hello',
    'stations/ST1/up/Hello',
    'stations/ST1/up/hello/extra',
    'stations/ST1/down/eject',
    'devices/ST1/up/hello',
  ])('refuses %s as an up topic', (topic) => {
    expect(topics.parseUp(topic)).toBeUndefined();
  });

  it('does not take up topics for down topics', () => {
    expect(topics.parseDown('stations/ST1/up/hello')).toBeUndefined();
  });

  it('builds subscriptions for bridges and stations', () => {
    expect(topics.allUp()).toBe('stations/+/up/+');
    expect(topics.allUp('bridge')).toBe('$share/bridge/stations/+/up/+');
    expect(topics.allDown('ST1')).toBe('stations/ST1/down/+');
  });

  it('puts every topic under a configured root, and hears nothing of other roots', () => {
    const fleet = stationTopics('tenant-a/stations');
    expect(fleet.up('ST1', 'hello')).toBe('tenant-a/stations/ST1/up/hello');
    expect(fleet.allUp('g')).toBe('$share/g/tenant-a/stations/+/up/+');
    expect(fleet.allDown('ST1')).toBe('tenant-a/stations/ST1/down/+');
    expect(fleet.parseUp(fleet.up('ST1', 'hello'))).toEqual({ sn: 'ST1', kind: 'hello' });
    expect(fleet.parseDown(fleet.down('ST1', 'eject'))).toEqual({ sn: 'ST1', kind: 'eject' });
    expect(fleet.parseUp(topics.up('ST1', 'hello'))).toBeUndefined();
    expect(topics.parseUp(fleet.up('ST1', 'hello'))).toBeUndefined();
    expect(fleet.parseUp('tenant-a/stations-x/ST1/up/hello')).toBeUndefined();
  });

  it.each(['', '/stations', 'stations/', 'a//b', 'st+', 'st#', 'a b'])('refuses %j as a root', (root) => {
    expect(() => stationTopics(root)).toThrow(/invalid MQTT topic root/);
  });
});

describe('subjects', () => {
  it('puts the prefix in front of every subject and the stream name', () => {
    const s = subjects('t42');
    expect(s.stationEvent('ST1', 'hello')).toBe('t42.station.0.ST1.evt.hello');
    expect(s.stationCommand('ST1', 'eject')).toBe('t42.station.ST1.cmd.eject');
    expect(s.coreDispense).toBe('t42.core.dispense');
    expect(s.coreCommand).toBe('t42.core.command');
    expect(s.stationEventsStream).toBe('t42_STATION_EVENTS');
    expect(subjects().coreDispense).toBe('core.dispense');
  });
});
