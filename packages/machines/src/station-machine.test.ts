import { STATION_CLOCK_MAX_SKEW_MS } from '@powerbank/domain';
import { describe, expect, it } from 'vitest';
import { type AnyStateMachine, createActor } from 'xstate';
import { restoredStationContext, type StationContext } from './station-context.ts';
import type { StationEvent } from './station-events.ts';
import { stationMachine } from './station-machine.ts';
import {
  aDispenseRequest,
  aFault,
  aHeartbeat,
  aHello,
  anAck,
  anEjectFailure,
  anEjectOk,
  anInsert,
  aRemoval,
  aStatus,
  drive,
  empty,
  occupied,
} from './testing.ts';

const sn = 'ST-1';
const effects = (actions: { type: string; params?: unknown }[]) => actions.map((a) => a.type);
const paramsOf = (actions: { type: string; params?: unknown }[], type: string) =>
  actions.filter((a) => a.type === type).map((a) => a.params);
/** A station online with PB-A 90% in slot 1, PB-B 50% in slot 2, PB-C 10% in slot 3, slot 4 empty. */
// A low fixed seq, so messages built before it (arguments are evaluated first) still come after it.
const bootHello = () =>
  aHello([occupied(1, 'PB-A', 90), occupied(2, 'PB-B', 50), occupied(3, 'PB-C', 10), empty(4)], { seq: 1 });

describe('station machine: offline', () => {
  it('starts offline with the input config and no slots known', () => {
    const { snapshot, actions } = drive({ sn, slotCount: 2, batteryThreshold: 30 });
    expect(snapshot.value).toBe('offline');
    expect(snapshot.context).toMatchObject({ sn, batteryThreshold: 30, lastSeq: -1, connected: false });
    expect(snapshot.context.slots.map((s) => s.state)).toEqual(['empty', 'empty']);
    expect(actions).toEqual([]);
  });

  it('goes online on hello, adopting the snapshot and deriving ready/charging from the threshold', () => {
    const hello = bootHello();
    const { snapshot, actions } = drive({ sn }, hello);
    expect(snapshot.value).toBe('online');
    expect(snapshot.context.slots.map((s) => s.state)).toEqual(['ready', 'ready', 'charging', 'empty']);
    expect(snapshot.context.firmware).toBe('1.0.0');
    expect(snapshot.context.lastSeq).toBe(hello.message.seq);
    expect(snapshot.context.lastHeartbeatAt).toBe(hello.receivedAt);
    expect(effects(actions)).toEqual(['reportReturn', 'reportReturn', 'reportReturn', 'persist']);
  });

  it.each([
    ['HEARTBEAT', aHeartbeat()],
    ['SLOT_INSERTED', anInsert(4, 'PB-N', 80)],
    ['SLOT_REMOVED', aRemoval(1)],
    ['SLOT_FAULT', aFault(1)],
    ['EJECT_RESULT', anEjectOk('cmd-unknown', 1, 'PB-A')],
  ])('comes back online on %s from a station it thought gone, and asks for a snapshot', (_, event) => {
    const { snapshot, actions } = drive({ sn }, bootHello(), { type: 'HEARTBEAT_TIMEOUT' }, event);
    expect(snapshot.value).toBe('online');
    expect(effects(actions)).toContain('sendSync');
    expect(effects(actions).at(-1)).toBe('persist');
  });

  it('goes online on a status online, without a sync (a hello follows)', () => {
    const { snapshot, actions } = drive({ sn }, aStatus('online'));
    expect(snapshot.value).toBe('online');
    expect(snapshot.context.connected).toBe(true);
    expect(effects(actions)).toEqual(['persist']);
  });

  it('stays offline on a status offline and on a heartbeat timeout', () => {
    expect(drive({ sn }, aStatus('offline')).snapshot.value).toBe('offline');
    const { snapshot, actions } = drive({ sn }, { type: 'HEARTBEAT_TIMEOUT' });
    expect(snapshot.value).toBe('offline');
    expect(actions).toEqual([]);
  });

  it('refuses to dispense, ejecting nothing', () => {
    const { actions, snapshot } = drive(
      { sn },
      bootHello(),
      aStatus('offline', 10_000_000),
      aDispenseRequest('cmd-00001'),
    );
    expect(snapshot.value).toBe('offline');
    expect(effects(actions)).toEqual(['reportDispenseResult']);
    expect(paramsOf(actions, 'reportDispenseResult')).toEqual([
      { ok: false, commandId: 'cmd-00001', rentalId: 'rental-1', reason: 'station_offline' },
    ]);
    expect(snapshot.context.slots[0]?.state).toBe('ready');
  });
});

