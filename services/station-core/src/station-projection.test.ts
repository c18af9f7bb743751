import { initialStationContext, type StationContext, type StationSlot } from '@powerbank/machines';
import { describe, expect, it } from 'vitest';
import { changedSlotRows, rentedBanks, stationRow, stationRowChanged } from './station-projection.ts';

const withSlots = (slots: StationSlot[]): StationContext => ({
  ...initialStationContext({ sn: 'SN-1', slotCount: 0 }),
  slots,
});
const bank = (serial: string, battery: number) => ({ serial, battery });

describe('changedSlotRows', () => {
  const before = withSlots([
    { slot: 1, state: 'ready', powerBank: bank('PB-1', 90) },
    { slot: 2, state: 'empty' },
  ]);

  it('writes every slot of a station seen for the first time, placing its banks', () => {
    expect(changedSlotRows('SN-1', undefined, before).map((r) => [r.slotIndex, r.placeBank])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('writes nothing when no slot changed', () => {
    expect(changedSlotRows('SN-1', before, withSlots([...before.slots]))).toEqual([]);
  });

  it('writes only the slot that started ejecting, without re-placing its bank', () => {
    const after = withSlots([
      { slot: 1, state: 'ejecting', commandId: 'c', powerBank: bank('PB-1', 90) },
      { slot: 2, state: 'empty' },
    ]);
    expect(changedSlotRows('SN-1', before, after)).toEqual([
      {
        sn: 'SN-1',
        slotIndex: 1,
        status: 'ejecting',
        powerBankSerial: 'PB-1',
        battery: 90,
        placeBank: false,
      },
    ]);
  });

  it('places a bank put into a slot, and one whose charge changed', () => {
    const after = withSlots([
      { slot: 1, state: 'ready', powerBank: bank('PB-1', 95) },
      { slot: 2, state: 'ready', powerBank: bank('PB-9', 80) },
    ]);
    expect(changedSlotRows('SN-1', before, after).map((r) => [r.slotIndex, r.placeBank])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it('dates a returned bank by its return report, and only the slot it was placed in', () => {
    const after = withSlots([
      { slot: 1, state: 'ready', powerBank: bank('PB-1', 95) },
      { slot: 2, state: 'ready', powerBank: bank('PB-9', 80) },
    ]);
    const returned = new Map([['PB-9', 1_700_000_000_000]]);
    expect(changedSlotRows('SN-1', before, after, returned).map((r) => [r.slotIndex, r.placedAt])).toEqual([
      [1, undefined],
      [2, 1_700_000_000_000],
    ]);
  });
});

describe('stationRowChanged', () => {
  const base = withSlots([{ slot: 1, state: 'ready', powerBank: bank('PB-1', 90) }]);
  const online = { state: 'online' as const, context: { ...base, lastHeartbeatAt: 1_000, firmware: '1.0' } };

  it('agrees with the Station row itself: a slot event changes nothing in it', () => {
    const slotEvent = {
      state: 'online' as const,
      context: { ...online.context, slots: [{ slot: 1, state: 'empty' as const }] },
    };
    expect(stationRowChanged(online, slotEvent)).toBe(false);
    expect(stationRow('SN-1', slotEvent.state, slotEvent.context)).toEqual(
      stationRow('SN-1', online.state, online.context),
    );
  });

  it('sees status, heartbeat, firmware and slot count', () => {
    const changes = [
      { ...online, state: 'offline' as const },
      { ...online, context: { ...online.context, lastHeartbeatAt: 2_000 } },
      { ...online, context: { ...online.context, firmware: '1.1' } },
      {
        ...online,
        context: {
          ...online.context,
          slots: [...online.context.slots, { slot: 2, state: 'empty' as const }],
        },
      },
    ];
    for (const after of changes) expect(stationRowChanged(online, after)).toBe(true);
  });
});

describe('rentedBanks', () => {
  const ok = (commandId: string, serial: string) =>
    ({ ok: true, commandId, rentalId: `r-${commandId}`, slot: 1, powerBankSerial: serial }) as const;

  it('marks the banks the results took out as rented, each to its rental; failures and admin ejects none', () => {
    const after = withSlots([{ slot: 1, state: 'empty' }]);
    const failed = { ok: false, commandId: 'c3', rentalId: 'r-c3', reason: 'timeout' } as const;
    const adminEject = { ok: true, commandId: 'c4', slot: 1, powerBankSerial: 'PB-4' } as const;
    expect(rentedBanks([ok('c1', 'PB-1'), failed, adminEject], after)).toEqual([
      { serial: 'PB-1', rentalId: 'r-c1' },
    ]);
  });

  it('leaves a bank a late success names where it is when it is back in a slot', () => {
    const after = withSlots([{ slot: 2, state: 'ready', powerBank: bank('PB-1', 50) }]);
    expect(rentedBanks([{ ...ok('c1', 'PB-1'), late: true }], after)).toEqual([]);
  });
});
