import { describe, expect, it } from 'vitest';
import { parseDownTopic, parseUpTopic, subjects, topics } from './topics.ts';

describe('topics', () => {
  it('round-trips up and down topics', () => {
    expect(parseUpTopic(topics.up('ST-0001', 'eject-result'))).toEqual({
      sn: 'ST-0001',
      kind: 'eject-result',
    });
    expect(parseDownTopic(topics.down('ST_2', 'lock-slot'))).toEqual({ sn: 'ST_2', kind: 'lock-slot' });
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
    expect(parseUpTopic(topic)).toBeUndefined();
  });

  it('does not take up topics for down topics', () => {
    expect(parseDownTopic('stations/ST1/up/hello')).toBeUndefined();
  });

  it('builds subscriptions for bridges and stations', () => {
    expect(topics.allUp()).toBe('stations/+/up/+');
    expect(topics.allUp('bridge')).toBe('$share/bridge/stations/+/up/+');
    expect(topics.allDown('ST1')).toBe('stations/ST1/down/+');
  });
});

describe('subjects', () => {
  it('puts the prefix in front of every subject and the stream name', () => {
    const s = subjects('t42');
    expect(s.stationEvent('ST1', 'hello')).toBe('t42.station.ST1.evt.hello');
    expect(s.stationCommand('ST1', 'eject')).toBe('t42.station.ST1.cmd.eject');
    expect(s.coreDispense).toBe('t42.core.dispense');
    expect(s.coreCommand).toBe('t42.core.command');
    expect(s.stationEventsStream).toBe('t42_STATION_EVENTS');
    expect(subjects().coreDispense).toBe('core.dispense');
  });
});