describe('station machine: online', () => {
  const online = (...events: StationEvent[]) => drive({ sn }, bootHello(), ...events);

  it('dispenses the ready power bank with the highest charge and marks its slot ejecting', () => {
    const { snapshot, actions } = online(aDispenseRequest('cmd-00001'));
    expect(paramsOf(actions, 'sendEject')).toEqual([
      { commandId: 'cmd-00001', rentalId: 'rental-1', slot: 1 },
    ]);
    expect(snapshot.context.slots[0]).toMatchObject({ state: 'ejecting', commandId: 'cmd-00001' });
    expect(snapshot.context.pendingEjects['cmd-00001']).toEqual({
      commandId: 'cmd-00001',
      rentalId: 'rental-1',
      slot: 1,
      powerBankSerial: 'PB-A',
    });
    expect(effects(actions)).toEqual(['sendEject', 'persist']);
  });

  it('gives concurrent dispenses different slots and never goes below the threshold', () => {
    const { snapshot, actions } = online(
      aDispenseRequest('cmd-00001', 'r1'),
      aDispenseRequest('cmd-00002', 'r2'),
    );
    expect(paramsOf(actions, 'sendEject')).toEqual([{ commandId: 'cmd-00002', rentalId: 'r2', slot: 2 }]);
    const [third, thirdActions] = drive({ sn }).next(aDispenseRequest('x')); // offline station, sanity
    expect(third.value).toBe('offline');
    expect(effects(thirdActions)).toEqual(['reportDispenseResult']);
    const [, noneLeft] = drive(
      { sn },
      bootHello(),
      aDispenseRequest('cmd-00001'),
      aDispenseRequest('cmd-00002'),
    ).next(aDispenseRequest('cmd-00003'));
    // Slot 3 holds 10% < 20%: not rentable; ejects are in flight, so the answer is busy.
    expect(paramsOf(noneLeft, 'reportDispenseResult')).toEqual([
      { ok: false, commandId: 'cmd-00003', rentalId: 'rental-1', reason: 'busy' },
    ]);
    expect(Object.keys(snapshot.context.pendingEjects)).toEqual(['cmd-00001', 'cmd-00002']);
  });

  it('answers no_power_bank when nothing is charged enough and nothing is in flight', () => {
    const { actions } = drive(
      { sn },
      aHello([occupied(1, 'PB-C', 19), empty(2)]),
      aDispenseRequest('cmd-00001'),
    );
    expect(paramsOf(actions, 'reportDispenseResult')).toEqual([
      { ok: false, commandId: 'cmd-00001', rentalId: 'rental-1', reason: 'no_power_bank' },
    ]);
  });

  it('uses the configured battery threshold', () => {
    const hello = aHello([occupied(1, 'PB-A', 25)]);
    expect(drive({ sn, batteryThreshold: 30 }, hello).snapshot.context.slots[0]?.state).toBe('charging');
    const { actions } = drive(
      { sn, batteryThreshold: 30 },
      aHello([occupied(1, 'PB-A', 25)]),
      aDispenseRequest('cmd-00001'),
    );
    expect(paramsOf(actions, 'reportDispenseResult')).toMatchObject([{ reason: 'no_power_bank' }]);
  });

  it('never ejects twice for one command id: a repeat while pending does nothing', () => {
    const { snapshot, actions } = online(aDispenseRequest('cmd-00001'), aDispenseRequest('cmd-00001'));
    expect(actions).toEqual([]);
    expect(Object.keys(snapshot.context.pendingEjects)).toEqual(['cmd-00001']);
    expect(snapshot.context.slots.filter((s) => s.state === 'ejecting')).toHaveLength(1);
  });

  it('settles an ok eject-result: slot empty, power bank out, dispense reported', () => {
    const { snapshot, actions } = online(aDispenseRequest('cmd-00001'), anEjectOk('cmd-00001', 1, 'PB-A'));
    expect(snapshot.context.slots[0]).toEqual({ slot: 1, state: 'empty' });
    expect(snapshot.context.pendingEjects).toEqual({});
    expect(paramsOf(actions, 'reportDispenseResult')).toEqual([
      { ok: true, commandId: 'cmd-00001', rentalId: 'rental-1', slot: 1, powerBankSerial: 'PB-A' },
    ]);
    expect(effects(actions)).toEqual(['reportDispenseResult', 'persist']);
  });

  it('answers a repeated command id after settling with the same outcome and no new eject', () => {
    const { snapshot, actions } = online(
      aDispenseRequest('cmd-00001'),
      anEjectOk('cmd-00001', 1, 'PB-A'),
      aDispenseRequest('cmd-00001'),
    );
    expect(effects(actions)).toEqual(['reportDispenseResult']);
    expect(paramsOf(actions, 'reportDispenseResult')).toMatchObject([{ ok: true, slot: 1 }]);
    expect(snapshot.context.slots[1]?.state).toBe('ready');
  });

  it('asks for a snapshot when the station ejected another power bank than recorded', () => {
    const { actions } = online(aDispenseRequest('cmd-00001'), anEjectOk('cmd-00001', 1, 'PB-X'));
    expect(effects(actions)).toEqual(['sendSync', 'reportDispenseResult', 'persist']);
    expect(paramsOf(actions, 'reportDispenseResult')).toMatchObject([{ powerBankSerial: 'PB-X' }]);
  });

  it.each(['jammed', 'busy', 'timeout'] as const)(
    'puts the slot back to ready on an eject failure (%s)',
    (error) => {
      const { snapshot, actions } = online(
        aDispenseRequest('cmd-00001'),
        anEjectFailure('cmd-00001', 1, error),
      );
      expect(snapshot.context.slots[0]).toEqual({
        slot: 1,
        state: 'ready',
        powerBank: { serial: 'PB-A', battery: 90 },
      });
      expect(paramsOf(actions, 'reportDispenseResult')).toEqual([
        { ok: false, commandId: 'cmd-00001', rentalId: 'rental-1', reason: 'eject_failed', detail: error },
      ]);
    },
  );

  it('reports the power bank missing when the station finds the slot empty on eject', () => {
    const { snapshot, actions } = online(
      aDispenseRequest('cmd-00001'),
      anEjectFailure('cmd-00001', 1, 'empty'),
    );
    expect(snapshot.context.slots[0]).toEqual({ slot: 1, state: 'empty' });
    expect(paramsOf(actions, 'reportMissing')).toEqual([
      { slot: 1, powerBankSerial: 'PB-A', reason: 'eject_found_empty' },
    ]);
  });

  it('times an eject out: slot back to ready, rental told timeout', () => {
    const { snapshot, actions } = online(aDispenseRequest('cmd-00001'), {
      type: 'EJECT_TIMED_OUT',
      commandId: 'cmd-00001',
    });
    expect(snapshot.context.slots[0]?.state).toBe('ready');
    expect(snapshot.context.pendingEjects).toEqual({});
    expect(paramsOf(actions, 'reportDispenseResult')).toEqual([
      { ok: false, commandId: 'cmd-00001', rentalId: 'rental-1', reason: 'timeout' },
    ]);
  });

  it('ignores a timeout for a command that is not pending', () => {
    const { actions } = online(aDispenseRequest('cmd-00001'), anEjectOk('cmd-00001', 1, 'PB-A'), {
      type: 'EJECT_TIMED_OUT',
      commandId: 'cmd-00001',
    });
    expect(actions).toEqual([]);
  });

  it('records a late success after a timeout: the power bank is out and the rental is told', () => {
    const { snapshot, actions } = online(
      aDispenseRequest('cmd-00001'),
      { type: 'EJECT_TIMED_OUT', commandId: 'cmd-00001' },
      anEjectOk('cmd-00001', 1, 'PB-A'),
    );
    expect(snapshot.context.slots[0]).toEqual({ slot: 1, state: 'empty' });
    expect(paramsOf(actions, 'reportDispenseResult')).toEqual([
      {
        ok: true,
        commandId: 'cmd-00001',
        rentalId: 'rental-1',
        slot: 1,
        powerBankSerial: 'PB-A',
        late: true,
      },
    ]);
    // A retry of the command now gets the success.
    const [, retry] = drive({ sn }, bootHello()).next(aDispenseRequest('cmd-00001'));
    expect(effects(retry)).toEqual(['sendEject', 'persist']);
    expect(snapshot.context.settledEjects[0]?.result).toMatchObject({ ok: true, late: true });
  });

  it('a late success for a slot already re-ejected keeps the new eject and removes the power bank', () => {
    const { snapshot, actions } = online(
      aDispenseRequest('cmd-00001'),
      { type: 'EJECT_TIMED_OUT', commandId: 'cmd-00001' },
      aDispenseRequest('cmd-00002'),
      anEjectOk('cmd-00001', 1, 'PB-A'),
    );
    expect(snapshot.context.slots[0]).toEqual({ slot: 1, state: 'ejecting', commandId: 'cmd-00002' });
    expect(paramsOf(actions, 'reportDispenseResult')).toMatchObject([{ ok: true, late: true }]);
    // The second eject then fails (slot empty): the slot rests empty, no phantom power bank.
    const [after, failActions] = transition2(snapshot, anEjectFailure('cmd-00002', 1, 'empty'));
    expect(after.context.slots[0]).toEqual({ slot: 1, state: 'empty' });
    expect(paramsOf(failActions, 'reportMissing')).toEqual([]);
  });

  it('ignores a late failure and results for unknown commands, apart from noting the message', () => {
    const late = online(
      aDispenseRequest('cmd-00001'),
      { type: 'EJECT_TIMED_OUT', commandId: 'cmd-00001' },
      anEjectFailure('cmd-00001', 1),
    );
    expect(effects(late.actions)).toEqual(['persist']);
    expect(late.snapshot.context.slots[0]?.state).toBe('ready');
    const unknown = online(anEjectOk('cmd-nobody', 2, 'PB-B'));
    expect(effects(unknown.actions)).toEqual(['persist']);
    expect(unknown.snapshot.context.slots[1]?.state).toBe('ready');
  });

  it('reports an inserted power bank it did not know as a return, ready or charging by battery', () => {
    const insert = anInsert(4, 'PB-N', 15);
    const { snapshot, actions } = online(insert);
    expect(snapshot.context.slots[3]).toEqual({
      slot: 4,
      state: 'charging',
      powerBank: { serial: 'PB-N', battery: 15 },
    });
    expect(paramsOf(actions, 'reportReturn')).toEqual([
      { slot: 4, powerBankSerial: 'PB-N', battery: 15, source: 'inserted', at: insert.receivedAt },
    ]);
  });

  it('dates a return by the station clock, bounded by the receive time', () => {
    const late = anInsert(4, 'PB-N', 80);
    if (late.type !== 'SLOT_INSERTED') throw new Error('an insert');
    // Put there 10 minutes before the broker got the report (it waited in the station): billed then.
    const tenMinutesBefore = { ...late, message: { ...late.message, ts: late.receivedAt - 600_000 } };
    expect(paramsOf(online(tenMinutesBefore).actions, 'reportReturn')[0]).toMatchObject({
      at: late.receivedAt - 600_000,
    });
    // A clock a day behind dates it no earlier than the allowed skew; a clock ahead, no later than received.
    const dayBehind = { ...late, message: { ...late.message, ts: late.receivedAt - 86_400_000 } };
    expect(paramsOf(online(dayBehind).actions, 'reportReturn')[0]).toMatchObject({
      at: late.receivedAt - STATION_CLOCK_MAX_SKEW_MS,
    });
    const ahead = { ...late, message: { ...late.message, ts: late.receivedAt + 3_600_000 } };
    expect(paramsOf(online(ahead).actions, 'reportReturn')[0]).toMatchObject({ at: late.receivedAt });
  });

  it('treats a power bank moved between slots of the station as a move, not a return', () => {
    const { snapshot, actions } = online(anInsert(4, 'PB-A', 90));
    expect(snapshot.context.slots[0]).toEqual({ slot: 1, state: 'empty' });
    expect(snapshot.context.slots[3]?.state).toBe('ready');
    expect(effects(actions)).toEqual(['persist']);
  });

  it('reports an unexpected removal as missing', () => {
    const { snapshot, actions } = online(aRemoval(2));
    expect(snapshot.context.slots[1]).toEqual({ slot: 2, state: 'empty' });
    expect(paramsOf(actions, 'reportMissing')).toEqual([
      { slot: 2, powerBankSerial: 'PB-B', reason: 'removed' },
    ]);
  });

  it('leaves an ejecting slot to its eject-result when a removal is reported', () => {
    const { snapshot, actions } = online(aDispenseRequest('cmd-00001'), aRemoval(1));
    expect(snapshot.context.slots[0]?.state).toBe('ejecting');
    expect(effects(actions)).toEqual(['persist']);
  });

  it('marks a slot faulty on a fault event and never dispenses from it', () => {
    const { snapshot, actions } = online(aFault(1, 'lock'), aDispenseRequest('cmd-00001'));
    expect(snapshot.context.slots[0]).toMatchObject({
      state: 'faulty',
      error: 'lock',
      powerBank: { serial: 'PB-A' },
    });
    expect(paramsOf(actions, 'sendEject')).toEqual([
      { commandId: 'cmd-00001', rentalId: 'rental-1', slot: 2 },
    ]);
  });

  it('asks for a snapshot when a slot message names a slot it does not know', () => {
    const { actions } = drive({ sn }, aStatus('online'), anInsert(3, 'PB-Z', 50));
    expect(effects(actions)).toEqual(['sendSync', 'persist']);
  });

  it('updates batteries from heartbeats: charging becomes ready at the threshold', () => {
    const { snapshot } = online(
      aHeartbeat([
        { slot: 3, battery: 20 },
        { slot: 1, battery: 91 },
        { slot: 4, battery: 50 },
      ]),
    );
    expect(snapshot.context.slots[2]).toEqual({
      slot: 3,
      state: 'ready',
      powerBank: { serial: 'PB-C', battery: 20 },
    });
    expect(snapshot.context.slots[0]?.powerBank?.battery).toBe(91);
    expect(snapshot.context.slots[3]).toEqual({ slot: 4, state: 'empty' });
  });

  it('goes offline on the last will and on a heartbeat timeout, keeping pending ejects', () => {
    const will = online(aDispenseRequest('cmd-00001'), aStatus('offline', 1e9));
    expect(will.snapshot.value).toBe('offline');
    expect(will.snapshot.context.connected).toBe(false);
    expect(Object.keys(will.snapshot.context.pendingEjects)).toEqual(['cmd-00001']);
    const silent = online({ type: 'HEARTBEAT_TIMEOUT' });
    expect(silent.snapshot.value).toBe('offline');
    expect(effects(silent.actions)).toEqual(['persist']);
  });

  it('ignores a heartbeat timeout decided before the last heartbeat arrived', () => {
    const hb = aHeartbeat();
    const { snapshot, actions } = online(hb, { type: 'HEARTBEAT_TIMEOUT', silentSince: hb.receivedAt - 1 });
    expect(snapshot.value).toBe('online');
    expect(actions).toEqual([]);
    expect(online(hb, { type: 'HEARTBEAT_TIMEOUT', silentSince: hb.receivedAt }).snapshot.value).toBe(
      'offline',
    );
  });

  it('ignores a timeout decided while the station had never been heard from, once it has', () => {
    // The watchdog read "online, no heartbeat yet" (a status online stored before the hello), and
    // its timeout reached the actor after the hello: the station has just been heard from.
    const { snapshot, actions } = drive({ sn }, aStatus('online', 1), bootHello(), {
      type: 'HEARTBEAT_TIMEOUT',
      silentSince: 0,
    });
    expect(snapshot.value).toBe('online');
    expect(actions).toEqual([]);
    expect(
      drive({ sn }, aStatus('online', 1), { type: 'HEARTBEAT_TIMEOUT', silentSince: 0 }).snapshot.value,
    ).toBe('offline');
  });

  it('locks and unlocks slots, telling the station', () => {
    const locked = online({ type: 'LOCK_SLOT', slot: 1 });
    expect(locked.snapshot.context.slots[0]).toMatchObject({
      state: 'locked',
      powerBank: { serial: 'PB-A' },
    });
    expect(locked.actions.map((a) => [a.type, a.params])).toEqual([
      ['sendLockSlot', { slot: 1 }],
      ['persist', undefined],
    ]);
    const [, dispenseActions] = locked.next(aDispenseRequest('cmd-00001'));
    expect(paramsOf(dispenseActions, 'sendEject')).toMatchObject([{ slot: 2 }]);
    const unlocked = online({ type: 'LOCK_SLOT', slot: 1 }, { type: 'UNLOCK_SLOT', slot: 1 });
    expect(unlocked.snapshot.context.slots[0]?.state).toBe('ready');
    expect(effects(unlocked.actions)).toEqual(['sendUnlockSlot', 'persist']);
  });

  it('refuses to lock an ejecting or unknown slot, and to unlock a slot that is not locked', () => {
    expect(online(aDispenseRequest('cmd-00001'), { type: 'LOCK_SLOT', slot: 1 }).actions).toEqual([]);
    expect(online({ type: 'LOCK_SLOT', slot: 9 }).actions).toEqual([]);
    expect(online({ type: 'UNLOCK_SLOT', slot: 1 }).actions).toEqual([]);
  });

  it('sends a sync on request and changes nothing else', () => {
    const { snapshot, actions } = online({ type: 'SYNC_REQUESTED' });
    expect(effects(actions)).toEqual(['sendSync']);
    expect(snapshot.value).toBe('online');
  });
});

