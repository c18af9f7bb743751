import { buildDown, parseUpMessage } from '@powerbank/protocol';
import { describe, expect, it } from 'vitest';
import { demoStations } from './demo-stations.ts';
import { SimulatedStation } from './simulated-station.ts';

const station = () =>
  new SimulatedStation(
    { sn: 'S1', slotCount: 3, powerBanks: [{ slot: 1, serial: 'PB1', battery: 50 }] },
    1000,
    1_700_000_000_000,
  );
const valid = (m: { kind: string }) => parseUpMessage(m.kind, JSON.stringify(m)).ok;

describe('SimulatedStation', () => {
  it('numbers messages with a rising seq, the will sharing the online seq', () => {
    const s = station();
    const { will, online } = s.connectStatus();
    const hello = s.hello('boot');
    expect(will.seq).toBe(online.seq);
    expect(will.msgId).not.toBe(online.msgId);
    expect(hello.seq).toBe(online.seq + 1);
    expect([will, online, hello].every(valid)).toBe(true);
  });

  it('ejects once per command id and refuses empty, busy and locked slots', () => {
    const s = station();
    const eject = buildDown('eject', { commandId: 'cmd-00001', slot: 1, rentalId: 'r' });
    expect(s.react(eject)).toEqual({ type: 'eject', commandId: 'cmd-00001', slot: 1 });
    const busy = s.react(buildDown('eject', { commandId: 'cmd-00002', slot: 1, rentalId: 'r' }));
    expect(busy).toMatchObject({ type: 'publish', messages: [{ ok: false, error: 'busy' }] });
    const result = s.finishEject('cmd-00001', 1);
    expect(result).toMatchObject({ ok: true, powerBankSerial: 'PB1' });
    expect(s.react(eject)).toEqual({ type: 'publish', messages: [result] });
    const empty = s.react(buildDown('eject', { commandId: 'cmd-00003', slot: 1, rentalId: 'r' }));
    expect(empty).toMatchObject({ type: 'publish', messages: [{ ok: false, error: 'empty' }] });
    s.react(buildDown('lock-slot', { slot: 2 }));
    s.insert(2, 'PB2', 90);
    const locked = s.react(buildDown('eject', { commandId: 'cmd-00004', slot: 2, rentalId: 'r' }));
    expect(locked).toMatchObject({ type: 'publish', messages: [{ ok: false, error: 'locked' }] });
    expect(s.hello('sync')).toMatchObject({
      slots: [{ state: 'empty' }, { state: 'locked' }, { state: 'empty' }],
    });
  });

  it('keeps the power bank on a failed eject', () => {
    const s = station();
    s.react(buildDown('eject', { commandId: 'cmd-00001', slot: 1, rentalId: 'r' }));
    expect(s.finishEject('cmd-00001', 1, 'jammed')).toMatchObject({ ok: false, error: 'jammed' });
    expect(s.slots[0]?.powerBank?.serial).toBe('PB1');
  });

  it('charges power banks up to 100 and reports whole percent in heartbeats', () => {
    const s = station();
    s.charge(10.6);
    expect(s.heartbeat(1_700_000_005_000)).toMatchObject({
      uptimeS: 5,
      batteries: [{ slot: 1, battery: 60 }],
    });
    s.charge(100);
    expect(s.slots[0]?.powerBank?.battery).toBe(100);
  });

  it('applies config and answers sync with a valid hello, each acknowledged', () => {
    const s = station();
    const config = buildDown('config', { heartbeatIntervalS: 60 });
    expect(s.react(config)).toMatchObject({
      type: 'publish',
      messages: [{ kind: 'ack', commandId: config.msgId, command: 'config', ok: true }],
    });
    expect(s.heartbeatIntervalMs).toBe(60_000);
    const sync = s.react(buildDown('sync', {}));
    expect(sync.type === 'publish' && sync.messages.every(valid)).toBe(true);
    expect(sync.type === 'publish' && sync.messages.map((m) => m.kind)).toEqual(['ack', 'hello']);
  });

  it('acknowledges lock, unlock and reboot; a slot it does not have is refused', () => {
    const s = station();
    for (const command of [buildDown('lock-slot', { slot: 1 }), buildDown('unlock-slot', { slot: 1 })]) {
      expect(s.react(command)).toMatchObject({
        type: 'publish',
        messages: [{ kind: 'ack', commandId: command.msgId, ok: true }],
      });
    }
    expect(s.react(buildDown('lock-slot', { slot: 40 }))).toMatchObject({
      type: 'publish',
      messages: [{ kind: 'ack', ok: false, error: 'unknown_slot' }],
    });
    const reboot = s.react(buildDown('reboot', {}));
    expect(reboot.type === 'reboot' && valid(reboot.ack) && reboot.ack.kind).toBe('ack');
  });
});

describe('demoStations', () => {
  it('names stations with a padded prefix and fills slots with valid power banks', () => {
    const stations = demoStations(12, { prefix: 'X', slots: 4, fill: 1, random: () => 0.5 });
    expect(stations.map((s) => s.sn).slice(0, 2)).toEqual(['X01', 'X02']);
    expect(stations[0]?.powerBanks).toEqual(
      [1, 2, 3, 4].map((slot) => ({ slot, serial: `X01-PB${slot}`, battery: 50 })),
    );
  });
});