describe('station machine: duplicates and ordering', () => {
  it('changes nothing for a repeated message id or an older seq', () => {
    const insert = anInsert(4, 'PB-N', 80);
    const base = drive({ sn }, bootHello(), insert);
    const [again, againActions] = base.next(insert);
    expect(againActions).toEqual([]);
    expect(again.context).toEqual(base.snapshot.context);
    const stale = { ...anRemovalAt(4, insert.message.seq - 1) };
    const [afterStale, staleActions] = base.next(stale);
    expect(staleActions).toEqual([]);
    expect(afterStale.context).toEqual(base.snapshot.context);
  });

  it('treats a known message id as a duplicate even when re-sent with a new seq', () => {
    const insert = anInsert(4, 'PB-N', 80);
    const base = drive({ sn }, bootHello(), insert);
    const resent = {
      ...insert,
      message: { ...insert.message, seq: insert.message.seq + 100 },
    } as StationEvent;
    expect(base.next(resent)[1]).toEqual([]);
  });

  it('does not eject twice when the eject-result is redelivered', () => {
    const ok = anEjectOk('cmd-00001', 1, 'PB-A');
    const { actions } = drive({ sn }, bootHello(), aDispenseRequest('cmd-00001'), ok, ok);
    expect(actions).toEqual([]);
  });

  it('forgets the oldest message ids beyond the history size', () => {
    const beats = Array.from({ length: 5 }, () => aHeartbeat());
    const { snapshot } = drive({ sn, historySize: 3 }, ...beats);
    expect(snapshot.context.seenMsgIds).toEqual(
      beats
        .slice(-3)
        .reverse()
        .map((b) => b.message.msgId),
    );
  });

  it('orders status by connection: a late will of an older connection is stale', () => {
    const connect1 = 5000;
    const connect2 = 9000;
    const { snapshot, actions } = drive(
      { sn },
      aStatus('online', connect1),
      aStatus('online', connect2),
      aStatus('offline', connect1, 'will-1'),
    );
    expect(snapshot.value).toBe('online');
    expect(actions).toEqual([]);
    // The will of the current connection wins over its own online.
    expect(
      drive({ sn }, aStatus('online', connect2), aStatus('offline', connect2, 'will-2')).snapshot.value,
    ).toBe('offline');
    expect(
      drive({ sn }, aStatus('offline', connect2, 'will-2'), aStatus('online', connect2)).snapshot.value,
    ).toBe('offline');
  });

  it('accepts status regardless of the data seq, and a redelivered retained status once', () => {
    const online = aStatus('online', 6);
    const { snapshot, actions } = drive(
      { sn },
      bootHello(),
      aHeartbeat(),
      aStatus('offline', 5),
      online,
      online,
    );
    expect(snapshot.context.lastSeq).toBeGreaterThan(6);
    expect(snapshot.value).toBe('online');
    expect(actions).toEqual([]);
  });
});

/**
 * Several bridge connections relay one station's messages in parallel, so they can reach core
 * in another order than the station sent them. Builders take increasing seqs: a message built
 * first is older, whatever order the test feeds them in.
 */
describe('station machine: messages overtaken on the way', () => {
  it('an eject result overtaken by a heartbeat still settles the dispense', () => {
    const ok = anEjectOk('cmd-00001', 1, 'PB-A');
    const beat = aHeartbeat();
    const { snapshot, actions } = drive({ sn }, bootHello(), aDispenseRequest('cmd-00001'), beat, ok);
    expect(paramsOf(actions, 'reportDispenseResult')).toMatchObject([
      { ok: true, commandId: 'cmd-00001', powerBankSerial: 'PB-A' },
    ]);
    expect(snapshot.context.slots[0]).toEqual({ slot: 1, state: 'empty' });
    expect(snapshot.context.pendingEjects).toEqual({});

    const failure = anEjectFailure('cmd-00002', 1);
    const later = aHeartbeat();
    const refused = drive({ sn }, bootHello(), aDispenseRequest('cmd-00002'), later, failure);
    expect(paramsOf(refused.actions, 'reportDispenseResult')).toMatchObject([
      { ok: false, reason: 'eject_failed' },
    ]);
    expect(refused.snapshot.context.slots[0]?.state).toBe('ready');
  });

  it('a return overtaken by a heartbeat is still a return', () => {
    const insert = anInsert(4, 'PB-N', 80);
    const beat = aHeartbeat();
    const { snapshot, actions } = drive({ sn }, bootHello(), beat, insert);
    expect(paramsOf(actions, 'reportReturn')).toMatchObject([{ slot: 4, powerBankSerial: 'PB-N' }]);
    expect(snapshot.context.slots[3]).toMatchObject({ state: 'ready', powerBank: { serial: 'PB-N' } });
  });

  it("a slot's own messages stay in order: an older insertion arriving after a newer removal is stale", () => {
    const insert = anInsert(4, 'PB-N', 80);
    const removal = aRemoval(4);
    const { snapshot, actions } = drive({ sn }, bootHello(), removal, insert);
    expect(actions).toEqual([]);
    expect(snapshot.context.slots[3]).toEqual({ slot: 4, state: 'empty' });
  });

  it('an eject result older than a message that set its slot settles the rental and keeps that slot', () => {
    const ok = anEjectOk('cmd-00001', 1, 'PB-A');
    const putBack = anInsert(1, 'PB-X', 70);
    const { snapshot, actions } = drive({ sn }, bootHello(), aDispenseRequest('cmd-00001'), putBack, ok);
    expect(paramsOf(actions, 'reportDispenseResult')).toMatchObject([{ ok: true, powerBankSerial: 'PB-A' }]);
    expect(snapshot.context.slots[0]).toEqual({
      slot: 1,
      state: 'ready',
      powerBank: { serial: 'PB-X', battery: 70 },
    });
  });

  it('a hello overtaken by a heartbeat still reconciles; one older than a slot event keeps that slot', () => {
    const reconnect = aHello([
      occupied(1, 'PB-A', 90),
      occupied(2, 'PB-B', 50),
      occupied(3, 'PB-C', 10),
      occupied(4, 'PB-N', 60),
    ]);
    const beat = aHeartbeat();
    const overtaken = drive({ sn }, bootHello(), beat, reconnect);
    expect(paramsOf(overtaken.actions, 'reportReturn')).toMatchObject([{ slot: 4, powerBankSerial: 'PB-N' }]);

    const snapshotFirst = aHello([
      occupied(1, 'PB-A', 90),
      occupied(2, 'PB-B', 50),
      occupied(3, 'PB-C', 10),
      empty(4),
    ]);
    const returned = anInsert(4, 'PB-N', 60);
    const { snapshot, actions } = drive({ sn }, bootHello(), returned, snapshotFirst);
    expect(snapshot.context.slots[3]).toMatchObject({ state: 'ready', powerBank: { serial: 'PB-N' } });
    expect(paramsOf(actions, 'reportMissing')).toEqual([]);
  });

  it("a late hello of an older connection is stale; a late heartbeat's battery reading is of the past", () => {
    const older = aHello([empty(1), empty(2), empty(3), empty(4)]);
    const newer = aHello([
      occupied(1, 'PB-A', 90),
      occupied(2, 'PB-B', 50),
      occupied(3, 'PB-C', 10),
      empty(4),
    ]);
    const { snapshot, next } = drive({ sn }, bootHello(), newer);
    const [afterOlder, olderActions] = next(older);
    expect(olderActions).toEqual([]);
    expect(afterOlder.context.slots).toEqual(snapshot.context.slots);

    const reading = aHeartbeat([{ slot: 4, battery: 15 }]);
    const swapped = anInsert(4, 'PB-N', 95);
    const late = drive({ sn }, bootHello(), swapped, reading);
    expect(late.snapshot.context.slots[3]).toMatchObject({ powerBank: { serial: 'PB-N', battery: 95 } });
  });

  it('a move to another slot says nothing else of the slot it left: a bank put there before the move, told after it, is placed', () => {
    // At the station: PB-A taken out of slot 1, PB-N put into slot 1, then PB-A into slot 4.
    const removal = aRemoval(1);
    const putIn = anInsert(1, 'PB-N', 70);
    const moved = anInsert(4, 'PB-A', 90);
    const { snapshot, actions, next } = drive({ sn }, bootHello(), moved, putIn);
    expect(snapshot.context.slots[0]).toMatchObject({ state: 'ready', powerBank: { serial: 'PB-N' } });
    expect(snapshot.context.slots[3]).toMatchObject({ state: 'ready', powerBank: { serial: 'PB-A' } });
    expect(paramsOf(actions, 'reportReturn')).toMatchObject([{ slot: 1, powerBankSerial: 'PB-N' }]);
    // The removal, older than the insertion into its slot, is stale.
    const [late, lateActions] = next(removal);
    expect(lateActions).toEqual([]);
    expect(late.context.slots).toEqual(snapshot.context.slots);
  });

  it('an insertion of a power bank a newer message put in another slot is of the past', () => {
    // At the station: PB-N into slot 4, out again, then into slot 3 (PB-C taken out before).
    const first = anInsert(4, 'PB-N', 60);
    const out = aRemoval(4);
    const second = anInsert(3, 'PB-N', 60);
    const returned = drive({ sn }, bootHello(), second);
    expect(paramsOf(returned.actions, 'reportReturn')).toMatchObject([{ slot: 3, powerBankSerial: 'PB-N' }]);
    const [past, pastActions] = returned.next(first);
    expect(paramsOf(pastActions, 'reportReturn')).toEqual([]);
    expect(past.context.slots).toEqual(returned.snapshot.context.slots);
    const { snapshot, actions } = drive({ sn }, bootHello(), second, first, out);
    expect(paramsOf(actions, 'reportMissing')).toEqual([]);
    expect(snapshot.context.slots[2]).toMatchObject({ powerBank: { serial: 'PB-N' } });
    expect(snapshot.context.slots[3]).toEqual({ slot: 4, state: 'empty' });
  });

  it('a hello older than the move of a power bank does not put it back where it was', () => {
    const snapshotFirst = aHello([
      occupied(1, 'PB-A', 90),
      occupied(2, 'PB-B', 50),
      occupied(3, 'PB-C', 10),
      empty(4),
    ]);
    const moved = anInsert(4, 'PB-A', 90);
    const { snapshot, actions } = drive({ sn }, bootHello(), moved, snapshotFirst);
    const holding = snapshot.context.slots.filter((s) => s.powerBank?.serial === 'PB-A').map((s) => s.slot);
    expect(holding).toEqual([4]);
    expect(snapshot.context.slots[0]).toEqual({ slot: 1, state: 'empty' });
    expect(paramsOf(actions, 'reportReturn')).toEqual([]);
    expect(paramsOf(actions, 'reportMissing')).toEqual([]);
  });

  it('restores a context persisted before slot ordering existed', () => {
    const { snapshot } = drive({ sn }, bootHello());
    const { slotSeqs: _s, helloSeq: _h, ...old } = snapshot.context;
    expect(restoredStationContext(old as StationContext)).toMatchObject({ slotSeqs: {}, helloSeq: -1 });
  });
});

describe('station machine: reconciliation on hello', () => {
  it('reports a power bank found that it did not know as a return, one gone as missing', () => {
    const { snapshot, actions } = drive(
      { sn },
      bootHello(),
      aHello([occupied(1, 'PB-A', 90), empty(2), occupied(3, 'PB-C', 12), occupied(4, 'PB-R', 70)]),
    );
    expect(paramsOf(actions, 'reportReturn')).toEqual([
      { slot: 4, powerBankSerial: 'PB-R', battery: 70, source: 'snapshot', at: expect.any(Number) },
    ]);
    expect(paramsOf(actions, 'reportMissing')).toEqual([
      { slot: 2, powerBankSerial: 'PB-B', reason: 'absent_on_hello' },
    ]);
    expect(snapshot.context.slots.map((s) => s.state)).toEqual(['ready', 'empty', 'charging', 'ready']);
  });

  it('keeps an eject in flight across a hello and does not call its power bank missing', () => {
    const { snapshot, actions } = drive(
      { sn },
      bootHello(),
      aDispenseRequest('cmd-00001'),
      aHello([empty(1), occupied(2, 'PB-B', 50), occupied(3, 'PB-C', 10), empty(4)]),
    );
    expect(snapshot.context.slots[0]).toEqual({ slot: 1, state: 'ejecting', commandId: 'cmd-00001' });
    expect(paramsOf(actions, 'reportMissing')).toEqual([]);
    const [settled] = transition2(snapshot, anEjectOk('cmd-00001', 1, 'PB-A'));
    expect(settled.context.slots[0]).toEqual({ slot: 1, state: 'empty' });
  });

  it('adopts locked and faulty slots and a changed slot count', () => {
    const { snapshot } = drive(
      { sn, slotCount: 8 },
      aHello([
        { slot: 1, state: 'locked', powerBank: { serial: 'PB-A', battery: 90 } },
        { slot: 2, state: 'fault', error: 'sensor' },
      ]),
    );
    expect(snapshot.context.slots).toEqual([
      { slot: 1, state: 'locked', powerBank: { serial: 'PB-A', battery: 90 } },
      { slot: 2, state: 'faulty', error: 'sensor' },
    ]);
  });
});

describe('station machine: maintenance', () => {
  const inMaintenance = (...events: StationEvent[]) =>
    drive({ sn }, bootHello(), { type: 'ENTER_MAINTENANCE' }, ...events);

  it('enters from online and from offline, persisting', () => {
    const fromOnline = inMaintenance();
    expect(fromOnline.snapshot.value).toBe('maintenance');
    expect(effects(fromOnline.actions)).toEqual(['persist']);
    expect(drive({ sn }, { type: 'ENTER_MAINTENANCE' }).snapshot.value).toBe('maintenance');
    expect(inMaintenance({ type: 'ENTER_MAINTENANCE' }).actions).toEqual([]);
  });

  it('refuses to dispense but still answers a known command with its outcome', () => {
    const { actions } = inMaintenance(aDispenseRequest('cmd-00001'));
    expect(paramsOf(actions, 'reportDispenseResult')).toEqual([
      { ok: false, commandId: 'cmd-00001', rentalId: 'rental-1', reason: 'station_maintenance' },
    ]);
    const settled = drive(
      { sn },
      bootHello(),
      aDispenseRequest('cmd-00001'),
      { type: 'ENTER_MAINTENANCE' },
      anEjectOk('cmd-00001', 1, 'PB-A'),
      aDispenseRequest('cmd-00001'),
    );
    expect(paramsOf(settled.actions, 'reportDispenseResult')).toMatchObject([{ ok: true, slot: 1 }]);
  });

  it('ejects the slot an operator names, charged or not, in maintenance too; no rental, and never a locked slot', () => {
    const adminEject = (slot: number): StationEvent => ({
      type: 'DISPENSE_REQUESTED',
      commandId: `adm-0000${slot}`,
      slot,
    });
    // Slot 3's 10% is too low to rent, not to take out.
    for (const { actions } of [drive({ sn }, bootHello(), adminEject(3)), inMaintenance(adminEject(3))]) {
      expect(paramsOf(actions, 'sendEject')).toEqual([
        { commandId: 'adm-00003', rentalId: undefined, slot: 3 },
      ]);
    }
    const empty4 = drive({ sn }, bootHello(), adminEject(4));
    expect(paramsOf(empty4.actions, 'reportDispenseResult')).toMatchObject([
      { ok: false, reason: 'no_power_bank' },
    ]);
    const locked = drive({ sn }, bootHello(), { type: 'LOCK_SLOT', slot: 1 }, adminEject(1));
    expect(paramsOf(locked.actions, 'sendEject')).toEqual([]);
    const settled = drive({ sn }, bootHello(), adminEject(2), anEjectOk('adm-00002', 2, 'PB-B'));
    expect(paramsOf(settled.actions, 'reportDispenseResult')).toEqual([
      { ok: true, commandId: 'adm-00002', rentalId: undefined, slot: 2, powerBankSerial: 'PB-B' },
    ]);
    expect(settled.snapshot.context.slots[1]?.state).toBe('empty');
  });

  it("sends an operator's lock under its command id and reports the station's ack once", () => {
    const locked = drive({ sn }, bootHello(), { type: 'LOCK_SLOT', slot: 2, commandId: 'adm-lock-1' });
    expect(paramsOf(locked.actions, 'sendLockSlot')).toEqual([{ slot: 2, commandId: 'adm-lock-1' }]);
    const ack = anAck('adm-lock-1');
    const acked = drive({ sn }, bootHello(), ack);
    expect(paramsOf(acked.actions, 'reportCommandAck')).toEqual([
      { commandId: 'adm-lock-1', command: 'lock-slot', ok: true },
    ]);
    expect(paramsOf(drive({ sn }, bootHello(), ack, ack).actions, 'reportCommandAck')).toEqual([]);
    const refused = drive({ sn }, bootHello(), anAck('adm-sync-1', 'sync', 'busy'));
    expect(paramsOf(refused.actions, 'reportCommandAck')).toEqual([
      { commandId: 'adm-sync-1', command: 'sync', ok: false, error: 'busy' },
    ]);
  });

  it('keeps tracking slots and the link while in maintenance', () => {
    const { snapshot } = inMaintenance(anInsert(4, 'PB-N', 60), aStatus('offline', 1e9));
    expect(snapshot.value).toBe('maintenance');
    expect(snapshot.context.slots[3]?.state).toBe('ready');
    expect(snapshot.context.connected).toBe(false);
    const timedOut = inMaintenance({ type: 'HEARTBEAT_TIMEOUT' });
    expect(timedOut.snapshot.value).toBe('maintenance');
    expect(timedOut.snapshot.context.connected).toBe(false);
  });

  it('exits to online when the station is connected, else offline', () => {
    expect(inMaintenance({ type: 'EXIT_MAINTENANCE' }).snapshot.value).toBe('online');
    expect(inMaintenance({ type: 'HEARTBEAT_TIMEOUT' }, { type: 'EXIT_MAINTENANCE' }).snapshot.value).toBe(
      'offline',
    );
    expect(drive({ sn }, { type: 'EXIT_MAINTENANCE' }).actions).toEqual([]);
  });
});

describe('station machine: commands in every state', () => {
  const withPendingEject = [bootHello(), aDispenseRequest('cmd-00001')];
  const into: Record<string, StationEvent[]> = {
    online: [],
    offline: [{ type: 'HEARTBEAT_TIMEOUT' }],
    maintenance: [{ type: 'ENTER_MAINTENANCE' }],
  };

  it.each(Object.keys(into))(
    'in %s: eject timeout, lock, unlock and sync work and keep the state',
    (state) => {
      const start = drive({ sn }, ...withPendingEject, ...(into[state] ?? []));
      expect(start.snapshot.value).toBe(state);
      const [timedOut, timeoutActions] = start.next({ type: 'EJECT_TIMED_OUT', commandId: 'cmd-00001' });
      expect(timedOut.value).toBe(state);
      expect(paramsOf(timeoutActions, 'reportDispenseResult')).toMatchObject([{ reason: 'timeout' }]);
      const [locked, lockActions] = start.next({ type: 'LOCK_SLOT', slot: 2 });
      expect([locked.value, locked.context.slots[1]?.state]).toEqual([state, 'locked']);
      expect(effects(lockActions)).toEqual(['sendLockSlot', 'persist']);
      const [, syncActions] = start.next({ type: 'SYNC_REQUESTED' });
      expect(effects(syncActions)).toEqual(['sendSync']);
      const [, repeatActions] = start.next(aDispenseRequest('cmd-00001'));
      expect(repeatActions).toEqual([]);
    },
  );
});

describe('station machine: effects are supplied by the runtime', () => {
  it('runs provided implementations with their params', async () => {
    const { createActor } = await import('xstate');
    const sent: unknown[] = [];
    const machine = stationMachine.provide({ actions: { sendEject: (_, order) => void sent.push(order) } });
    const actor = createActor(machine, { input: { sn } }).start();
    actor.send(bootHello());
    actor.send(aDispenseRequest('cmd-00001'));
    expect(sent).toEqual([{ commandId: 'cmd-00001', rentalId: 'rental-1', slot: 1 }]);
    actor.stop();
  });
});

import type { SnapshotFrom } from 'xstate';
// Helpers that read better at the call site than inline.
import { transition } from 'xstate';

function transition2(snapshot: SnapshotFrom<typeof stationMachine>, event: StationEvent) {
  return transition(stationMachine, snapshot, event);
}
function anRemovalAt(slot: number, seq: number): StationEvent {
  const event = aRemoval(slot);
  if (event.type !== 'SLOT_REMOVED') throw new Error('builder changed');
  return { ...event, message: { ...event.message, seq, msgId: `stale-${seq}` } };
}

describe('station machine: the runtime', () => {
  it('an actor without input starts cleanly (steps are taken on one: transition(), pureTransition)', () => {
    // Were the initial context to throw, every station message would build an Error and its stack.
    const actor = createActor(stationMachine as AnyStateMachine);
    expect(actor.getSnapshot().status).toBe('active');
    expect(actor.getSnapshot().value).toBe('offline');
  });
});
